"""The diagnosis's firmware values against hls4ml's compiled C++ (g++), bit for bit.

A small softmax classifier (16-16-8-5, small to keep the g++ build short) converted with
hls4ml's default types: the emulator's
trace, which the diagnosis compares with Keras layer by layer, equals the compiled
firmware's output on every event, and the compiled firmware does output 1/5 for every
class where the diagnosis says the softmax table flattens them.
"""

from __future__ import annotations

import numpy as np
import pytest

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")

from l1forge import emulate  # noqa: E402
from l1forge.diagnose import diagnose  # noqa: E402


def _classifier():
    tf.keras.utils.set_random_seed(5)
    inputs = tf.keras.Input((16,), name="input_1")
    hidden = inputs
    for name, width in (("fc1", 16), ("fc2", 8)):
        hidden = tf.keras.layers.Dense(width, activation="relu", name=name)(hidden)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(5, activation="softmax", name="output")(hidden))
    rng = np.random.default_rng(5)
    # Weights on the ap_fixed<16,6> grid, scaled so that the logits spread over several units.
    model.set_weights([np.round(rng.normal(scale=0.5, size=w.shape) * 1024) / 1024 for w in model.get_weights()])
    return model


def test_traced_outputs_equal_the_compiled_firmware_and_the_flat_softmax_is_real(tmp_path):
    model = _classifier()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(tmp_path / "prj"),
                                                       backend="Vitis", io_type="io_parallel")
    x = np.random.default_rng(6).normal(size=(2000, 16))
    emulator = emulate.from_graph(graph)
    traced = emulator.trace(x)
    graph.compile()
    compiled = np.asarray(graph.predict(np.ascontiguousarray(x)), dtype=np.float64).reshape(len(x), -1)
    assert np.array_equal(traced["output_softmax"], compiled)

    found = diagnose(graph, model, x, emulator=emulator)
    assert found.first_divergent_layer == "output_softmax" and found.cause.kind == "table_input_range"
    flat = np.all(compiled == compiled[:, :1], axis=1)
    assert flat.mean() > 0.9  # the C++ gives every class the same score on these events
    assert found.argmax_agreement < 0.5
