"""LSTM and GRU cells on hand-built graphs against values worked out by hand from
nnet_recurrent.h (relu activations, so no table is involved), and the one-line refusals
(no TensorFlow, no compiler). firmware_tests/test_emulator_recurrent.py checks the same
layers against hls4ml's C++."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from emulate_fakes import FakeGraph, FakeNode, fixed, input_node, named

from l1forge.emulate import from_graph
from l1forge.errors import UserError

T16 = fixed(16, 6)  # ap_fixed<16,6>: 10 fractional bits, wrapping
CONFIG = ("struct config2_1 : nnet::dense_config {\n    static const unsigned reuse_factor = 1;\n"
          "    using kernel = nnet::DenseLatency<data_T, res_T, CONFIG_T>;\n"
          "    using product = nnet::product::mult<x_T, y_T>;\n};\n") * 2


def recurrent_node(cell, weights, recurrent, recurrent_bias, sequences=False, result=T16, accum=T16, **attrs):
    gates = len(weights[0])
    n = gates // (4 if cell == "LSTM" else 3)
    shape = [2, n] if sequences else [n]
    node = FakeNode("rnn", cell, ["inp"], shape, result, config=CONFIG, attrs={
        "n_out": n, "return_sequences": sequences, "activation": "relu", "recurrent_activation": "relu",
        "strategy": "latency", "table_size": 1024, "static": True, "accum_t": named("rnn_accum_t", accum),
        "table_t": named("rnn_table_t", fixed(18, 8)), **attrs,
    }, weights={"weight": (weights, T16), "bias": (np.zeros(gates), T16),
                "recurrent_weight": (recurrent, T16), "recurrent_bias": (recurrent_bias, T16)})
    return node


def run(node, x, io_type="io_parallel", input_type=T16):
    graph = FakeGraph([input_node("inp", [2, 1], input_type), node], io_type=io_type)
    node.model = graph
    return from_graph(graph).predict(np.asarray(x, dtype=np.float64))


def lstm(**kwargs):
    # gates i, f, c, o of one state, from one feature
    return recurrent_node("LSTM", [[1.0, 0.5, 1.0, 1.0]], [[0.5, 0.5, 0.5, 0.5]], np.zeros(4), **kwargs)


def gru(**kwargs):
    # gates z, r, h of one state, from one feature; the candidate's recurrent bias 0.25
    return recurrent_node("GRU", [[0.25, 0.5, 1.0]], [[0.5, 0.5, 0.5]], [0.0, 0.0, 0.25], **kwargs)


def test_lstm_cell_by_hand():
    # step 1, x = 1: gates (1, .5, 1, 1); s = 1 * 1 + 0 * .5 = 1; h = 1 * relu(1) = 1
    # step 2, x = 3: gates 3 * w + .5 * h = (3.5, 2, 3.5, 3.5); s = 3.5 * 3.5 + 1 * 2 = 14.25;
    # h = 3.5 * 14.25 = 49.875, which ap_fixed<16,6> wraps to 49.875 - 64
    out = run(lstm(sequences=True), [[[1.0], [3.0]]])
    np.testing.assert_array_equal(out.reshape(1, -1), [[1.0, 49.875 - 64]])
    np.testing.assert_array_equal(run(lstm(), [[[1.0], [3.0]], [[0.0], [0.0]]]), [[49.875 - 64], [0.0]])


def test_gru_cell_by_hand():
    # step 1, x = 1: z = .25, r = .5, r * (0 + .25) = .125, q = 1.125; h = q * .75 = .84375
    # step 2, x = 2: z = .5 + .5 h = .921875, r = 1.421875; r * (.5 h + .25) = .955322265625,
    # truncated to 978 / 1024 in accum_t; q = 2 + 978 / 1024; h = q (1 - z) + .84375 z
    # = 1.008697509765625, truncated to 1032 / 1024 in the result type
    out = run(gru(sequences=True), [[[1.0], [2.0]]])
    np.testing.assert_array_equal(out.reshape(1, -1), [[0.84375, 1032 / 1024]])


def bidirectional(sequences):
    """A forward LSTM (lstm()'s weights) and a backward GRU (gru()'s) in one Bidirectional node."""
    forward, backward = lstm(), gru()
    node = FakeNode("rnn", "Bidirectional", ["inp"], [2, 2] if sequences else [2], T16, config=CONFIG * 2, attrs={
        **{k: v for k, v in forward.attributes.items() if k not in ("activation", "recurrent_activation", "n_out")},
        "return_sequences": sequences, "merge_mode": "concat",
        **{f"{d}_{key}": value for d, cell in (("forward", "LSTM"), ("backward", "GRU")) for key, value in
           (("class_name", cell), ("n_states", 1), ("activation", "relu"), ("recurrent_activation", "relu"))},
    })
    node.weights = {f"{d}_{name}": w for d, cell in (("forward", forward), ("backward", backward))
                    for name, w in cell.weights.items()}
    return node


def test_bidirectional_by_hand():
    # x = (2, 1). Forward LSTM: step 1 gates (2, 1, 2, 2), s = 4, h = 8; step 2 gates (1, .5, 1, 1)
    # + .5 * 8 = (5, 4.5, 5, 5), s = 25 + 4 * 4.5 = 43, wrapped to -21, h = 5 * relu(-21) = 0.
    # Backward GRU on (1, 2): test_gru_cell_by_hand's .84375 (time step 2), then 1032 / 1024 (step 1).
    out = run(bidirectional(True), [[[2.0], [1.0]]])
    np.testing.assert_array_equal(out.reshape(1, -1), [[8.0, 1032 / 1024, 0.0, 0.84375]])
    np.testing.assert_array_equal(run(bidirectional(False), [[[2.0], [1.0]]]), [[0.0, 1032 / 1024]])


@pytest.mark.parametrize("change, message", [
    ({"activation": "hard_sigmoid"}, "activation 'hard_sigmoid' is not emulated"),
    ({"strategy": "resource_unrolled"}, "strategy 'resource_unrolled' is not emulated"),
    ({"return_state": True}, "returning the states is not emulated"),
    ({"direction": "backward"}, "backward sequence"),
])
def test_unsupported_options_are_refused(change, message):
    node = lstm()
    node.attributes.update(change)
    with pytest.raises(UserError, match=message) as error:
        run(node, [[[1.0], [3.0]]])
    assert "layer 'rnn' (LSTM)" in str(error.value) and "supported: io_parallel" in str(error.value)
    assert "\n" not in str(error.value)


def test_streams_packed_otherwise_and_mixed_lstm_types_are_refused():
    word = SimpleNamespace(shape=[2, 1], type=SimpleNamespace(n_elem=1, n_pack=1))
    node = gru(sequences=True)
    node.get_input_variable = lambda: word
    out = run(node, [[[1.0], [2.0]]], io_type="io_stream")  # a word a time step: the same cell
    np.testing.assert_array_equal(out.reshape(1, -1), [[0.84375, 1032 / 1024]])
    word.type.n_pack = 2
    with pytest.raises(UserError, match="a stream of 1 x 2 values a word for 1 a step is not emulated"):
        run(node, [[[1.0], [2.0]]], io_type="io_stream")
    with pytest.raises(UserError, match="a Bidirectional stream"):
        run(bidirectional(True), [[[1.0], [2.0]]], io_type="io_stream")
    with pytest.raises(UserError, match="types differ"):
        run(lstm(result=fixed(12, 4)), [[[1.0], [3.0]]])
    run(gru(result=fixed(12, 4)), [[[1.0], [3.0]]])  # a GRU's types may differ


def test_simple_rnn_is_refused_in_one_line():
    node = FakeNode("rnn", "SimpleRNN", ["inp"], [1], T16)
    with pytest.raises(UserError, match=r"layer 'rnn' \(SimpleRNN\): hls4ml's Vivado/Vitis firmware has no SimpleRNN"):
        run(node, [[[1.0], [3.0]]])
