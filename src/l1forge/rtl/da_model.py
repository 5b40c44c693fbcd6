"""What `l1forge rtl` would build for a distributed-arithmetic design, modelled from the
emulator's plan without writing Verilog: da4ml's cost of every operation and the register
bits of da4ml's latency cut (the resource estimator's DA model, report/da_cost.py).

The model follows the RTL trace (trace.py) value by value:
- a DA kernel (Dense, or a convolution's program on each output pixel) is its program's
  lines run on the value ranges that reach them: each adder's range the sum of its
  operands', truncated and wrapped to its declared type, its cost da4ml's for that sum
  (`cost_add`, the sum's bits), formed one adder level after the later of its operands
  (da4ml's latency with hls4ml's settings: adder size 1, no carry look-ahead). A kernel
  solved for a wide declared input (a batch normalization's 26-bit result type) costs what
  the narrower values it really receives need, as in the RTL;
- everything else (the kernel's assignment to the layer's result type, ReLU and casts,
  batch normalization, pooling, merges, reshapes) runs through the RTL trace's own
  handlers (layers.py) on fresh da4ml variables standing for the step's inputs (their
  range and latency the producing value's), so the cost and latency of each operation are
  da4ml's;
- the pipeline is cut as da4ml's `to_pipeline` does at the clock's adder levels and then
  retimed: S stages for the slowest output, a cut every ceil(L / S) levels. The register
  bits are those of the input register, of every value formed before a cut and read after
  it (an output is carried to the last stage) and of the output register.
A trailing softmax is left out, as the RTL leaves it out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from da4ml.cmvm.core import cost_add
from da4ml.cmvm.types import QInterval
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
    kernel_cost: dict[str, float] = field(default_factory=dict)  # the DA kernels' part of `cost`
    reg_bits: dict[str, int] = field(default_factory=dict)
    levels: int = 0
    stages: int = 1
    cutoff: int = 1
    left_out: tuple[str, ...] = ()

    @property
    def total_cost(self) -> float:
        return sum(self.cost.values())

    @property
    def total_kernel_cost(self) -> float:
        return sum(self.kernel_cost.values())

    @property
    def total_reg_bits(self) -> int:
        return sum(self.reg_bits.values())


class _Values:
    """The design's values: range (low, high, step), bits, latency (adder levels), latest
    reader, layer."""

    def __init__(self):
        self.bits: list[int] = []
        self.lat: list[float] = []
        self.last: list[float] = []
        self.layer: list[str] = []
        self.range: list[tuple[float, float, float]] = []

    def add(self, lat: float, layer: str, rng: tuple[float, float, float]) -> int:
        self.bits.append(range_bits(*rng))
        self.lat.append(float(lat))
        self.last.append(float(lat))
        self.layer.append(layer)
        self.range.append(rng)
        return len(self.bits) - 1

    def read(self, node, at: float) -> None:
        if isinstance(node, int) and at > self.last[node]:
            self.last[node] = at


def range_bits(low: float, high: float, step: float) -> int:
    """Bits of a register holding every value of the range (da4ml's minimal sign, integer
    and fractional bits)."""
    if low == high == 0 or step <= 0:
        return 0
    f = -int(math.log2(step))
    i = math.ceil(math.log2(max(-low, high + step)))
    return max(int(low < 0) + i + f, 0)


def _is_node(element) -> bool:
    return isinstance(element, int) and not isinstance(element, bool)


def model_design(emulator: Emulator, levels_per_cycle: int) -> DesignModel:
    """da4ml cost and pipeline register bits per layer of the design `l1forge rtl` traces."""
    if len(emulator.input_steps) != 1 or len(emulator.outputs) != 1:
        raise UserError("the RTL model needs one input and one output")
    values = _Values()
    model = DesignModel()
    first = emulator.input_steps[0]
    check_type(first.ftype, f"input '{first.name}'")
    lsb = 2.0 ** -first.ftype.frac
    rng = (first.ftype.code_min * lsb, first.ftype.code_max * lsb, lsb)
    elements: dict[str, list] = {first.output.name: [values.add(0.0, first.name, rng)
                                                     for _ in range(first.output.size)]}
    model.cost[first.name] = 0.0
    steps = emulator.steps
    count = len(steps)
    for index, step in enumerate(steps):
        args = [elements[name] for name in step.inputs]
        if isinstance(step, DAStep):
            out, cost, model.kernel_cost[step.name] = _da_step(step, args[0], values)
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


def _da_step(step: DAStep, x: list, values: _Values) -> tuple[list, float, float]:
    """The kernel's lines per pixel, on the value ranges that reach them (as the RTL trace
    runs them: each line the sum's range, then truncated and wrapped to its declared type;
    its cost da4ml's for that sum); then the assignment to the result type. Returns (output
    elements, cost, the kernel lines' part of it)."""
    program = step.program
    if step.geometry is None:
        rows = [x]
    else:
        padded = list(x) + [0.0]
        rows = [[padded[i] for i in pixel] for pixel in step.geometry.patches()]
    kernel = 0.0
    raw: list = []
    ranges: list = []
    for row in rows:
        local: dict[int, tuple] = {}  # dest -> (element, (low, high, step))
        for op in program.ops:
            if op.kind == "input":
                element = row[op.a]
                local[op.dest] = (element, values.range[element] if _is_node(element) else _const(element))
            elif op.kind == "copy":
                element, (lo, hi, st) = local[op.a]
                local[op.dest] = (element, (lo, hi, st) if op.sign > 0 else (-hi, -lo, st))
            elif op.kind == "const":
                local[op.dest] = (float(op.constant), _const(op.constant))
            else:
                local[op.dest], cost = _line(op, local, values, step.name)
                kernel += cost
        for out in program.outputs:
            element, (lo, hi, st) = local[out.source] if out.source >= 0 else (0.0, _const(0.0))
            scale = 2.0 ** out.shift
            lo, hi, st = lo * scale, hi * scale, st * scale
            if out.negate:
                lo, hi = -hi, -lo
            raw.append(element if _is_node(element) else lo)
            ranges.append((lo, hi, st))
    result = step.result
    out, cast = _through_handler(step, [raw], values, lambda xs: [assign(v, result, layers.where(step)) for v in xs],
                                 ranges=[ranges])
    return out, kernel + cast, kernel


def _const(value: float) -> tuple[float, float, float]:
    return (float(value), float(value), 1.0)


def _line(op, local: dict, values: _Values, layer: str) -> tuple[tuple, float]:
    """One adder (`a +- b * 2^s`) or bias (`a + c`) line: its value and da4ml's cost."""
    a, (alo, ahi, ast) = local[op.a]
    if op.kind == "add":
        b, (blo, bhi, bst) = local[op.b]
        scale = 2.0 ** op.shift
        blo, bhi, bst = blo * scale, bhi * scale, bst * scale
        if op.sign < 0:
            blo, bhi = -bhi, -blo
        operands = [e for e in (a, b) if _is_node(e)]
        if len(operands) == 2:
            _, cost = cost_add(QInterval(alo, ahi, ast), QInterval(blo, bhi, bst), 0, False,
                               HW_CONFIG.adder_size, HW_CONFIG.carry_size)
            lat = max(values.lat[a], values.lat[b]) + 1.0
        else:  # a constant operand (a padding tap): an addition of a constant
            cost = _constant_cost(blo if _is_node(a) else alo) if operands else 0.0
            lat = max((values.lat[e] for e in operands), default=0.0)
        lo, hi, st = alo + blo, ahi + bhi, min(ast if _is_node(a) else bst, bst if _is_node(b) else ast)
    else:  # const_add
        operands = [a] if _is_node(a) else []
        cost = _constant_cost(op.constant) if operands else 0.0
        lat = values.lat[a] if operands else 0.0
        lo, hi, st = alo + op.constant, ahi + op.constant, ast
    if not operands:
        return (lo, _const(lo)), 0.0
    lo, hi, st = _wrapped(lo, hi, st, op.ftype)
    node = values.add(lat, layer, (lo, hi, st))
    for e in operands:
        values.read(e, lat)
    return (node, (lo, hi, st)), float(cost)


def _constant_cost(value: float) -> float:
    """da4ml's cost of adding a constant (its bits down to its last non-zero fraction bit)."""
    if value == 0:
        return 0.0
    f = 0
    while value * 2.0**f != int(value * 2.0**f) and f < 64:
        f += 1
    return float(math.ceil(math.log2(abs(value) + 2.0**-f)) + f)


def _wrapped(lo: float, hi: float, st: float, ftype) -> tuple[float, float, float]:
    """The range after assignment to `ftype` with AP_TRN, AP_WRAP."""
    step = max(st, 2.0 ** -ftype.frac)
    low = -(2.0 ** (ftype.integer - 1)) if ftype.signed else 0.0
    high = (2.0 ** (ftype.integer - 1) if ftype.signed else 2.0**ftype.integer) - 2.0 ** -ftype.frac
    if lo >= low and hi <= high:
        return math.floor(lo / step) * step, math.floor(hi / step) * step, step
    return low, high, step


def _fresh(rng: tuple[float, float, float], latency: float) -> FixedVariable:
    low, high, step = rng
    return FixedVariable(low, high, step, hwconf=HW_CONFIG, latency=latency, cost=0.0)


def _through_handler(step, args: list[list], values: _Values, handler, ranges: list | None = None) -> tuple[list, float]:
    """Run a trace handler on fresh variables for the step's input values; record the new
    operations as values of this layer and return (output elements, da4ml cost)."""
    fresh_of: dict = {}
    traced_args = []
    for a, arg in enumerate(args):
        traced = []
        for e, element in enumerate(arg):
            if _is_node(element):
                rng = ranges[a][e] if ranges is not None else values.range[element]
                var = _fresh(rng, values.lat[element])
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
        node_of[var.id] = values.add(var.latency, step.name, (float(var.low), float(var.high), float(var.step)))
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
