"""Fourteenth pass (docs/estimator.md): Vivado HLS streamed convolutions at a reuse factor
above 1 (stream_conv.vivado_shared_pixel_interval) and the registers of a shared
convolution kernel (conv_cost._kernel reads one window, not the image)."""

import numpy as np

from l1forge.report.cost import LayerCost
from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_conv import vivado_shared_pixel_interval
from report_fakes import FixedPrecisionType, Graph, NamedType


def conv_row(size, reuse_factor, tool="Vivado HLS"):
    # 36 products of three or more CSD digits: a reuse factor of 16 caps them at 3
    kernel = np.full((3, 3, 1, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])
    graph = (Graph().image_input([size, size, 1])
             .conv2d("conv", kernel, [size - 2, size - 2, 4], in_width=size, reuse_factor=reuse_factor))
    estimate = estimate_graph(graph, clock_ns=25.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "conv")


def test_a_vivado_pixel_holds_the_window_counters_the_kernel_call_and_its_write():
    # the MNIST CNN's first convolution: kernel call 10 cycles, a pixel 13; its second, 13 -> RF
    assert vivado_shared_pixel_interval(LayerCost(name="k", kind="conv", cycles=10), 16) == 13
    assert vivado_shared_pixel_interval(LayerCost(name="k", kind="conv", cycles=13), 16) == 16
    small = conv_row(28, 16)
    # 784 pixels at the pixel interval, plus the two cycles that end the process
    assert (small["latency_cycles"] - 2) % (28 * 28) == 0
    per_pixel = (small["latency_cycles"] - 2) // (28 * 28)
    assert per_pixel > 11  # more than the kernel's own interval, what it was before


def test_a_shared_convolution_kernel_holds_one_window_whatever_the_image():
    small, large = conv_row(28, 16), conv_row(56, 16)
    # the window and the line buffer hold more in a wider image only through the line buffer
    # (LUTs); the kernel's held operands are one window: the registers do not grow with it
    assert large["ff"] <= small["ff"] * 1.05
    assert small["ff"] < 28 * 28 * 16  # not every pixel of the image held as an operand


def resource_conv_rows(clock_ns, tool="Vivado HLS", reuse_factor=9):
    kernel = np.full((3, 3, 1, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])
    graph = (Graph().image_input([28, 28, 1])
             .conv2d("conv", kernel, [26, 26, 4], in_width=28, reuse_factor=reuse_factor, strategy="resource"))
    estimate = estimate_graph(graph, clock_ns=clock_ns, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "conv")


def test_a_resource_pixel_shifts_its_2d_window_in_vivado_and_its_loop_is_flat_in_a_wide_cycle():
    # the DNNonSilicon CNNs (Vivado HLS 2020.1): a pixel = 4 + KernelShiftWidth (2) + RF + 3
    # at 10 ns on an xc7z020 -1; on an xcu50 -2 at 10 ns the ReuseLoop body is one stage (RF + 1)
    narrow, wide = resource_conv_rows(5.0), resource_conv_rows(25.0)
    assert narrow["latency_cycles"] == 784 * (4 + 2 + 9 + 3)
    assert wide["latency_cycles"] == 784 * (4 + 2 + 9 + 1)
    # Vitis HLS keeps no 2D shift loop in the pixel (the seventh unseen set's RF + 5 at 25 ns)
    # and adds the loop's exit cycle (the twenty-first set's Artix-7 CNNs: pixels x 55 + 1)
    assert resource_conv_rows(25.0, tool="Vitis HLS")["latency_cycles"] == 784 * (4 + 9 + 1) + 1


def test_a_softmax_over_an_image_normalises_each_pixel():
    kernel = np.full((3, 3, 1, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])
    graph = (Graph().image_input([28, 28, 1])
             .conv2d("conv", kernel, [26, 26, 4], in_width=28, reuse_factor=4))
    table = NamedType(FixedPrecisionType(18, 8))
    graph._add("conv_softmax", "Activation", [26, 26, 4], FixedPrecisionType(),
               {"activation": "softmax", "implementation": "stable", "table_size": 1024, "reuse_factor": 4,
                "exp_table_t": table, "inv_table_t": table, "table_t": table})
    estimate = estimate_graph(graph, clock_ns=10.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))
    softmax = next(row for row in estimate["per_layer"] if row["name"] == "conv_softmax")
    # one pixel's 4 channels on ceil(4 / RF) multiplier, not 2,704 values on 676 (held-out model04)
    assert softmax["dsp"] == 1
    assert 676 * 4 <= softmax["latency_cycles"] < 676 * 4 + 40
    conv = next(row for row in estimate["per_layer"] if row["name"] == "conv")
    # a pixel process: it overlaps the convolution instead of adding to it
    assert estimate["latency_cycles"] < conv["latency_cycles"] + softmax["latency_cycles"]


def test_rewound_resource_dense_processes_run_inside_the_slowest():
    from l1forge.report.cost import Target
    from l1forge.report.schedule_stream import schedule_stream

    target = Target(clock_ns=5.0, io_type="io_stream", tool="Vitis HLS", dsp_shape=(27, 18))
    # Vitis HLS rewinds a Resource dense read in one word: its interval is RF, its latency RF + 3
    first = LayerCost(name="fc1", kind="dense", cycles=1275, ii=1272, process=True)
    second = LayerCost(name="fc2", kind="dense", cycles=291, ii=288, process=True)
    schedule = schedule_stream([first, second], target)
    assert 1275 <= schedule.latency_cycles <= 1275 + 3  # the held-out MLP: 1,275, not 1,275 + 291
    # not rewound (Vivado HLS, or read over several words): the vector processes add up
    plain = schedule_stream([LayerCost(name="a", kind="dense", cycles=20, ii=21, process=True),
                             LayerCost(name="b", kind="dense", cycles=10, ii=11, process=True)], target)
    assert plain.latency_cycles >= 30


def test_ten_bit_data_keeps_its_constant_products_in_fabric():
    from l1forge.report.bits import Bits
    from l1forge.report.multipliers import constant_census

    codes = np.array([[301, -427], [359, 211]])  # constants of 3+ CSD digits
    weight = Bits(10, 1, True)
    ten = constant_census(codes, None, Bits(10, 2, True), weight, "mult", (27, 18))
    eleven = constant_census(codes, None, Bits(11, 2, True), weight, "mult", (27, 18))
    # Vitis HLS 2023.1 built the 10-bit x 10-bit MLP in fabric, its 12-bit twin on DSPs
    assert ten.n_dsp == 0 and eleven.n_dsp == 4
