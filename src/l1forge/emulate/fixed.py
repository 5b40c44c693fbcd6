"""Fixed-point types as the firmware declares them (`ap_fixed<W,I,Q,O,N>` and friends).

A value of type `ap_fixed<W,I>` is a W-bit two's-complement integer, its *code*, times
2^-(W-I). The emulator carries codes, never rounded floats, so every cast below is the
exact integer operation the C++ type performs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from l1forge.errors import UserError

ROUNDING_MODES = ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV")
OVERFLOW_MODES = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")


@dataclass(frozen=True)
class FixedType:
    """One ap_(u)fixed / ap_(u)int type: `width` bits, `integer` of them left of the point."""

    width: int
    integer: int
    signed: bool = True
    rounding: str = "TRN"
    overflow: str = "WRAP"
    is_int: bool = False  # spelled ap_int/ap_uint: a few conversions differ from ap_fixed<W,W>

    def __post_init__(self):
        if self.width < 1:
            raise UserError(f"fixed-point type {self}: width must be at least 1 bit")
        if self.rounding not in ROUNDING_MODES:
            raise UserError(f"fixed-point type {self}: unknown rounding mode, expected one of {ROUNDING_MODES}")
        if self.overflow not in OVERFLOW_MODES:
            raise UserError(f"fixed-point type {self}: unknown overflow mode, expected one of {OVERFLOW_MODES}")

    @property
    def frac(self) -> int:
        """Fractional bits: the code's LSB weighs 2^-frac (negative when integer > width)."""
        return self.width - self.integer

    @property
    def code_min(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def code_max(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def lsb(self) -> float:
        return 2.0**-self.frac

    def config_string(self) -> str:
        """hls4ml's short spelling for an HLSConfig Precision entry: `fixed<W,I>` (truncate,
        wrap) or `fixed<W,I,RND,SAT>`; `ufixed` when unsigned. Every type l1forge writes into
        a config is rendered here, so a typo cannot reach g++."""
        kind = "fixed" if self.signed else "ufixed"
        if self.is_int:
            return f"{'' if self.signed else 'u'}int<{self.width}>"
        modes = "" if (self.rounding, self.overflow) == ("TRN", "WRAP") else f",{self.rounding},{self.overflow}"
        return f"{kind}<{self.width},{self.integer}{modes}>"

    def __str__(self) -> str:
        if self.is_int:
            return f"ap_{'' if self.signed else 'u'}int<{self.width}>"
        kind = "ap_fixed" if self.signed else "ap_ufixed"
        return f"{kind}<{self.width},{self.integer},AP_{self.rounding},AP_{self.overflow}>"


def integer_type(width: int, signed: bool = True) -> FixedType:
    """ap_int / ap_uint: a fixed type without fraction that truncates towards zero on assignment.

    Converting an ap_fixed into an ap_int keeps its integer part the way C converts a double
    to an int (towards zero), then keeps the low bits.
    """
    return FixedType(width, width, signed, "TRN_ZERO", "WRAP", is_int=True)


_FIXED_RE = re.compile(r"^ap_(u?)fixed<\s*(\d+)\s*,\s*(-?\d+)\s*(?:,\s*(\w+)\s*)?(?:,\s*(\w+)\s*)?(?:,\s*(\d+)\s*)?>$")
_INT_RE = re.compile(r"^ap_(u?)int<\s*(\d+)\s*>$")


def parse_cpp_type(text: str) -> FixedType:
    """Parse a C++ type spelling such as `ap_fixed<18,8,AP_RND,AP_SAT,0>` or `ap_uint<1>`."""
    text = text.strip()
    match = _INT_RE.match(text)
    if match:
        return integer_type(int(match.group(2)), signed=match.group(1) != "u")
    match = _FIXED_RE.match(text)
    if not match:
        raise UserError(f"type '{text}': not an ap_fixed/ap_ufixed/ap_int/ap_uint type")
    unsigned, width, integer, rounding, overflow, sat_bits = match.groups()
    if sat_bits not in (None, "0"):
        raise UserError(f"type '{text}': saturation bits N>0 are not emulated; expected N=0")
    return FixedType(
        int(width),
        int(integer),
        signed=unsigned != "u",
        rounding=(rounding or "AP_TRN").replace("AP_", ""),
        overflow=(overflow or "AP_WRAP").replace("AP_", ""),
    )


def from_precision(precision, where: str) -> FixedType:
    """Convert an hls4ml PrecisionType into a FixedType; `where` names the layer for errors."""
    from hls4ml.model.types import FixedPrecisionType, IntegerPrecisionType

    kind = type(precision).__name__
    if isinstance(precision, FixedPrecisionType):
        bits = precision.saturation_bits or 0
        if bits:
            raise UserError(f"{where}: type {precision} uses {bits} saturation bits; only N=0 is emulated")
        return FixedType(
            int(precision.width),
            int(precision.integer),
            bool(precision.signed),
            precision.rounding_mode.name,
            precision.saturation_mode.name,
        )
    if isinstance(precision, IntegerPrecisionType):
        return integer_type(int(precision.width), bool(precision.signed))
    raise UserError(f"{where}: precision {precision} ({kind}) is not emulated; expected ap_fixed or ap_int")
