"""Conversions into a fixed-point type: from doubles (inputs, weights, table entries) and
between fixed-point types (every assignment in the generated C++).

Both return integer codes. A double converts exactly as ap_fixed's double constructor does:
the exact binary value is rounded onto the type's grid with its quantization mode, then its
overflow mode applies. Infinity behaves as the constructor treats it, a power of two far
beyond any range: saturating modes clamp it, AP_WRAP and AP_SAT_ZERO give zero.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate.compiled import float_cast
from l1forge.emulate.fastops import clamp
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import OverflowTally, apply_overflow
from l1forge.emulate.rounding import round_to_integer, shift_round_int, shift_round_wide

# Beyond this magnitude a float64 has no fractional bits left to round and additions lose
# exactness, so values are first reduced modulo the type's period (exact with fmod).
_EXACT_F64 = 2.0**52


def quantize_real(x, ftype: FixedType, tally: OverflowTally | None = None, site: str = "",
                  value_range: tuple[float, float] | None = None) -> np.ndarray:
    """Codes (float64 array of integers) of the doubles `x` converted to `ftype`.
    `value_range`: x's (min, max) when the caller already knows them."""
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(1) if x.ndim == 0 else x
    if value_range is None:
        value_range = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    smallest, largest = value_range
    scale = 2.0**ftype.frac
    tiny_negative = (x < 0) & (x > -0.5) if ftype.is_int and smallest < 0 else None
    if ftype.overflow == "WRAP":
        if np.isinf(smallest) or np.isinf(largest):
            x = np.where(np.isinf(x), 0.0, x)  # 2^1024 keeps no low bits
            smallest, largest = float(x.min()), float(x.max())
        if max(-smallest, largest) * scale >= _EXACT_F64:
            x = np.fmod(x, 2.0 ** (ftype.width - ftype.frac))
    elif smallest * scale < ftype.code_min - 2 or largest * scale > ftype.code_max + 2:
        # Anything beyond one step outside the range ends up saturated (or zeroed) the same
        # way, so clamping first keeps all arithmetic exact and turns +-inf into big numbers.
        x = clamp(x.copy(), (ftype.code_min - 2) / scale, (ftype.code_max + 2) / scale)
    codes = x * scale
    round_to_integer(codes, ftype.rounding)
    if tiny_negative is not None:
        # ap_int's double constructor turns (-0.5, 0) into 1 (it negates an all-ones word).
        codes[tiny_negative] = 1.0
    if ftype.code_min + 1 <= smallest * scale and largest * scale <= ftype.code_max - 1:
        if tally is not None:  # rounding moves a value by less than one step: all in range
            tally.add(site, 0, codes.size, ftype.overflow)
        return codes
    return apply_overflow(codes, ftype, tally, site)


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
    """Assign codes with `src_frac` fractional bits to type `dst`: round, then overflow."""
    return cast_array(codes, src_frac, src_frac, dst, True, tally, site)


def cast_array(
    values: np.ndarray,
    scale: int,
    grid_frac: int,
    dst: FixedType,
    may_overflow: bool,
    tally: OverflowTally | None = None,
    site: str = "",
) -> np.ndarray:
    """Assign an array to type `dst`, returning codes in the same kind of dtype.

    `values` holds `real * 2**scale`, each real lying on the grid of `grid_frac` fractional
    bits. Float arrays must be wide enough for every intermediate (the planner checks);
    int64 and object (Python integer) arrays hold plain codes (scale == grid_frac). The
    input is never modified.
    `may_overflow=False` (proved by the planner's bounds) skips the overflow mode.
    """
    rounds = dst.frac < grid_frac
    if values.dtype.kind == "O":
        shift = grid_frac - dst.frac
        out = shift_round_wide(values, shift, dst.rounding) if shift else values.copy() if may_overflow else values
    elif values.dtype.kind == "i":
        shift = grid_frac - dst.frac
        if shift > 0:
            out = shift_round_int(values, shift, dst.rounding)
        elif shift < 0:
            out = values << np.int64(-shift)
        else:
            out = values.copy() if may_overflow else values
    else:
        factor = 2.0 ** (dst.frac - scale)
        if tally is None and (rounds or may_overflow or factor != 1.0):
            fused = float_cast(values, factor, dst.rounding if rounds else None, dst if may_overflow else None)
            if fused is not None:
                return fused
        if factor != 1.0:
            out = values * values.dtype.type(factor)
            if rounds:
                round_to_integer(out, dst.rounding)
        elif rounds:
            out = round_to_integer(values, dst.rounding, copy=True)
        elif may_overflow:
            out = values.copy()
        else:
            return values
    if may_overflow:
        out = apply_overflow(out, dst, tally, site)
    elif tally is not None:
        tally.add(site, 0, out.size, dst.overflow)
    return out
