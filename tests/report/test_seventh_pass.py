"""Seventh pass: the timing of streamed convolutions (stream_conv.py) and of the io_stream
composition around them."""

import numpy as np
from report_fakes import FixedPrecisionType, Graph, NamedType, Weight

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost
from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_conv import resource_pixel_cycles


def conv1d_graph(width, filt_width, strategy, reuse_factor, chan=8, filters=4):
    rng = np.random.default_rng(3)
    kernel = np.round(rng.normal(0, 0.3, (filt_width, chan, filters)) * 64) / 64
    wp = NamedType(FixedPrecisionType(8, 1))
    graph = Graph().image_input([width, chan])
    return graph._add("conv", "Conv1D", [width - filt_width + 1, filters], FixedPrecisionType(24, 16),
                      {"accum_t": NamedType(FixedPrecisionType(24, 16)), "filt_width": filt_width,
                       "in_width": width, "n_partitions": 1, "strategy": strategy,
                       "reuse_factor": reuse_factor},
                      {"weight": Weight(kernel, wp), "bias": Weight(np.zeros(filters), wp)})


def conv_row(graph, tool="Vivado HLS"):
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "conv"), estimate


def test_resource_conv1d_pixel_runs_its_window_shift_loop():
    """A Resource-strategy Conv1D's pixel iteration is not pipelined: the 1D window shift
    (`KernelShiftWidth`, filt_width - 1 cycles) runs as a loop before the kernel call; the
    process takes pixels x the iteration (the Conv1D encoders' reports: 884 = 68 x 13 at
    filt_width 5 and RF 2)."""
    wide, _ = conv_row(conv1d_graph(68, 5, "resource", 2))
    narrow, _ = conv_row(conv1d_graph(68, 3, "resource", 2))
    assert wide["latency_cycles"] - narrow["latency_cycles"] == 68 * 2  # two more shift cycles per pixel
    assert wide["latency_cycles"] % 68 == 0  # pixels x one iteration, nothing after
    per_pixel = wide["latency_cycles"] // 68
    assert per_pixel == C.stream_resource_pixel_cycles + 4 + 2 + 3  # shift 4, RF 2, multiplier pipeline 3
    assert wide["ii"] == wide["latency_cycles"] + 1


def test_resource_at_reuse_factor_one_is_still_sequential():
    """The templates pipeline the pixel loop for the Latency strategy only: a Resource
    layer whose reuse factor is 1 (hls4ml's valid-RF choice for a 3-input kernel) still
    takes one sequential iteration per pixel (the encoders' first convolution: 462 = 66 x 7),
    where the Latency strategy reads one pixel a cycle."""
    resource, _ = conv_row(conv1d_graph(66, 3, "resource", 1, chan=1, filters=8))
    latency, _ = conv_row(conv1d_graph(66, 3, "latency", 1, chan=1, filters=8))
    assert resource["latency_cycles"] >= 66 * (C.stream_resource_pixel_cycles + 2 + 1)
    assert latency["latency_cycles"] < 66 * 2


def test_the_shift_loop_is_one_dimensional():
    kernel = LayerCost(name="k", kind="conv", cycles=11)
    assert resource_pixel_cycles(kernel, 3, two_d=False) == C.stream_resource_pixel_cycles + 2 + 11
    assert resource_pixel_cycles(kernel, 3, two_d=True) == C.stream_resource_pixel_cycles + 11
    # at RF 1 the kernel is a cycle of logic even where its schedule has no register
    assert resource_pixel_cycles(LayerCost(name="k", kind="conv"), 1, two_d=False) == C.stream_resource_pixel_cycles + 1


class Padding:
    def __init__(self, class_name, **attrs):
        self.class_name, self.attrs = class_name, attrs

    def get_attr(self, key, default=None):
        return self.attrs.get(key, default)


def test_zero_padding_counts_its_plain_loops():
    """Vivado HLS schedules the padding template's unpipelined loops: N + 1 cycles for a
    loop of N one-cycle writes, nothing of its own for a loop of one trip, one cycle per
    iteration and one to leave for an outer loop (stream_padding.py)."""
    from l1forge.report.stream_padding import zeropad_cycles

    # the Conv1D encoder's four zeropad1d instances (Vivado HLS 2020.1)
    pads = [(64, 1, 1, 65), (64, 2, 2, 71), (64, 1, 2, 68), (32, 1, 2, 36)]
    for width, left, right, vendor in pads:
        assert zeropad_cycles(Padding("ZeroPadding1D", in_width=width, pad_left=left, pad_right=right)) == vendor
    # the ECON encoder's zeropad2d: 8x8 padded right and bottom by one (PadMain 8 x 10, 91)
    econ = Padding("ZeroPadding2D", in_height=8, in_width=8, out_width=9, pad_bottom=1, pad_right=1)
    assert zeropad_cycles(econ) == 91
    # the conv autoencoder's (Vivado HLS 2019.2, a validation set): 32x32 padded by one all round
    ae = Padding("ZeroPadding2D", in_height=32, in_width=32, out_width=34, pad_top=1, pad_bottom=1,
                 pad_left=1, pad_right=1)
    assert zeropad_cycles(ae) == 1159


def test_zero_padding_process_in_the_estimate():
    from report_fakes import FixedPrecisionType

    graph = Graph().image_input([8, 8, 1])._add(
        "zp", "ZeroPadding2D", [9, 9, 1], FixedPrecisionType(),
        {"in_height": 8, "in_width": 8, "out_height": 9, "out_width": 9, "n_chan": 1,
         "pad_top": 0, "pad_bottom": 1, "pad_left": 0, "pad_right": 1})

    def row(tool):
        estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
        return next(r for r in estimate["per_layer"] if r["name"] == "zp")

    assert (row("Vivado HLS")["latency_cycles"], row("Vivado HLS")["ii"]) == (91, 92)
    assert row("Vitis HLS")["latency_cycles"] == 81 + 1  # Vitis pipelines the loops: one padded word written a cycle
