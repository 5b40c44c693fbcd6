"""Weight codes, CSD digits and the DSP / LUT / shift / zero census of product matrices."""

import numpy as np
import pytest

from l1forge.errors import UserError
from l1forge.report.fixed_point import Bits, csd_digits, significant_width, weight_codes
from l1forge.report.multipliers import constant_census, dsp_per_product, variable_census
from l1forge.report.parts import find_part, known_parts

FIXED_16_6 = Bits(16, 6, True)
ULTRASCALE = (27, 18)


def test_csd_digits_and_significant_width():
    codes = np.array([0, 1, -2, 3, 7, 11, 23, -23, 45, 1024])
    assert csd_digits(codes).tolist() == [0, 1, 1, 2, 2, 3, 3, 3, 4, 1]
    assert significant_width(np.array([1, 2, 3, 12, -24, 1023])).tolist() == [1, 1, 2, 2, 2, 10]


def test_weight_codes_truncate_round_and_overflow():
    values = np.array([0.1, -0.0001, 0.5, 100.0])
    assert weight_codes(values, FIXED_16_6).tolist() == [102, -1, 512, -28672]  # TRN, WRAP
    rounding = Bits(16, 6, True, rounds=True, saturates=True)
    assert weight_codes(values, rounding).tolist() == [102, 0, 512, 32767]
    assert weight_codes(np.array([0.3]), Bits(6, 1, True)).tolist() == [9]


def test_census_sorts_every_kind_of_product():
    lsb = 2.0 ** -10
    # column 0: zero, power of two, negative power of two; column 1: 3 (2 digits), 11 (3 digits), 0
    weights = np.array([[0.0, 3 * lsb], [4 * lsb, 11 * lsb], [-8 * lsb, 0.0]])
    census = constant_census(weights, np.array([0.0, 0.5]), FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE)
    assert (census.n_zero, census.n_shift, census.n_lut, census.n_dsp) == (2, 2, 1, 1)
    assert census.terms_per_output == (2, 3)  # non-zero products, plus the non-zero bias
    assert census.lut_adder_bits == 1 * (16 + 3)  # one adder for 3 = 4 - 1, 16-bit input, 2+1-bit constant


def test_narrow_inputs_never_take_dsps():
    weights = np.full((4, 4), 11 * 2.0 ** -10)
    narrow = constant_census(weights, None, Bits(6, 0, False), FIXED_16_6, "mult", ULTRASCALE)
    assert narrow.n_dsp == 0 and narrow.n_lut == 16
    wide = constant_census(weights, None, FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE)
    assert wide.n_dsp == 16
    da = constant_census(weights, None, FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE, allow_dsp=False)
    assert da.n_dsp == 0 and da.n_lut == 16


def test_binary_and_power_of_two_weights_are_shifts():
    weights = np.array([[1.0, -1.0], [1.0, 0.0]])
    census = constant_census(weights, None, FIXED_16_6, Bits(1, 1, False, kind="binary"),
                             "weight_binary", ULTRASCALE)
    assert (census.n_dsp, census.n_lut, census.n_shift, census.n_zero) == (0, 0, 3, 1)


def test_variable_products_and_dsp_tiling():
    assert variable_census(64, 8, FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE).n_dsp == 64
    small = variable_census(64, 8, Bits(4, 0, False), Bits(4, 1, True), "mult", ULTRASCALE)
    assert small.n_dsp == 0 and small.n_lut == 64
    assert dsp_per_product(Bits(16, 6, True), 16, 27, 18) == 1
    assert dsp_per_product(Bits(32, 16, True), 24, 27, 18) == 4  # 32x24 needs 2x2 slices


def test_part_table():
    assert find_part("xcu250-figd2104-2L-e").dsp == 12288
    assert find_part("xc7z020clg400-1").dsp_shape == (25, 18)
    assert find_part("XCVU9P-FLGA2104-2L-E").name == "xcvu9p"
    assert {"xcvu9p", "xcvu13p", "xcu250", "xcu50", "xc7vx690t", "xczu3eg", "xc7z020"} <= set(known_parts())
    with pytest.raises(UserError) as err:
        find_part("xc9z999")
    assert "unknown FPGA part 'xc9z999'" in str(err.value) and "xcvu13p" in str(err.value)
