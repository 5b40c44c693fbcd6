"""A compiled multiply-accumulate over receptive fields, in float registers: the firmware's
order of sums for dense and convolution layers alike, without building im2col rows.

A convolution's output pixel p reads the inputs `patches[p]` (conv.ConvGeometry, -1 for a
padded tap) and runs the dense kernel on them (nnet_dense_latency.h): for each filter j,
`acc = accum_t(b[j])`, then per tap t in order `acc = accum_t(acc + accum_t(x[patches[p,
t]] * w[t, j]))`. A dense layer is the one pixel reading every input. The kernel below
computes that on integer-valued floats: a product of two codes is exact, so is its scaling
by a power of two onto the accumulator's grid, and the rounding is a floor (AP_TRN; AP_RND
and AP_RND_MIN_INF add half and flip signs as compiled._float_cast does) or rint (AP_RND_CONV,
ties to even). Saturation is a min/max, AP_SAT_ZERO a select, AP_WRAP a floor of the
scaled value. All of that is exact while every value and intermediate stays below 2^24
(float32) or 2^53 (float64), which `plan_patch_mac` proves from the types and the weights;
float32 runs eight events per AVX2 instruction where compiled._ordered_mac's int32 products
are widened to int64 by numba's typing.

Events run innermost, BLOCK at a time: a block's inputs are transposed once into a small
buffer that stays in cache, so the gather of a receptive field is a row index and the
innermost loop is one long vector loop per tap, weight and block. Padded taps and zero
weights add zero products and are skipped (a partial sum already cast stays put). A
wrapping accumulator whose products wrap too is summed unwrapped and wrapped once when the
block is written back (its sum is exact modulo 2^width in any order); the result cast
(accum_t to result_t) runs there as well. With `exact` sums (no mode anywhere) the kernel
is a direct convolution: the caller's scaled weights, bias and later casts (kernel.py).
"""

from __future__ import annotations

import functools

import numpy as np

from l1forge.emulate.compiled import OVERFLOW_IDS, _numba, enabled
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import symmetric_min

BLOCK = 128  # events per block: a block's transposed inputs and partial sums stay in L2
ROW = BLOCK + 8  # their rows' stride: not a power of two, or a column of the transpose maps to few cache sets
# Up to this many outputs per event (pixels x filters), a block's outputs stay in a buffer
# until the block is done and are then written event by event, each a contiguous row: written
# pixel by pixel instead, every store of a block lands on another event's row (another cache
# line), and ad_cnn_ae's first convolution spent most of its time there, not in its sums.
TILE_OUTPUTS = 512
ROUNDING_IDS = {"TRN": 1, "RND_CONV": 2, "RND": 3, "RND_MIN_INF": 4}  # floor(u), rint(u), floor(u + 1/2), -floor(1/2 - u)
F32_LIMIT, F64_LIMIT = 1 << 23, 1 << 52  # below these, every integer and half step is exact


def _cast_constants(ftype: FixedType | None, rounding: str | None, factor: float) -> list[float]:
    """(factor, sign, add, lo, hi, period, 1 / period) of one cast, as the kernel reads them."""
    sign, add = (-1.0, 0.5) if rounding == "RND_MIN_INF" else (1.0, 0.5) if rounding == "RND" else (1.0, 0.0)
    if ftype is None:
        return [factor, sign, add, 0.0, 0.0, 1.0, 1.0]
    period = float(1 << ftype.width)
    return [factor, sign, add, float(symmetric_min(ftype)), float(ftype.code_max), period, 1.0 / period]


def _inline(function):
    """A helper the compiled kernels inline (its mode arguments are constants there)."""
    numba = _numba()
    return numba.njit(inline="always")(function) if numba is not None else function


@_inline
def _overflow(v, mode, lo, hi, period, inv, zero):
    """The overflow cast of one integer-valued float: 1 saturate, 2 zero, 3 wrap, 0 none."""
    if mode == 1:
        return min(max(v, lo), hi)
    if mode == 2:
        return v if lo <= v <= hi else zero
    if mode == 3:
        return v - period * np.floor((v - lo) * inv)
    return v


@_inline
def _rounded(u, kind, add):
    """u rounded to an integer: 1 floor (AP_TRN), 2 rint (AP_RND_CONV), 3 floor(u + 1/2)
    (AP_RND), 4 -floor(1/2 - u) (AP_RND_MIN_INF), 0 u as it is (exact)."""
    if kind == 1:
        return np.floor(u)
    if kind == 2:
        return np.rint(u)
    if kind == 3:
        return np.floor(u + add)
    if kind == 4:
        return -np.floor(add - u)
    return u


@_inline
def _step(v, u, p_round, p_mode, a_mode, pa, plo, phi, pper, pinv, alo, ahi, aper, ainv, zero):
    """One tap: the product u rounded onto the accumulator grid, cast, added, cast."""
    q = _overflow(_rounded(u, p_round, pa), p_mode, plo, phi, pper, pinv, zero)
    return _overflow(v + q, a_mode, alo, ahi, aper, ainv, zero)


@functools.lru_cache(maxsize=64)
def _patch_kernel(p_round: int, p_mode: int, a_mode: int, end_mode: int, r_round: int, r_mode: int,
                  relu: bool = False):
    """The kernel for one combination of modes (constants of the compiled code):
    `kernel(x, patches, w, bias, out, c, tiled)`. p_round: how a product reaches the accumulator
    grid (_rounded's kinds); p_mode, a_mode: the product's and partial
    sum's overflow (0 none, 1 saturate, 2 zero, 3 wrap); end_mode: the accumulator's
    overflow at write-back (the wrap-once case); r_round, r_mode: the result cast; relu: a
    ReLU before it (a direct convolution fused with its activation, fusion.py). `c`
    holds _cast_constants of the product, the accumulator and the result, in the working
    dtype (float32 or float64) that every value of the kernel is computed in; `tiled`: keep
    the block's outputs until it is done (TILE_OUTPUTS). The helpers
    are module-level functions: a closure over other compiled functions would miss numba's
    disk cache in every new process (its key would hold those objects)."""

    def kernel(x, patches, w, bias, out, c, tiled):
        events, n_in = x.shape
        pixels, taps = patches.shape
        n_f = w.shape[1]
        pf, ps, pa, plo, phi, pper, pinv = c[0], c[1], c[2], c[3], c[4], c[5], c[6]
        alo, ahi, aper, ainv = c[10], c[11], c[12], c[13]
        rf, rs, ra, rlo, rhi, rper, rinv = c[14], c[15], c[16], c[17], c[18], c[19], c[20]
        zero = c[0] - c[0]
        xt = np.empty((n_in, ROW), dtype=c.dtype)
        acc = np.empty((pixels * n_f if tiled else n_f, ROW), dtype=c.dtype)
        rows = np.empty(taps, dtype=np.int64)
        weights = np.empty(taps, dtype=c.dtype)
        for start in range(0, events, BLOCK):
            n = min(BLOCK, events - start)
            for e in range(n):
                for i in range(n_in):
                    xt[i, e] = x[start + e, i]
            for p in range(pixels):
                for j in range(n_f):
                    a = acc[p * n_f + j] if tiled else acc[j]
                    b = bias[j]
                    for e in range(n):
                        a[e] = b
                    used = 0  # the taps that add something: inside the image, weight not zero
                    for t in range(taps):
                        k = patches[p, t]
                        if k >= 0 and w[t, j] != zero:
                            rows[used], weights[used] = k, w[t, j]
                            used += 1
                    t = 0
                    while t + 4 <= used:  # four taps per pass: the partial sum stays in a register
                        x0, x1, x2, x3 = xt[rows[t]], xt[rows[t + 1]], xt[rows[t + 2]], xt[rows[t + 3]]
                        w0, w1, w2, w3 = weights[t], weights[t + 1], weights[t + 2], weights[t + 3]
                        for e in range(n):
                            v = a[e]
                            v = _step(v, x0[e] * w0, p_round, p_mode, a_mode, pa, plo, phi, pper, pinv,
                                     alo, ahi, aper, ainv, zero)
                            v = _step(v, x1[e] * w1, p_round, p_mode, a_mode, pa, plo, phi, pper, pinv,
                                     alo, ahi, aper, ainv, zero)
                            v = _step(v, x2[e] * w2, p_round, p_mode, a_mode, pa, plo, phi, pper, pinv,
                                     alo, ahi, aper, ainv, zero)
                            a[e] = _step(v, x3[e] * w3, p_round, p_mode, a_mode, pa, plo, phi, pper, pinv,
                                        alo, ahi, aper, ainv, zero)
                        t += 4
                    while t < used:
                        x0, w0 = xt[rows[t]], weights[t]
                        for e in range(n):
                            a[e] = _step(a[e], x0[e] * w0, p_round, p_mode, a_mode, pa, plo, phi, pper, pinv,
                                        alo, ahi, aper, ainv, zero)
                        t += 1
                    for e in range(n):  # the write-back casts, a vector loop over the block
                        v = _overflow(a[e], end_mode, alo, ahi, aper, ainv, zero)
                        if relu:
                            v = max(v, zero)
                        v = _rounded(v * rf, r_round, ra)
                        a[e] = _overflow(v, r_mode, rlo, rhi, rper, rinv, zero) + zero
                if not tiled:
                    for e in range(n):
                        for j in range(n_f):
                            out[start + e, p * n_f + j] = acc[j, e]
            if tiled:  # each event's outputs in one contiguous row
                for e in range(n):
                    row = out[start + e]
                    for q in range(pixels * n_f):
                        row[q] = acc[q, e]
        return out

    kernel.__qualname__ = f"patch_mac_{p_round}{p_mode}{a_mode}{end_mode}{r_round}{r_mode}{int(relu)}"
    return _numba().njit(nogil=True, cache=True)(kernel)


class PatchMac:
    """The compiled kernel planned for one layer: working dtype, weights and constants."""

    def __init__(self, w, bias, dtype, modes: tuple, constants: list[float], casts_result: bool,
                 wrap: FixedType | None = None):
        self.dtype = np.dtype(dtype)
        self.wrap = wrap  # a wrapping accumulator's type: one wrap of the sums at write-back
        self.w = np.ascontiguousarray(w * constants[0], dtype=self.dtype)  # on the accumulator's grid: exact
        self.bias = np.ascontiguousarray(bias, dtype=self.dtype)
        self.c = np.array(constants, dtype=self.dtype)
        self.casts_result = casts_result  # the output holds result_t codes, not accum_t ones
        self.kernel = _patch_kernel(*modes)
        self._dense = np.arange(self.w.shape[0], dtype=np.int64)[None, :]

    def __call__(self, x: np.ndarray, patches: np.ndarray | None = None, out_dtype=None) -> np.ndarray:
        """x (events, inputs): codes in any float dtype (exact in the working one);
        `patches` (pixels, taps) for a convolution, None for a dense layer."""
        patches = self._dense if patches is None else patches
        if x.dtype.kind != "f":  # integer codes (exact in float64 below 2^53): one signature fewer to compile
            x = x.astype(np.float64)
        out = np.empty((x.shape[0], patches.shape[0] * self.w.shape[1]), dtype=out_dtype or self.dtype)
        tiled = out.shape[1] <= TILE_OUTPUTS  # the block's whole output kept, written row by row
        return self.kernel(x, patches, self.w, self.bias, out, self.c, tiled)  # any layout: read once per block


def _working_dtype(need: int) -> np.dtype | None:
    return np.dtype(np.float32) if need < F32_LIMIT else np.dtype(np.float64) if need < F64_LIMIT else None


def plan_exact(w: np.ndarray, bias: np.ndarray, dtype: np.dtype, cast=None) -> PatchMac | None:
    """A direct convolution with exact sums (the caller's weights and bias, already scaled
    onto its grid, in the float `dtype` the caller proved exact). `cast`: a
    fused_cast.CastPlan (the activation that reads the convolution) run at write-back."""
    if not enabled() or np.dtype(dtype).kind != "f":
        return None
    if cast is None:
        return PatchMac(w, bias, dtype, (0, 0, 0, 0, 0, 0), [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0] * 3, False)
    return PatchMac(w, bias, dtype, (0, 0, 0, 0, cast.kind, cast.mode, cast.relu),
                    [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0] * 2 + list(cast.constants(np.dtype(np.float64))), True)


def plan_patch_mac(w: np.ndarray, bias_acc: np.ndarray, x_magnitude: int, prod_frac: int, accum: FixedType,
                   products_overflow: bool, acc_overflow: bool, result: FixedType,
                   res_overflow: bool) -> PatchMac | None:
    """The float kernel in the firmware's order for a dense or convolution layer, with the
    result cast fused, or None when numba is off, a rounding mode is one the kernel does
    not spell (AP_TRN_ZERO, AP_RND_INF, AP_RND_ZERO: compiled._ordered_mac runs), or a value
    could pass float64's exact range. Same bounds as compiled.plan_ordered_mac, plus room
    for the result cast (half an LSB, a wrap's offset)."""
    up, drop = max(accum.frac - prod_frac, 0), max(prod_frac - accum.frac, 0)
    r_up, r_drop = max(result.frac - accum.frac, 0), max(accum.frac - result.frac, 0)
    if not enabled() or w.size == 0 or (drop and accum.rounding not in ROUNDING_IDS) or (
            r_drop and result.rounding not in ROUNDING_IDS):
        return None
    widest = x_magnitude * int(np.abs(w).max())
    bias = int(np.abs(bias_acc).max(initial=0))
    accum_widest = max(-symmetric_min(accum), accum.code_max)
    result_widest = max(-symmetric_min(result), result.code_max)
    wrap_once = accum.overflow == "WRAP" and (products_overflow or acc_overflow)
    rounded_widest = (widest << up) + 1 >> drop if drop else widest << up
    cast_widest = rounded_widest + 1 if wrap_once or not products_overflow else accum_widest
    acc_widest = accum_widest if acc_overflow and not wrap_once else bias + cast_widest * w.shape[0]
    need = max((widest << up) + (1 << drop), acc_widest + cast_widest + accum_widest + 1, bias,
               (min(acc_widest, accum_widest) << r_up) + (1 << r_drop) + 2 * result_widest + 2)
    dtype = _working_dtype(need)
    if dtype is None:
        return None
    modes = (ROUNDING_IDS[accum.rounding] if drop else 0,
             OVERFLOW_IDS[accum.overflow] if products_overflow and not wrap_once else 0,
             OVERFLOW_IDS[accum.overflow] if acc_overflow and not wrap_once else 0,
             3 if wrap_once else 0,
             ROUNDING_IDS[result.rounding] if r_drop else 0,
             OVERFLOW_IDS[result.overflow] if res_overflow else 0)
    constants = (_cast_constants(accum, accum.rounding, 2.0 ** (accum.frac - prod_frac))
                 + _cast_constants(accum, None, 1.0)
                 + _cast_constants(result, result.rounding, 2.0 ** (result.frac - accum.frac)))
    return PatchMac(w, bias_acc, dtype, modes, constants, True, accum if wrap_once else None)
