"""Eleventh pass: a Resource-strategy streamed convolution at RF 1 in Vitis HLS takes the
Latency strategy's pixel interval, not the sequential iteration (stream_conv.py)."""

import numpy as np
from report_fakes import Graph

from l1forge.report.bits import Bits
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerIO, Target
from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_conv import resource_pixel_loop


def conv_row(size, strategy, tool, reuse_factor=1):
    kernel = np.full((3, 3, 2, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])
    graph = (Graph().image_input([size, size, 2])
             .conv2d("conv", kernel, [size - 2, size - 2, 4], in_width=size, reuse_factor=reuse_factor,
                     strategy=strategy))
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "conv")


def layer_io(strategy, reuse_factor=1):
    bits = Bits(16, 6, True)
    return LayerIO(name="conv", in_bits=bits, out_bits=bits, n_in=4, n_out=4, in_shape=(2, 2), out_shape=(2, 2),
                   live_in=4, reuse_factor=reuse_factor, strategy=strategy)


def per_pixel(strategy, tool, reuse_factor=1):
    """Cycles each added input pixel costs the process."""
    return ((conv_row(16, strategy, tool, reuse_factor)["latency_cycles"]
             - conv_row(8, strategy, tool, reuse_factor)["latency_cycles"]) // (16 * 16 - 8 * 8))


def test_vitis_resource_at_rf1_runs_as_the_latency_strategy():
    # the smart-pixel CNN and its Latency twin: the same cycles a pixel (303 and 303)
    assert per_pixel("resource", "Vitis HLS") == per_pixel("latency", "Vitis HLS")
    assert per_pixel("resource", "Vitis HLS") < C.stream_resource_pixel_cycles + 1
    resource = conv_row(16, "resource", "Vitis HLS")
    assert resource["ii"] == 16 * 16 * per_pixel("latency", "Vitis HLS")  # rewound, as the Latency loop


def test_the_sequential_iteration_stays_elsewhere():
    # Vivado HLS at RF 1 (the Conv1D encoders: 6 ~ 7 cycles at filt_width 3) and Vitis HLS
    # above RF 1 (RF + 5 to RF + 7 in the reports) keep the sequential iteration
    assert per_pixel("resource", "Vivado HLS") >= C.stream_resource_pixel_cycles + 1
    assert per_pixel("resource", "Vitis HLS", reuse_factor=4) >= 4 + C.stream_resource_pixel_cycles
    io = layer_io("resource")
    vitis = Target(clock_ns=5.0, io_type="io_stream", tool="Vitis HLS", dsp_shape=(27, 18))
    vivado = Target(clock_ns=5.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))
    assert not resource_pixel_loop(io, vitis) and resource_pixel_loop(io, vivado)
    assert not resource_pixel_loop(layer_io("latency"), vivado)
    assert resource_pixel_loop(layer_io("resource", reuse_factor=2), vitis)


def bn_graph(n=8):
    """A dense layer, then a batch normalization whose scales need a DSP each (16-bit input,
    scales of many CSD digits)."""
    from report_fakes import FixedPrecisionType, NamedType, Weight

    rng = np.random.default_rng(0)
    graph = Graph().input(4).dense("fc", rng.integers(-8, 8, (4, n)) / 8.0)
    scale_t = NamedType(FixedPrecisionType(16, 4))
    scales = np.full(n, 0.7109375)  # 0.1011011 in binary: 5 CSD digits
    return graph._add("bn", "BatchNormalization", [n], FixedPrecisionType(),
                      {}, {"scale": Weight(scales, scale_t), "bias": Weight(np.zeros(n), scale_t)})


def bn_row(clock_ns, tool="Vitis HLS"):
    estimate = estimate_graph(bn_graph(), clock_ns=clock_ns, io_type="io_parallel", tool=tool, dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "bn"), estimate


def test_a_batch_normalization_multiply_chains_like_any_other():
    """Its DSP multiply is not a register of its own: the reports' normalize instances are
    combinational (0 cycles, 71 DSPs at 5 ns on an xcvu13p; 25 ns on an xcvu9p), so the
    layer takes no cycle and the chaining schedule places registers by delay."""
    row, slow = bn_row(25.0)
    assert row["dsp"] == 8 and row["latency_cycles"] == 0 and row["ff"] == 0
    _, fast = bn_row(2.0)  # at a short period the multiply no longer fits behind the dense layer
    assert fast["latency_cycles"] > slow["latency_cycles"]
