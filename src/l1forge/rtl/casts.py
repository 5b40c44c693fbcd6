"""Fixed-point assignments as da4ml traced operations.

An assignment to `ap_fixed<W,I,Q,O>` rounds, then overflows. da4ml's `quantize(k, i, f,
overflow, round)` does the same on a traced value, for the modes it has: AP_TRN and AP_RND
(round half up), AP_WRAP, AP_SAT and AP_SAT_SYM. AP_RND_CONV (ties to even, QKeras'
quantized_relu) is built on them: with s the input's step, lsb the result's and b the bit of
weight lsb, RND_CONV(x) = TRN(x + lsb/2 - s + b*s) (a tie rounds up exactly when b is 1). Its `i` counts the integer bits without
the sign (ap_fixed's I includes it). The other ap_fixed modes (AP_RND_CONV, AP_TRN_ZERO,
AP_SAT_ZERO, ...) have no da4ml counterpart and are refused by the layer's name; so is an
ap_int type, whose conversions truncate towards zero.
"""

from __future__ import annotations

from da4ml.trace import FixedVariable

from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError

ROUNDINGS = ("TRN", "RND", "RND_CONV")
OVERFLOWS = ("WRAP", "SAT", "SAT_SYM")


def check_type(ftype: FixedType, where: str) -> None:
    if ftype.is_int:
        raise UserError(f"{where}: type {ftype} (ap_int, truncating towards zero) cannot be expressed "
                        "in da4ml's RTL; expected an ap_fixed type")
    if ftype.rounding not in ROUNDINGS or ftype.overflow not in OVERFLOWS:
        raise UserError(f"{where}: type {ftype} uses AP_{ftype.rounding}/AP_{ftype.overflow}, which da4ml's RTL "
                        f"cannot express; expected rounding {'/'.join(ROUNDINGS)} and overflow {'/'.join(OVERFLOWS)}")


def assign(value, ftype: FixedType, where: str):
    """`ftype(value)`: the traced value rounded and overflowed as the C++ assignment does."""
    check_type(ftype, where)
    signed = int(ftype.signed)
    if not isinstance(value, FixedVariable):
        raise UserError(f"{where}: internal: expected a traced value")
    rounding = ftype.rounding
    if rounding == "RND_CONV":
        value, rounding = _ties_to_even(value, ftype.frac), "TRN"
    return value.quantize(signed, ftype.integer - signed, ftype.frac, ftype.overflow, rounding)


def _ties_to_even(value: FixedVariable, frac: int) -> FixedVariable:
    """value moved so that truncating it to `frac` bits rounds half to even."""
    source_frac = value.kif[2]
    if value.low == value.high or source_frac <= frac:
        if value.low == value.high and source_frac > frac:
            return constant(_round_constant_to_even(float(value.low), frac), value)
        return value
    step, lsb = 2.0**-source_frac, 2.0**-frac
    bit = value.quantize(0, 1 - frac, frac, "WRAP", "TRN")  # b * lsb
    return value + (lsb / 2 - step) + bit * (step / lsb)


def _round_constant_to_even(x: float, frac: int) -> float:
    import numpy as np

    return float(np.rint(x * 2.0**frac)) * 2.0**-frac


def assign_trn_wrap(value, ftype: FixedType):
    """The C++ default assignment of da4ml's generated adders (AP_TRN, AP_WRAP)."""
    signed = int(ftype.signed)
    return value.quantize(signed, ftype.integer - signed, ftype.frac, "WRAP", "TRN")


def times_constant(value: FixedVariable, factor: float) -> FixedVariable:
    """value * factor as shift-and-adds, the largest power of two first.

    da4ml keeps a sum in the scale of its first operand; its own product starts from the
    smallest power, so every product with fractional bits shrinks the scale, and scales
    compounding over layers (one batch normalization after another) reach 2^-40, where
    da4ml's interpreter and RTL no longer agree with the arithmetic. Summing from the largest
    power keeps the scale of the value itself."""
    from decimal import Decimal

    from da4ml.trace.fixed_variable import to_csd_powers

    if factor == 0:
        return constant(0.0, value)
    powers = sorted(to_csd_powers(float(factor)), key=abs, reverse=True)
    total, partial = value * powers[0], Decimal(powers[0])
    for power in powers[1:]:
        total = total + value * power
        partial += Decimal(power)
        ends = sorted((value.low * partial, value.high * partial))
        total.low, total.high = ends[0], ends[1]
    return total


def constant(value: float, like: FixedVariable) -> FixedVariable:
    """A traced constant on the same hardware configuration as `like`."""
    return FixedVariable.from_const(value, hwconf=like.hwconf)
