"""A DA layer that is one exact matrix product, finished in a single compiled pass over floats.

Where da_linear.py proves a DA program is `codes @ M + c` (no assignment loses a bit), the
layer is that product followed, per output, by model_out's assignment and then the layer's
result type:

    v  = codes @ M                                  BLAS, exact in float32/float64
    o  = wrap_out(floor((v + c) / 2^right))         model_out[k] = out_t(...): AP_TRN, AP_WRAP
    r  = result_t(o on its grid)                    the result type's rounding and overflow

The int64 path (da_program.DAExecutor.run) spells this as five passes over int64 arrays
(shift, subtract, mask, add, shift) plus the result cast: at Deep Sets sizes (a chunk of
1,024 events is 32,768 particle rows) those passes, not the product, cost most. Here every
step is the same integer arithmetic carried out on integer-valued float64 in registers:
sums of integers below 2^53 are exact, a division by a power of two is exact, `floor` is
the arithmetic right shift, and `u - P * floor((u - low) / P)` is AP_WRAP's modular
reduction into [low, low + P). The planner only takes this path when every value (the
product with its offset, and each value scaled onto the result grid plus half an LSB) stays
below 2^51; otherwise, with numba off (L1FORGE_EMULATOR_JIT=0), or for a result mode the
fused cast does not spell, the int64 path runs.
"""

from __future__ import annotations

import functools

import numpy as np

from l1forge.emulate.compiled import FUSED_ROUNDING, _numba, enabled
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import symmetric_min
from l1forge.emulate.signals import cast_bounds

_F64_SAFE = 2**51
_F32_EXACT = 2**24


def _finish(v, offset, down, period, inv_period, wrap_lo, scale_by, steps, sign, add, r_wrap_lo, r_period, lo, hi,
            out):
    """out[e, k] = the result codes of v[e, k] + offset[k], with the steps the layer needs
    (`steps`: six flags, fixed for a layer, so every branch is predicted):
    0, shift: u = floor(u * down[k]) (down = 2^-right: model_out's AP_TRN);
    1, its AP_WRAP: u = u - period[k] * floor((u - wrap_lo[k]) * inv_period[k]);
    2, scale: u = u * scale_by[k] (2^drop back onto grid F, times 2^(result frac - F));
    3, round: sign * floor(sign * u + add) (AP_TRN: 1, 0; AP_RND: 1, 1/2; AP_RND_MIN_INF:
    -1, 1/2); 4: rint (AP_RND_CONV, ties to even); 5, the result's AP_WRAP by r_period;
    then the clamp into [lo, hi] (saturation; infinite bounds clamp nothing)."""
    events, n = v.shape
    shift, out_wrap, scale, rounds, conv, r_wrap = (steps[0] != 0, steps[1] != 0, steps[2] != 0, steps[3] != 0,
                                                    steps[4] != 0, steps[5] != 0)
    r_inv = 1.0 / r_period
    for e in range(events):
        for k in range(n):
            u = np.float64(v[e, k]) + offset[k]
            if shift:
                u = np.floor(u * down[k])
            if out_wrap:
                u = u - period[k] * np.floor((u - wrap_lo[k]) * inv_period[k])
            if scale:
                u = u * scale_by[k]
            if rounds:
                u = sign * np.floor(sign * u + add)
            if conv:
                u = np.rint(u)
            if r_wrap:
                u = u - r_period * np.floor((u - r_wrap_lo) * r_inv)
            out[e, k] = min(max(u, lo), hi) + 0.0  # + 0: -0.0 -> 0.0


@functools.lru_cache(maxsize=1)
def _compiled_finish():
    """`_finish` compiled for its four array signatures at once, in a fixed order: numba's
    disk cache numbers a function's compiled versions in the order they are first saved,
    so processes compiling at the same time (pytest-xdist workers) write the same version
    under the same name instead of one overwriting another's under a shared number."""
    numba = _numba()
    f64, i64 = numba.float64, numba.int64
    signatures = [numba.void(v[:, ::1], f64[::1], f64[::1], f64[::1], f64[::1], f64[::1], f64[::1], i64[::1],
                             f64, f64, f64, f64, f64, f64, o[:, ::1])
                  for v in (numba.float32, f64) for o in (numba.float32, f64)]
    return numba.njit(signatures, nogil=True, cache=True)(_finish)


def _column_bounds(folded, input_type: FixedType) -> tuple[np.ndarray, np.ndarray]:
    """Per output column, the least and greatest value of codes @ M + c over all input codes."""
    m = folded.matrix.astype(object)
    a, b = m * input_type.code_min, m * input_type.code_max
    low = np.minimum(a, b).sum(axis=0) + folded.offset.astype(object)
    high = np.maximum(a, b).sum(axis=0) + folded.offset.astype(object)
    return low, high


class FusedDA:
    """The product-and-finish plan of one linear DA layer (all outputs live)."""

    def __init__(self, folded, frac: int, right: np.ndarray, outputs: list, input_type: FixedType,
                 result: FixedType, out_dtype: np.dtype):
        self.out_dtype, self.input_frac = np.dtype(out_dtype), input_type.frac
        n = len(outputs)
        right = np.broadcast_to(np.asarray(right, dtype=np.int64), (n,))
        drops = [frac - o.ftype.frac for o in outputs]
        self.dtype = np.dtype(np.float32 if folded.bound < _F32_EXACT else np.float64)
        self.matrix = folded.matrix.astype(self.dtype)
        self.offset = folded.offset.astype(np.float64)
        self.down = 2.0 ** -right.astype(np.float64)
        self.period = np.array([float(1 << o.ftype.width) for o in outputs])
        self.inv_period = 1.0 / self.period
        self.wrap_lo = np.array([float(o.ftype.code_min) for o in outputs])
        self.scale_by = np.array([2.0 ** (d + result.frac - frac) for d in drops])
        # which steps some value needs, from each column's bounds on the way
        low, high = _column_bounds(folded, input_type)
        out_wrap, res_overflow = False, False
        for k, o in enumerate(outputs):
            lo, hi = int(low[k]) >> int(right[k]), int(high[k]) >> int(right[k])
            if lo < o.ftype.code_min or hi > o.ftype.code_max:
                out_wrap, lo, hi = True, o.ftype.code_min, o.ftype.code_max
            lo, hi, overflow = cast_bounds(lo, hi, o.ftype.frac, result)
            res_overflow |= overflow
        rounds = result.frac < frac
        self.sign, self.add, conv = FUSED_ROUNDING[result.rounding if rounds else None]
        rounding = 2 if conv else 1 if rounds else 0
        self.r_wrap_lo, self.r_period, self.lo, self.hi = -2.0**60, 2.0**62, -np.inf, np.inf
        r_wrap = False
        if res_overflow and result.overflow == "WRAP":
            r_wrap, self.r_wrap_lo, self.r_period = True, float(result.code_min), float(1 << result.width)
        elif res_overflow:
            self.lo, self.hi = float(symmetric_min(result)), float(result.code_max)
        self.steps = np.array([(right > 0).any(), out_wrap, (self.scale_by != 1.0).any(), rounding == 1,
                               rounding == 2, r_wrap], dtype=np.int64)
        self.kernel = _compiled_finish()
        self.plain = not self.steps.any() and self.lo == -np.inf and self.hi == np.inf
        self.offset_v = self.offset.astype(self.dtype)  # exact: |c| is within the product's bound

    def run(self, x: np.ndarray, x_scale: int, geometry=None) -> np.ndarray:
        """x: the input signal's array (codes times 2^(x_scale - frac)); returns result codes
        (rows, outputs) in the output dtype, one row per event (per pixel for a convolution)."""
        if x.dtype != self.dtype or x_scale != self.input_frac:
            x = x.astype(self.dtype) if x_scale == self.input_frac else \
                (x * 2.0 ** (self.input_frac - x_scale)).astype(self.dtype)
        if geometry is not None:
            x = geometry.im2col(x)
        v = x @ self.matrix
        if self.plain and v.dtype == self.out_dtype:  # every step is the identity: v + c is the result
            v += self.offset_v
            return v
        out = np.empty(v.shape, dtype=self.out_dtype)
        self.kernel(v, self.offset, self.down, self.period, self.inv_period, self.wrap_lo, self.scale_by, self.steps,
                    self.sign, self.add, self.r_wrap_lo, self.r_period, self.lo, self.hi, out)
        return out


def plan_fused(executor, result: FixedType, out_dtype: np.dtype) -> FusedDA | None:
    """The fused plan of a DAExecutor's layer, or None where it does not apply: numba off,
    no proven matrix product, an output that is the constant 0, a result mode the fused
    cast does not spell (TRN_ZERO, RND_INF, RND_ZERO, SAT_ZERO), or a value that could pass
    2^51 on the way (then the int64 path is the exact one)."""
    folded = executor._folded
    if not enabled() or folded is None or not executor._all_live or not executor._live:
        return None
    rounding = result.rounding if result.frac < executor.frac else None
    if rounding not in FUSED_ROUNDING or result.overflow == "SAT_ZERO":
        return None
    outputs = executor._live
    widest_out = max(max(abs(o.ftype.code_min), o.ftype.code_max) << (executor.frac - o.ftype.frac)
                     for o in outputs)
    scaled = widest_out * 2 ** max(result.frac - executor.frac, 0)
    if max(folded.bound, widest_out, scaled + 1) >= _F64_SAFE or executor.frac - result.frac >= 50:
        return None
    return FusedDA(folded, executor.frac, executor._right, outputs, executor.input_type, result, out_dtype)
