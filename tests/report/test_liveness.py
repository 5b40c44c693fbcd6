"""Neurons a pruned io_parallel network never builds (liveness.py): constant inputs fold
into the bias, outputs no later product reads are removed."""

import numpy as np

from l1forge.report.dense_cost import kernel_codes
from l1forge.report.estimate import estimate_graph
from l1forge.report.liveness import folded_masks
from report_fakes import Graph

LSB = 2.0 ** -10
W = 11 * LSB  # three CSD digits on a 16-bit input: a DSP each


def _mlp():
    # 4 -> 3 -> 2: hidden neuron 0 has no incoming weight (a constant), hidden neuron 2
    # has no outgoing weight (dead); neuron 1 is the only live one
    w1 = np.zeros((4, 3))
    w1[:, 1] = [W, 13 * LSB, 19 * LSB, 21 * LSB]
    w1[:, 2] = [23 * LSB, 25 * LSB, 27 * LSB, 29 * LSB]
    w2 = np.zeros((3, 2))
    w2[0, :] = [W, 13 * LSB]
    w2[1, :] = [19 * LSB, 21 * LSB]
    return (Graph().input(4).dense("fc1", w1, biases=[0.5, 0.0, 0.0]).relu("relu1", 3)
            .dense("fc2", w2))


def test_masks_mark_the_constant_and_the_dead_neuron():
    masks = folded_masks(_mlp(), lambda layer: kernel_codes(layer)[0])
    const1, dead1 = masks["fc1"]
    const2, dead2 = masks["fc2"]
    assert not const1.any() and dead1.tolist() == [False, False, True]
    assert const2.tolist() == [True, False, False] and not dead2.any()


def _dsp(io_type):
    estimate = estimate_graph(_mlp(), clock_ns=5.0, io_type=io_type, tool="Vivado HLS", dsp_shape=(27, 18))
    return {row["name"]: row["dsp"] for row in estimate["per_layer"]}


def test_io_parallel_builds_only_the_live_multiplies_io_stream_all():
    parallel, stream = _dsp("io_parallel"), _dsp("io_stream")
    # fc1: only neuron 1's four products (neuron 2 feeds nothing); fc2: only the products
    # of neuron 1 (neuron 0 is a constant, its products fold into the biases)
    assert (parallel["fc1"], parallel["fc2"]) == (4, 2)
    # across FIFOs nothing folds: every 3+ digit product is built
    assert (stream["fc1"], stream["fc2"]) == (8, 4)


def test_a_branch_ends_the_chain():
    graph = _mlp()
    relu = next(layer for layer in graph.layers if layer.name == "relu1")
    graph._add("other", "Activation", [3], relu.output.type.precision, {"activation": "relu"})
    graph.layers[-1].inputs = ["relu1"]  # a second consumer of the hidden layer
    masks = folded_masks(graph, lambda layer: kernel_codes(layer)[0])
    assert "fc1" not in masks and "fc2" not in masks
