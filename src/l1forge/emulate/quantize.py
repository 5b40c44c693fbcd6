"""Conversions into a fixed-point type: from doubles (inputs, weights, table entries) and
between fixed-point types (every assignment in the generated C++).

Both return integer codes. A double converts exactly as ap_fixed's double constructor does:
the exact binary value is rounded onto the type's grid with its quantization mode, then its
overflow mode applies. Infinity behaves as the constructor treats it, a power of two far
beyond any range: saturating modes clamp it, AP_WRAP and AP_SAT_ZERO give zero.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import OverflowTally, apply_overflow
from l1forge.emulate.rounding import round_to_integer, shift_round_int

# Beyond this magnitude a float64 has no fractional bits left to round and additions lose
# exactness, so values are first reduced modulo the type's period (exact with fmod).
_EXACT_F64 = 2.0**52


def quantize_real(x, ftype: FixedType, tally: OverflowTally | None = None, site: str = "") -> np.ndarray:
    """Codes (float64 array of integers) of the doubles `x` converted to `ftype`."""
    x = np.array(x, dtype=np.float64, copy=True, ndmin=1)
    infinite = np.isinf(x)
    has_inf = bool(infinite.any())
    scale = 2.0**ftype.frac
    tiny_negative = (x < 0) & (x > -0.5) if ftype.is_int else None
    if ftype.overflow == "WRAP":
        if has_inf:
            x[infinite] = 0.0  # 2^1024 keeps no low bits
        if x.size and float(np.abs(x).max()) * scale >= _EXACT_F64:
            x = np.fmod(x, 2.0 ** (ftype.width - ftype.frac))
    else:
        # Anything beyond one step outside the range ends up saturated (or zeroed) the same
        # way, so clamping first keeps all arithmetic exact and turns +-inf into big numbers.
        np.clip(x, (ftype.code_min - 2) / scale, (ftype.code_max + 2) / scale, out=x)
    codes = x * scale
    round_to_integer(codes, ftype.rounding)
    if tiny_negative is not None:
        # ap_int's double constructor turns (-0.5, 0) into 1 (it negates an all-ones word).
        codes[tiny_negative] = 1.0
    codes = apply_overflow(codes, ftype, tally, site)
    codes += 0.0  # -0.0 -> +0.0, as the C++ never produces a negative zero
    return codes


def quantize_to_ints(x, ftype: FixedType) -> np.ndarray:
    """Codes as int64: for weights, biases and table entries, built once per layer."""
    return quantize_real(x, ftype).astype(np.int64)


def cast_codes(
    codes: np.ndarray,
    src_frac: int,
    dst: FixedType,
    tally: OverflowTally | None = None,
    site: str = "",
) -> np.ndarray:
    """Assign codes with `src_frac` fractional bits to type `dst`: round, then overflow.

    Works in place on float arrays of exact integers (the caller picked a dtype wide enough
    for every intermediate) and on int64 arrays.
    """
    shift = src_frac - dst.frac
    if codes.dtype.kind == "i":
        if shift > 0:
            codes = shift_round_int(codes, shift, dst.rounding)
        elif shift < 0:
            codes = codes << np.int64(-shift)
    elif shift != 0:
        codes *= 2.0**-shift
        if shift > 0:
            round_to_integer(codes, dst.rounding)
    return apply_overflow(codes, dst, tally, site)
