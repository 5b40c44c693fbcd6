"""Power-of-two weights, binary/ternary networks, depthwise convolution, cropping and the
newer activations against hls4ml's
compiled firmware (g++), bit for bit, on 5,000 events with range edges.

Two small models, each converted and compiled once per module:
- weights: QKeras quantized_po2 (Dense and Conv2D; one of each whose shifts drop bits), a depthwise Conv2D, a Cropping2D,
  an auto_po2 alpha (ApplyAlpha with power-of-two scales), ternary weights with binary_tanh, an
  XNOR chain (binary Dense -> BatchNormalizationQuantizedTanh -> XNOR Dense -> thresholds ->
  Dense on binary data) and a ternary chain;
- activations, converted from a Keras JSON + weights file as hls4ml's `KerasJson` route does
  (so an activation named relu1 reaches nnet::relu1): relu1, relu6, thresholded ReLU, hard
  sigmoid, QKeras quantized_tanh / quantized_sigmoid (hard activations), PReLU, ternary and
  binary QActivations, softplus, softsign, selu.
"""

from __future__ import annotations

import re
import shutil

import bit_exact
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to compile the firmware")

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from qkeras import (QActivation, QConv2D, QDense, binary, quantized_bits, quantized_po2,  # noqa: E402
                    quantized_relu, quantized_sigmoid, quantized_tanh, ternary)
from tensorflow.keras import layers as kl  # noqa: E402

from l1forge import emulate  # noqa: E402

EVENTS = 5_000


def edge_events(shape, lsb, limit, seed):
    return bit_exact.edge_events(shape, lsb, limit, seed, EVENTS)


def batchnorm_weights(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, kl.BatchNormalization):
            n = layer.get_weights()[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 2, n), rng.uniform(-1, 1, n), rng.uniform(-1, 1, n),
                               rng.uniform(0.5, 3, n)])


def weights_model():
    tf.random.set_seed(11)
    inp = kl.Input((5, 5, 2), name="inp")
    conv = QConv2D(3, (3, 3), kernel_quantizer=quantized_po2(4, 1), bias_quantizer=quantized_bits(8, 3, alpha=1),
                   bias_initializer="glorot_uniform", name="po2_conv")(inp)
    narrow = QActivation(quantized_relu(6, 2), name="narrow")(inp)
    conv_drop = QConv2D(2, (2, 2), padding="same", kernel_quantizer=quantized_po2(5, 4), name="po2_conv_drop")(narrow)
    flat = kl.Flatten(name="flat")(inp)
    po2 = QDense(6, kernel_quantizer=quantized_po2(4), bias_quantizer=quantized_bits(6, 2, alpha=1),
                 bias_initializer="glorot_uniform", name="po2_d1")(flat)
    po2 = QActivation(quantized_relu(6, 2), name="po2_relu")(po2)
    po2 = QDense(4, kernel_quantizer=quantized_po2(5, 4), name="po2_d2")(po2)
    tern = QDense(10, kernel_quantizer=ternary(alpha=1), bias_quantizer=quantized_bits(5, 2), name="t_dense")(flat)
    tern = QActivation("binary_tanh", name="t_sign")(tern)
    xnor = QDense(12, kernel_quantizer=binary(), bias_quantizer=binary(), name="x_d1")(flat)
    xnor = QActivation(binary(), name="x_a1")(kl.BatchNormalization(name="x_bn1")(xnor))
    xnor = QDense(7, kernel_quantizer=binary(), bias_quantizer=binary(), name="x_d2")(xnor)
    xnor = QActivation(binary(), name="x_a2")(kl.BatchNormalization(name="x_bn2")(xnor))
    xnor = QDense(5, kernel_quantizer=quantized_bits(6, 1, alpha=1), bias_quantizer=quantized_bits(6, 1, alpha=1),
                  name="x_d3")(xnor)
    ter2 = QDense(12, kernel_quantizer=ternary(), bias_quantizer=quantized_bits(5, 2), name="y_d1")(flat)
    ter2 = QActivation(ternary(), name="y_a1")(kl.BatchNormalization(name="y_bn1")(ter2))
    ter2 = QDense(6, kernel_quantizer=ternary(), bias_quantizer=ternary(), name="y_d2")(ter2)
    ter2 = QActivation("ternary", name="y_a2")(kl.BatchNormalization(name="y_bn2")(ter2))
    depth = kl.DepthwiseConv2D((3, 3), padding="same", bias_initializer="glorot_uniform", name="dw")(inp)
    crop = kl.Cropping2D(((1, 0), (0, 2)), name="crop")(inp)
    sep = kl.SeparableConv2D(2, (2, 2), bias_initializer="glorot_uniform", name="sep")(inp)  # depthwise + pointwise
    bits = QConv2D(3, (2, 2), kernel_quantizer=binary(), bias_quantizer=binary(), name="xc1")(inp)
    bits = QActivation(binary(), name="xc_a1")(kl.BatchNormalization(name="xc_bn1")(bits))
    bits = QConv2D(2, (2, 2), padding="same", kernel_quantizer=binary(), bias_quantizer=binary(), name="xc2")(bits)
    outputs = [kl.Flatten(name=f"{name}_out")(t)
               for name, t in (("conv", conv), ("conv_drop", conv_drop), ("dw", depth), ("crop", crop), ("sep", sep),
                               ("xc", bits))]
    alpha = QDense(6, kernel_quantizer=quantized_bits(4, 0, alpha="auto_po2"), bias_quantizer=quantized_bits(4, 0, alpha=1),
                   name="a_dense")(flat)  # hls4ml adds an ApplyAlpha with power-of-two scales
    alpha = QActivation(quantized_relu(4, 0), name="a_relu")(alpha)
    model = tf.keras.Model(inp, [*outputs, po2, tern, xnor, ter2, alpha])
    batchnorm_weights(model, 12)
    # exponents down to -8 on a 4-fractional-bit input: the firmware's shift drops bits there
    choices = [2.0**-8, -(2.0**-7), 2.0**-3, -1.0, 0.5, -(2.0**-6)]
    for seed, name in enumerate(("po2_d2", "po2_conv_drop")):
        layer = model.get_layer(name)
        kernel, bias = layer.get_weights()
        layer.set_weights([np.random.default_rng(14 + seed).choice(choices, size=kernel.shape), bias])
    return model


def activations_model():
    tf.random.set_seed(13)
    inp = kl.Input((8,), name="inp")
    d = kl.Dense(8, bias_initializer="glorot_uniform", name="d")(inp)
    outputs = [
        kl.Activation(tf.nn.relu6, name="r1")(d),  # renamed relu1 in the JSON below
        kl.Activation(tf.nn.relu6, name="r6")(d),
        kl.ThresholdedReLU(0.3, name="th")(d),
        kl.Activation("hard_sigmoid", name="hs")(d),
        QActivation(quantized_tanh(8), name="qt")(d),
        QActivation(quantized_sigmoid(5), name="qs")(d),
        kl.PReLU(alpha_initializer="glorot_uniform", name="pr")(d),
        QActivation(ternary(), name="tt")(d),
        QActivation(binary(), name="bt")(d),
        kl.Activation("softplus", name="sp")(d),
        kl.Activation("softsign", name="ss")(d),
        kl.Activation("selu", name="se")(d),
    ]
    return tf.keras.Model(inp, outputs)


def compiled(graph, x):
    """(emulator outputs, hls4ml's compiled outputs), each flattened per event and joined."""
    ours = emulate.from_graph(graph).predict(x)
    graph.compile()
    theirs = graph.predict(np.ascontiguousarray(x))
    ours, theirs = (o if isinstance(o, list) else [o] for o in (ours, theirs))
    assert len(ours) == len(theirs)
    join = lambda arrays: np.concatenate([np.asarray(a).reshape(len(x), -1) for a in arrays], axis=1)  # noqa: E731
    return join(ours), join(theirs)


@pytest.fixture(scope="module")
def weights_graph(tmp_path_factory):
    model = weights_model()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    # a saturating accumulator and rounded products: the depthwise sums run in the firmware's order
    config["LayerName"]["dw"]["Precision"] = {"weight": "fixed<8,1,RND>", "accum": "fixed<12,4,RND,SAT>",
                                              "result": "fixed<10,3,RND,SAT>"}
    config["LayerName"]["crop"]["Precision"] = {"result": "fixed<8,2,RND,SAT>"}
    out = tmp_path_factory.mktemp("weights") / "prj"
    return hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(out),
                                                      backend="Vitis", io_type="io_parallel")


@pytest.fixture(scope="module")
def activations_graph(tmp_path_factory):
    model = activations_model()
    folder = tmp_path_factory.mktemp("activations")
    text = model.to_json().replace('"relu6"', '"relu1"', 1)
    (folder / "model.json").write_text(text)
    model.save_weights(folder / "weights.h5")
    layers = {"d": {"Precision": {"result": "fixed<14,5,RND,SAT>", "accum": "fixed<24,8>"}},
              "r1": {"Precision": {"result": "ufixed<6,1,RND,SAT>"}},
              "th": {"Precision": {"result": "fixed<10,3,RND,SAT>"}},
              "se": {"Precision": {"result": "fixed<12,4,RND,SAT>"}},
              "sp": {"table_size": 512}}
    config = {"KerasJson": str(folder / "model.json"), "KerasH5": str(folder / "weights.h5"),
              "OutputDir": str(folder / "prj"), "ProjectName": "acts", "Backend": "Vitis", "IOType": "io_parallel",
              "HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1}, "LayerName": layers}}
    return hls4ml.converters.keras_v2_to_hls(config)


def test_po2_binary_ternary_weights_equal_compiled_firmware(weights_graph):
    classes = [layer.class_name for layer in weights_graph.get_layers()]
    assert classes.count("BatchNormalizationQuantizedTanh") == 5
    assert {"DepthwiseConv2D", "PointwiseConv2D", "Cropping2D", "ApplyAlpha"} <= set(classes)
    products = {layer.name: re.search(r"product::(\w+)<", layer.get_attr("config_cpp") or "").group(1)
                for layer in weights_graph.get_layers() if layer.class_name in ("Dense", "Conv2D")}
    assert {"weight_exponential", "weight_binary", "both_binary", "data_binary", "weight_ternary"} <= set(
        products.values()), products
    kinds = {step.name: step.kind for step in emulate.from_graph(weights_graph).steps}
    assert kinds["po2_d2"] == "Dense(po2 shifts)" and kinds["x_d2"] == "Dense(xnor)", kinds
    assert kinds["xc2"] == "Conv2D(xnor)" and kinds["po2_conv_drop"] == "Conv2D(po2 shifts)", kinds
    x = edge_events((5, 5, 2), 2**-10, 8.0, 21)
    ours, theirs = compiled(weights_graph, x)
    bad = np.flatnonzero(np.any(ours != theirs, axis=1))
    assert bad.size == 0, f"{bad.size} events differ, first {bad[:5]}"
    assert len(np.unique(ours)) > 20  # outputs vary: not a constant that would match by accident


def test_new_activations_equal_compiled_firmware(activations_graph):
    functions = {str(layer.get_attr("activation")).lower() for layer in activations_graph.get_layers()}
    assert {"relu1", "relu6", "thresholdedrelu", "hard_sigmoid", "hard_tanh", "prelu", "softplus", "softsign",
            "selu", "binary_tanh"} <= functions, functions
    x = edge_events((8,), 2**-10, 16.0, 22)
    ours, theirs = compiled(activations_graph, x)
    bad = np.flatnonzero(np.any(ours != theirs, axis=1))
    assert bad.size == 0, f"{bad.size} events differ, first {bad[:5]}"
    assert len(np.unique(ours)) > 100


def test_po2_and_binary_layers_take_no_dsp(weights_graph):
    from l1forge.report.estimate import estimate_graph

    estimate = estimate_graph(weights_graph, 5.0, "io_parallel", "Vitis HLS", (27, 18))
    rows = {row["name"]: row for row in estimate["per_layer"]}
    for name in ("po2_conv", "po2_d1", "po2_d2", "t_dense", "x_d1", "x_d2"):
        assert rows[name]["dsp"] == 0, rows[name]
    assert any(row["kind"].startswith("threshold") for row in rows.values())
