"""Netlist figures by part: a design synthesized in separately synthesized pieces, when one
flattened yosys run of the whole would take hours.

A Deep Sets design runs the same per-item network (phi) on every item of its input (32
particles): identical logic on different inputs, which synthesis cannot share. Its
netlist is then, to within optimizations across the cut, N times the netlist of one item's
copy plus the netlist of the rest (pooling and rho). Two ways to cut, both from the
emulator's plan of the ModelGraph (the same steps, types and weights the whole design's
trace runs, through trace.py's handlers):

- **per item** (`per_item_split`): the leading steps that act on each item alone (pointwise
  distributed-arithmetic convolutions over the item axis, activations and casts, batch
  normalization with the same scale for every item), traced for ONE item (its features
  from the firmware input type) and counted N times; then the rest, traced from inputs
  holding the exact value ranges one item's part gives, item after item. A design without
  such leading steps (an MLP) is refused in one line: its whole-design synthesis is the
  ordinary `l1forge rtl`.
- **after a layer** (`split_after`): the steps up to and including the layer, and the rest
  traced from the layer's output ranges (each counted once); it measures the method's
  error on a design whose whole netlist exists.

Each part is cut into a pipeline at the whole design's adder levels per cycle, written by
da4ml's RTLModel in a temporary folder and synthesized by synth.synthesize (yosys
synth_xilinx, flattened, the same script). LUT, CARRY, DSP, BRAM, SRL are count x part
summed over the parts; yosys cannot optimize across the cut (a ReLU's LUTs merged into the
next adders). The parts' flip-flops follow the parts' own pipeline cuts, not the whole's
(each part's latency cut on its own: Deep Sets' phi gets two cuts of its own, 32 times),
so `ff_parts` (count x part, less the input registers of the parts another part feeds:
the chained design registers the cut once; `ff_sum` without that) can be far from the
whole's. `with_whole_registers` then makes `ff` the whole design's own flip-flops, counted
by yosys before LUT mapping (synth.count_registers), which costs minutes where the whole's
LUT mapping takes hours; `da4ml_reg_bits_parts` against the whole's `da4ml_reg_bits` shows
the difference of the cuts.
"""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass
from math import prod
from pathlib import Path

import numpy as np
from da4ml.trace import FixedVariableArray, comb_trace

from l1forge.emulate.activations import CastStep
from l1forge.emulate.batchnorm import BatchNormStep
from l1forge.emulate.dense import DAStep
from l1forge.errors import UserError
from l1forge.rtl.interface import packed_ports, total_width
from l1forge.rtl.synth import synthesize
from l1forge.rtl.trace import HW_CONFIG, input_variables, trace_step

METHOD = "by part"
SUMMED = ("lut", "ff", "carry", "dsp", "bram", "srl", "lutram")


@dataclass(frozen=True)
class PartPlan:
    """Which of the emulator's steps a part traces, and how often the chip holds it."""
    name: str                 # the part's Verilog top module
    steps: tuple              # emulator steps, in order
    reads: str                # the signal its first step reads (the firmware input or the cut)
    count: int                # copies in the whole design
    per_item: bool            # traced for one item of the input


@dataclass(frozen=True)
class SplitPlan:
    parts: tuple[PartPlan, ...]
    items: int                # N of the per-item part (1 for a split after a layer)
    features: int             # one item's input elements


def _span(steps) -> str:
    first, last = steps[0].name, steps[-1].name
    return first if first == last else f"{first}..{last}"


def plan_split(emulator, top: str, after: str | None = None) -> SplitPlan:
    """The per-item split, or with `after` the split after that layer."""
    return split_after(emulator, after, top) if after else per_item_split(emulator, top)


def per_item_split(emulator, top: str) -> SplitPlan:
    """The per-item leading steps (counted once per item) and the rest; refuses a design
    whose first layer does not act on each item of its input alone."""
    first = emulator.input_steps[0]
    shape = tuple(first.output.shape)
    items, features = prod(shape[:-1]), shape[-1]
    name, prefix = first.output.name, []
    for step in emulator.steps:
        if step.inputs != (name,) or not _acts_per_item(step, items):
            break
        prefix.append(step)
        name = step.output.name
    if items < 2 or not prefix:
        lead = emulator.steps[0]
        raise UserError(f"synthesis by part needs a per-item part, and this firmware has none: input '{first.name}' "
                        f"of shape {list(shape)}, first layer '{lead.name}' ({lead.kind}) does not act on each "
                        "item alone (expected pointwise layers over the leading axes, e.g. Deep Sets' phi); "
                        "run without --synth-by-part for the whole-design synthesis")
    rest = _chained(emulator.steps[len(prefix):], name, prefix[-1].name)
    parts = [PartPlan(f"{top}_per_item", tuple(prefix), first.output.name, items, True)]
    if rest:
        parts.append(PartPlan(f"{top}_rest", rest, name, 1, False))
    return SplitPlan(tuple(parts), items, features)


def split_after(emulator, layer: str, top: str) -> SplitPlan:
    """Two parts, each counted once: the steps up to and including `layer`, and the rest."""
    names = [step.name for step in emulator.steps]
    if layer not in names:
        raise UserError(f"--split-after '{layer}': no such layer in the firmware; expected one of {', '.join(names)}")
    cut = names.index(layer) + 1
    head = emulator.steps[:cut]
    first_name = emulator.input_steps[0].output.name
    _chained(head, first_name, emulator.input_steps[0].name)
    rest = _chained(emulator.steps[cut:], head[-1].output.name, layer)
    size = emulator.input_steps[0].output.size
    if not rest:
        raise UserError(f"--split-after '{layer}': nothing follows it; expected a layer before the last")
    return SplitPlan((PartPlan(f"{top}_head", tuple(head), first_name, 1, False),
                      PartPlan(f"{top}_tail", rest, head[-1].output.name, 1, False)), 1, size)


def _chained(steps, boundary: str, after: str) -> tuple:
    """The steps, checked to read nothing from before the cut but its one signal."""
    known = {boundary}
    for step in steps:
        missing = [name for name in step.inputs if name not in known]
        if missing:
            raise UserError(f"layer '{step.name}' reads '{missing[0]}' from before the cut after '{after}'; "
                            "a part may only read the cut's one signal")
        known.add(step.output.name)
    return tuple(steps)


def _acts_per_item(step, items: int) -> bool:
    if prod(tuple(step.output.shape)[:-1]) != items:
        return False
    if isinstance(step, CastStep):
        return True  # one rule on every element
    if isinstance(step, BatchNormStep):
        chans = step.output.shape[-1]
        scale, bias = np.asarray(step.scale_vec), np.asarray(step.bias_vec)
        return scale.size == bias.size == items * chans and all(
            (v.reshape(items, chans) == v[:chans]).all() for v in (scale, bias))
    if isinstance(step, DAStep) and step.geometry is not None:
        g = step.geometry
        return (g.f_h == g.f_w == 1 and g.s_h == g.s_w == 1 and not (g.p_t or g.p_b or g.p_l or g.p_r)
                and g.pixels == items == g.in_h * g.in_w and step.program.n_in == g.chans)
    return False


def _one_item(step):
    """The step as it acts on one item: a pointwise convolution runs its program once."""
    if isinstance(step, DAStep):
        single = copy.copy(step)
        single.geometry = None
        return single
    return step  # casts act element by element; batch norm zips the first item's scale and bias


@dataclass(frozen=True)
class TracedPart:
    plan: PartPlan
    steps: tuple              # the plan's steps the RTL computes (a trailing softmax left out)
    comb: object              # da4ml CombLogic of one copy
    outputs: list             # its traced output variables (the next part's input ranges)


def trace_parts(emulator, split: SplitPlan, output_steps: int) -> list[TracedPart]:
    """Trace each part into its own da4ml program; the steps stop where the whole design's
    RTL does (`output_steps`: a trailing softmax left out)."""
    kept = {id(step) for step in emulator.steps[:output_steps]}
    first = emulator.input_steps[0]
    size = split.features if split.parts[0].per_item else first.output.size
    feed = list(input_variables(first.ftype, size)._vars.ravel())
    traced: list[TracedPart] = []
    for plan in split.parts:
        steps = [step for step in plan.steps if id(step) in kept]
        if not steps:
            raise UserError(f"part '{plan.name}' holds no layer the RTL computes (its layers: "
                            f"{', '.join(s.name for s in plan.steps)}); cut earlier")
        inputs = feed
        values = {plan.reads: inputs}
        for step in steps:
            single = _one_item(step) if plan.per_item else step
            values[step.output.name] = trace_step(single, [values[name] for name in step.inputs])
        outputs = values[steps[-1].output.name]
        traced.append(TracedPart(plan, tuple(steps), comb_trace(np.array(inputs, dtype=object), np.array(outputs, dtype=object)),
                                 outputs))
        copies = split.items if plan.per_item else 1
        feed = _fresh_like(outputs * copies)
    return traced


def _fresh_like(variables: list) -> list:
    """New da4ml inputs with the exact value ranges (low, high, step) of `variables`."""
    low = np.array([float(v.low) for v in variables])
    high = np.array([float(v.high) for v in variables])
    step = np.array([float(v.step) for v in variables])
    return list(FixedVariableArray.from_lhs(low, high, step, HW_CONFIG)._vars.ravel())


def synthesize_parts(traced: list[TracedPart], cutoff: int, target: dict, family: str, yosys,
                     log) -> dict:
    """Pipeline, write and synthesize each part in a temporary folder; the netlist section
    with the count-weighted sums and each part's own figures."""
    from da4ml.codegen import RTLModel
    from da4ml.trace import to_pipeline

    parts = []
    for index, part in enumerate(traced):
        pipeline = to_pipeline(part.comb, cutoff, verbose=False)
        with tempfile.TemporaryDirectory(prefix=f"l1forge-{part.plan.name}-") as folder:
            model = RTLModel(pipeline, part.plan.name, Path(folder), part_name=str(target.get("part")),
                             clock_period=float(target["clock_ns"]), latency_cutoff=cutoff, print_latency=True)
            model.write()
            log(f"part {index + 1} of {len(traced)}: {part.plan.name} ({_span(part.steps)}, "
                f"x {part.plan.count}), da4ml cost {float(part.comb.cost):,.0f}")
            # yosys reads only the da4ml primitives the part uses (simulate.verilog_sources)
            netlist = synthesize(Path(folder) / "src", part.plan.name, family, yosys, log).as_dict()
        parts.append({"name": part.plan.name, "layers": [s.name for s in part.steps], "count": part.plan.count,
                      "per_item": part.plan.per_item, "da4ml_cost": round(float(part.comb.cost), 1),
                      "da4ml_reg_bits": int(pipeline.reg_bits), "latency_cycles": len(pipeline.solutions),
                      "input_register_bits": total_width(packed_ports(pipeline.inp_qint)) if index else 0,
                      "netlist": netlist})
    terms = [f"{p.plan.count} x {_span(p.steps)}" if p.plan.count > 1 else _span(p.steps) for p in traced]
    return combine(parts, f"yosys, by part ({' + '.join(terms)})")


def with_whole_registers(netlist: dict, registers: dict) -> dict:
    """`ff` the whole design's flip-flops (yosys up to LUT mapping, synth.count_registers),
    the parts' figure kept as `ff_parts`: registers are mapped before ABC, so the whole's
    count costs minutes where its LUT mapping takes hours, and it has the whole's cut."""
    return {**netlist, "ff_parts": netlist["ff"], "ff": registers["ff"], "whole_registers": registers,
            "seconds": round(netlist["seconds"] + registers["seconds"], 1)}


def combine(parts: list[dict], label: str) -> dict:
    """count x part summed; `ff` less the input registers of the parts another part feeds."""
    first = parts[0]["netlist"]
    total = {key: sum(p["count"] * p["netlist"][key] for p in parts) for key in SUMMED}
    boundary = sum(p["input_register_bits"] for p in parts)
    by_size = {k: sum(p["count"] * p["netlist"]["lut_by_size"][k] for p in parts) for k in first["lut_by_size"]}
    cells: dict[str, int] = {}
    for p in parts:
        for name, n in p["netlist"]["cells"].items():
            cells[name] = cells.get(name, 0) + p["count"] * n
    return {"tool": "yosys synth_xilinx", "method": METHOD, "label": label, "yosys_version": first["yosys_version"],
            "family": first["family"], **total, "ff_sum": total["ff"], "ff": total["ff"] - boundary,
            "boundary_register_bits": boundary, "lut_by_size": by_size, "cells": dict(sorted(cells.items())),
            "da4ml_reg_bits_parts": sum(p["count"] * p["da4ml_reg_bits"] for p in parts) - boundary,
            "da4ml_cost_parts": round(sum(p["count"] * p["da4ml_cost"] for p in parts), 1),
            "seconds": round(sum(p["netlist"]["seconds"] for p in parts), 1), "parts": parts}
