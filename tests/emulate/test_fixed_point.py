"""ap_fixed arithmetic against hand-computed values: types, the 7 rounding modes, the 4
overflow modes, double -> fixed and fixed -> fixed conversions."""

from __future__ import annotations

import numpy as np
import pytest

from l1forge.emulate.fixed import FixedType, integer_type, parse_cpp_type
from l1forge.emulate.overflow import OverflowTally, apply_overflow
from l1forge.emulate.quantize import cast_codes, quantize_real
from l1forge.emulate.rounding import round_to_integer, shift_round_int
from l1forge.errors import UserError

# value (in LSBs of the target) -> expected code, per rounding mode
TIES = np.array([2.5, -2.5, 3.5, -3.5, 2.25, -2.25, 2.75, -2.75, 0.5, -0.5, 0.0])
EXPECTED = {
    "TRN": [2, -3, 3, -4, 2, -3, 2, -3, 0, -1, 0],
    "TRN_ZERO": [2, -2, 3, -3, 2, -2, 2, -2, 0, 0, 0],
    "RND": [3, -2, 4, -3, 2, -2, 3, -3, 1, 0, 0],
    "RND_ZERO": [2, -2, 3, -3, 2, -2, 3, -3, 0, 0, 0],
    "RND_INF": [3, -3, 4, -4, 2, -2, 3, -3, 1, -1, 0],
    "RND_MIN_INF": [2, -3, 3, -4, 2, -2, 3, -3, 0, -1, 0],
    "RND_CONV": [2, -2, 4, -4, 2, -2, 3, -3, 0, 0, 0],
}


@pytest.mark.parametrize("mode", sorted(EXPECTED))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_to_integer_float(mode, dtype):
    values = TIES.astype(dtype)
    assert round_to_integer(values.copy(), mode).tolist() == EXPECTED[mode]
    out = round_to_integer(values, mode, copy=True)
    assert out.tolist() == EXPECTED[mode] and values.tolist() == TIES.tolist()


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_shift_round_int(mode):
    codes = (TIES * 4).astype(np.int64)  # two fractional bits to drop
    assert shift_round_int(codes, 2, mode).tolist() == EXPECTED[mode]


def test_types_and_parsing():
    t = parse_cpp_type("ap_fixed<18,8,AP_RND,AP_SAT,0>")
    assert (t.width, t.integer, t.signed, t.rounding, t.overflow) == (18, 8, True, "RND", "SAT")
    assert (t.frac, t.code_min, t.code_max, t.lsb) == (10, -(2**17), 2**17 - 1, 2.0**-10)
    u = parse_cpp_type("ap_ufixed<17, 6>")
    assert (u.signed, u.code_min, u.code_max, u.rounding, u.overflow) == (False, 0, 2**17 - 1, "TRN", "WRAP")
    i = parse_cpp_type("ap_uint<1>")
    assert i == integer_type(1, signed=False) and i.rounding == "TRN_ZERO" and str(i) == "ap_uint<1>"
    assert FixedType(7, -2).frac == 9
    for bad in ("ap_fixed<8>", "float", "ap_fixed<8,3,AP_WRAP,AP_SAT,2>"):
        with pytest.raises(UserError):
            parse_cpp_type(bad)
    with pytest.raises(UserError):
        FixedType(8, 3, rounding="NEAREST")


def test_from_precision():
    from hls4ml.model.types import FixedPrecisionType, IntegerPrecisionType, XnorPrecisionType

    from l1forge.emulate.fixed import from_precision

    assert from_precision(FixedPrecisionType(6, 0, False, "RND_CONV", "SAT"), "x") == FixedType(6, 0, False, "RND_CONV", "SAT")
    assert from_precision(IntegerPrecisionType(8, True), "x") == integer_type(8)
    with pytest.raises(UserError, match="layer fc1"):
        from_precision(XnorPrecisionType(), "layer fc1")


SAT8 = {  # ap_fixed<4,4> (codes -8..7) from out-of-range codes
    "WRAP": [-8, 7, 0, -6, -7, 3],
    "SAT": [-8, 7, 7, -8, 7, -8],
    "SAT_ZERO": [-8, 7, 0, 0, 0, 0],
    "SAT_SYM": [-7, 7, 7, -7, 7, -7],
}


@pytest.mark.parametrize("mode", sorted(SAT8))
@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_overflow_modes(mode, dtype):
    codes = np.array([-8, 7, 16, -22, 9, -13], dtype=dtype)
    tally = OverflowTally()
    out = apply_overflow(codes.copy(), FixedType(4, 4, True, "TRN", mode), tally, "site")
    assert out.tolist() == SAT8[mode]
    expected_outside = 5 if mode == "SAT_SYM" else 4  # SAT_SYM also moves -8
    assert tally.rows() == [{"site": "site", "mode": mode, "overflowed": expected_outside, "values": 6,
                             "fraction": expected_outside / 6}]


def test_unsigned_overflow():
    t = FixedType(3, 3, False, "TRN", "WRAP")
    assert apply_overflow(np.array([-1.0, 8.0, 9.0, 5.0]), t).tolist() == [7, 0, 1, 5]
    t = FixedType(3, 3, False, "TRN", "SAT_SYM")
    assert apply_overflow(np.array([-1.0, 8.0, 5.0]), t).tolist() == [0, 7, 5]


def test_quantize_real_hand_values():
    t = FixedType(8, 4, True, "RND", "SAT")  # LSB 1/16, range [-8, 8 - 1/16]
    x = [0.03125, -0.03125, 1.0 / 3, 7.99, 100.0, -100.0, np.inf, -np.inf]
    assert (quantize_real(x, t) / 16).tolist() == [0.0625, 0.0, 0.3125, 7.9375, 7.9375, -8.0, 7.9375, -8.0]
    w = FixedType(8, 4, True, "TRN", "WRAP")
    # 9.5 wraps to 9.5 - 16; 2^60 + 0.25 keeps only its low bits (0.25); infinity gives 0
    assert (quantize_real([9.5, 2.0**60 + 0.25, 1.0e300, np.inf], w) / 16).tolist() == [-6.5, 0.0, 0.0, 0.0]
    assert (quantize_real([-0.3], FixedType(8, 4, True, "TRN_ZERO", "WRAP")) / 16).tolist() == [-0.25]


def test_ap_int_from_double_quirk():
    # ap_int's double constructor negates an all-ones word for -0.5 < x < 0, giving 1
    assert quantize_real([-0.3, -0.7, 2.9, -2.9, 130.0], integer_type(8)).tolist() == [1, 0, 2, -2, -126]


@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_cast_codes_between_types(dtype):
    src_frac = 4  # codes of 1/16
    codes = np.array([40, -40, 24, -24, 300], dtype=dtype)  # 2.5, -2.5, 1.5, -1.5, 18.75
    out = cast_codes(codes.copy(), src_frac, FixedType(4, 4, True, "RND_CONV", "SAT"))
    assert np.asarray(out).tolist() == [2, -2, 2, -2, 7]
    out = cast_codes(codes.copy(), src_frac, FixedType(8, 3, True, "TRN", "WRAP"))  # more fraction bits
    assert np.asarray(out).tolist() == [80, -80, 48, -48, 600 - 256 * 2]
