"""Compiled (numba) kernels for the sums numpy cannot express: the firmware-order
multiply-accumulate whose products round or whose accumulator saturates.

nnet_dense_latency.h casts every product to accum_t and adds them one input at a time, each
partial sum cast again. When a product rounds, or a partial sum can saturate, no matrix
product gives the same integers; numpy can only loop over the inputs (one pass over the
events per input). The kernel below runs that loop per event instead, in registers: for each
input i, for every output j, `p = accum_t(x[i] * w[i][j]); acc[j] = accum_t(acc[j] + p)`,
with the rounding and overflow modes spelled as the integer operations of rounding.py and
overflow.py. The loop over j has no branch, so the compiler vectorizes it.

Every intermediate is an integer code in int32 when the planner proves all of them fit in
31 bits (products, their casts, and a partial sum plus one product), else in int64; the
caller checks 62 bits. A zero input adds zero products (no mode moves a zero, and a
partial sum already in range stays put), so it is skipped: ReLU outputs are mostly zero.

The kernels are compiled once per combination of modes and shifts (the constants are
baked in) and cached for the process. `enabled()` is False when numba cannot be imported
or when L1FORGE_EMULATOR_JIT=0; the callers then take their numpy paths, which compute the
same integers (tests compare both with the C-simulation).
"""

from __future__ import annotations

import functools
import os

import numpy as np

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import symmetric_min

OVERFLOW_IDS = {"NONE": 0, "SAT": 1, "SAT_SYM": 1, "SAT_ZERO": 2, "WRAP": 3}
INT32_LIMIT = 1 << 31


@functools.lru_cache(maxsize=1)
def _numba():
    try:
        import numba
    except ImportError:  # pragma: no cover - numba comes with da4ml, a dependency
        return None
    return numba


def enabled() -> bool:
    """Whether compiled kernels may run (numba present and not switched off)."""
    return os.environ.get("L1FORGE_EMULATOR_JIT", "1") != "0" and _numba() is not None


def overflow_spec(ftype: FixedType | None) -> tuple[int, int, int, int]:
    """(mode id, lowest code, highest code, wrap mask) of a cast; mode 0 when it cannot overflow."""
    if ftype is None:
        return (0, 0, 0, 0)
    mask = (1 << ftype.width) - 1 if ftype.width < 63 else -1
    return (OVERFLOW_IDS[ftype.overflow], symmetric_min(ftype), ftype.code_max, mask)


BLOCK = 128  # events summed together: their partial sums (n_out x BLOCK) stay in L1


SIMPLE_ROUNDING = ("TRN", "RND", "RND_MIN_INF")  # (p + constant) >> drop


PER_EVENT_OUTPUTS = 16  # from this many outputs, the per-event kernel (_ordered_mac)


@functools.lru_cache(maxsize=64)
def _ordered_mac(simple: bool, p_mode: int, a_mode: int, int32: bool, per_event: bool = False):
    """The firmware-order MAC for one combination of modes: `kernel(x, w, bias, out,
    shifts, consts)`, x (events, n_in), w (n_in, n_out), bias (n_out,), out (events,
    n_out), all of one integer dtype. Products are shifted left by `up` or rounded right by
    `drop` bits (rounding.shift_round_int in scalar form: `simple` rounding adds a constant
    before the floor shift; otherwise ties and negative values are corrected by the flags in
    `shifts`), cast with the product's overflow mode (1 saturate, 2 zero, 3 wrap, 0 none;
    overflow.apply_overflow), and added to the partial sums, each cast with the
    accumulator's. shifts = (up, drop, round-add, TRN_ZERO, RND_INF, RND_ZERO, RND_CONV);
    consts = (half, low mask, product lo, hi, wrap mask, accum lo, hi, wrap mask).

    The modes are constants of the compiled code (numba keys its disk cache on them, so
    each variant compiles once per machine). Events run innermost, a block at a time
    (transposed into a small buffer), so the innermost loop is a long vector loop with one
    weight per pass; a zero weight (pruned) adds zero products and is skipped.

    `per_event` (layers of PER_EVENT_OUTPUTS outputs or more): events outermost, each input
    then adds its products to every output's partial sum (a vector loop over the outputs
    along a row of weights), and a zero input is skipped: its products are zero, and a
    partial sum already cast to accum_t is unchanged by adding zero and casting again
    (ReLU outputs are mostly zero: about 1.6x on a 64-32 layer with half its inputs zero).
    The same arithmetic, in the same order for every output."""
    T = np.int32 if int32 else np.int64

    def kernel(x, w, bias, out, shifts, consts):
        events, n_in = x.shape
        n_out = w.shape[1]
        up, drop, radd = T(shifts[0]), T(shifts[1]), T(shifts[2])
        trn_zero, rnd_inf, rnd_zero, rnd_conv = shifts[3] != 0, shifts[4] != 0, shifts[5] != 0, shifts[6] != 0
        half, low_mask = T(consts[0]), T(consts[1])
        p_lo, p_hi, p_mask = T(consts[2]), T(consts[3]), T(consts[4])
        a_lo, a_hi, a_mask = T(consts[5]), T(consts[6]), T(consts[7])
        xt = np.empty((n_in, BLOCK), dtype=x.dtype)
        acc = np.empty((n_out, BLOCK), dtype=x.dtype)
        for start in range(0, events, BLOCK):
            n = min(BLOCK, events - start)
            for e in range(n):
                for i in range(n_in):
                    xt[i, e] = x[start + e, i]
            for j in range(n_out):
                for e in range(n):
                    acc[j, e] = bias[j]
            for i in range(n_in):
                xi = xt[i]
                for j in range(n_out):
                    wij = w[i, j]
                    if wij == 0:  # a pruned weight: zero products change nothing
                        continue
                    a = acc[j]
                    for e in range(n):
                        p = T(T(xi[e] * wij) << up)
                        q = T(T(p + radd) >> drop)
                        if not simple:
                            low = T(p & low_mask)
                            tie = low == half
                            q = T(q + T(trn_zero & (p < 0) & (low != 0)))
                            q = T(q - T(tie & ((rnd_inf & (p < 0)) | (rnd_zero & (p >= 0))
                                               | (rnd_conv & ((q & 1) == 1)))))
                        if p_mode == 1:
                            q = T(min(max(q, p_lo), p_hi))
                        elif p_mode == 2:
                            q = q if p_lo <= q <= p_hi else T(0)
                        elif p_mode == 3:
                            q = T(T(T(q - p_lo) & p_mask) + p_lo)
                        v = T(a[e] + q)
                        if a_mode == 1:
                            v = T(min(max(v, a_lo), a_hi))
                        elif a_mode == 2:
                            v = v if a_lo <= v <= a_hi else T(0)
                        elif a_mode == 3:
                            v = T(T(T(v - a_lo) & a_mask) + a_lo)
                        a[e] = v
            for e in range(n):
                for j in range(n_out):
                    out[start + e, j] = acc[j, e]
        return out

    def per_event_kernel(x, w, bias, out, shifts, consts):
        events, n_in = x.shape
        n_out = w.shape[1]
        up, drop, radd = T(shifts[0]), T(shifts[1]), T(shifts[2])
        trn_zero, rnd_inf, rnd_zero, rnd_conv = shifts[3] != 0, shifts[4] != 0, shifts[5] != 0, shifts[6] != 0
        half, low_mask = T(consts[0]), T(consts[1])
        p_lo, p_hi, p_mask = T(consts[2]), T(consts[3]), T(consts[4])
        a_lo, a_hi, a_mask = T(consts[5]), T(consts[6]), T(consts[7])
        acc = np.empty(n_out, dtype=x.dtype)
        for e in range(events):
            for j in range(n_out):
                acc[j] = bias[j]
            for i in range(n_in):
                xi = x[e, i]
                if xi == 0:  # zero products: the partial sums stay as they are
                    continue
                for j in range(n_out):
                    p = T(T(xi * w[i, j]) << up)
                    q = T(T(p + radd) >> drop)
                    if not simple:
                        low = T(p & low_mask)
                        tie = low == half
                        q = T(q + T(trn_zero & (p < 0) & (low != 0)))
                        q = T(q - T(tie & ((rnd_inf & (p < 0)) | (rnd_zero & (p >= 0))
                                           | (rnd_conv & ((q & 1) == 1)))))
                    if p_mode == 1:
                        q = T(min(max(q, p_lo), p_hi))
                    elif p_mode == 2:
                        q = q if p_lo <= q <= p_hi else T(0)
                    elif p_mode == 3:
                        q = T(T(T(q - p_lo) & p_mask) + p_lo)
                    v = T(acc[j] + q)
                    if a_mode == 1:
                        v = T(min(max(v, a_lo), a_hi))
                    elif a_mode == 2:
                        v = v if a_lo <= v <= a_hi else T(0)
                    elif a_mode == 3:
                        v = T(T(T(v - a_lo) & a_mask) + a_lo)
                    acc[j] = v
            for j in range(n_out):
                out[e, j] = acc[j]
        return out

    if per_event:
        kernel = per_event_kernel
    # Each variant under its own name, so its own disk-cache index: numba numbers the
    # versions in one index in the order they are saved, and two processes saving different
    # variants of one name at once (pytest-xdist workers) could each write "version 1".
    kernel.__qualname__ = f"ordered_mac_{int(simple)}{p_mode}{a_mode}{int(int32)}{int(per_event)}"
    return _numba().njit(nogil=True, cache=True)(kernel)


class OrderedMac:
    """A compiled firmware-order MAC planned for one layer: integer dtype and constants."""

    def __init__(self, weights: np.ndarray, bias_acc: np.ndarray, up: int, drop: int, rounding: str,
                 product: FixedType | None, accum: FixedType | None, dtype: np.dtype,
                 wrap: FixedType | None = None):
        self.dtype = np.dtype(dtype)
        self.wrap = wrap  # a wrapping accumulator's type: one wrap of the sums at the end
        self.w = np.ascontiguousarray(weights, dtype=self.dtype)
        self.bias = np.ascontiguousarray(bias_acc, dtype=self.dtype)
        p_mode, p_lo, p_hi, p_mask = overflow_spec(product)
        a_mode, a_lo, a_hi, a_mask = overflow_spec(accum)
        half = 1 << (drop - 1) if drop else 0
        simple = drop == 0 or rounding in SIMPLE_ROUNDING
        radd = 0 if drop == 0 or rounding in ("TRN", "TRN_ZERO") else half - 1 if rounding == "RND_MIN_INF" else half
        flags = [int(drop > 0 and rounding == mode) for mode in ("TRN_ZERO", "RND_INF", "RND_ZERO", "RND_CONV")]
        self.shifts = np.array([up, drop, radd, *flags], dtype=np.int64)
        self.consts = np.array([half, (1 << drop) - 1, p_lo, p_hi, p_mask, a_lo, a_hi, a_mask], dtype=np.int64)
        if self.dtype == np.int32:  # masks of 32 bits or more are read as all ones
            self.consts = np.where(self.consts >= 1 << 31, -1, self.consts)
        self.kernel = _ordered_mac(simple, p_mode, a_mode, self.dtype == np.int32,
                                   self.w.shape[1] >= PER_EVENT_OUTPUTS)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        codes = np.ascontiguousarray(x, dtype=self.dtype)
        out = np.empty((codes.shape[0], self.w.shape[1]), dtype=self.dtype)
        out = self.kernel(codes, self.w, self.bias, out, self.shifts, self.consts)
        if self.wrap is not None:
            low = self.dtype.type(self.wrap.code_min)
            out -= low
            out &= self.dtype.type((1 << self.wrap.width) - 1)
            out += low
        return out


def plan_ordered_mac(w: np.ndarray, bias_acc: np.ndarray, x_magnitude: int, prod_frac: int,
                     accum: FixedType, products_overflow: bool, acc_overflow: bool) -> OrderedMac | None:
    """The compiled kernel for a dense/conv layer summed in firmware order, or None when
    numba is off or a value could pass 62 bits (the numpy path then runs).

    A wrapping accumulator (products cast to the same type wrap too) computes the sum
    modulo 2^width whatever the order: the kernel then adds the rounded products without
    any wrap, and wraps once at the end (the rounding of each product still matters)."""
    if not enabled() or w.size == 0:
        return None
    up, drop = max(accum.frac - prod_frac, 0), max(prod_frac - accum.frac, 0)
    widest = x_magnitude * int(np.abs(w).max())  # before the cast to accum_t
    bias = int(np.abs(bias_acc).max(initial=0))
    accum_widest = max(-symmetric_min(accum), accum.code_max)
    wrap_once = accum.overflow == "WRAP" and (products_overflow or acc_overflow)
    rounded_widest = (widest << up) + 1 >> drop if drop else widest << up
    cast_widest = rounded_widest + 1 if wrap_once or not products_overflow else accum_widest
    acc_widest = accum_widest if acc_overflow and not wrap_once else bias + cast_widest * w.shape[0]
    # a wrap first subtracts the type's lowest code: room for that beside every sum
    need = max((widest << up) + (1 << drop), acc_widest + cast_widest + accum_widest + 1, bias)
    if need >= 1 << 62:
        return None
    dtype = np.int32 if need < INT32_LIMIT else np.int64
    if wrap_once:
        return OrderedMac(w, bias_acc, up, drop, accum.rounding, None, None, dtype, wrap=accum)
    return OrderedMac(w, bias_acc, up, drop, accum.rounding, accum if products_overflow else None,
                      accum if acc_overflow else None, dtype)


def _jit(function):
    numba = _numba()
    return numba.njit(nogil=True, cache=True)(function) if numba is not None else function


@_jit
def _float_cast(values, out, factor, sign, add, conv, wrap_lo, period, lo, hi):
    """One pass over a float array of integer-valued codes, with no branch in the loop:
    u = values * factor; rounded as `rint(u)` (conv: AP_RND_CONV, ties to even) or
    `sign * floor(sign * u + add)` (AP_TRN: 1, 0; AP_RND: 1, 1/2; AP_RND_MIN_INF: -1, 1/2;
    an exact cast: 1, 0, a floor of integers); wrapped with `period` (a period beyond
    every value wraps nothing); clamped into [lo, hi] (infinite: nothing). numpy needs a
    pass per operation; every value and intermediate is exact in the array's dtype (the
    planner's guarantee for every float array), so fusing them changes no bit."""
    flat_in, flat_out = values.ravel(), out.ravel()
    zero = flat_in[0] - flat_in[0]  # +0.0 of the dtype (values are finite)
    f, s, h, w_lo, per, low, high = zero + factor, zero + sign, zero + add, zero + wrap_lo, zero + period, zero + lo, zero + hi
    for k in range(flat_in.size):
        u = flat_in[k] * f
        v = np.rint(u) if conv else s * np.floor(s * u + h)
        v = v - per * np.floor((v - w_lo) / per)
        flat_out[k] = min(max(v, low), high) + zero  # + 0: -0.0 -> 0.0
    return out


FUSED_ROUNDING = {None: (1.0, 0.0, False), "TRN": (1.0, 0.0, False), "RND": (1.0, 0.5, False),
                  "RND_MIN_INF": (-1.0, 0.5, False), "RND_CONV": (1.0, 0.0, True)}


def float_cast(values: np.ndarray, factor: float, rounding: str | None, dst: FixedType | None) -> np.ndarray | None:
    """`values * factor`, rounded with `rounding` (None: exact) and brought into `dst`'s
    range (None: cannot overflow), as a new array in one pass; None when numba is off, the
    array is not a contiguous float32/float64 one of some size, or a mode is one the fused
    loop does not spell (TRN_ZERO, RND_INF, RND_ZERO, AP_SAT_ZERO): the caller's numpy
    path then runs."""
    if not enabled() or values.dtype.char not in "fd" or not values.flags.c_contiguous or values.size < 64:
        return None
    if rounding not in FUSED_ROUNDING or (dst is not None and dst.overflow == "SAT_ZERO"):
        return None
    sign, add, conv = FUSED_ROUNDING[rounding]
    wrap_lo, period, lo, hi = -2.0**60, 2.0**62, -np.inf, np.inf
    if dst is not None and dst.overflow == "WRAP":
        wrap_lo, period = float(dst.code_min), float(1 << dst.width)
    elif dst is not None:
        lo, hi = float(symmetric_min(dst)), float(dst.code_max)
    return _float_cast(values, np.empty_like(values), float(factor), sign, add, conv, wrap_lo, period, lo, hi)


def _affine_cast(x, scale, bias, out, factor, sign, add, conv, wrap_lo, period, lo, hi):
    """out[e, k] = the cast of x[e, k] * scale[k] + bias[k], as `_float_cast` casts (one pass
    for a batch normalization: the exact product and sum, then round, wrap and clamp), in
    float64 registers: exact while every value stays below 2^52 (the planner's bound)."""
    events, n = x.shape
    inv = 1.0 / period
    for e in range(events):
        for k in range(n):
            u = (np.float64(x[e, k]) * scale[k] + bias[k]) * factor
            v = np.rint(u) if conv else sign * np.floor(sign * u + add)
            v = v - period * np.floor((v - wrap_lo) * inv)
            out[e, k] = min(max(v, lo), hi) + 0.0  # + 0: -0.0 -> 0.0


@functools.lru_cache(maxsize=1)
def _compiled_affine_cast():
    """`_affine_cast` compiled for its four array signatures at once, in a fixed order, so
    that processes compiling it at the same time write the same versions under the same
    names in numba's disk cache (see da_fused._compiled_finish)."""
    numba = _numba()
    f64 = numba.float64
    signatures = [numba.void(x[:, ::1], f64[::1], f64[::1], o[:, ::1], f64, f64, f64, numba.boolean, f64, f64, f64, f64)
                  for x in (numba.float32, f64) for o in (numba.float32, f64)]
    return numba.njit(signatures, nogil=True, cache=True)(_affine_cast)


def affine_cast(x: np.ndarray, scale: np.ndarray, bias: np.ndarray, out_dtype: np.dtype, factor: float,
                rounding: str | None, dst: FixedType | None) -> np.ndarray | None:
    """`x * scale + bias` (per column; integer-valued floats) times `factor`, rounded and
    brought into `dst` as `float_cast` does, in one pass; None where `float_cast` would
    refuse, or for an x that is not a contiguous float32/float64 matrix."""
    if not enabled() or x.ndim != 2 or x.dtype.char not in "fd" or not x.flags.c_contiguous or x.size < 64:
        return None
    if np.dtype(out_dtype).char not in "fd" or rounding not in FUSED_ROUNDING or (
            dst is not None and dst.overflow == "SAT_ZERO"):
        return None
    sign, add, conv = FUSED_ROUNDING[rounding]
    wrap_lo, period, lo, hi = -2.0**60, 2.0**62, -np.inf, np.inf
    if dst is not None and dst.overflow == "WRAP":
        wrap_lo, period = float(dst.code_min), float(1 << dst.width)
    elif dst is not None:
        lo, hi = float(symmetric_min(dst)), float(dst.code_max)
    out = np.empty(x.shape, dtype=out_dtype)
    _compiled_affine_cast()(x, scale, bias, out, float(factor), sign, add, conv, wrap_lo, period, lo, hi)
    return out
