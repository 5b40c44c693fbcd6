"""LSTM and GRU layers against hls4ml's compiled firmware (g++), bit for bit, on 5,000
events with range edges and ties.

Two small models over one (8 time steps, 4 features) input, converted and compiled once per
module (three builds):
- Vivado, narrow types: an LSTM (sigmoid / tanh tables of 512 entries of a rounding,
  saturating table type) -> Dense; a GRU with return_sequences, relu activation, hls4ml's
  non-static variant (`Static: False`) and a wrapping result -> Flatten; an LSTM with
  return_sequences, relu activation and tanh gates -> Flatten; a GRU with tanh gates into a
  9-bit saturating state over a 256-entry table, these two with the Resource strategy, whose
  sums into their saturating accumulators overflow in the kernels' own order; a Bidirectional
  of a forward LSTM and a backward GRU with return_sequences and its own narrower types; a
  non-static Bidirectional GRU with relu. hls4ml's LSTM firmware compiles only when its input,
  result and accumulator types are one type (a static Bidirectional excepted), so the LSTM
  layers share the input's.
- Vitis, hls4ml's default configuration (the types it assigns itself): an LSTM -> Dense and
  a GRU with return_sequences -> Flatten -> Dense; built for io_parallel and for io_stream.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to compile the firmware")

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from tensorflow.keras import layers as kl  # noqa: E402
from test_emulator_new_layers import compiled, edge_events  # noqa: E402  (5,000 events)

from l1forge import emulate  # noqa: E402

SHAPE = (8, 4)


def sequence_events(lsb, limit, seed):
    """edge_events' rows (random, half-LSB ties, range edges and beyond, zeros), then
    sequences switching at random between the two extremes."""
    x = edge_events(SHAPE, lsb, limit, seed)
    n = len(x) // 20
    x[7 * n : 8 * n] = np.where(np.random.default_rng(seed).random((n, *SHAPE)) < 0.5, limit, -limit)
    return x


def narrow_model():
    tf.random.set_seed(31)
    inp = kl.Input(SHAPE, name="inp")
    lstm = kl.LSTM(6, bias_initializer="glorot_uniform", name="lstm")(inp)
    gru = kl.GRU(5, activation="relu", return_sequences=True, bias_initializer="glorot_uniform", name="gru")(inp)
    lstm_seq = kl.LSTM(4, activation="relu", recurrent_activation="tanh", return_sequences=True,
                       bias_initializer="glorot_uniform", name="lstm_seq")(inp)
    gru_sat = kl.GRU(3, recurrent_activation="tanh", bias_initializer="glorot_uniform", name="gru_sat")(inp)
    both = kl.Bidirectional(kl.LSTM(3, return_sequences=True, bias_initializer="glorot_uniform"),
                            backward_layer=kl.GRU(2, return_sequences=True, go_backwards=True,
                                                  bias_initializer="glorot_uniform"), name="bi")(inp)
    both_gru = kl.Bidirectional(kl.GRU(2, activation="relu", bias_initializer="glorot_uniform"), name="bi_gru")(inp)
    outputs = [kl.Dense(3, name="d")(lstm), kl.Flatten(name="gru_out")(gru), kl.Flatten(name="lstm_out")(lstm_seq),
               gru_sat, kl.Flatten(name="bi_out")(both), both_gru]
    return tf.keras.Model(inp, outputs)


def default_model():
    tf.random.set_seed(32)
    inp = kl.Input(SHAPE, name="inp")
    lstm = kl.LSTM(6, bias_initializer="glorot_uniform", name="lstm")(inp)
    gru = kl.GRU(4, return_sequences=True, bias_initializer="glorot_uniform", name="gru")(inp)
    gru = kl.Dense(2, name="gru_d")(kl.Flatten(name="flat")(gru))
    return tf.keras.Model(inp, [kl.Dense(3, name="d")(lstm), gru])


def converted(model, config, backend, folder, io_type="io_parallel"):
    return hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(folder / "prj"),
                                                      backend=backend, io_type=io_type)


@pytest.fixture(scope="module")
def narrow_graph(tmp_path_factory):
    model = narrow_model()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    layers, shared = config["LayerName"], "fixed<12,4,RND,SAT>"
    layers["inp"]["Precision"]["result"] = shared
    layers["lstm"]["Precision"].update({"result": shared, "accum": shared, "weight": "fixed<8,1,RND>",
                                        "recurrent_weight": "fixed<8,1,RND>", "bias": "fixed<8,2,RND>",
                                        "table": "fixed<10,2,RND,SAT>"})
    layers["lstm"]["TableSize"] = 512
    layers["gru"]["Static"] = False
    layers["gru"]["Precision"].update({"result": "fixed<12,4,RND,WRAP>", "accum": "fixed<18,8>"})
    layers["lstm_seq"]["Precision"].update({"result": shared, "accum": shared, "weight": "fixed<6,1,RND_CONV>"})
    layers["gru_sat"]["Precision"].update({"result": "fixed<9,2,RND,SAT>", "accum": "fixed<12,3,RND,SAT>",
                                           "table": "fixed<8,1,RND,SAT>"})
    layers["gru_sat"]["TableSize"] = 256
    # a static Bidirectional calls only the static LSTM, so its types may differ from the input's
    layers["bi"]["Precision"].update({"result": "fixed<10,3,RND,SAT>", "accum": "fixed<14,5,RND,SAT>"})
    layers["bi_gru"]["Static"] = False
    for name in ("lstm_seq", "gru_sat"):  # the Resource kernels: the same sums in their own order
        layers[name].update({"Strategy": "Resource", "ReuseFactor": 2})
    return converted(model, config, "Vivado", tmp_path_factory.mktemp("recurrent_narrow"))


@pytest.fixture(scope="module")
def default_graph(tmp_path_factory):
    model = default_model()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    return converted(model, config, "Vitis", tmp_path_factory.mktemp("recurrent_default"))


@pytest.fixture(scope="module")
def stream_graph(tmp_path_factory):
    model = default_model()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    return converted(model, config, "Vitis", tmp_path_factory.mktemp("recurrent_stream"), "io_stream")


def assert_equal(ours, theirs, distinct):
    bad = np.flatnonzero(np.any(ours != theirs, axis=1))
    assert bad.size == 0, f"{bad.size} events differ, first {bad[:5]}"
    assert len(np.unique(ours)) > distinct  # outputs vary: not a constant that would match by accident


def test_narrow_recurrent_layers_equal_compiled_firmware(narrow_graph):
    layers = {layer.name: layer for layer in narrow_graph.get_layers()}
    assert layers["gru"].get_attr("static") is False and layers["lstm"].get_attr("static") is True
    assert layers["gru"].get_attr("return_sequences") and not layers["gru_sat"].get_attr("return_sequences")
    assert layers["gru_sat"].get_attr("strategy") == "resource" and "DenseResource_rf_leq_nin" in layers[
        "lstm_seq"].get_attr("config_cpp")
    kinds = {step.name: step.kind for step in emulate.from_graph(narrow_graph).steps}
    assert [kinds[name] for name in ("lstm", "gru", "lstm_seq", "gru_sat", "bi", "bi_gru")] == [
        "LSTM", "GRU", "LSTM", "GRU", "Bidirectional", "Bidirectional"]
    assert layers["bi"].get_attr("backward_class_name") == "GRU" and layers["bi_gru"].get_attr("static") is False
    ours, theirs = compiled(narrow_graph, sequence_events(2**-8, 8.0, 41))
    assert_equal(ours, theirs, 1000)
    assert ours.shape[1] == 3 + 8 * 5 + 8 * 4 + 3 + 8 * (3 + 2) + 2 * 2


def test_default_recurrent_layers_equal_compiled_firmware(default_graph):
    ours, theirs = compiled(default_graph, sequence_events(2**-10, 32.0, 42))
    assert_equal(ours, theirs, 1000)


def test_streamed_recurrent_layers_equal_compiled_firmware(stream_graph):
    # the input stream is copied to both layers (a Clone); each stack reads a word a time step
    assert [layer.class_name for layer in stream_graph.get_layers()][1:4] == ["Clone", "GRU", "LSTM"]
    ours, theirs = compiled(stream_graph, sequence_events(2**-10, 32.0, 43))
    assert_equal(ours, theirs, 1000)
