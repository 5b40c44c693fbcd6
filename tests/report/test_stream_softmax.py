"""The streamed softmax at a reuse factor shares its multipliers and tables
(report/stream_softmax.py, hls4ml's multiplier_limit = ceil(n / RF), II = n / limit)."""

from report_fakes import Graph

from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_softmax import word_interval


def softmax_row(reuse_factor, io_type="io_stream", n=10):
    graph = Graph().input(n).softmax("softmax", n)
    graph.layers[-1].attrs["reuse_factor"] = reuse_factor
    estimate = estimate_graph(graph, clock_ns=5.0, io_type=io_type, tool="Vivado HLS", dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "softmax")


def test_word_interval_is_the_templates():
    assert word_interval(10, 1) == (10, 1)
    assert word_interval(10, 16) == (1, 10)
    assert word_interval(13, 784) == (1, 13)
    assert word_interval(10, 4) == (3, 3)


def test_a_reuse_factor_shares_the_multipliers_and_tables_of_a_streamed_softmax():
    full, shared = softmax_row(1), softmax_row(16)
    assert full["dsp"] == 10 and shared["dsp"] == 1
    assert shared["bram_18k"] == 2 * full["bram_18k"] // 6  # one exponential table and the inverse's
    assert shared["latency_cycles"] - full["latency_cycles"] == 10 - 1  # ten multiplies on one multiplier
    assert softmax_row(4)["dsp"] == 3


def test_io_parallel_softmax_keeps_a_multiplier_per_value():
    assert softmax_row(16, io_type="io_parallel")["dsp"] == 10
