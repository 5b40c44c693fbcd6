"""Fifteenth pass (docs/estimator.md): an element-wise table activation (sigmoid, tanh) in
io_parallel takes two cycles, its index arithmetic and then its registered table read; on
7-series Vivado HLS at a cycle of two adder levels, fabric products sum in 3-input adders
(ternary_tree)."""

import numpy as np

from l1forge.report import ternary_tree, vitis_stream_resource
from l1forge.report.cost import Target
from l1forge.report.estimate import estimate_graph
from l1forge.report.softmax_depth import operator_chain
from l1forge.report.timing import delay_scale
from report_fakes import FixedPrecisionType, Graph, NamedType


def graph_with(activation):
    rng = np.random.default_rng(3)
    graph = Graph().input(2).dense("fc", rng.normal(0, 0.3, (2, 8)))
    table = NamedType(FixedPrecisionType(18, 8))
    return graph._add("act", "Activation", [8], FixedPrecisionType(),
                      {"activation": activation, "table_size": 1024, "table_t": table})


def act_row(activation, io_type):
    estimate = estimate_graph(graph_with(activation), clock_ns=5.0, io_type=io_type, tool="Vivado HLS",
                              dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "act")


def test_a_table_activation_takes_its_index_stage_and_its_read_in_io_parallel():
    # the Virtex-7 sigmoid (Vivado HLS 2018.3) and the U55C one (Vitis HLS 2022.1): 2 cycles
    for function in ("sigmoid", "tanh"):
        assert act_row(function, "io_parallel")["latency_cycles"] == 2
    # relu has no table: no second stage
    assert act_row("relu", "io_parallel")["latency_cycles"] < 2


def test_the_streamed_table_activation_keeps_its_process_timing():
    # one word read, the lookup, one written: the process's read-to-write cycle holds the
    # read's register (the DNNonSilicon tanh processes, Vivado HLS 2020.1: 3 cycles)
    assert act_row("tanh", "io_stream")["latency_cycles"] == 3


def fabric_mlp(terms: int):
    # 6-bit unsigned inputs (a quantized ReLU's) times 6-bit weights: fabric products only
    rng = np.random.default_rng(5)
    weights = rng.choice([-27, -19, -11, 13, 21, 25], size=(32, 8)) * 2.0 ** -5
    weights[terms:, :] = 0.0  # every output sums `terms` products and its bias
    unsigned6 = FixedPrecisionType(6, 0, signed=False)
    return (Graph().input(32, precision=unsigned6)
            .dense("fc", weights, rng.normal(0, 0.1, 8), weight_precision=FixedPrecisionType(6, 0))
            .relu("relu", 8))


def fc_cycles(graph, clock_ns, tool="Vivado HLS"):
    estimate = estimate_graph(graph, clock_ns=clock_ns, io_type="io_parallel", tool=tool,
                              dsp_shape=(25, 18), delay_scale=delay_scale("Artix-7", 1), family="7-series")
    return next(row for row in estimate["per_layer"] if row["name"] == "fc")["latency_cycles"]


def test_a_narrow_7series_cycle_sums_fabric_products_in_3_input_adders():
    # xc7z020 -1 at 5 ns holds two adder levels, not three: the products' cycle, a 3-input
    # level a cycle (terms + bias), and the top level's register after the call
    assert ternary_tree.applies(Target(clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS",
                                       dsp_shape=(25, 18), delay_scale=delay_scale("Artix-7", 1),
                                       family="7-series"))
    assert fc_cycles(fabric_mlp(26), 5.0) == 1 + 3 + 1  # 27 operands: 3 levels
    assert fc_cycles(fabric_mlp(27), 5.0) == 1 + 4 + 1  # 28 operands: 4
    assert fc_cycles(fabric_mlp(8), 5.0) == 1 + 2 + 1


def test_the_3_input_tree_is_only_where_the_reports_show_it():
    # a wide cycle chains three binary levels or more; Vitis HLS on 7-series has series7.py
    assert fc_cycles(fabric_mlp(27), 10.0) < 1 + 4 + 1
    assert not ternary_tree.applies(Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS",
                                           dsp_shape=(25, 18), delay_scale=delay_scale("Artix-7", 1),
                                           family="7-series"))
    assert not ternary_tree.applies(Target(clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS",
                                           dsp_shape=(27, 18), family="UltraScale+"))


def softmax_cycles(clock_ns, family, scale, tool="Vivado HLS"):
    rng = np.random.default_rng(7)
    graph = Graph().input(16).dense("fc", rng.normal(0, 0.3, (16, 5))).softmax("softmax", 5)
    estimate = estimate_graph(graph, clock_ns=clock_ns, io_type="io_parallel", tool=tool,
                              dsp_shape=(25, 18), delay_scale=scale, family=family)
    return next(row for row in estimate["per_layer"] if row["name"] == "softmax")["latency_cycles"]


def test_a_narrow_7series_softmax_runs_its_whole_chain_and_the_dsp_pipeline():
    # xc7z020 -1 at 5 ns: the operator chain over 5 values (12) and the DSP's two
    # pipeline registers; the four jet taggers' reports take 13, 13, 14 and 14
    assert softmax_cycles(5.0, "7-series", delay_scale("Artix-7", 1)) == operator_chain(5, "stable") + 2
    # UltraScale+ -2 at 5 ns keeps the calibration depth (3 or 4 cycles)
    assert softmax_cycles(5.0, "UltraScale+", 1.0) <= 4
    # a wide 7-series cycle (25 ns) does not fill with a DSP multiply
    assert softmax_cycles(25.0, "7-series", delay_scale("Artix-7", 1)) < operator_chain(5, "stable")


def resource_conv_by_tool(n_chan: int) -> dict:
    """A 3x3 Resource convolution at RF 9 on a 10x10 image, streamed, in both tools."""
    kernel = np.full((3, 3, n_chan, 2), 11 * 2.0 ** -10) * np.array([1, 5])
    graph = (Graph().image_input([10, 10, n_chan])
             .conv2d("conv", kernel, [8, 8, 2], in_width=10, reuse_factor=9, strategy="resource"))
    rows = {}
    for tool in ("Vitis HLS", "Vivado HLS"):
        estimate = estimate_graph(graph, clock_ns=25.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
        rows[tool] = next(row for row in estimate["per_layer"] if row["name"] == "conv")
    return rows


def test_a_vitis_resource_pixel_loop_ends_one_cycle_after_its_last_pixel():
    # the Artix-7 CNNs (Vitis HLS 2024.2, RF 50): 4,096 x 55 + 1, and the region one more
    rows = resource_conv_by_tool(1)
    vitis, vivado = rows["Vitis HLS"], rows["Vivado HLS"]
    assert (vitis["latency_cycles"] - 1) % 100 == 0  # 100 pixels x the iteration, + 1
    assert vitis["ii"] == vitis["latency_cycles"] + 1
    # Vivado HLS's iteration holds the 2D shift loop, and no exit cycle (the Conv1D encoders)
    assert vivado["latency_cycles"] % 100 == 0


def test_vitis_streamed_resource_kernels_hold_their_inputs_twice_behind_muxes():
    # the Artix-7 CNN's per-module reports (Vitis HLS 2024.2): 18 LUTs and two copies a
    # kernel input; a 5x5 convolution's counters, line memories and window multiplexers
    assert vitis_stream_resource.kernel_input_copies(125, 6) == (18 * 125, 2 * 125 * 6)
    lut, ff = vitis_stream_resource.conv_buffer(5, 5, 4)
    assert lut == 509 + 16 * 32 + 16 * 5 * 9 and ff == 128 + 16 * 64
    rows = resource_conv_by_tool(2)
    # the same layer in Vivado HLS has its own window bookkeeping (stream_conv.
    # vivado_resource_conv_lut); Vitis HLS adds the kernel's two input copies behind muxes
    window = 3 * 3 * 2
    assert rows["Vitis HLS"]["lut"] - rows["Vivado HLS"]["lut"] > 18 * window


def resource_mlp_rows(tool, family="7-series"):
    rng = np.random.default_rng(11)
    graph = (Graph().input(16)
             .dense("fc1", rng.normal(0, 0.3, (16, 8)), reuse_factor=8, strategy="resource")
             .dense("fc2", rng.normal(0, 0.3, (8, 8)), reuse_factor=8, strategy="resource"))
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool=tool, dsp_shape=(25, 18),
                              delay_scale=delay_scale("Artix-7", 1), family=family)
    return {row["name"]: row for row in estimate["per_layer"]}


def test_a_vivado_resource_dense_reading_the_packed_design_input_shifts_it_out():
    # the first Resource Dense reads the reshaped input word through a FIFO: index arithmetic
    # and a 6-stage 256-bit shift, 8 cycles more (two xc7z020 reports: 77 = RF + 13 where the
    # other layers take RF + 3; 20 = RF + 12 where they take RF + 4)
    vivado = resource_mlp_rows("Vivado HLS")
    assert vivado["fc1"]["latency_cycles"] - vivado["fc2"]["latency_cycles"] == 8
    assert vivado["fc1"]["ii"] == vivado["fc2"]["ii"] == 8  # the loop still rewinds at RF
    # no such report for Vitis HLS or for UltraScale+: unchanged there
    vitis = resource_mlp_rows("Vitis HLS")
    assert vitis["fc1"]["latency_cycles"] == vitis["fc2"]["latency_cycles"]
    ultrascale = resource_mlp_rows("Vivado HLS", family="UltraScale+")
    assert ultrascale["fc1"]["latency_cycles"] == ultrascale["fc2"]["latency_cycles"]
