"""Two-input layers of nnet_merge.h: add, subtract, multiply, average, maximum, minimum
and concatenate.

Element-wise ops compute the exact ap_fixed expression (sums and products at full width;
average multiplies the sum by ap_ufixed<1,0>(0.5), an exact halving) and assign it to
res_T; the inputs broadcast as res[i] = op(in1[i % n1], in2[i % n2]). maximum/minimum
pick one input and assign it. Concatenate assigns every element of both inputs to res_T.
Where every intermediate is exact in a float dtype (below 2^22 in float32, 2^50 in
float64, on the grid of the expression and of res_T), the expression runs on the stored
float arrays as they are (no gather when both inputs have the output's size) and the cast
is the fused float one; otherwise, and for wider values, on int64 codes (or Python
integers past 62 bits).
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.overflow import symmetric_min
from l1forge.emulate.fused_cast import plan_cast, usable
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.signals import Signal, Step, cast_bounds, typed_signal
from l1forge.errors import UserError

ELEMENTWISE = ("add", "subtract", "multiply", "average", "maximum", "minimum")


def _bounds(op: str, a: Signal, b: Signal, shift_a: int, shift_b: int) -> tuple[int, int]:
    a_lo, a_hi, b_lo, b_hi = a.lo << shift_a, a.hi << shift_a, b.lo << shift_b, b.hi << shift_b
    if op == "multiply":
        corners = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        return min(corners), max(corners)
    if op == "subtract":
        return a_lo - b_hi, a_hi - b_lo
    if op in ("maximum", "minimum"):
        return min(a_lo, b_lo), max(a_hi, b_hi)
    return a_lo + b_lo, a_hi + b_hi  # add; average keeps the sum's code (its grid is one bit finer)


class ElementwiseStep(Step):
    def __init__(self, node, a: Signal, b: Signal):
        self.name, self.kind = node.name, f"Merge:{node.get_attr('op')}"
        self.op = str(node.get_attr("op")).lower()
        if self.op not in ELEMENTWISE:
            raise UserError(f"{nodes.where(node)}: merge '{self.op}' is not emulated; expected one of {ELEMENTWISE}")
        self.inputs = (node.inputs[0], node.inputs[1])
        self.a, self.b, self.dst = a, b, nodes.output_type(node)
        size = int(np.prod(node.get_output_variable().shape))
        self.index_a, self.index_b = np.arange(size) % a.size, np.arange(size) % b.size
        fa, fb = a.ftype.frac, b.ftype.frac
        if self.op == "multiply":
            self.grid, self.shift_a, self.shift_b = fa + fb, 0, 0
        else:
            common = max(fa, fb)
            self.grid, self.shift_a, self.shift_b = common, common - fa, common - fb
        lo, hi = _bounds(self.op, a, b, self.shift_a, self.shift_b)
        if self.op == "average":
            self.grid += 1
        out_lo, out_hi, self.may_overflow = cast_bounds(lo, hi, self.grid, self.dst)
        # Products of two wide inputs can pass 63 bits: Python integers keep them exact.
        self.work_dtype = np.dtype(np.int64) if max(abs(lo), abs(hi)) < 1 << 62 else np.dtype(object)
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst, out_lo, out_hi)
        widest = max(abs(lo), abs(hi)) << max(self.dst.frac - self.grid, 0)
        self.float_dtype = None
        if a.dtype.kind == "f" and b.dtype.kind == "f" and widest < 1 << 50:
            self.float_dtype = np.dtype(np.float32 if widest < 1 << 22 else np.float64)
        self.whole = size == a.size == b.size  # no broadcast: the arrays as they are
        # the cast as one fused_cast pass with its modes as constants (None: float_cast's loop)
        scale = a.scale + b.scale if self.op == "multiply" else max(a.scale, b.scale) + (self.op == "average")
        self.plan = plan_cast(False, scale, self.grid, self.dst, self.may_overflow) if self.float_dtype else None

    def _run_float(self, arrays, tally) -> np.ndarray:
        """The expression on the stored arrays in float, exact (the planner's bound), then
        the fused cast: `scale` says where the array's binary point sits."""
        a, b = arrays
        if not self.whole:
            a, b = a[:, self.index_a], b[:, self.index_b]
        dtype, sa, sb = self.float_dtype, self.a.scale, self.b.scale
        if self.op == "multiply":
            y, scale = np.multiply(a, b, dtype=dtype), sa + sb
        else:
            scale = max(sa, sb)
            if sa != scale:
                a = a * dtype.type(2.0 ** (scale - sa))
            if sb != scale:
                b = b * dtype.type(2.0 ** (scale - sb))
            if self.op in ("add", "average"):
                y = np.add(a, b, dtype=dtype)
            elif self.op == "subtract":
                y = np.subtract(a, b, dtype=dtype)
            else:
                y = (np.maximum if self.op == "maximum" else np.minimum)(a, b, dtype=dtype)
            scale += self.op == "average"  # (a + b) / 2: the same array, one more fraction bit
        if self.plan is not None and tally is None and usable(y) and self.output.dtype.kind == "f":
            return self.plan(y, None, self.output.dtype)
        out = cast_array(y, scale, self.grid, self.dst, self.may_overflow, tally, self.name)
        return out.astype(self.output.dtype, copy=False)

    def run(self, arrays, tally):
        if self.float_dtype is not None:
            return self._run_float(arrays, tally)
        a = self.a.codes(arrays[0])[:, self.index_a].astype(self.work_dtype) << self.shift_a
        b = self.b.codes(arrays[1])[:, self.index_b].astype(self.work_dtype) << self.shift_b
        if self.op in ("add", "average"):
            y = a + b
        elif self.op == "subtract":
            y = a - b
        elif self.op == "multiply":
            y = a * b
        elif self.op == "maximum":
            y = np.where(a > b, a, b)
        else:
            y = np.where(a < b, a, b)
        if y.dtype == object:
            return self._cast_wide(y, tally)
        out = cast_array(y, self.grid, self.grid, self.dst, self.may_overflow, tally, self.name)
        return out.astype(self.output.dtype)

    def _cast_wide(self, y: np.ndarray, tally) -> np.ndarray:
        """Assign Python-integer codes (any width) to res_T, one value at a time."""
        codes = np.array([cast_python_int(int(v), self.grid, self.dst) for v in y.ravel()], dtype=np.int64)
        if tally is not None:
            tally.add(self.name, int(np.count_nonzero(_outside(y, self.grid, self.dst))), y.size, self.dst.overflow)
        return codes.reshape(y.shape).astype(self.output.dtype)


def _outside(y: np.ndarray, grid: int, dst) -> np.ndarray:
    lo, hi = symmetric_min(dst), dst.code_max
    rounded = [round_python_int(int(v), grid - dst.frac, dst.rounding) for v in y.ravel()]
    return np.array([not lo <= q <= hi for q in rounded], dtype=bool)


def round_python_int(v: int, shift: int, mode: str) -> int:
    """v / 2**shift rounded with an ap_fixed mode, for Python integers of any size."""
    if shift <= 0:
        return v << -shift
    floor = v >> shift
    rest = v - (floor << shift)
    half = 1 << (shift - 1)
    if mode == "TRN":
        return floor
    if mode == "TRN_ZERO":
        return floor + (1 if v < 0 and rest else 0)
    if rest != half:
        return floor + (1 if rest > half else 0)
    ties = {"RND": 1, "RND_MIN_INF": 0, "RND_INF": 0 if v < 0 else 1, "RND_ZERO": 1 if v < 0 else 0,
            "RND_CONV": floor & 1}
    return floor + ties[mode]


def cast_python_int(v: int, grid: int, dst) -> int:
    """Assign the code v (on `grid` fractional bits) to type dst: round, then overflow."""
    q = round_python_int(v, grid - dst.frac, dst.rounding)
    lo, hi = symmetric_min(dst), dst.code_max
    if lo <= q <= hi:
        return q
    if dst.overflow == "WRAP":
        return ((q - dst.code_min) % (1 << dst.width)) + dst.code_min
    if dst.overflow == "SAT_ZERO":
        return 0
    return lo if q < lo else hi


class ConcatenateStep(Step):
    def __init__(self, node, a: Signal, b: Signal):
        self.name, self.kind = node.name, "Concatenate"
        self.inputs = (node.inputs[0], node.inputs[1])
        self.a, self.b, self.dst = a, b, nodes.output_type(node)
        ndim = len(a.shape)
        axis = int(node.get_attr("axis", -1))
        self.axis = 0 if ndim == 1 else (axis + ndim if axis < 0 else axis - 1)
        if not 0 <= self.axis < ndim:
            raise UserError(f"{nodes.where(node)}: concatenation axis {axis} does not fit inputs of rank {ndim}")
        bounds = [cast_bounds(s.lo, s.hi, s.ftype.frac, self.dst) for s in (a, b)]
        self.may_overflow = [overflow for _, _, overflow in bounds]
        lo, hi = min(lo for lo, _, _ in bounds), max(hi for _, hi, _ in bounds)
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst, lo, hi)

    def run(self, arrays, tally):
        parts = []
        for signal, array, overflow in zip((self.a, self.b), arrays, self.may_overflow):
            codes = cast_array(signal.codes(array), signal.ftype.frac, signal.ftype.frac, self.dst, overflow,
                               tally, self.name)
            parts.append(codes.reshape(-1, *signal.shape))
        joined = np.concatenate(parts, axis=self.axis + 1)
        return joined.reshape(joined.shape[0], -1).astype(self.output.dtype)


def build_merge(node, inputs: list[Signal]) -> Step:
    if len(inputs) != 2:
        raise UserError(f"{nodes.where(node)}: merges of {len(inputs)} inputs are not emulated; expected 2")
    return ElementwiseStep(node, inputs[0], inputs[1])


def build_concatenate(node, inputs: list[Signal]) -> Step:
    if len(inputs) != 2:
        raise UserError(f"{nodes.where(node)}: concatenation of {len(inputs)} inputs is not emulated; expected 2")
    return ConcatenateStep(node, inputs[0], inputs[1])
