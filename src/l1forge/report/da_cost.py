"""The cost of a Dense layer built by hls4ml's distributed arithmetic (da4ml), from da4ml's
own solution as hls4ml wrote it into the graph (the node's `da_codegen`, one line per
adder, with its declared width and its latency in adder levels; `da_kernel_cost`, da4ml's
cost of the whole solution).

What each figure rests on (no vendor report here checks any of it; the report says so):
- DSP: none. Every product is a fixed shift of an input, every sum a LUT adder.
- LUT: da4ml's cost, which with hls4ml's settings (adder size 1, no carry look-ahead)
  counts one unit per adder bit that sums two operands (bits only one operand has pass
  through as wires): one LUT per such bit, as a UltraScale+ carry chain uses one LUT6 per
  bit. Outputs take no logic of their own: the DA output is exact and the result type
  holds it (a rounding or saturating result type adds the usual cast, as for any dense).
- Timing: da4ml's depth in adder levels times the estimator's LUT-adder level delay
  (calibration.delay_adder_level_ns, fitted on the Latency strategy's adder trees); the
  tool puts a register where the period (less the clock uncertainty) runs out.
- FF: at each register, the bits of every value computed before it and read after it,
  counted from the program's lines.
"""

from __future__ import annotations

import math

from l1forge.emulate.da_program import DAProgram, parse
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target, split_delay


def program_of(layer) -> DAProgram:
    source = layer.get_attr("da_codegen")
    if source is None:
        from l1forge.errors import UserError

        raise UserError("distributed arithmetic without generated code (da_codegen)")
    return parse(getattr(source, "code", str(source)), f"layer '{layer.name}'")


def adder_bits(program: DAProgram) -> int:
    """Bits of the program's adders counted from their declared widths (an upper bound on
    da4ml's own cost, which leaves out pass-through bits)."""
    return sum(op.ftype.width for op in program.adders)


def live_bits_at(program: DAProgram, cut: float) -> int:
    """Bits of the values formed at or before adder level `cut` and read after it."""
    level = {op.dest: op.level for op in program.ops}
    width = {op.dest: op.ftype.width for op in program.ops}
    read_after: set[int] = set()
    for op in program.ops:
        if op.level > cut:
            read_after.update(ref for ref in (op.a, op.b) if ref >= 0 and op.kind != "input")
    read_after.update(out.source for out in program.outputs if out.source >= 0)
    return sum(width[v] for v in read_after if level[v] <= cut)


def da_dense_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    program = program_of(layer)
    adders = program.adders
    da_cost = layer.get_attr("da_kernel_cost")
    lut = float(da_cost) if da_cost is not None else float(adder_bits(program))
    depth = program.depth
    total_ns = depth * C.delay_adder_level_ns
    budget = target.budget_ns
    cycles, head_ns, tail_ns = split_delay(total_ns, budget)
    levels_per_cycle = max(1, math.floor(budget / C.delay_adder_level_ns))
    ff = sum(live_bits_at(program, float(levels_per_cycle * k)) for k in range(1, cycles + 1))
    live_outputs = sum(1 for out in program.outputs if out.source >= 0)
    widths = [op.ftype.width for op in adders]
    notes = (f"distributed arithmetic (da4ml): {len(adders)} adders of "
             f"{min(widths, default=0)}-{max(widths, default=0)} bits, da4ml cost {lut:g} adder bits "
             f"(= LUT), depth {depth:g} adder levels x {C.delay_adder_level_ns} ns; 0 DSP; "
             "no vendor report checks the DA rules",)
    return LayerCost(name=layer.name, kind="dense", dsp=0.0, lut=lut, ff=float(ff), cycles=cycles,
                     ii=io.reuse_factor, head_ns=head_ns, delay_ns=tail_ns,
                     out_bits=live_outputs * io.out_bits.width, notes=notes)


# The DA design model (l1forge.rtl.da_model) against yosys synth_xilinx -family xcup netlists of
# da4ml's Verilog: yosys LUTs per unit of da4ml cost and yosys flip-flops per register bit of
# da4ml's latency cut, the mean ratio over the calibration designs of
# l1forge.rtl.calibration_set (docs/rtl.md, "Calibration of the DA estimate").
LUT_PER_DA4ML_COST = 0.946
FF_PER_REGISTER_BIT = 0.884


def da_design_costs(graph, costs: list[LayerCost], target: Target) -> list[LayerCost]:
    """LUT and FF of an io_parallel distributed-arithmetic design from the model of the RTL
    `l1forge rtl` writes for it (l1forge.rtl.da_model): every layer the RTL covers costs
    da4ml's cost of its operations and the register bits of da4ml's latency cut at the clock,
    each times its netlist calibration. Layers the RTL leaves out (a trailing softmax) keep
    their HLS estimate; a design the RTL cannot express keeps its per-layer estimate, with a
    note saying why."""
    from dataclasses import replace

    from l1forge.emulate.graph import from_graph
    from l1forge.errors import UserError
    from l1forge.rtl.da_model import levels_per_cycle, model_design

    cutoff = levels_per_cycle(target.clock_ns)
    try:
        model = model_design(from_graph(graph), cutoff)
    except UserError as err:
        note = f"DA design model not applied ({err}); per-layer HLS rules used"
        return [replace(cost, notes=(*cost.notes, note)) if i == 0 else cost for i, cost in enumerate(costs)]
    done = []
    for cost in costs:
        if cost.name not in model.cost:
            done.append(cost)
            continue
        lut, bits = model.cost[cost.name], model.reg_bits.get(cost.name, 0)
        note = (f"DA design model: da4ml cost {lut:g} x {LUT_PER_DA4ML_COST} LUT, {bits} register bits "
                f"x {FF_PER_REGISTER_BIT} FF (da4ml's cut at {cutoff} adder levels per cycle: "
                f"{model.stages} stages); calibrated on yosys netlists")
        done.append(replace(cost, lut=lut * LUT_PER_DA4ML_COST, ff=bits * FF_PER_REGISTER_BIT,
                            notes=(*cost.notes, note)))
    return done
