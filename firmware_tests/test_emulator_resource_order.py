"""The Resource strategy's order of sums (emulate/dense.resource_order) against hls4ml's
compiled firmware (g++), where the order decides the result: saturating accumulators too
narrow for the partial sums. One io_stream model: a Conv1D (window of 3 taps x 2 channels
at RF 3: the rf_leq_nin order 0, 3, 1, 4, 2, 5 on each window) and a Dense (12 inputs at
RF 4: 0, 4, 8, 1, 5, 9, ...), both Resource. The emulator in that order equals the
firmware bit for bit; the same emulator in input order (the Latency strategy's) does not,
so the order is what is tested."""

from __future__ import annotations

import numpy as np
import pytest

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from tensorflow.keras import layers as kl  # noqa: E402

from l1forge import emulate  # noqa: E402
from l1forge.emulate import dense  # noqa: E402

EVENTS = 4000
SATURATING = "ap_fixed<9,4,AP_TRN,AP_SAT>"


@pytest.fixture(scope="module")
def firmware(tmp_path_factory):
    tf.random.set_seed(11)
    inp = kl.Input((8, 2), name="inp")
    x = kl.Conv1D(2, 3, name="conv", use_bias=True)(inp)
    x = kl.Flatten(name="flat")(x)
    model = tf.keras.Model(inp, kl.Dense(3, name="fc")(x))
    # large weights of both signs: partial sums leave the accumulator's range in one order
    # and come back in another
    rng = np.random.default_rng(4)
    model.get_layer("conv").set_weights([np.round(rng.choice([-1, 1], (3, 2, 2)) * rng.uniform(4, 7, (3, 2, 2))),
                                         np.zeros(2)])
    model.get_layer("fc").set_weights([np.round(rng.choice([-1, 1], (12, 3)) * rng.uniform(3, 6, (12, 3))),
                                       np.zeros(3)])
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    config["Model"]["Strategy"] = "Resource"
    for name, rf in (("conv", 3), ("fc", 4)):
        config["LayerName"][name].update(Strategy="Resource", ReuseFactor=rf)
        config["LayerName"][name]["Precision"] = {"weight": "ap_fixed<6,4>", "bias": "ap_fixed<6,4>",
                                                  "accum": SATURATING, "result": "ap_fixed<16,8>"}
    config["LayerName"]["inp"]["Precision"] = {"result": "ap_fixed<8,2>"}
    graph = hls4ml.converters.convert_from_keras_model(
        model, hls_config=config, output_dir=str(tmp_path_factory.mktemp("prj")), backend="Vitis",
        io_type="io_stream")
    graph.compile()
    x = np.random.default_rng(2).uniform(-2, 2, (EVENTS, 8, 2))
    x[:200] = 2 * np.sign(x[:200])  # the input's edges: every product at its largest
    return graph, x, np.asarray(graph.predict(np.ascontiguousarray(x))).reshape(EVENTS, -1)


def test_the_resource_order_equals_the_firmware(firmware):
    graph, x, theirs = firmware
    assert [dense.resource_order(node, n, None)[1].tolist() for node, n in
            ((graph.graph["fc"], 12),)] == [[0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]]
    ours = emulate.from_graph(graph).predict(x).reshape(EVENTS, -1)
    assert np.array_equal(ours, theirs)


def test_the_input_order_would_differ(firmware, monkeypatch):
    graph, x, theirs = firmware
    monkeypatch.setattr(dense, "resource_order", lambda node, n_in, geometry: (True, None))
    latency_order = emulate.from_graph(graph).predict(x).reshape(EVENTS, -1)
    assert np.any(latency_order != theirs)
