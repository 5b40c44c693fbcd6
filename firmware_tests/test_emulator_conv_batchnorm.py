"""QKeras' QConv2DBatchnorm against hls4ml's compiled firmware (g++), bit for bit: hls4ml
stores it as Conv2DBatchnorm, the normalization folded into the kernel and bias it keeps,
and the firmware runs the Conv2D template on them (emulate/graph.py). Built the way the
public RHEED CNN was (Vivado backend, Resource strategy, io_stream), where hls4ml stores the
folded kernel filters-first and its resource pass moves the axes once more: the emulator
reads the flat array as the firmware does (conv._conv_step)."""

from __future__ import annotations

import numpy as np
import pytest

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from qkeras import QActivation, QConv2DBatchnorm, quantized_bits, quantized_relu  # noqa: E402
from tensorflow.keras import layers as kl  # noqa: E402

from l1forge import emulate  # noqa: E402


def test_a_folded_conv_batchnorm_equals_the_firmware(tmp_path):
    tf.random.set_seed(9)
    inp = kl.Input((6, 6, 2), name="inp")
    x = QConv2DBatchnorm(3, (3, 3), kernel_quantizer=quantized_bits(8, 2, alpha=1),
                         bias_quantizer=quantized_bits(8, 2, alpha=1), name="convbn")(inp)
    x = QActivation(quantized_relu(8, 3), name="relu")(x)
    model = tf.keras.Model(inp, kl.Flatten(name="flat")(x))
    rng = np.random.default_rng(3)
    model(rng.normal(size=(64, 6, 6, 2)), training=True)  # moving statistics away from 0 and 1
    bn = model.get_layer("convbn")
    weights = bn.get_weights()
    bn.set_weights([w if w.ndim > 1 else rng.uniform(0.5, 1.5, w.shape) for w in weights])
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    config["Model"]["Strategy"] = "Resource"
    config["LayerName"]["convbn"].update(Strategy="Resource", ReuseFactor=3)
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(tmp_path / "prj"),
                                                       backend="Vivado", io_type="io_stream")
    assert "Conv2DBatchnorm" in [layer.class_name for layer in graph.get_layers()]
    x = rng.normal(0, 4, (3000, 6, 6, 2))
    x[:100] = 40 * np.sign(x[:100])  # beyond the input type: saturated and wrapped inputs
    ours = emulate.from_graph(graph).predict(x)
    graph.compile()
    theirs = np.asarray(graph.predict(np.ascontiguousarray(x))).reshape(ours.shape)
    assert np.array_equal(ours, theirs)
