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

ROUNDING_IDS = {"TRN": 0, "TRN_ZERO": 1, "RND": 2, "RND_ZERO": 3, "RND_INF": 4, "RND_MIN_INF": 5, "RND_CONV": 6}
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


@functools.lru_cache(maxsize=64)
def _ordered_mac(rounding: int, p_mode: int, a_mode: int, int32: bool):
    """The firmware-order MAC for one combination of modes: `kernel(x, w, bias, out, up,
    drop, consts)`, x (events, n_in), w (n_in, n_out), bias (n_out,), out (events, n_out),
    all of one integer dtype. Products are shifted left by `up` or rounded right by `drop`
    bits (rounding.shift_round_int in scalar form), cast with the product's overflow mode
    (1 saturate, 2 zero, 3 wrap, 0 none; overflow.apply_overflow), and added to the partial
    sums, each cast with the accumulator's. consts = (half, low mask, product lo, hi, wrap
    mask, accum lo, hi, wrap mask).

    The modes are constants of the compiled code (each variant is branch-free; numba keys
    its disk cache on them). Events run innermost, a block at a time (transposed into a
    small buffer), so the innermost loop is a long vector loop with one weight per pass;
    a zero weight (pruned) adds zero products and is skipped."""
    T = np.int32 if int32 else np.int64

    def kernel(x, w, bias, out, up, drop, consts):
        events, n_in = x.shape
        n_out = w.shape[1]
        up_, drop_ = T(up), T(drop)
        half, low_mask, half_less = T(consts[0]), T(consts[1]), T(consts[0] - 1)
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
                        p = T(xi[e] * wij)
                        if rounding == 7:  # the accumulator is as fine or finer: exact
                            p = T(p << up_)
                        elif rounding == 0:  # TRN: floor
                            p = T(p >> drop_)
                        elif rounding == 5:  # RND_MIN_INF: ties down
                            p = T(T(p + half_less) >> drop_)
                        elif rounding == 1:  # TRN_ZERO: towards zero
                            p = T(T(p >> drop_) + T((p < 0) & ((p & low_mask) != 0)))
                        else:  # ties up (RND); the other modes correct the ties
                            tie = (p & low_mask) == half
                            q = T(T(p + half) >> drop_)
                            if rounding == 4:  # RND_INF
                                q = T(q - T(tie & (p < 0)))
                            elif rounding == 3:  # RND_ZERO
                                q = T(q - T(tie & (p >= 0)))
                            elif rounding == 6:  # RND_CONV
                                q = T(q - T(tie & ((q & 1) == 1)))
                            p = q
                        if p_mode == 1:
                            p = T(min(max(p, p_lo), p_hi))
                        elif p_mode == 2:
                            p = p if p_lo <= p <= p_hi else T(0)
                        elif p_mode == 3:
                            p = T(T(T(p - p_lo) & p_mask) + p_lo)
                        v = T(a[e] + p)
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

    return _numba().njit(nogil=True, cache=True)(kernel)


class OrderedMac:
    """A compiled firmware-order MAC planned for one layer: integer dtype and constants."""

    def __init__(self, weights: np.ndarray, bias_acc: np.ndarray, up: int, drop: int, rounding: str,
                 product: FixedType | None, accum: FixedType | None, dtype: np.dtype):
        self.dtype = np.dtype(dtype)
        self.w = np.ascontiguousarray(weights, dtype=self.dtype)
        self.bias = np.ascontiguousarray(bias_acc, dtype=self.dtype)
        self.up, self.drop = up, drop
        p_mode, p_lo, p_hi, p_mask = overflow_spec(product)
        a_mode, a_lo, a_hi, a_mask = overflow_spec(accum)
        half = 1 << (drop - 1) if drop else 0
        self.consts = np.array([half, (1 << drop) - 1, p_lo, p_hi, p_mask, a_lo, a_hi, a_mask], dtype=np.int64)
        if self.dtype == np.int32:  # masks of 32 bits or more are read as all ones
            self.consts = np.where(self.consts >= 1 << 31, -1, self.consts)
        mode = 7 if drop == 0 else ROUNDING_IDS[rounding]
        self.kernel = _ordered_mac(mode, p_mode, a_mode, self.dtype == np.int32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        codes = np.ascontiguousarray(x, dtype=self.dtype)
        out = np.empty((codes.shape[0], self.w.shape[1]), dtype=self.dtype)
        return self.kernel(codes, self.w, self.bias, out, self.up, self.drop, self.consts)


def plan_ordered_mac(w: np.ndarray, bias_acc: np.ndarray, x_magnitude: int, prod_frac: int,
                     accum: FixedType, products_overflow: bool, acc_overflow: bool) -> OrderedMac | None:
    """The compiled kernel for a dense/conv layer summed in firmware order, or None when
    numba is off or a value could pass 62 bits (the numpy path then runs)."""
    if not enabled() or w.size == 0:
        return None
    up, drop = max(accum.frac - prod_frac, 0), max(prod_frac - accum.frac, 0)
    widest = x_magnitude * int(np.abs(w).max())  # before the cast to accum_t
    cast_widest = (widest << up) + 1 if not products_overflow else max(-symmetric_min(accum), accum.code_max)
    acc_widest = (max(-symmetric_min(accum), accum.code_max) if acc_overflow
                  else int(np.abs(bias_acc).max(initial=0)) + cast_widest * w.shape[0])
    need = max(widest << up, acc_widest + cast_widest, int(np.abs(bias_acc).max(initial=0)))
    if need >= 1 << 62:
        return None
    dtype = np.int32 if need < INT32_LIMIT else np.int64
    return OrderedMac(w, bias_acc, up, drop, accum.rounding, accum if products_overflow else None,
                      accum if acc_overflow else None, dtype)


@functools.lru_cache(maxsize=64)
def _float_cast(rounding: int, overflow: int):
    """One pass over a float array of integer-valued codes: `kernel(values, out, factor,
    lo, hi, period)` scales by a power of two, rounds with mode id `rounding`
    (rounding.round_to_integer; 7 none), and brings the codes into range (1 saturate, 2
    zero, 3 wrap with `period`, 0 nothing). numpy needs a pass per operation; every value
    and intermediate is exact in the array's dtype (the planner's guarantee for every float
    array), so fusing them changes no bit."""

    def kernel(values, out, factor, lo, hi, period):
        flat_in, flat_out = values.ravel(), out.ravel()
        zero = flat_in[0] * 0
        f, low, high, per, half = zero + factor, zero + lo, zero + hi, zero + period, zero + 0.5
        for k in range(flat_in.size):
            v = flat_in[k] * f
            if rounding == 0:
                v = np.floor(v)
            elif rounding == 1:
                v = np.trunc(v)
            elif rounding == 2:
                v = np.floor(v + half)
            elif rounding == 5:
                v = np.ceil(v - half)
            elif rounding == 6:
                v = np.rint(v)
            elif rounding == 4:
                v = np.floor(np.abs(v) + half) * np.sign(v)
            elif rounding == 3:
                v = np.ceil(np.abs(v) - half) * np.sign(v)
            if overflow == 1:
                v = min(max(v, low), high)
            elif overflow == 2:
                v = v if low <= v <= high else zero
            elif overflow == 3:
                v = v - per * np.floor((v - low) / per)
            flat_out[k] = v + zero  # -0.0 -> 0.0
        return out

    return _numba().njit(nogil=True, cache=True)(kernel)


def float_cast(values: np.ndarray, factor: float, rounding: str | None, dst: FixedType | None) -> np.ndarray | None:
    """`values * factor`, rounded with `rounding` (None: exact) and brought into `dst`'s
    range (None: cannot overflow), as a new array in one pass; None when numba is off or
    the array is not a contiguous float32/float64 one (the caller's numpy path then runs)."""
    if not enabled() or values.dtype.char not in "fd" or not values.flags.c_contiguous or values.size < 64:
        return None
    mode, lo, hi, _ = overflow_spec(dst)
    period = float(1 << dst.width) if dst is not None else 0.0
    lo_value = float(dst.code_min) if mode == 3 else float(lo)
    kernel = _float_cast(7 if rounding is None else ROUNDING_IDS[rounding], mode)
    return kernel(values, np.empty_like(values), float(factor), lo_value, float(hi), period)
