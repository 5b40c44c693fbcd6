"""Flip-flops of Latency-strategy dense layers from their schedule (registers.py)."""

import numpy as np

from l1forge.report import registers
from l1forge.report.estimate import estimate_graph
from l1forge.report.timing import delay_scale
from report_fakes import Graph

# A weight with 3+ CSD digits in fixed<16,6> (code 11 = 16 - 4 - 1): every product a multiply.
DEEP = 11 * 2.0 ** -10
# Four such weights (11, 13, 19, 21: three CSD digits each), one per output: 64 distinct multiplies.
DISTINCT = np.tile(np.array([11, 13, 19, 21]) * 2.0 ** -10, (16, 1))


def _layer(estimate, name):
    return next(row for row in estimate["per_layer"] if row["name"] == name)


def _estimate(graph, clock_ns=5.0, io_type="io_parallel", grade=1):
    # Vivado HLS on an xc7z020 -1 (Artix-class fabric): a DSP multiply fills the 5 ns cycle
    return estimate_graph(graph, clock_ns=clock_ns, io_type=io_type, tool="Vivado HLS", dsp_shape=(25, 18),
                          delay_scale=delay_scale("Artix-7", grade), family="7-series")


def test_tree_level_values_count_what_each_level_leaves():
    assert registers.tree_level_values(16) == [8, 4, 2, 1]
    assert registers.tree_level_values(5) == [3, 2, 1]
    assert registers.tree_level_values(1) == []


def test_multiply_stages_from_delay_and_budget():
    assert registers.multiply_stages(2.0, 1.31) == 2
    assert registers.multiply_stages(2.0, 2.0) == 1
    assert registers.multiply_stages(0.5, 4.0) == 1


def test_cascade_registers_of_the_dense16x4_report():
    # camillaMiao's Dense 16->4 (Vivado HLS 2019.2, xc7z020 -1, 5 ns): 64 non-zero
    # products, 50 on DSPs, 16 terms per output, 16-bit data and 10-bit weights; the report
    # has 5,741 FF in the dense instance
    ff = registers.cascade_registers([16] * 4, 50, 50, 16, 26, 2)
    assert ff == 4960


def test_cascade_dense_holds_full_width_dsp_products_for_each_multiply_stage():
    # 16 x 4 products on 16 DSPs (x * 11 made once per input), each held for 2 stages; the
    # tree's (8+4+2+1) sums x 4 outputs, at 16 + 5 (weight 11: 5 bits with its sign) = 21
    # bits; 16 DSP operands of 16 bits. The older count (each product, term and DSP
    # operand once at accum_t width) gave 64*16 + 64*16 + 16*16 = 2,304
    graph = Graph().input(16).dense("fc1", np.full((16, 4), DEEP))
    layer = _layer(_estimate(graph), "fc1")
    stages = 2
    assert layer["dsp"] == 16
    assert layer["ff"] == (stages * 16 + 15 * 4) * (16 + 5) + 16 * 16


def test_cascade_lut_products_chain_into_the_first_level():
    # inputs alternate weight 11 (a DSP multiply, shared by the 4 outputs) and weight 3
    # (4 - 1: a LUT adder): 8 DSP products held for 2 stages, the 32 LUT products not
    weights = np.tile(np.array([[11], [3]]) * 2.0 ** -10, (8, 4))
    layer = _layer(_estimate(Graph().input(16).dense("fc1", weights)), "fc1")
    assert layer["dsp"] == 8
    assert layer["ff"] == (2 * 8 + 15 * 4) * (16 + 5) + 8 * 16


def test_streamed_cascade_dense_registers_as_its_parallel_twin():
    graph = Graph().input(16).dense("fc1", np.full((16, 4), DEEP))
    parallel = _layer(_estimate(graph), "fc1")["ff"]
    # the only process of a one-layer stream region: no FIFO, no boundary register
    assert _layer(_estimate(graph, io_type="io_stream"), "fc1")["ff"] == parallel


def test_shared_cascade_layer_registers_each_product_once():
    # RF 32 caps 64 distinct multiplies at 2 per cycle: issued over 32 cycles, run once per schedule
    graph = Graph().input(16).dense("fc1", DISTINCT, reuse_factor=32)
    layer = _layer(_estimate(graph), "fc1")
    assert layer["ii"] > 1
    held = 16 * 16 + 4 * 16  # inputs and partial sums held across the issue cycles
    assert layer["ff"] == 64 * 16 + held


def test_shared_layer_without_cascade_only_holds_operands():
    # at 25 ns each product is summed in its issue cycle: no product register
    graph = Graph().input(16).dense("fc1", DISTINCT, reuse_factor=32)
    layer = _layer(_estimate(graph, clock_ns=25.0), "fc1")
    assert layer["ii"] > 1
    assert layer["ff"] < 64 * 16


def _vitis7(graph, grade, multiplier_impl="dsp"):
    return estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(25, 18),
                          delay_scale=delay_scale("Artix-7", grade), family="7-series",
                          multiplier_impl=multiplier_impl)


def test_vitis_7series_narrow_cycle_counts_dsp_stages_and_every_level():
    # Vitis HLS, xc7z020 -1 at 5 ns (a narrow cycle, as the Iris MLP's): the DSP products
    # held for two multiply stages, the 16-term trees' 15 sums per output, the DSP operands
    graph = Graph().input(16).dense("fc1", DISTINCT)
    layer = _layer(_vitis7(graph, grade=1), "fc1")
    word = max(16, 16 + 6)  # accum_t 16 bits, product 16 + 6 (code 21: 6 bits with the sign)
    assert layer["dsp"] == 64
    boundary = 4 * 16  # the instance's registered outputs (schedule.schedule_instances)
    assert layer["ff"] == (2 * 64 + 15 * 4) * word + 64 * 16 + boundary


def test_vitis_7series_wide_cycle_keeps_the_per_product_words():
    # -2 at 5 ns: a wide cycle chains the multiply with two levels (the Breast_cancer and HAR
    # builds), so the words per product of series7.dense_ff stay
    graph = Graph().input(16).dense("fc1", DISTINCT)
    layer = _layer(_vitis7(graph, grade=2), "fc1")
    assert layer["ff"] == round(1.35 * 64 * 22) + 4 * 16


def test_vitis_streamed_combinational_dense_registers_its_words():
    # Vitis HLS on an UltraScale+ -2 at 10 ns: the kernel fits one cycle, so the process
    # holds its 16-bit input word and its output word (the KERAS_3layer stream build)
    graph = Graph().input(16).dense("fc1", DISTINCT).relu("relu1", 4)
    vitis = estimate_graph(graph, clock_ns=10.0, io_type="io_stream", tool="Vitis HLS", dsp_shape=(27, 18))
    fifos = 4 * 5  # one FIFO per output channel after fc1 (calibration.fifo_ff)
    assert _layer(vitis, "fc1")["ff"] == 16 * 16 + 4 * 16 + fifos
    vivado = estimate_graph(graph, clock_ns=10.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))
    assert _layer(vivado, "fc1")["ff"] == fifos  # the SVHN-fitted stream scale stands for them
