"""Sort the products of a weight matrix into what the synthesis tool builds for each.

hls4ml's Latency strategy unrolls every product `x * w` with `w` a constant the tool can
see, so the tool specialises each one (see the module docstring of `estimate` for the
evidence):

- `w == 0` (pruned, or quantized to zero): no hardware, and no adder-tree input;
- `w = +-2^k` (one non-zero digit in canonical signed-digit form): a shift, i.e. wiring;
- two CSD digits: one adder in LUTs;
- three or more digits on a wide input: a DSP slice; on a narrow input: more LUT adders.

When the weights are not visible constants (Resource strategy keeps them in a ROM read by
a loop), every product is a real multiplier and only the operand widths decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.bits import Bits


@dataclass(frozen=True)
class Census:
    """What one matrix of products costs, before any sharing by a reuse factor."""

    n_products: int  # n_in * n_out
    n_zero: int
    n_shift: int
    n_lut: int
    n_dsp: int
    dsp_per_product: int
    lut_adder_bits: int  # sum over LUT products of adders x adder width
    terms_per_output: tuple[int, ...]  # non-zero products + non-zero bias, per output
    n_deep: int = 0  # products of 3+ CSD digits: what the tool keeps as a multiply, bound anywhere
    weight_bits: int = 0  # significant bits of the widest non-zero weight (sign included)
    deep_lut_adder_bits: int = 0  # the part of lut_adder_bits in products of 3+ CSD digits

    @property
    def n_nonzero(self) -> int:
        return self.n_products - self.n_zero

    @property
    def max_terms(self) -> int:
        return max(self.terms_per_output, default=0)


def product_type(data: Bits, weight: Bits) -> str:
    """The product hls4ml instantiates for these operand types (nnet_mult.h)."""
    if weight.kind == "exponent":
        return "weight_exponential"
    if weight.kind == "binary":
        return "both_binary" if data.kind == "binary" else "weight_binary"
    if data.kind == "binary":
        return "data_binary"
    if weight.kind == "integer" and weight.width == 2 and weight.signed:
        return "weight_ternary"
    return "mult"


def dsp_per_product(data: Bits, weight_bits: int, dsp_a: int, dsp_b: int) -> int:
    """DSP slices for one product: a DSP multiplies dsp_a x dsp_b signed bits."""
    wide, narrow = max(data.width, weight_bits), min(data.width, weight_bits)
    a, b = max(dsp_a, dsp_b), min(dsp_a, dsp_b)
    return max(1, math.ceil(wide / a) * math.ceil(narrow / b))


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


def constant_census(codes: np.ndarray, bias_codes: np.ndarray | None, data: Bits, weight: Bits,
                    product: str, dsp_shape: tuple[int, int], allow_dsp: bool = True,
                    multiplier_impl: str | None = None) -> Census:
    """Census of `data x constant` products; `codes` are the weights' integer codes (the
    emulator's, `bits.layer_codes`), shape (n_in, n_out).

    `allow_dsp=False` for hls4ml's distributed-arithmetic strategy, which builds every
    constant product from adders. `multiplier_impl` is a binding the build script forces
    (`config_op mul -impl`): "fabric" puts every product in LUTs; "dsp" gives a DSP to
    every product the tool still keeps as a multiply after its constant folding (3+ CSD
    digits) whatever the input width: 168 such products against 161 DSPs in the two
    ARRYTHMIA layers of 8-bit inputs (Vitis HLS 2021.1, xc7z007s), where the tools' own
    choice gives none."""
    codes = np.asarray(codes, dtype=np.int64)
    codes = codes.reshape(codes.shape[0], -1)
    nonzero = codes != 0
    bias_terms = np.zeros(codes.shape[1], dtype=np.int64)
    if bias_codes is not None:
        bias_terms = (np.asarray(bias_codes).reshape(-1) != 0).astype(np.int64)[: codes.shape[1]]
    terms = tuple(int(t) for t in nonzero.sum(axis=0) + bias_terms)
    n_zero = int((~nonzero).sum())
    if product != "mult" or weight.kind not in ("fixed", "integer"):
        # binary, ternary and power-of-two weights: sign flips and shifts only
        return Census(codes.size, n_zero, int(nonzero.sum()), 0, 0, 0, 0, terms)
    digits = csd_digits(codes)
    widths = significant_width(codes) + (1 if weight.signed else 0)
    if multiplier_impl == "fabric":
        allow_dsp = False
    wide_input = allow_dsp and (data.width >= C.dsp_min_data_bits or multiplier_impl == "dsp")
    is_dsp = nonzero & (digits >= C.dsp_min_csd_digits) & wide_input
    is_shift = nonzero & (digits == 1)
    is_lut = nonzero & ~is_dsp & ~is_shift
    adder_bits = (digits - 1) * (data.width + widths)
    per_dsp = dsp_per_product(data, int(widths[is_dsp].max()) if is_dsp.any() else 1, *dsp_shape)
    return Census(
        n_products=codes.size, n_zero=n_zero, n_shift=int(is_shift.sum()), n_lut=int(is_lut.sum()),
        n_dsp=int(is_dsp.sum()), dsp_per_product=per_dsp,
        lut_adder_bits=int(adder_bits[is_lut].sum()), terms_per_output=terms,
        n_deep=int((nonzero & (digits >= C.dsp_min_csd_digits)).sum()),
        weight_bits=int(widths[nonzero].max()) if nonzero.any() else 0,
        deep_lut_adder_bits=int(adder_bits[is_lut & (digits >= C.dsp_min_csd_digits)].sum()))


def variable_census(n_products: int, n_out: int, data: Bits, weight: Bits,
                    product: str, dsp_shape: tuple[int, int]) -> Census:
    """Census of products whose weight the tool cannot see (read from memory)."""
    terms = tuple([math.ceil(n_products / max(n_out, 1)) + 1] * n_out)
    if product != "mult" or weight.kind not in ("fixed", "integer"):
        return Census(n_products, 0, n_products, 0, 0, 0, 0, terms)
    if data.width + weight.width >= C.variable_dsp_min_bits and min(data.width, weight.width) > 2:
        per_dsp = dsp_per_product(data, weight.width, *dsp_shape)
        return Census(n_products, 0, 0, 0, n_products, per_dsp, 0, terms)
    # A narrow array multiplier: about one adder row per bit of the narrower operand.
    rows = min(data.width, weight.width) - 1
    bits = rows * (data.width + weight.width)
    return Census(n_products, 0, 0, n_products, 0, 0, bits * n_products, terms)
