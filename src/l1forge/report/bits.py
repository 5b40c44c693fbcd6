"""The estimator's view of hls4ml precision types and weights, read through the emulator.

There is one fixed-point model in l1forge: `emulate.fixed` (the types, as the firmware
declares them) and `emulate.nodes.weight_codes` (the weights, converted from the text
hls4ml writes into the firmware exactly as the C++ converts it). The estimator needs less
than the emulator: how wide a value is, and whether a cast into its type rounds or
saturates (both add logic to every cast). `Bits` is that summary, derived from the
emulator's `FixedType`; the weight codes are the emulator's own integers.

Binary (`XnorPrecisionType`) and exponent (power-of-two) weights are emulated through
emulate/special_types.py; float types are not. For all three the estimator only needs their
kind and width, read from the hls4ml type.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.emulate.fixed import FixedType, from_precision
from l1forge.emulate.nodes import weight_codes
from l1forge.errors import UserError


@dataclass(frozen=True)
class Bits:
    """Width, integer bits and signedness of a precision type, and whether a cast into it
    rounds or saturates."""

    width: int
    integer: int
    signed: bool
    rounds: bool = False
    saturates: bool = False
    kind: str = "fixed"  # fixed, integer, binary, exponent, float

    @classmethod
    def of_type(cls, ftype: FixedType) -> "Bits":
        # Every quantization mode but plain truncation looks at the dropped bits and may
        # add one LSB; every overflow mode but wrapping compares against the range.
        return cls(ftype.width, ftype.integer, ftype.signed, rounds=ftype.rounding != "TRN",
                   saturates=ftype.overflow != "WRAP", kind="integer" if ftype.is_int else "fixed")


_NOT_EMULATED = {"XnorPrecisionType": "binary", "ExponentPrecisionType": "exponent",
                 "FloatPrecisionType": "float", "StandardFloatPrecisionType": "float"}


def bits_of(precision, where: str = "precision") -> Bits:
    """The Bits of an hls4ml precision type (`where` names it in errors; the estimate
    adds the layer)."""
    # by class or base class: hls4ml's backends rename the classes (APExponentPrecisionType)
    kind = next((_NOT_EMULATED[c.__name__] for c in type(precision).__mro__ if c.__name__ in _NOT_EMULATED), None)
    if kind == "binary":
        return Bits(1, 1, False, kind="binary")
    if kind is not None:
        width = int(getattr(precision, "width", 16) or 16)
        return Bits(width, width, bool(getattr(precision, "signed", True)), kind=kind)
    return Bits.of_type(from_precision(precision, where))


def layer_codes(layer, name: str) -> tuple[np.ndarray, Bits]:
    """Integer codes (the graph's array shape) and Bits of weight variable `name`.

    For fixed and integer types these are the emulator's codes: the numbers the synthesis
    tool multiplies by. Binary and exponent weights are signs and shifts whatever their
    magnitude, so their sign stands for the code.
    """
    variable = layer.weights[name]
    bits = bits_of(variable.type.precision, f"'{name}' weights")
    if bits.kind in ("fixed", "integer"):
        try:
            codes, _ = weight_codes(layer, name)
        except (TypeError, ValueError):  # e.g. hls4ml's compressed (sparse) weight variables
            raise UserError(f"its '{name}' weights are a {type(variable).__name__}; expected hls4ml's "
                            "plain WeightVariable") from None
        return codes, bits
    return np.sign(np.asarray(variable.data, dtype=np.float64)).astype(np.int64), bits
