"""Ninth pass: which shared multiplies of the Resource strategy go to DSPs
(variable_binding.py, docs/estimator.md). Types are those of the layers the rules were read
from (hls4ml precisions as Bits(width, integer, signed))."""

from l1forge.report.bits import Bits
from l1forge.report.cost import LayerIO, Target
from l1forge.report.multipliers import variable_census
from l1forge.report.resource_cost import resource_cost
from l1forge.report.variable_binding import multiply_add_dsps, product_cast_exact

SERIES7 = Target(clock_ns=10.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(25, 18), family="7-series")


def dense_dsps(n_in, n_out, rf, data, weight, accum, target=SERIES7):
    io = LayerIO(name="d", in_bits=data, out_bits=accum, n_in=n_in, n_out=n_out, in_shape=(n_in,),
                 out_shape=(n_out,), live_in=n_in, reuse_factor=rf, strategy="resource")
    return resource_cost("d", "dense", io, n_in * n_out, n_out, data, weight, accum, "mult", target).dsp


def test_nine_by_nine_bit_shared_multiplies_stay_in_fabric_and_sixteen_by_six_go_to_dsps():
    # duchstf's Dense_1 (9u x 9s, Vivado HLS 2019.1): 0 DSPs; the PYNQ tagger's fc1 (16x6): all
    census = variable_census(200, 20, Bits(9, 0, False), Bits(9, 1, True), "mult", (27, 18))
    assert (census.n_dsp, census.n_lut) == (0, 200)
    assert variable_census(128, 64, Bits(16, 6, True), Bits(6, 1, True), "mult", (25, 18)).n_dsp == 128


def test_a_narrow_multiply_whose_accumulator_cast_truncates_is_not_a_multiply_add():
    # TUDATALLAPOT's 6x6 conv (accumulator 14<6> drops 2 of the product's 10 fractional bits)
    # and the RHEED CNN's 8u x 8s conv (16<6>, drops 2): 0 DSPs in both vendor reports
    assert not product_cast_exact(Bits(6, 1, True), Bits(6, 1, True), Bits(14, 6, True))
    assert dense_dsps(108, 10, 15, Bits(6, 1, True), Bits(6, 1, True), Bits(14, 6, True)) == 0
    assert dense_dsps(90, 8, 8, Bits(8, 2, False), Bits(8, 2, True), Bits(16, 6, True)) == 0
    # the PYNQ tagger's fc2 (16<6> keeps all 10): one muladd per output, 32 of 64
    assert product_cast_exact(Bits(6, 1, True), Bits(6, 1, True), Bits(16, 6, True))
    assert dense_dsps(64, 32, 32, Bits(6, 1, True), Bits(6, 1, True), Bits(16, 6, True)) == 32


def test_multiply_adds_take_half_of_each_outputs_products():
    # the MNIST QCNN's dense (4u x 4s into 19<12>, RF 50): 512 multipliers, 16 per output,
    # 256 DSPs; its conv (RF 72 <= 288 inputs, 4 per output): 64 of 128
    assert dense_dsps(800, 32, 50, Bits(4, 0, False), Bits(4, 1, True), Bits(19, 12, True)) == 256
    assert multiply_add_dsps(128, 32, 288, 72) == 64
    # RF above the inputs (rf_gt_nin bodies): each multiplier its own accumulator
    assert multiply_add_dsps(5, 10, 32, 64) == 5
    # a saturating accumulator without the product's integer bits cannot take the sum in a DSP
    assert not product_cast_exact(Bits(6, 3, True), Bits(6, 3, True), Bits(16, 5, True, saturates=True))
