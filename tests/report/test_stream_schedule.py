"""The io_stream dataflow schedule: pixel processes overlap, vector processes add up
(schedule_stream.py)."""

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, Target
from l1forge.report.schedule_stream import schedule_stream, vector_process

VIVADO = Target(clock_ns=5.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(25, 18))


def process(name, kind, cycles, ii=None):
    return LayerCost(name=name, kind=kind, cycles=cycles, ii=cycles + 1 if ii is None else ii, process=True)


def test_vector_and_pixel_processes():
    assert vector_process(process("fc", "dense", 7))
    assert vector_process(process("sm", "softmax", 6))
    assert vector_process(process("act", "relu", 2, ii=1))  # one stream word
    assert not vector_process(process("act", "relu", 902, ii=900))  # an image's pixels
    assert not vector_process(process("conv", "conv", 1027))
    assert not vector_process(process("pool", "pooling", 903))


def test_a_chain_of_vector_processes_adds_up():
    # the Dense 16->5 report (Vivado HLS 2020.1): dense 7 + relu 2 + start 1 = 10
    chain = [process("fc1", "dense", 7), process("relu", "relu", 2, ii=1)]
    assert schedule_stream(chain, VIVADO).latency_cycles == 10
    # three dense layers one after the other: the sum, not the slowest plus one per process
    mlp = [process("fc1", "dense", 7), process("fc2", "dense", 7), process("sm", "softmax", 6)]
    schedule = schedule_stream(mlp, VIVADO)
    assert schedule.latency_cycles == 7 + 7 + 6 + C.stream_start_cycles == 21
    assert schedule.ii == 8


def test_pixel_processes_overlap_and_the_vector_tail_follows():
    cnn = [process("conv", "conv", 1027), process("act", "relu", 902, ii=900),
           process("pool", "pooling", 903), process("fc", "dense", 2), process("sm", "softmax", 7)]
    schedule = schedule_stream(cnn, VIVADO)
    assert schedule.latency_cycles == 1027 + 3 * C.stream_cycles_per_process + 2 + 7 + C.stream_start_cycles
    assert schedule.ii == 1028


def global_pool(steps):
    from report_fakes import FixedPrecisionType, Graph

    return Graph().image_input([steps, 8])._add("gp", "GlobalPooling1D", [8], FixedPrecisionType(),
                                                  {"pool_op": "Max"})


def test_streamed_global_pooling_keeps_one_running_result_per_channel():
    from l1forge.report.estimate import estimate_graph

    def pool_row(steps, io):
        estimate = estimate_graph(global_pool(steps), clock_ns=5.0, io_type=io, tool="Vivado HLS",
                                  dsp_shape=(27, 18))
        return next(row for row in estimate["per_layer"] if row["name"] == "gp")

    short, long = pool_row(128, "io_stream"), pool_row(256, "io_stream")
    assert short["lut"] == long["lut"] == round(8 * 16 * 1.5)  # a comparator per channel
    assert long["latency_cycles"] - short["latency_cycles"] == 128  # one pixel per cycle
    # io_parallel compares every pixel at once: 127 comparators per channel
    assert pool_row(128, "io_parallel")["lut"] == round(127 * 8 * 16 * 1.5)


def test_resource_convolution_waits_for_each_kernel_call():
    """hls4ml pipelines the streamed convolution's pixel loop at II = RF for the Latency
    strategy only; with the Resource strategy each pixel is a sequential iteration: its
    read, bookkeeping and write (4 cycles) and the kernel call (stream_conv.py)."""
    import numpy as np
    from report_fakes import Graph

    from l1forge.report.estimate import estimate_graph

    def conv_row(size, strategy):
        kernel = np.full((3, 3, 2, 4), 11 * 2.0 ** -10) * np.array([1, 5, 7, 9])
        graph = (Graph().image_input([size, size, 2])
                 .conv2d("conv", kernel, [size - 2, size - 2, 4], in_width=size, reuse_factor=4, strategy=strategy))
        estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))
        return next(row for row in estimate["per_layer"] if row["name"] == "conv")

    latency = conv_row(16, "latency")["latency_cycles"] - conv_row(8, "latency")["latency_cycles"]
    resource = conv_row(16, "resource")["latency_cycles"] - conv_row(8, "resource")["latency_cycles"]
    pixels = 16 * 16 - 8 * 8
    assert latency == pixels * 4  # one pixel per RF cycles
    # RF loop + multiplier pipeline (3 at 5 ns) + the iteration's own 4 cycles + the line
    # buffer's KernelShiftWidth loop (filt_width - 1: Vivado HLS 2020.1 runs it in 2D too,
    # the fourteenth pass)
    assert resource == pixels * (4 + 3 + C.stream_resource_pixel_cycles + 2)
