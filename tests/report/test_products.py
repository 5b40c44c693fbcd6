"""Weight codes, CSD digits and the DSP / LUT / shift / zero census of product matrices."""

import numpy as np
import pytest
from hls4ml.model.types import FixedPrecisionType, IntegerPrecisionType

from l1forge.emulate.nodes import weight_codes
from l1forge.errors import UserError
from l1forge.report.bits import Bits, bits_of, layer_codes
from l1forge.report.multipliers import constant_census, csd_digits, dsp_per_product, significant_width, variable_census
from l1forge.report.parts import check_part, find_part, known_parts, part_from_report, speed_grade
from report_fakes import Graph, Layer, NamedType, Weight

FIXED_16_6 = Bits(16, 6, True)
ULTRASCALE = (27, 18)
LSB = 2.0 ** -10


def codes(weights):
    """fixed<16,6> TRN/WRAP codes of exact multiples of its LSB."""
    return np.round(np.asarray(weights) / LSB).astype(np.int64)


def test_csd_digits_and_significant_width():
    codes = np.array([0, 1, -2, 3, 7, 11, 23, -23, 45, 1024])
    assert csd_digits(codes).tolist() == [0, 1, 1, 2, 2, 3, 3, 3, 4, 1]
    assert significant_width(np.array([1, 2, 3, 12, -24, 1023])).tolist() == [1, 1, 2, 2, 2, 10]


def weight_layer(values, precision):
    return Layer(name="fc", class_name="Dense", inputs=[], output=None,
                 weights={"weight": Weight(values, NamedType(precision))})


@pytest.mark.parametrize("precision", [
    FixedPrecisionType(16, 6, True, "TRN", "WRAP"), FixedPrecisionType(16, 6, True, "RND", "SAT"),
    FixedPrecisionType(8, 3, True, "TRN_ZERO", "SAT_SYM"), FixedPrecisionType(8, 3, True, "RND_CONV", "SAT"),
    FixedPrecisionType(6, 1, False, "RND_ZERO", "SAT_ZERO"), IntegerPrecisionType(4, True),
])
def test_the_estimator_reads_the_emulators_weight_codes(precision):
    """One fixed-point model: the codes the estimator costs are the emulator's codes, for
    every quantization and overflow mode (the removed re-approximation knew RND/TRN and
    SAT/WRAP only)."""
    values = np.random.default_rng(1).normal(0, 3, (6, 5))
    layer = weight_layer(values, precision)
    estimated, bits = layer_codes(layer, "weight")
    emulated, ftype = weight_codes(layer, "weight")
    assert np.array_equal(estimated, emulated)
    assert (bits.width, bits.integer, bits.signed) == (ftype.width, ftype.integer, ftype.signed)
    assert bits.rounds == (ftype.rounding != "TRN") and bits.saturates == (ftype.overflow != "WRAP")


def test_truncation_towards_zero_makes_negative_weights_shifts():
    """-2.75 LSB in a TRN_ZERO type is -2 (a shift, as the firmware and the emulator have
    it), not -3 (an adder): the estimate of such a layer equals that of exact -2 LSB."""
    from l1forge.report.estimate import estimate_graph

    toward_zero = FixedPrecisionType(16, 6, True, "TRN_ZERO", "WRAP")
    def fc(value):
        graph = Graph().input(8).dense("fc", np.full((8, 4), value * LSB), weight_precision=toward_zero)
        return next(r for r in estimate_graph(graph, 5.0, "io_parallel", "Vivado HLS", ULTRASCALE)["per_layer"]
                    if r["name"] == "fc")
    assert fc(-2.75)["lut"] == fc(-2.0)["lut"] < fc(-3.0)["lut"]


def test_bits_of_types_the_emulator_does_not_model():
    from hls4ml.model.types import ExponentPrecisionType, XnorPrecisionType

    assert bits_of(XnorPrecisionType()).kind == "binary"
    assert (bits_of(ExponentPrecisionType(4, True)).kind, bits_of(ExponentPrecisionType(4, True)).width) == ("exponent", 4)


def test_census_sorts_every_kind_of_product():
    # column 0: zero, power of two, negative power of two; column 1: 3 (2 digits), 11 (3 digits), 0
    weights = np.array([[0, 3], [4, 11], [-8, 0]])
    census = constant_census(weights, np.array([0, 512]), FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE)
    assert (census.n_zero, census.n_shift, census.n_lut, census.n_dsp) == (2, 2, 1, 1)
    assert census.terms_per_output == (2, 3)  # non-zero products, plus the non-zero bias
    assert census.lut_adder_bits == 1 * (16 + 3)  # one adder for 3 = 4 - 1, 16-bit input, 2+1-bit constant


def test_narrow_inputs_never_take_dsps():
    weights = np.full((4, 4), 11)
    narrow = constant_census(weights, None, Bits(6, 0, False), FIXED_16_6, "mult", ULTRASCALE)
    assert narrow.n_dsp == 0 and narrow.n_lut == 16
    wide = constant_census(weights, None, FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE)
    assert wide.n_dsp == 16
    da = constant_census(weights, None, FIXED_16_6, FIXED_16_6, "mult", ULTRASCALE, allow_dsp=False)
    assert da.n_dsp == 0 and da.n_lut == 16


def test_binary_and_power_of_two_weights_are_shifts():
    weights = np.array([[1, -1], [1, 0]])
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


def test_part_table_covers_the_common_boards():
    # the RHEED QCNN report's `Available` row (Vivado HLS 2019.1, xcku035-fbva676-2-e)
    assert find_part("xcku035-fbva676-2-e").capacity() == {"dsp": 1700, "lut": 203128, "ff": 406256,
                                                           "bram_18k": 1080}
    # an Arty A7-50T and a ZCU104 no longer need a vendor report to be estimated
    assert find_part("xc7a50ticsg324-1L").speed_fabric == "Artix-7"
    assert find_part("xczu7ev-ffvc1156-2-e").name == "xczu7ev" and find_part("xczu4ev-sfvc784-1-i").uram == 48
    # a Kria K26 (its low-power grade spelled 2LV) and an RFSoC, from the product tables
    assert check_part("xck26-sfvc784-2LV-c").capacity() == {"dsp": 1248, "lut": 117120, "ff": 234240,
                                                           "bram_18k": 288}
    assert speed_grade("xck26-sfvc784-2LV-c") == 2
    assert find_part("xczu28dr-ffvg1517-2-e").dsp == 4272 and find_part("xczu49dr-ffvf1760-2-e").uram == 80
    # an Artix UltraScale+ or another Kria device is known by its family once a report gives its capacity
    available = {"lut": 77760, "ff": 155520, "dsp": 576, "bram_18k": 288}
    assert part_from_report("xcau15p-ffvb676-2-e", available).family == "UltraScale+"
    assert part_from_report("xck24-ubva530-2LV-c", available).family == "UltraScale+"
    # the longest device name wins where one is a prefix of another's spelling
    assert [find_part(p).name for p in ("xcku115-flvb2104-2-e", "xcku11p-ffva1156-2-e", "xcvu37p-fsvh2892-2L-e",
                                        "xcvu3p-ffvc1517-2-e", "xc7z015-clg485-1")] == \
        ["xcku115", "xcku11p", "xcvu37p", "xcvu3p", "xc7z015"]
