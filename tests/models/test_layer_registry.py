"""One registry maps each card layer type to its Keras builder and its card check."""

import pytest
import yaml

from l1forge.card_specs import network_spec
from l1forge.tasks import load_card
from l1forge.errors import UserError
from l1forge.models.layers import LAYERS, make_layer

KERAS_CLASS = {
    "dense": ("QDense", "Dense"), "relu": ("QActivation", "Activation"),
    "leaky_relu": ("QActivation", "LeakyReLU"), "linear": ("Activation",) * 2,
    "quantize": ("QActivation", "Activation"),
    "softmax": ("Activation",) * 2, "sigmoid": ("Activation",) * 2, "tanh": ("Activation",) * 2,
    "batchnorm": ("BatchNormalization",) * 2, "conv2d": ("QConv2D", "Conv2D"),
    "maxpool2d": ("MaxPooling2D",) * 2, "avgpool2d": ("AveragePooling2D",) * 2,
    "flatten": ("Flatten",) * 2, "reshape": ("Reshape",) * 2, "upsampling2d": ("UpSampling2D",) * 2,
    "global_avgpool1d": ("GlobalAveragePooling1D",) * 2, "global_maxpool1d": ("GlobalMaxPooling1D",) * 2,
}


def _card(tmp_path, layers):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"name": "c", "model": {"input_shape": [16], "layers": layers}}))
    return load_card(path)


def test_every_registered_type_builds_its_keras_layer_in_both_twins(tmp_path):
    assert set(LAYERS) == set(KERAS_CLASS)
    layers = [{"type": kind, "units": 4, "filters": 2, "shape": [4, 4]} for kind in LAYERS]
    card = _card(tmp_path, layers)
    for spec in card.model.layers:
        quantized, plain = KERAS_CLASS[spec.type]
        assert type(make_layer(network_spec(card), spec, True)).__name__ == quantized
        assert type(make_layer(network_spec(card), spec, False)).__name__ == plain
        assert make_layer(network_spec(card), spec, True, prefix="p_").name == "p_" + spec.name


@pytest.mark.parametrize("entry, message", [
    ({"type": "dense2"}, "expected one of dense, relu"),
    ({"type": "dense", "units": 0}, "'model.layers[0].units': expected a positive number of units"),
    ({"type": "conv2d", "filters": 2, "kernel": [3]}, "two positive kernel/pool sizes"),
    ({"type": "reshape", "shape": [0, 4]}, "'model.layers[0].shape': expected positive sizes"),
    ({"type": "leaky_relu", "alpha": 0.3}, "a power of two below 1"),
    ({"type": "quantize", "activation_bits": 8, "activation_integer": 8},
     "'model.layers[0].activation_integer': expected integer bits from 0 to 7 on a 'quantize' layer"),
])
def test_each_type_s_own_check_refuses_bad_entries(tmp_path, entry, message):
    with pytest.raises(UserError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _card(tmp_path, [entry])
