"""A graph with branches is scheduled along its longest path (schedule.longest_path): the
multi-input MLPs of the sixth unseen set, whose two input branches run side by side."""

from __future__ import annotations

from l1forge.report.cost import LayerCost, Target
from l1forge.report.schedule import (longest_path, predecessors, schedule_instances, schedule_parallel,
                                     schedule_parallel_dataflow)

TARGET = Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(25, 18), family="7-series")
# two inputs; a long branch (6 cycles) and a short one (2) joined by a concatenation, then a dense
COSTS = [LayerCost("x", "input"), LayerCost("y", "input"),
         LayerCost("long", "dense", cycles=6, ii=1, head_ns=1.0, delay_ns=1.0),
         LayerCost("short", "dense", cycles=2, ii=1, head_ns=1.0, delay_ns=1.0),
         LayerCost("join", "concat"), LayerCost("out", "dense", cycles=3, ii=1, head_ns=1.0, delay_ns=1.0)]
PREDS = {"x": [], "y": [], "long": ["x"], "short": ["y"], "join": ["long", "short"], "out": ["join"]}


def test_branches_run_side_by_side():
    durations = {cost.name: cost.cycles for cost in COSTS}
    assert longest_path(COSTS, durations) == 11  # no predecessors: a chain, every layer after the last
    assert longest_path(COSTS, durations, PREDS) == 9  # 6 + 3: the short branch is hidden
    # the Vitis 7-series schedule registers every layer (at II 1 the last one too): (6+1) + (0+1) + (3+1)
    assert schedule_instances(COSTS, TARGET, PREDS).latency_cycles == 7 + 1 + 4
    assert schedule_instances(COSTS, TARGET).latency_cycles == 7 + 3 + 1 + 4
    assert schedule_parallel_dataflow(COSTS, TARGET, PREDS).latency_cycles < \
        schedule_parallel_dataflow(COSTS, TARGET).latency_cycles
    us = Target(clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS", dsp_shape=(27, 18))
    chain, paths = schedule_parallel(COSTS, us), schedule_parallel(COSTS, us, PREDS)
    assert paths.latency_cycles == chain.latency_cycles - 2 and paths.cycles_of["short"] == 2
    # an input listed after a branch (hls4ml orders layers so) waits for nothing
    late_input = [COSTS[0], COSTS[2], COSTS[1], *COSTS[3:]]
    assert longest_path(late_input, durations, PREDS) == 9
    assert longest_path(late_input, durations, {**PREDS, "short": ["y"], "out": ["join", "y"]}) == 9


def test_predecessors_follow_the_graph_outputs():
    class Layer:
        def __init__(self, name, inputs):
            self.name, self.inputs, self.outputs = name, inputs, [name + "_out"]

    class Graph:
        def get_layers(self):
            return [Layer("a", []), Layer("b", ["a_out"]), Layer("c", ["a_out"]), Layer("d", ["b_out", "c_out"])]

    assert predecessors(Graph()) == {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}


def test_a_wide_softmax_table_is_filled_in_hardware_in_io_stream():
    """kojos03 (Vitis HLS 2024.2) and the 16-64-32-32-5 MLP (Vitis HLS 2025.2): a softmax on an
    input wider than 33 bits spends its table's 1024 entries in a loop on every call, with 7
    more DSPs; the loop runs before the input is read, beside the pixel processes."""
    from report_fakes import FixedPrecisionType, Graph

    from l1forge.report.estimate import estimate_graph

    def softmax_row(width, io_type="io_stream"):
        graph = Graph().input(2, precision=FixedPrecisionType(width, 16)).softmax("sm", 2)
        estimate = estimate_graph(graph, clock_ns=5.0, io_type=io_type, tool="Vitis HLS", dsp_shape=(27, 18))
        return estimate, next(row for row in estimate["per_layer"] if row["name"] == "sm")

    (narrow_design, narrow), (wide_design, wide) = softmax_row(32), softmax_row(36)
    assert wide["latency_cycles"] == narrow["latency_cycles"] + 1024 and wide["dsp"] == narrow["dsp"] + 7
    assert wide_design["ii"] == wide["ii"] > 1024
    _, parallel = softmax_row(36, "io_parallel")  # no report: a ROM, and a note
    assert parallel["latency_cycles"] < 100 and any("io_parallel" in n for n in parallel["notes"])


def test_the_table_fill_overlaps_the_pixel_processes():
    from l1forge.report.schedule_stream import schedule_stream

    stream = Target(clock_ns=5.0, io_type="io_stream", tool="Vitis HLS", dsp_shape=(27, 18))
    conv = LayerCost("conv", "conv", cycles=200, ii=201, process=True)
    dense = LayerCost("fc", "dense", cycles=20, ii=21, process=True)
    softmax = LayerCost("sm", "softmax", cycles=1030, ii=1031, process=True, fill_cycles=1024)
    unfilled = LayerCost("sm", "softmax", cycles=1030, ii=1031, process=True)
    # the fill hides the 200-cycle convolution (kojos03: 1072 = 1053 + the Dense chain's 19)
    assert schedule_stream([conv, dense, softmax], stream).latency_cycles == \
        schedule_stream([conv, dense, unfilled], stream).latency_cycles - 200


def test_vitis_rewinds_a_streamed_resource_dense_read_in_one_word():
    """Vitis HLS 2022.2 / 2023.1 reports: a Resource dense whose input is one stream word runs
    every RF cycles (its rewound loop); Vivado HLS, and a dense read over several words, once
    per latency + 1."""
    import numpy as np
    from report_fakes import Graph

    from l1forge.report.estimate import estimate_graph

    weights = np.random.default_rng(1).normal(0, 0.3, (16, 32))

    def dense_ii(tool, strategy="resource"):
        graph = Graph().input(16).dense("fc", weights, reuse_factor=8, strategy=strategy)
        estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
        row = next(r for r in estimate["per_layer"] if r["name"] == "fc")
        return row["ii"], row["latency_cycles"]

    vitis, vivado = dense_ii("Vitis HLS"), dense_ii("Vivado HLS")
    assert vitis[0] == 8 < vitis[1] and vivado[0] == vivado[1] + 1


def test_weights_over_the_bram_factor_are_a_warning():
    from types import SimpleNamespace

    from l1forge.report.build_limits import external_weight_warnings

    class Layer:
        def __init__(self, name, storage):
            self.name = name
            self.weights = {"weight": SimpleNamespace(shape=(136, 72), storage=storage),
                            "bias": SimpleNamespace(shape=(72,), storage=storage)}

    class Graph:
        def __init__(self, *layers):
            self.layers = layers

        def get_layers(self):
            return list(self.layers)

    assert external_weight_warnings(Graph(Layer("fc", "register"))) == []
    [warning] = external_weight_warnings(Graph(Layer("fc", "bram"), Layer("out", "register")))
    assert "fc (9,864)" in warning and "out (" not in warning and "BramFactor" in warning
