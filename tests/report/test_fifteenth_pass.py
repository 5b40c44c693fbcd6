"""Fifteenth pass (docs/estimator.md): an element-wise table activation (sigmoid, tanh) in
io_parallel takes two cycles, its index arithmetic and then its registered table read."""

import numpy as np

from l1forge.report.estimate import estimate_graph
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
