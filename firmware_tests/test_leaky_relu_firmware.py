"""A quantized leaky ReLU computes in firmware what QKeras computes, including the clip of
inputs below -2^I that hls4ml's LeakyReLU alone does not do."""

import numpy as np
import yaml

from l1forge.card_specs import firmware_spec, network_spec
from l1forge import emulate, firmware
from l1forge.tasks import load_card
from l1forge.models.network import build_network

LAYERS = [
    {"type": "dense", "name": "fc1", "units": 16},
    {"type": "leaky_relu", "name": "act1", "alpha": 0.125},
    {"type": "dense", "name": "fc2", "units": 8},
    {"type": "leaky_relu", "name": "act2", "alpha": 0.25},
    {"type": "dense", "name": "out", "units": 5},
]


def test_firmware_equals_qkeras_through_leaky_relus(tmp_path):
    path = tmp_path / "leaky.yaml"
    path.write_text(yaml.safe_dump({"name": "leaky", "task": "jet_id",
                                    "model": {"input_shape": [16], "layers": LAYERS}}))
    card = load_card(path)
    model = build_network(network_spec(card))
    rng = np.random.default_rng(7)
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.uniform(-1, 1, w.shape) for w in layer.get_weights()])
    graph = firmware.convert(firmware_spec(card), model, tmp_path / "project")
    firmware.compile_graph(graph)
    # inputs on a 1/64 grid within +-8: exact in the firmware's input type and in float32
    x = np.round(rng.normal(0, 3, size=(5000, 16)) * 64).clip(-512, 511) / 64
    qkeras_out = model.predict(x, batch_size=1000, verbose=0)
    firmware_out = np.asarray(graph.predict(np.ascontiguousarray(x))).reshape(qkeras_out.shape)
    # the test must see the clip: many first-layer sums lie below -2^0
    fc1 = x @ model.get_layer("fc1").get_weights()[0] + model.get_layer("fc1").get_weights()[1]
    assert (fc1 < -1).mean() > 0.2
    assert np.array_equal(firmware_out, qkeras_out)
    assert np.array_equal(emulate.from_graph(graph).predict(x), firmware_out)
