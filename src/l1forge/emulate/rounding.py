"""The seven ap_fixed quantization modes, applied to whole numpy arrays.

Two representations are handled, chosen per layer by the planner:
- float arrays holding values whose rounding target is the integer grid (`round_to_integer`);
  callers guarantee every value and every intermediate below is exact in the dtype;
- int64 arrays of codes to be shifted right by `shift` bits (`shift_round_int`).

Both compute exactly what ap_fixed's quantization_adjust does when bits are dropped:
TRN floors, TRN_ZERO truncates towards zero, and the RND family rounds to nearest with
the tie going up (RND), towards zero (RND_ZERO), away from zero (RND_INF), down
(RND_MIN_INF) or to the even neighbour (RND_CONV).
"""

from __future__ import annotations

import numpy as np


def round_to_integer(a: np.ndarray, mode: str, copy: bool = False) -> np.ndarray:
    """Round the float array `a` onto the integers with ap_fixed mode `mode`: in place, or
    into a new array when `copy` (the first operation allocates, saving a separate copy)."""
    out = None if copy else a
    if mode == "TRN":
        return np.floor(a, out=out)
    if mode == "RND_CONV":
        # rint follows the IEEE default rounding, ties to even: exactly AP_RND_CONV.
        return np.rint(a, out=out)
    if mode == "TRN_ZERO":
        return np.trunc(a, out=out)
    if mode == "RND":
        a = np.add(a, 0.5, out=out)
        return np.floor(a, out=a)
    if mode == "RND_MIN_INF":
        a = np.subtract(a, 0.5, out=out)
        return np.ceil(a, out=a)
    sign = np.sign(a)
    a = np.abs(a, out=out)
    if mode == "RND_INF":
        a += 0.5
        np.floor(a, out=a)
    elif mode == "RND_ZERO":
        a -= 0.5
        np.ceil(a, out=a)
    else:
        raise ValueError(f"unknown rounding mode {mode}")
    a *= sign
    return a


def shift_round_int(codes: np.ndarray, shift: int, mode: str) -> np.ndarray:
    """Divide int64 `codes` by 2**shift (shift > 0) with ap_fixed rounding mode `mode`."""
    if shift <= 0:
        raise ValueError("shift_round_int needs a positive shift")
    half = np.int64(1) << np.int64(shift - 1)
    mask = (np.int64(1) << np.int64(shift)) - 1
    s = np.int64(shift)
    if mode == "TRN":
        return codes >> s
    if mode == "TRN_ZERO":
        q = codes >> s
        q += (codes < 0) & ((codes & mask) != 0)
        return q
    if mode == "RND_MIN_INF":
        return (codes + (half - 1)) >> s
    q = (codes + half) >> s  # ties go up (AP_RND); the other modes correct the ties
    if mode == "RND":
        return q
    tie = (codes & mask) == half
    if mode == "RND_INF":
        q -= tie & (codes < 0)
    elif mode == "RND_ZERO":
        q -= tie & (codes >= 0)
    elif mode == "RND_CONV":
        q -= tie & ((q & 1) == 1)
    else:
        raise ValueError(f"unknown rounding mode {mode}")
    return q


# the tie's correction per mode on top of the floor (v: the values, q: their floor)
_WIDE_TIES = {
    "RND": lambda v, q: True,
    "RND_MIN_INF": lambda v, q: False,
    "RND_INF": lambda v, q: v >= 0,
    "RND_ZERO": lambda v, q: v < 0,
    "RND_CONV": lambda v, q: (q & 1) == 1,
}


def shift_round_wide(codes: np.ndarray, shift: int, mode: str) -> np.ndarray:
    """shift_round_int for an object array of Python integers (any width), into a new
    array: exact for any shift (a left shift when shift <= 0)."""
    if shift <= 0:
        return codes << -shift
    q = codes >> shift  # the floor
    if mode == "TRN":
        return q
    rest = codes & ((1 << shift) - 1)  # v - floor * 2^shift, in [0, 2^shift)
    if mode == "TRN_ZERO":
        up = (codes < 0) & (rest != 0)
    else:
        if mode not in _WIDE_TIES:
            raise ValueError(f"unknown rounding mode {mode}")
        half = 1 << (shift - 1)
        up = (rest > half) | ((rest == half) & _WIDE_TIES[mode](codes, q))
    return np.where(up, q + 1, q)
