"""One compiled pass for a bias, a ReLU and an assignment to a fixed-point type.

A Dense layer whose sums are one exact BLAS product, followed by a ReLU or linear
activation (its only reader), costs in numpy three passes over the chunk after the
product: the bias, the maximum, and the cast (compiled._float_cast, whose wrap and
rounding are chosen at run time, so its loop is not vectorized). `CastPlan` computes

    out[e, k] = overflow(round(max(acc[e, k] + bias[k], 0) * factor))

in one pass, with the rounding kind and the overflow mode constants of the compiled loop
(patch_mac's `_rounded` and `_overflow`, the helpers of the receptive-field kernel), so
it is a plain vector loop: about 0.13 ns a value against about 1.9 ns for the three numpy
passes (8,192 x 64 float32 on this machine). Every value is an integer-valued float (or,
on a rescaled grid, an exact multiple of a power of two) that the planner proved exact in
the array's dtype, with room for half an LSB and a wrap's offset (CastStep.min_rank), so
the pass gives the same numbers as the numpy one.
"""

from __future__ import annotations

import functools

import numpy as np

from l1forge.emulate.compiled import OVERFLOW_IDS, _numba, enabled
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.patch_mac import ROUNDING_IDS, _cast_constants, _overflow, _rounded

FUSE = True  # tests switch it off to force the unfused steps


@functools.lru_cache(maxsize=32)
def _cast_kernel(relu: bool, kind: int, mode: int):
    """`kernel(acc, bias, out, c)` for one combination: relu, rounding kind (patch_mac's
    _rounded) and overflow mode (0 none, 1 saturate, 2 zero, 3 wrap); c holds
    patch_mac._cast_constants in the arrays' dtype."""

    def kernel(acc, bias, out, c):
        events, n = acc.shape
        f, add, lo, hi, per, inv = c[0], c[2], c[3], c[4], c[5], c[6]
        zero = c[0] - c[0]
        for e in range(events):
            row, dst = acc[e], out[e]
            for k in range(n):
                v = row[k] + bias[k]
                if relu:
                    v = max(v, zero)
                v = _rounded(v * f, kind, add)
                dst[k] = _overflow(v, mode, lo, hi, per, inv, zero) + zero  # + 0: -0.0 -> 0.0
        return out

    kernel.__qualname__ = f"fused_cast_{int(relu)}{kind}{mode}"
    return _numba().njit(nogil=True, cache=True)(kernel)


class CastPlan:
    """The fused pass for one activation: relu or not, values stored at `scale` on the
    grid of `grid_frac` fractional bits, assigned to `dst` (overflow mode only where
    `may_overflow`)."""

    def __init__(self, relu: bool, scale: int, grid_frac: int, dst: FixedType, may_overflow: bool):
        rounds = dst.frac < grid_frac
        self.relu = bool(relu)
        self.kind = ROUNDING_IDS[dst.rounding] if rounds else 0
        self.mode = OVERFLOW_IDS[dst.overflow] if may_overflow else 0
        self.kernel = _cast_kernel(self.relu, self.kind, self.mode)
        self._constants = _cast_constants(dst if may_overflow else None, dst.rounding if rounds else None,
                                          2.0 ** (dst.frac - scale))
        self._typed: dict = {}
        self._zeros: dict = {}

    def constants(self, dtype: np.dtype) -> np.ndarray:
        c = self._typed.get(dtype.char)
        if c is None:
            c = self._typed[dtype.char] = np.array(self._constants, dtype=dtype)
        return c

    def __call__(self, acc: np.ndarray, bias: np.ndarray | None, out_dtype=None) -> np.ndarray:
        """The cast of `acc` (+ `bias` per column), as a new array of `out_dtype` (default:
        acc's; float32 from float64 only for codes it holds exactly), (written in place, the
        loop would not be vectorized: the compiler cannot rule out the overlap, and the
        scalar loop costs about 5x more)."""
        if bias is None:
            key = (acc.shape[1], acc.dtype.char)
            bias = self._zeros.get(key)
            if bias is None:
                bias = self._zeros[key] = np.zeros(acc.shape[1], dtype=acc.dtype)
        return self.kernel(acc, bias.astype(acc.dtype, copy=False), np.empty(acc.shape, dtype=out_dtype or acc.dtype),
                           self.constants(acc.dtype))


def plan_cast(relu: bool, scale: int, grid_frac: int, dst: FixedType, may_overflow: bool) -> CastPlan | None:
    """The fused pass, or None where it does not apply: numba off, a rounding mode the
    loop does not spell (AP_TRN_ZERO, AP_RND_INF, AP_RND_ZERO), or FUSE off."""
    rounds = dst.frac < grid_frac
    if not FUSE or not enabled() or (rounds and dst.rounding not in ROUNDING_IDS):
        return None
    return CastPlan(relu, scale, grid_frac, dst, may_overflow)


def usable(x: np.ndarray) -> bool:
    """An array the pass takes: a C-contiguous float32/float64 matrix."""
    return x.ndim == 2 and x.dtype.char in "fd" and x.flags.c_contiguous


@functools.lru_cache(maxsize=32)
def _affine_kernel(kind: int, mode: int):
    """`kernel(x, scale, bias, out, c)`: out[e, k] = the cast of x[e, k] * scale[k] +
    bias[k], in float64 registers (a batch normalization: compiled._affine_cast's
    arithmetic with its modes as constants of the loop, so it is vectorized)."""

    def kernel(x, scale, bias, out, c):
        events, n = x.shape
        f, add, lo, hi, per, inv = c[0], c[2], c[3], c[4], c[5], c[6]
        zero = c[0] - c[0]
        for e in range(events):
            row, dst = x[e], out[e]
            for k in range(n):
                v = _rounded((np.float64(row[k]) * scale[k] + bias[k]) * f, kind, add)
                dst[k] = _overflow(v, mode, lo, hi, per, inv, zero) + zero
        return out

    kernel.__qualname__ = f"fused_affine_{kind}{mode}"
    return _numba().njit(nogil=True, cache=True)(kernel)


class AffinePlan:
    """`x * scale + bias` (per column, float64 vectors), times `factor`, assigned to `dst`
    in one pass (`rounding` None: exact; `dst` None: cannot overflow)."""

    def __init__(self, factor: float, rounding: str | None, dst: FixedType | None):
        self.kernel = _affine_kernel(ROUNDING_IDS[rounding] if rounding else 0, OVERFLOW_IDS[dst.overflow] if dst else 0)
        self.c = np.array(_cast_constants(dst, rounding, factor), dtype=np.float64)

    def __call__(self, x: np.ndarray, scale: np.ndarray, bias: np.ndarray, out_dtype) -> np.ndarray:
        return self.kernel(x, scale, bias, np.empty(x.shape, dtype=out_dtype), self.c)


def plan_affine(factor: float, rounding: str | None, dst: FixedType | None) -> AffinePlan | None:
    """The fused affine pass, or None (numba off, FUSE off, a rounding it does not spell)."""
    if not FUSE or not enabled() or (rounding is not None and rounding not in ROUNDING_IDS):
        return None
    return AffinePlan(factor, rounding, dst)
