"""hls4ml's two precision types that are not ap_fixed: XNOR bits and power-of-two exponents.

- `XnorPrecisionType` (QKeras `binary` weights and activations) is declared `ap_uint<1>` in
  the firmware: the bit 1 stands for +1 and 0 for -1. As a signal it is that bit. As a
  *weight* of a product the firmware reads `w == 0 ? -x : x` (nnet_mult.h), so a binary
  weight is returned here as the +-1 it multiplies by, on `ap_int<2>`.
- `ExponentPrecisionType` (QKeras `quantized_po2` weights) is declared as a struct of a sign
  bit (1 for positive) and an `ap_int<W>` exponent k; the product is a shift (nnet_mult.h,
  `weight_exponential`): y = r_T(x) << k, negated when the sign is 0, with
      r_T = ap_fixed<2 (W + Wx), W + Wx>     (Wx the input's width).
  A shift of r_T truncates bits that fall off its right end and wraps those off its left.
  Where neither can happen for any input of the input type (`check_exact_shift`), the shift
  equals the exact product x * (+-2^k), so the weight is returned as that fixed-point value
  and the layer runs through the ordinary multiply-accumulate. Otherwise reading the weights
  here is refused, and Dense and convolution layers compute the shifts as written instead
  (exponent.py, chosen by binary.binary_aware); a batch normalization's (ApplyAlpha's)
  power-of-two scale must be exact.

Data can never carry an exponent type (hls4ml asserts it), so a signal of that type is refused.
"""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate.fixed import FixedType, from_precision, integer_type
from l1forge.emulate.quantize import quantize_to_ints
from l1forge.errors import UserError

XNOR_BIT = integer_type(1, signed=False)
PLUS_MINUS_ONE = integer_type(2, signed=True)


def is_xnor(precision) -> bool:
    from hls4ml.model.types import XnorPrecisionType

    return isinstance(precision, XnorPrecisionType)


def is_exponent(precision) -> bool:
    from hls4ml.model.types import ExponentPrecisionType

    return isinstance(precision, ExponentPrecisionType)


def precision_type(precision, where: str) -> FixedType:
    """The firmware type of a signal or table: XNOR bits are ap_uint<1>; the rest as
    `fixed.from_precision` reads them."""
    if is_xnor(precision):
        return XNOR_BIT
    if is_exponent(precision):
        raise UserError(f"{where}: a power-of-two (exponent) type {precision} is only supported for weights; "
                        "expected ap_fixed or ap_int data")
    return from_precision(precision, where)


def xnor_weight_codes(variable, name: str) -> tuple[np.ndarray, FixedType]:
    """Binary weights: the firmware's bits as written (the literal converted to ap_uint<1>);
    a product weight becomes the +-1 it stands for, a bias stays the bit the C++ adds."""
    values = np.array([float(text) for text in iter(variable)], dtype=np.float64)
    bits = quantize_to_ints(values, XNOR_BIT).reshape(np.shape(variable.data))
    if name == "bias":
        return bits, XNOR_BIT
    return 2 * bits - 1, PLUS_MINUS_ONE


_PAIR = re.compile(r"^\{\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\}$")


def exponent_pairs(variable, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(sign bits, exponents) of an exponent weight variable, from the `{sign, k}` text hls4ml
    writes into the firmware, each converted as the C++ converts it (ap_uint<1>, ap_int<W>)."""
    width = int(variable.type.precision.width)
    signs, exponents = [], []
    for text in iter(variable):
        match = _PAIR.match(text.strip())
        if not match:
            raise UserError(f"{where}: exponent weight '{text}' is not a {{sign, exponent}} pair")
        signs.append(float(match.group(1)))
        exponents.append(float(match.group(2)))
    shape = np.shape(variable.data)
    sign = quantize_to_ints(np.array(signs), XNOR_BIT).reshape(shape)
    k = quantize_to_ints(np.array(exponents), integer_type(width, signed=True)).reshape(shape)
    return sign, k


def exponent_weight_codes(variable, name: str, input_precision, where: str) -> tuple[np.ndarray, FixedType]:
    """Power-of-two weights as exact fixed-point codes +-2^(k + F) on a type with F = -min(k)
    fractional bits, after checking that the firmware's shift equals that product."""
    if name == "bias":
        raise UserError(f"{where}: its '{name}' is a power-of-two (quantized_po2) variable, a sign/exponent struct "
                        "hls4ml's C++ cannot cast to accum_t (g++ refuses it); expected quantized_bits for biases")
    sign, k = exponent_pairs(variable, where)
    check_exact_shift(int(variable.type.precision.width), precision_type(input_precision, where), k, where)
    frac = max(0, -int(k.min())) if k.size else 0
    magnitude = np.left_shift(np.int64(1), (k + frac).astype(np.int64))
    codes = np.where(sign == 1, magnitude, -magnitude)
    width = int(k.max()) + frac + 2 if k.size else 2
    return codes.astype(np.int64), FixedType(width, width - frac)


def check_exact_shift(exp_width: int, x: FixedType, k: np.ndarray, where: str) -> None:
    """Refuse a shift product that could truncate or wrap inside r_T for inputs of type `x`."""
    if not k.size:
        return
    r_width, r_frac = 2 * (exp_width + x.width), exp_width + x.width
    k_min, k_max = int(k.min()), int(k.max())
    # r_T(x) then x >> -k: every input bit must stay on r_T's grid
    truncates = r_frac - x.frac < 0 or r_frac - x.frac + min(k_min, 0) < 0
    # |x| * 2^k_max and its negation must fit r_T's range (codes on r_T's grid)
    largest = max(abs(x.code_min), x.code_max) << max(r_frac - x.frac + k_max, 0)
    wraps = largest > (1 << (r_width - 1)) - 1
    if truncates or wraps:
        what = "truncate" if truncates else "wrap"
        raise UserError(f"{where}: power-of-two weights with exponents {k_min}..{k_max} on input {x} would {what} "
                        f"in hls4ml's shift type ap_fixed<{r_width},{r_frac}>; such shifts are not emulated")
