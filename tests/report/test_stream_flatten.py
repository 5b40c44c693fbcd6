"""io_stream Flatten: in place (hls4ml's inplace_stream_flatten), and the Dense after it reads
the pre-flatten stream's words while its producer writes them (report/stream_flatten.py)."""

from dataclasses import dataclass

import numpy as np
from report_fakes import FixedPrecisionType, Graph, NamedType, Variable

from l1forge.report.cost import LayerCost
from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_flatten import overlapped_reads


@dataclass
class LinkedVariable(Variable):
    """What hls4ml's InplaceTensorVariable is: a variable whose stream is its input's."""

    input_var: object = None


def flattened(shape, n_out=16, flatten_in_place=True):
    """image -> relu -> flatten -> dense(n_out) -> relu."""
    n = int(np.prod(shape))
    graph = Graph().image_input(list(shape))
    graph._add("act", "Activation", list(shape), FixedPrecisionType(), {"activation": "relu"})
    graph._add("flatten", "Reshape", [n], FixedPrecisionType())
    if flatten_in_place:
        before = graph.layers[-2].output
        graph.layers[-1].output = LinkedVariable("flatten_out", [n], NamedType(FixedPrecisionType()), before)
    weights = np.where(np.arange(n * n_out).reshape(n, n_out) % 3 == 0, 2.0 ** -3, 0.0)
    return graph.dense("fc", weights).relu("out", n_out)


def estimate(graph):
    return estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))


def row(result, name):
    return next(r for r in result["per_layer"] if r["name"] == name)


def test_an_inplace_flatten_is_neither_a_process_nor_a_fifo():
    result = estimate(flattened((4, 4, 8)))
    flatten = row(result, "flatten")
    assert (flatten["latency_cycles"], flatten["lut"], flatten["ff"], flatten["bram_18k"]) == (0, 0, 0, 0)
    # a Reshape that is a real stream copy (no in-place link) still costs its process
    copied = row(estimate(flattened((4, 4, 8), flatten_in_place=False)), "flatten")
    assert copied["latency_cycles"] > 0 and copied["lut"] > 0


def test_the_dense_reads_one_word_per_pixel_of_the_stream_before_the_flatten():
    # 128 values as 16 words of 8 channels or as 4 words of 32: the same products, 12 more reads
    many, few = row(estimate(flattened((4, 4, 8))), "fc"), row(estimate(flattened((2, 2, 32))), "fc")
    assert many["latency_cycles"] - few["latency_cycles"] == 12


def test_the_reads_overlap_the_producer_and_only_the_tail_adds():
    result = estimate(flattened((8, 8, 2)))  # 64 words
    act, fc = row(result, "act"), row(result, "fc")
    assert fc["latency_cycles"] > 64
    # the activation streams its 64 pixels while the dense reads them: not act + fc
    assert result["latency_cycles"] < act["latency_cycles"] + fc["latency_cycles"]
    assert result["latency_cycles"] >= act["latency_cycles"] + fc["latency_cycles"] - 65


def test_overlapped_reads_splits_only_a_dense_reading_several_words():
    dense = LayerCost(name="fc", kind="dense", cycles=31, ii=32, process=True, dsp=5.0)
    relu = LayerCost(name="act", kind="relu", cycles=18, ii=16, process=True)
    split, whole = overlapped_reads([relu, dense], {"fc": 16, "act": 16})
    assert [c.cycles for c in split] == [18, 17, 14] and whole == {"fc": 31}
    assert split[1].dsp == 0 and split[2].dsp == 5.0  # the reading stage holds no hardware
    assert overlapped_reads([relu, dense], {"fc": 1})[0] == [relu, dense]
