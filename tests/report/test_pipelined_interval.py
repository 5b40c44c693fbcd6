"""The interval of a kernel pipelined at II = RF (dense_cost.pipelined_interval) and the
multiplies an ALLOCATION cap shares whatever their binding (dense_cost.shared_multiplier_cycles)."""

import numpy as np

from l1forge.report.dense_cost import pipelined_interval
from l1forge.report.estimate import estimate_graph
from report_fakes import FixedPrecisionType, Graph

NARROW = FixedPrecisionType(8, 2)
DEEP = [11, 13, 19, 21]  # 8+2+1, 16-4+1, 16+2+1, 16+4+1: three CSD digits each


def test_a_schedule_shorter_than_the_target_runs_once_per_schedule():
    # the Vivado HLS 2020.1 RF 8 / 16 dense instances: latency 4, 5, 10, 11 -> II 5, 6, 11, 12
    assert [pipelined_interval(rf, cycles) for rf, cycles in ((8, 4), (8, 5), (16, 10), (16, 11))] == [5, 6, 11, 12]
    assert pipelined_interval(2, 7) == 2  # a schedule longer than RF keeps the target
    assert pipelined_interval(1, 0) == 1
    assert pipelined_interval(100, 0) == 100  # no register, no report: the template's target stays


def _small_mlp(reuse_factor: int, codes, data=None):
    # weights of ap_fixed<8,2>: code / 32; one code per output column
    weights = np.tile(np.asarray(codes, dtype=np.float64) / 32, (8, 1))
    return (Graph().input(8, data or NARROW)
            .dense("fc1", weights, weight_precision=NARROW, precision=NARROW, reuse_factor=reuse_factor))


def _estimate(graph, tool="Vivado HLS"):
    return estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool=tool, dsp_shape=(27, 18))


def test_large_reuse_factor_interval_is_the_layer_latency_plus_one_not_rf():
    # 32 products of codes 11, 13, 19, 21 (3 CSD digits each) on 8-bit inputs: 32
    # distinct multiplies, capped at ceil(32/100) = 1 per cycle at RF 100
    estimate = _estimate(_small_mlp(100, DEEP))
    layer = next(row for row in estimate["per_layer"] if row["name"] == "fc1")
    assert layer["latency_cycles"] >= 31  # 32 multiplies, one per cycle
    assert estimate["ii"] == layer["ii"] == layer["latency_cycles"] + 1 < 100


def test_fabric_multiplies_are_capped_like_dsp_ones():
    # narrow (8-bit) inputs: the 3-digit products are fabric multipliers, yet the ALLOCATION
    # cap issues them `cap` per cycle, so the layer's latency grows with the reuse factor
    deep = [_estimate(_small_mlp(rf, DEEP)) for rf in (1, 4, 8)]
    assert all(e["dsp"] == 0 for e in deep)
    latencies = [e["latency_cycles"] for e in deep]
    assert latencies[0] < latencies[1] < latencies[2]
    # powers of two are shifts, not multiplies: no cap applies, RF changes nothing
    shifts = [_estimate(_small_mlp(rf, [8, -8, 4, 16]))["latency_cycles"] for rf in (1, 4, 8)]
    assert shifts[0] == shifts[1] == shifts[2]


def test_streamed_convolution_pixel_loop_runs_at_its_kernel_schedule_below_rf():
    # 3x3x2 -> 4 filters, 72 distinct multiplies; RF 64 caps them at ceil(72/64) = 2 per
    # cycle: 36 issue cycles, so each pixel takes the kernel's schedule + 1, not 64 cycles
    # (the separable CNN's depthwise loop: 14 cycles per pixel at RF 16, VALIDATION.md)
    kernel = np.full((3, 3, 2, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])

    def conv_latency(size):
        graph = (Graph().image_input([size, size, 2])
                 .conv2d("conv", kernel, [size - 2, size - 2, 4], in_width=size, reuse_factor=64))
        estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))
        return next(row for row in estimate["per_layer"] if row["name"] == "conv")["latency_cycles"]

    per_pixel = (conv_latency(16) - conv_latency(8)) / (16 * 16 - 8 * 8)
    assert per_pixel == int(per_pixel) and 36 <= per_pixel < 64


def test_vitis_line_buffer_waits_for_the_kernel_call_vivado_does_not():
    # RF 1: Vivado HLS inlines the kernel (one pixel per cycle); Vitis HLS keeps it a call
    # and the next pixel's window store waits for it: kernel cycles + 2 per pixel, and the
    # rewound pixel loop's process interval is pixels x that (the Conv1D log: II 3, 390)
    kernel = np.full((3, 3, 2, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])

    def conv_row(size, tool):
        graph = (Graph().image_input([size, size, 2])
                 .conv2d("conv", kernel, [size - 2, size - 2, 4], in_width=size))
        estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
        return next(row for row in estimate["per_layer"] if row["name"] == "conv")

    pixels = 16 * 16 - 8 * 8
    vivado = (conv_row(16, "Vivado HLS")["latency_cycles"] - conv_row(8, "Vivado HLS")["latency_cycles"]) / pixels
    vitis = (conv_row(16, "Vitis HLS")["latency_cycles"] - conv_row(8, "Vitis HLS")["latency_cycles"]) / pixels
    assert vivado == 1 and vitis >= 2 and vitis == int(vitis)
    row = conv_row(16, "Vitis HLS")
    assert row["ii"] == 16 * 16 * vitis < row["latency_cycles"]


def test_a_layer_spread_over_issue_cycles_holds_its_operands():
    # 16-bit inputs, 32 distinct multiplies: at RF 1 a 25 ns cycle holds the whole layer
    # (no register), at RF 8 (cap 4) its products are issued over 8 cycles, so every input
    # and every partial sum is held in a register meanwhile
    weights = np.tile(np.array(DEEP, dtype=np.float64) / 1024, (8, 1))

    def fc_ff(rf):
        graph = Graph().input(8).dense("fc1", weights, reuse_factor=rf)
        estimate = estimate_graph(graph, clock_ns=25.0, io_type="io_parallel", tool="Vivado HLS",
                                  dsp_shape=(27, 18))
        return next(row["ff"] for row in estimate["per_layer"] if row["name"] == "fc1")

    assert fc_ff(1) == 0
    assert fc_ff(8) >= 8 * 16 + 4 * 16  # 8 inputs of 16 bits and 4 partial sums


def test_vitis_dense_instance_registers_its_outputs_before_the_next_run():
    # RF 100 caps the 32 distinct multiplies at one per cycle: a schedule far shorter than
    # RF. Vivado HLS runs the kernel every schedule + 1 cycles; Vitis HLS keeps it an
    # instance with its outputs registered inside, one cycle more (the xczu7ev RF 16 MLP:
    # instance latency 15, interval 16), on an UltraScale+ part, the last layer too
    vivado = next(r for r in _estimate(_small_mlp(100, DEEP))["per_layer"] if r["name"] == "fc1")
    vitis_estimate = estimate_graph(_small_mlp(100, DEEP), clock_ns=5.0, io_type="io_parallel",
                                    tool="Vitis HLS", dsp_shape=(27, 18))
    vitis = next(r for r in vitis_estimate["per_layer"] if r["name"] == "fc1")
    assert vitis["ii"] == vivado["ii"] + 1 < 100
    assert vitis_estimate["ii"] == vitis["ii"]
    # at RF 2 the schedule is longer than RF: both keep the target
    assert [next(r["ii"] for r in estimate_graph(_small_mlp(2, DEEP), clock_ns=5.0, io_type="io_parallel",
                                                  tool=tool, dsp_shape=(27, 18))["per_layer"]
                 if r["name"] == "fc1") for tool in ("Vivado HLS", "Vitis HLS")] == [2, 2]
