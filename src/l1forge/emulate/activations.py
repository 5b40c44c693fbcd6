"""Element-wise activations of nnet_activation.h: linear, ReLU, leaky ReLU, ELU, sigmoid, tanh.

linear and relu assign (the ReLU'd) input to the output type; leaky ReLU multiplies the
negative side by alpha, a constant the call passes as a C++ literal converted to param_t.
Sigmoid and tanh look their result up in a table of `table_size` entries covering
[-8, 8) and [-4, 4): index = trunc(x * table_size / range) + table_size / 2, clamped.
ELU keeps x >= 0 and looks the negative side up in a table over [-8, 0].
"""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate import nodes, tables
from l1forge.emulate.fastops import constant_like
from l1forge.emulate.fixed import integer_type
from l1forge.emulate.fused_cast import plan_cast, usable
from l1forge.emulate.quantize import cast_array, cast_codes, quantize_real
from l1forge.emulate.signals import F32_EXACT, Signal, Step, cast_bounds, exact_dtype, type_magnitude, typed_signal
from l1forge.errors import UserError

# function name -> half range of the table's abscissa and its table builder
TABLE_FUNCTIONS = {"sigmoid": (8, tables.sigmoid_table), "tanh": (4, tables.tanh_table)}


def cast_magnitude(x: Signal, grid_frac: int, dst, overflow: bool = True) -> int:
    """The largest integer assigning `x` (values on `grid_frac`) to `dst` passes through:
    the shifted input, half of the new LSB, and the wrap's room."""
    shift_left = max(dst.frac - grid_frac, 0)
    dropped = max(grid_frac - dst.frac, 0)  # rounding adds half of the new LSB
    return max(x.magnitude << shift_left, 1 << dropped, 2 * type_magnitude(dst) if overflow else 0)


def cast_dtype(x: Signal, grid_frac: int, dst, overflow: bool = True) -> np.dtype:
    """A dtype in which assigning `x` (values on `grid_frac`) to `dst` is exact."""
    return exact_dtype(cast_magnitude(x, grid_frac, dst, overflow))


def init_cast(step: Step, node, x: Signal, relu: bool, kind_suffix: str = "") -> tuple[int, int]:
    """The fields a `res = res_T(f(data))` step shares (CastStep, wide.WideCastStep): its
    name, input, target type and whether it may overflow; returns the output's bounds."""
    step.name, step.kind = node.name, f"{node.class_name}:{node.get_attr('activation')}{kind_suffix}"
    step.inputs = (node.inputs[0],)
    step.x, step.relu, step.dst = x, relu, nodes.output_type(node)
    lo, hi = (max(x.lo, 0), max(x.hi, 0)) if relu else (x.lo, x.hi)
    out_lo, out_hi, step.may_overflow = cast_bounds(lo, hi, x.ftype.frac, step.dst)
    return out_lo, out_hi


def widen(dtype_a: np.dtype, dtype_b: np.dtype) -> np.dtype:
    order = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)]
    return max(dtype_a, dtype_b, key=order.index)


DTYPE_RANK = {"f": 0, "d": 1, "q": 2, "l": 2}  # by dtype.char: float32 < float64 < int64


class CastStep(Step):
    """`res = res_T(f(data))` for f = identity (linear) or max(., 0) (relu)."""

    def __init__(self, node, x: Signal, relu: bool):
        out_lo, out_hi = init_cast(self, node, x, relu)
        self.dtype = widen(x.dtype, cast_dtype(x, x.ftype.frac, self.dst, self.may_overflow))
        if self.dtype.kind == "i" and x.scale != x.ftype.frac:
            raise UserError(f"{nodes.where(node)}: input too wide to emulate exactly")
        # Input arrays hold their own values exactly; the cast itself needs room for half
        # an LSB and for the wrap. Any float input wide enough for those is used as it is.
        dropped = max(x.ftype.frac - self.dst.frac, 0)
        wrap_room = 2 * type_magnitude(self.dst) if self.may_overflow else 0
        self.min_rank = DTYPE_RANK[exact_dtype(max(1 << dropped, wrap_room)).char]
        self.shifts_left = self.dst.frac > x.ftype.frac
        # An unsigned saturating target clamps negatives to zero itself: relu comes free
        # with the overflow clamp, which must then run.
        self.clamp_does_relu = relu and self.may_overflow and not self.dst.signed and self.dst.overflow != "WRAP"
        # codes that float32 holds exactly are stored in it even when the cast runs in
        # float64: the layers after it then move and multiply half the bytes
        narrow = self.dtype.char == "d" and max(-out_lo, out_hi) < F32_EXACT
        self.out_dtype = np.dtype(np.float32) if narrow else self.dtype
        self.output = Signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                             out_lo, out_hi, self.out_dtype, self.dst.frac)
        # relu, rounding and overflow in one compiled pass (None: numba off, or a mode it
        # does not spell); also what a Dense layer fuses with this step (fusion.py)
        self.fused = plan_cast(relu, x.scale, x.ftype.frac, self.dst, self.may_overflow)

    def takes_as_is(self, dtype: np.dtype) -> bool:
        """Whether an input array of `dtype` is cast in it (no conversion before the cast)."""
        return dtype.kind == "f" and not self.shifts_left and DTYPE_RANK[dtype.char] >= self.min_rank

    def run(self, arrays, tally):
        x = arrays[0]
        if not self.takes_as_is(x.dtype):
            x = x.astype(self.dtype)
        if self.fused is not None and tally is None and usable(x):
            return self.fused(x, None, self.out_dtype if x.dtype.char == "d" else None)
        if self.relu and (not self.clamp_does_relu or tally is not None):  # tally: count saturation only
            x = np.maximum(x, constant_like(x, 0))
        out = cast_array(x, self.x.scale, self.x.ftype.frac, self.dst, self.may_overflow, tally, self.name)
        return out.astype(self.out_dtype) if out.dtype.char == "d" and self.out_dtype.char == "f" else out


def _call_arguments(node) -> list[str]:
    text = node.get_attr("function_cpp") or ""
    match = re.search(r"\((.*)\)\s*;", text)
    return [arg.strip() for arg in match.group(1).split(",")] if match else []


class LeakyReluStep(Step):
    """`res = data > 0 ? data : alpha * data`, alpha a param_t constant."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, "leaky_relu"
        self.inputs = (node.inputs[0],)
        args = _call_arguments(node)
        literal = args[1] if len(args) == 3 else str(node.get_attr("activ_param"))
        param_t = nodes.named_type(node, "param_t")
        self.alpha = int(quantize_real(float(literal), param_t)[0])
        self.x, self.dst, self.grid = x, nodes.output_type(node), x.ftype.frac + param_t.frac
        one = 1 << param_t.frac
        lo = min(x.lo * one, x.lo * self.alpha, x.hi * self.alpha, 0)
        hi = max(x.hi * one, x.lo * self.alpha, x.hi * self.alpha, 0)
        out_lo, out_hi, self.may_overflow = cast_bounds(lo, hi, self.grid, self.dst)
        magnitude = max(abs(lo), abs(hi), 1 << max(self.grid - self.dst.frac, 0), 2 * type_magnitude(self.dst))
        self.dtype = widen(exact_dtype(magnitude), np.dtype(np.float32))
        self.one = one
        self.output = Signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                             out_lo, out_hi, self.dtype, self.dst.frac)

    def run(self, arrays, tally):
        x = arrays[0].astype(self.dtype)
        y = np.where(x > 0, x * self.dtype.type(self.one), x * self.dtype.type(self.alpha))
        return cast_array(y, self.grid, self.grid, self.dst, self.may_overflow, tally, self.name)


def table_codes(function: str, size: int, table_t, dst) -> np.ndarray:
    """res_T(table[i]) (int64 codes of `dst`) for every entry of the sigmoid or tanh table."""
    entries = TABLE_FUNCTIONS[function][1](size, table_t)
    return quantize_real(entries * table_t.lsb, dst).astype(np.int64)


def table_index(codes: np.ndarray, frac: int, size: int, table_range: int) -> np.ndarray:
    """The entry a sigmoid or tanh reads for int64 `codes` with `frac` fractional bits:
    trunc(x * size / range) in the fixed-point division, then C's int conversion, clamped."""
    scaled = codes * size
    denominator = table_range << frac if frac >= 0 else None
    if denominator is None:
        scaled = scaled << -frac
        denominator = table_range
    index = np.sign(scaled) * (np.abs(scaled) // denominator) + size // 2
    return np.clip(index, 0, size - 1, out=index)


class TableStep(Step):
    """Sigmoid or tanh by table lookup, as nnet::sigmoid / nnet::tanh."""

    def __init__(self, node, x: Signal, function: str):
        self.name, self.kind = node.name, function
        self.inputs = (node.inputs[0],)
        self.size = int(node.get_attr("table_size"))
        table_t, self.dst = nodes.named_type(node, "table_t"), nodes.output_type(node)
        self.table = table_codes(function, self.size, table_t, self.dst)
        self.x, self.range = x, 2 * TABLE_FUNCTIONS[function][0]
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst,
                                   int(self.table.min()), int(self.table.max()))

    def run(self, arrays, tally):
        out = self.table[table_index(self.x.codes(arrays[0]), self.x.ftype.frac, self.size, self.range)]
        if tally is not None:
            tally.add(self.name, 0, out.size, self.dst.overflow)
        return out.astype(self.output.dtype)


class EluStep(Step):
    """nnet::elu: x >= 0 gives res_T(x); x < 0 gives res_T(alpha * table[i]), with
    i = trunc(x * N / -8) clamped to N - 1 and table[i] = expf(-8 i / N) - 1."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, "elu"
        self.inputs = (node.inputs[0],)
        args = _call_arguments(node)
        literal = args[1] if len(args) == 3 else "1.0"
        param_t = nodes.named_type(node, "param_t") if len(args) == 3 else integer_type(1, signed=False)
        alpha = int(quantize_real(float(literal), param_t)[0])
        self.size = int(node.get_attr("table_size"))
        table_t, self.dst = nodes.named_type(node, "table_t"), nodes.output_type(node)
        grid = param_t.frac + table_t.frac
        products = tables.elu_table(self.size, table_t) * alpha  # alpha * table[i], exact
        self.table = cast_codes(products, grid, self.dst)
        self.x = x
        lo, hi, self.may_overflow = cast_bounds(max(x.lo, 0), max(x.hi, 0), x.ftype.frac, self.dst)
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst,
                                   min(lo, int(self.table.min())), max(hi, int(self.table.max())))

    def run(self, arrays, tally):
        codes = self.x.codes(arrays[0])
        negative = codes < 0
        positive = cast_array(np.where(negative, 0, codes), self.x.ftype.frac, self.x.ftype.frac, self.dst,
                              self.may_overflow, tally, self.name)
        scaled = -codes * self.size  # trunc(x * N / -8), the quotient positive for x < 0
        index = scaled >> np.int64(3 + self.x.ftype.frac) if self.x.ftype.frac >= 0 else (scaled << -self.x.ftype.frac) >> 3
        np.clip(index, 0, self.size - 1, out=index)
        out = np.where(negative, self.table[index], positive)
        return out.astype(self.output.dtype)


def build_activation(node, inputs: list[Signal], request_scale) -> Step:
    """Dispatch on the activation name; `request_scale(signal, scale)` lets a rounding cast
    ask its producer to store its output on the cast's grid."""
    function = str(node.get_attr("activation")).lower()
    x = inputs[0]
    if function in ("linear", "relu"):
        dst = nodes.output_type(node)
        if cast_dtype(x, x.ftype.frac, dst).kind == "f" and x.dtype.kind == "f":
            x = request_scale(x, dst.frac)
        return CastStep(node, x, relu=function == "relu")
    if function in ("leakyrelu", "leaky_relu"):
        return LeakyReluStep(node, x)
    if function in TABLE_FUNCTIONS:
        return TableStep(node, x, function)
    if function == "elu":
        return EluStep(node, x)
    raise UserError(f"{nodes.where(node)}: activation '{function}' is not emulated; "
                    "expected linear, relu, leaky_relu, elu, sigmoid, tanh or softmax")
