"""Bit-level facts about hls4ml precision types and the constants that firmware holds.

hls4ml prints every weight with as many decimals as its type has fractional bits and
the C++ compiler converts that literal to the weight type (`ap_fixed` truncates toward
minus infinity unless the type says AP_RND). `weight_codes` reproduces that conversion
and returns integers in units of the weight type's least significant bit: the numbers
the synthesis tool actually multiplies by.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Bits:
    """Width, integer bits and signedness of a precision type, and whether it rounds or
    saturates (both add logic to every cast into it)."""

    width: int
    integer: int
    signed: bool
    rounds: bool = False
    saturates: bool = False
    kind: str = "fixed"  # fixed, integer, binary, exponent, float

    @property
    def fractional(self) -> int:
        return self.width - self.integer


def bits_of(precision) -> Bits:
    """Read an hls4ml precision type without importing hls4ml at module level."""
    name = type(precision).__name__
    width = int(getattr(precision, "width", 16) or 16)
    signed = bool(getattr(precision, "signed", True))
    if name == "XnorPrecisionType":
        return Bits(1, 1, False, kind="binary")
    if name == "ExponentPrecisionType":
        return Bits(width, width, signed, kind="exponent")
    if name in ("FloatPrecisionType", "StandardFloatPrecisionType"):
        return Bits(width, width, True, kind="float")
    integer = int(getattr(precision, "integer", width))
    rounding = str(getattr(precision, "rounding_mode", "") or "")
    saturation = str(getattr(precision, "saturation_mode", "") or "")
    kind = "integer" if name == "IntegerPrecisionType" else "fixed"
    return Bits(width, integer, signed,
                rounds="RND" in rounding.upper(), saturates="SAT" in saturation.upper(), kind=kind)


def weight_codes(values: np.ndarray, bits: Bits) -> np.ndarray:
    """Integer codes (value / LSB) of constants stored in a type with these bits."""
    # The literal hls4ml prints has `fractional` decimals; the compiler converts that.
    printed = np.round(np.asarray(values, dtype=np.float64), max(bits.fractional, 0))
    scaled = np.round(printed * 2.0 ** bits.fractional, 6)  # drop float noise only
    codes = np.floor(scaled + 0.5) if bits.rounds else np.floor(scaled)
    low = -(2 ** (bits.width - 1)) if bits.signed else 0
    high = 2 ** (bits.width - 1) - 1 if bits.signed else 2 ** bits.width - 1
    if bits.saturates:
        codes = np.clip(codes, low, high)
    else:
        span = 2 ** bits.width
        codes = np.mod(codes - low, span) + low
    return codes.astype(np.int64)


def csd_digits(codes: np.ndarray) -> np.ndarray:
    """Non-zero digits of each integer in canonical signed-digit form.

    A constant multiplier built from shifts and adders needs (digits - 1) adders; zero
    digits means the product is zero, one digit means a pure shift.
    """
    values = np.abs(np.asarray(codes, dtype=np.int64)).copy()
    digits = np.zeros(values.shape, dtype=np.int64)
    while np.any(values):
        odd = (values & 1) == 1
        # A run of ones (...11) is cheaper as +1 carried upward and one negative digit.
        round_up = odd & ((values & 3) == 3)
        digits += odd
        values = np.where(round_up, values + 1, np.where(odd, values - 1, values)) >> 1
    return digits


def significant_width(codes: np.ndarray) -> np.ndarray:
    """Bits of each constant once its trailing zeros are dropped (they are a free shift)."""
    values = np.abs(np.asarray(codes, dtype=np.int64)).copy()
    values[values == 0] = 1
    while np.any((values & 1) == 0):
        values = np.where((values & 1) == 0, values >> 1, values)
    return np.floor(np.log2(values)).astype(np.int64) + 1
