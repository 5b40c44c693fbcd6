"""hls4ml configuration chosen for any card: batch normalization types and convolution
parallelization apply to every task, not only to the anomaly-detection cards."""

import yaml

from l1forge.card_specs import firmware_spec, network_spec
from l1forge.tasks import load_card
from l1forge.firmware import hls_config
from l1forge.firmware.passes import BATCHNORM_TYPES
from l1forge.models.network import build_network

LAYERS = [
    {"type": "batchnorm", "name": "bn"},
    {"type": "reshape", "name": "image", "shape": [4, 4, 1]},
    {"type": "conv2d", "name": "conv", "filters": 2, "kernel": [3, 3], "padding": "valid"},
    {"type": "relu", "name": "conv_act"},
    {"type": "flatten", "name": "flat"},
    {"type": "dense", "name": "out", "units": 5},
    {"type": "softmax", "name": "softmax"},
]


def _card(tmp_path, reuse_factor):
    raw = {"name": "jet_cnn", "task": "jet_id",
           "model": {"input_shape": [16], "layers": LAYERS},
           "target": {"reuse_factor": reuse_factor}}
    path = tmp_path / "jet_cnn.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_card(path)


def test_a_jet_id_card_with_batchnorm_and_conv_gets_the_firmware_settings(tmp_path):
    card = _card(tmp_path, 1)
    layers = hls_config(firmware_spec(card), build_network(network_spec(card)))["LayerName"]
    assert layers["bn"]["Precision"]["result"] == BATCHNORM_TYPES["result"].config_string()
    assert layers["bn"]["Precision"]["scale"] == BATCHNORM_TYPES["scale"].config_string()
    assert layers["conv"]["ParallelizationFactor"] == 4  # 2 x 2 output pixels: II = 1
    assert "ParallelizationFactor" not in layers["out"]


def test_with_a_reuse_factor_the_convolution_keeps_hls4ml_s_pixel_loop(tmp_path):
    card = _card(tmp_path, 2)
    layers = hls_config(firmware_spec(card), build_network(network_spec(card)))["LayerName"]
    assert layers["conv"].get("ParallelizationFactor", 1) == 1  # hls4ml's default


def test_a_quantize_layer_after_batchnorm_gives_the_normalization_its_type(tmp_path):
    """quantized_bits(12, 7) rounds half to even and saturates: the normalization's result
    becomes ap_fixed<12, 8, RND_CONV, SAT> (hls4ml removes the linear activation); the QAT
    twin rounds there, the float twin passes the value through."""
    import numpy as np

    raw = {"name": "jet_bnq", "task": "jet_id",
           "model": {"input_shape": [16], "layers": [
               {"type": "batchnorm", "name": "bn"},
               {"type": "quantize", "name": "bn_q", "activation_bits": 12, "activation_integer": 7},
               {"type": "dense", "name": "out", "units": 5},
               {"type": "softmax", "name": "softmax"}]}}
    path = tmp_path / "jet_bnq.yaml"
    path.write_text(yaml.safe_dump(raw))
    card = load_card(path)
    network = build_network(network_spec(card))
    layers = hls_config(firmware_spec(card), network)["LayerName"]
    assert layers["bn"]["Precision"]["result"] == "fixed<12,8,RND_CONV,SAT>"
    assert layers["bn"]["Precision"]["scale"] == BATCHNORM_TYPES["scale"].config_string()
    quantizer = network.get_layer("bn_q")
    x = np.array([[0.03125, 0.09375, 200.0, -0.0625]], dtype="float32")
    assert np.asarray(quantizer(x)).tolist() == [[0.0, 0.125, 127.9375, -0.0625]]
