"""Spelling fixed-point types the way an hls4ml configuration takes them, and the widths
a range of values needs."""

from __future__ import annotations

import math

from l1forge.emulate.fixed import FixedType


def spell(ftype: FixedType) -> str:
    """`ap_fixed<W,I>`, with the rounding and overflow modes only when not the defaults."""
    kind = "ap_fixed" if ftype.signed else "ap_ufixed"
    modes = "" if (ftype.rounding, ftype.overflow) == ("TRN", "WRAP") else f",AP_{ftype.rounding},AP_{ftype.overflow}"
    return f"{kind}<{ftype.width},{ftype.integer}{modes}>"


def integer_bits(magnitude: float, signed: bool = True) -> int:
    """Integer bits (the sign included when signed) of a type holding values up to +-magnitude."""
    bits = math.floor(math.log2(magnitude)) + 1 if magnitude > 0 else 1
    return bits + (1 if signed else 0)


def widened(ftype: FixedType, magnitude: float, extra_frac: int = 0) -> FixedType:
    """`ftype` with the integer bits `magnitude` needs (at least its own) and its fractional
    bits (plus `extra_frac`), same signedness and modes."""
    integer = max(integer_bits(magnitude, ftype.signed), ftype.integer)
    frac = ftype.frac + extra_frac
    return FixedType(integer + frac, integer, ftype.signed, ftype.rounding, ftype.overflow)


def with_fraction(ftype: FixedType, magnitude: float, frac: int) -> FixedType:
    integer = integer_bits(magnitude, ftype.signed)
    return FixedType(integer + frac, integer, ftype.signed, ftype.rounding, ftype.overflow)
