"""Fourteenth pass (docs/estimator.md): Vivado HLS streamed convolutions at a reuse factor
above 1 (stream_conv.vivado_shared_pixel_interval) and the registers of a shared
convolution kernel (conv_cost._kernel reads one window, not the image)."""

import numpy as np

from l1forge.report.cost import LayerCost
from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_conv import vivado_shared_pixel_interval
from report_fakes import Graph


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
