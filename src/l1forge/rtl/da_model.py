"""What `l1forge rtl` would build for a distributed-arithmetic design, modelled from the
emulator's plan without writing Verilog: da4ml's cost of every operation and the register
bits of da4ml's latency cut (the resource estimator's DA model, report/da_cost.py).

The model follows the RTL trace (trace.py) value by value:
- a DA kernel (Dense, or a convolution's program on each output pixel) is its program's
  lines: each adder a value of its declared width, formed one adder level after the later
  of its operands (da4ml's latency with hls4ml's settings, adder size 1 and no carry
  look-ahead); its LUT cost is da4ml's own cost of the kernel (`da_kernel_cost`) per pixel;
- everything else (the kernel's assignment to the layer's result type, ReLU and casts,
  batch normalization, pooling, merges, reshapes) runs through the RTL trace's own
  handlers (layers.py) on fresh da4ml variables standing for the step's inputs (their
  range the producing value's type, their latency its latency), so the cost and latency
  of each operation are da4ml's;
- the pipeline is cut as da4ml's `to_pipeline` does at the clock's adder levels and then
  retimed: S stages for the slowest output, a cut every ceil(L / S) levels. The register
  bits are those of the input register, of every value formed before a cut and read after
  it (an output is carried to the last stage) and of the output register.
A trailing softmax is left out, as the RTL leaves it out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from da4ml.trace import FixedVariable

from l1forge.emulate.dense import DAStep
from l1forge.emulate.emulator import Emulator
from l1forge.errors import UserError
from l1forge.rtl import layers
from l1forge.rtl.casts import assign, check_type
from l1forge.rtl.trace import COVERED, HW_CONFIG, _may_leave_out


def levels_per_cycle(clock_ns: float) -> int:
    """da4ml adder levels that fit one clock period, with the estimator's LUT-adder level
    delay and clock uncertainty (report/calibration.py), so RTL and estimate cut alike."""
    from l1forge.report.calibration import CALIBRATION as C

    return max(1, int(clock_ns * (1.0 - C.clock_uncertainty_fraction) / C.delay_adder_level_ns))


@dataclass
class DesignModel:
    """Per traced layer: da4ml cost (LUT units) and register bits; the design's levels."""

    cost: dict[str, float] = field(default_factory=dict)
    reg_bits: dict[str, int] = field(default_factory=dict)
    levels: int = 0
    stages: int = 1
    cutoff: int = 1
    left_out: tuple[str, ...] = ()

    @property
    def total_cost(self) -> float:
        return sum(self.cost.values())

    @property
    def total_reg_bits(self) -> int:
        return sum(self.reg_bits.values())


class _Values:
    """The design's values: width, latency (adder levels), latest reader, layer."""

    def __init__(self):
        self.bits: list[int] = []
        self.lat: list[float] = []
        self.last: list[float] = []
        self.layer: list[str] = []
        self.kif: list[tuple[int, int, int]] = []

    def add(self, bits: int, lat: float, layer: str, kif: tuple[int, int, int]) -> int:
        self.bits.append(int(bits))
        self.lat.append(float(lat))
        self.last.append(float(lat))
        self.layer.append(layer)
        self.kif.append(kif)
        return len(self.bits) - 1

    def read(self, node, at: float) -> None:
        if isinstance(node, int) and at > self.last[node]:
            self.last[node] = at


def _is_node(element) -> bool:
    return isinstance(element, int) and not isinstance(element, bool)


def model_design(emulator: Emulator, levels_per_cycle: int, kernel_costs: dict[str, float] | None = None) -> DesignModel:
    """da4ml cost and pipeline register bits per layer of the design `l1forge rtl` traces;
    `kernel_costs` maps a DA layer to da4ml's cost of its kernel (the node's
    `da_kernel_cost`; without it, the kernel's adder bits)."""
    if len(emulator.input_steps) != 1 or len(emulator.outputs) != 1:
        raise UserError("the RTL model needs one input and one output")
    values = _Values()
    model = DesignModel()
    first = emulator.input_steps[0]
    check_type(first.ftype, f"input '{first.name}'")
    signed = int(first.ftype.signed)
    kif = (signed, first.ftype.integer - signed, first.ftype.frac)
    elements: dict[str, list] = {first.output.name: [values.add(first.ftype.width, 0.0, first.name, kif)
                                                     for _ in range(first.output.size)]}
    model.cost[first.name] = 0.0
    steps = emulator.steps
    count = len(steps)
    for index, step in enumerate(steps):
        args = [elements[name] for name in step.inputs]
        if isinstance(step, DAStep):
            out, cost = _da_step(step, args[0], values, (kernel_costs or {}).get(step.name))
        elif type(step) in layers.ONE_INPUT or type(step) in layers.TWO_INPUTS:
            handler = layers.ONE_INPUT.get(type(step)) or layers.TWO_INPUTS[type(step)]
            out, cost = _through_handler(step, args, values, lambda *xs, h=handler, s=step: h(s, *xs))
        elif _may_leave_out(steps, index, emulator):
            count = index
            break
        else:
            raise UserError(f"{layers.where(step)} cannot be expressed in da4ml's RTL; covered: " + ", ".join(COVERED))
        elements[step.output.name] = out
        model.cost[step.name] = model.cost.get(step.name, 0.0) + cost
    model.left_out = tuple(step.name for step in steps[count:])
    last = steps[count - 1].output.name if count else first.output.name
    _cut(model, values, [e for e in elements[last] if _is_node(e)], first.name, levels_per_cycle)
    return model


def _cut(model: DesignModel, values: _Values, outputs: list[int], input_name: str, cutoff: int) -> None:
    """Register bits of da4ml's retimed latency cut, per layer."""
    levels = max((values.lat[n] for n in outputs), default=0.0)
    stages = math.floor(levels / (cutoff + 1e-9)) + 1
    retimed = max(1, math.ceil(levels / stages)) if levels else cutoff
    for n in outputs:
        values.last[n] = max(values.last[n], levels)
    bits = dict.fromkeys(model.cost, 0)

    def stage(latency: float) -> int:
        return math.floor(latency / (retimed + 1e-9))

    for n in range(len(values.bits)):
        carried = stage(values.last[n]) - stage(values.lat[n])
        if carried > 0:
            bits[values.layer[n]] += carried * values.bits[n]
    bits[input_name] += sum(values.bits[n] for n in range(len(values.bits)) if values.layer[n] == input_name)
    for n in outputs:
        bits[values.layer[n]] += values.bits[n]
    model.reg_bits = bits
    model.levels, model.stages, model.cutoff = int(levels), stages, retimed


def _da_step(step: DAStep, x: list, values: _Values, kernel: float | None) -> tuple[list, float]:
    """The kernel's lines per pixel as values; then the assignment to the result type."""
    program = step.program
    if step.geometry is None:
        rows = [x]
    else:
        padded = list(x) + [0.0]
        rows = [[padded[i] for i in pixel] for pixel in step.geometry.patches()]
    if kernel is None:
        kernel = float(sum(op.ftype.width for op in program.adders))
    raw: list = []
    kifs: list = []
    for row in rows:
        local: dict[int, object] = {}
        for op in program.ops:
            if op.kind == "input":
                local[op.dest] = row[op.a]
            elif op.kind in ("copy",):
                local[op.dest] = local[op.a]
            elif op.kind == "const":
                local[op.dest] = float(op.constant)
            else:
                operands = [local[op.a]] + ([local[op.b]] if op.kind == "add" else [])
                nodes = [e for e in operands if _is_node(e)]
                if not nodes:
                    local[op.dest] = 0.0
                    continue
                base = max(values.lat[n] for n in nodes)
                lat = base + (1.0 if op.kind == "add" and len(nodes) == 2 else 0.0)
                sign = int(op.ftype.signed)
                node = values.add(op.ftype.width, lat, step.name, (sign, op.ftype.integer - sign, op.ftype.frac))
                for n in nodes:
                    values.read(n, lat)
                local[op.dest] = node
        for out in program.outputs:
            source = local.get(out.source) if out.source >= 0 else 0.0
            raw.append(source)
            if _is_node(source):
                k, i, f = values.kif[source]
                kifs.append((max(k, int(out.negate)), i + out.shift, f - out.shift))
            else:
                kifs.append(None)
    result = step.result
    out, cast = _through_handler(step, [raw], values, lambda xs: [assign(v, result, layers.where(step)) for v in xs],
                                 kifs=[kifs])
    return out, kernel * len(rows) + cast


def _fresh(kif: tuple[int, int, int], latency: float) -> FixedVariable:
    k, i, f = (int(v) for v in kif)
    return FixedVariable.from_kif(k, i, f, hwconf=HW_CONFIG, latency=latency, cost=0.0)


def _through_handler(step, args: list[list], values: _Values, handler, kifs: list | None = None) -> tuple[list, float]:
    """Run a trace handler on fresh variables for the step's input values; record the new
    operations as values of this layer and return (output elements, da4ml cost)."""
    fresh_of: dict = {}
    traced_args = []
    for a, arg in enumerate(args):
        traced = []
        for e, element in enumerate(arg):
            if _is_node(element):
                kif = kifs[a][e] if kifs is not None else values.kif[element]
                var = _fresh(kif, values.lat[element])
                fresh_of[var.id] = element
                traced.append(var)
            else:
                traced.append(FixedVariable.from_const(float(element), hwconf=HW_CONFIG))
        traced_args.append(traced)
    outputs = handler(*traced_args)
    node_of: dict = dict(fresh_of)
    cost = 0.0
    order: list = []
    seen: set = set()
    stack = [v for v in outputs if isinstance(v, FixedVariable)]
    while stack:  # every new operation once (a scaled copy shares its original's id)
        var = stack.pop()
        if var.id in seen or var.opr == "const" or var.id in fresh_of:
            continue
        seen.add(var.id)
        order.append(var)
        stack.extend(var._from)
    for var in sorted(order, key=lambda v: v.latency):
        k, i, f = var.kif
        node_of[var.id] = values.add(int(k) + i + f, var.latency, step.name, (int(k), i, f))
        cost += float(var.cost)
    for var in order:
        for parent in var._from:
            if parent.id in node_of:
                values.read(node_of[parent.id], var.latency)
    out = []
    for v in outputs:
        if v.opr == "const" or v.low == v.high:
            out.append(float(v.low))
        else:
            out.append(node_of[v.id])
    return out, cost
