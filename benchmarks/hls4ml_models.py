"""hls4ml projects written the way hls4ml's own users write them, for the benchmarks: not
l1forge cards, and with the narrow default accumulator whose truncated products must be
added in firmware order.

- `qkeras_mlp`: the QKeras 16-64-32-32-5 jet tagger of hls4ml's tutorial (6-bit weights,
  quantized_relu(6), softmax), input and every accumulator ap_fixed<16,6>: each product
  drops 5 bits, so no matrix product gives the firmware's sums.
- `stream_cnn`: a small 2-D CNN in io_stream (16x16x1 image, two 3x3 QConv2D + ReLU with
  a 2x2 max pooling between, a QDense to 5 classes, softmax), converted with the model-wide
  default ap_fixed<16,6> (accumulators included).
Weights are the quantized random initialisation (seeded): speed depends on the shapes and
types, not on training.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ACCUM = "ap_fixed<16,6>"


def qkeras_mlp():
    import tensorflow as tf
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu
    from tensorflow.keras import layers as kl

    tf.random.set_seed(7)
    inp = kl.Input((16,), name="inp")
    x = inp
    for i, units in enumerate([64, 32, 32]):
        x = QDense(units, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
                   name=f"fc{i + 1}")(x)
        x = QActivation(quantized_relu(6), name=f"relu{i + 1}")(x)
    x = QDense(5, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="output")(x)
    model = tf.keras.Model(inp, kl.Activation("softmax", name="softmax")(x))
    return model


def stream_cnn():
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense, quantized_bits, quantized_relu
    from tensorflow.keras import layers as kl

    tf.random.set_seed(8)
    q = quantized_bits(6, 0, alpha=1)
    inp = kl.Input((16, 16, 1), name="inp")
    x = QConv2D(8, 3, kernel_quantizer=q, bias_quantizer=q, name="conv1")(inp)
    x = QActivation(quantized_relu(6), name="relu1")(x)
    x = kl.MaxPooling2D(2, name="pool1")(x)
    x = QConv2D(8, 3, kernel_quantizer=q, bias_quantizer=q, name="conv2")(x)
    x = QActivation(quantized_relu(6), name="relu2")(x)
    x = kl.Flatten(name="flatten")(x)
    x = QDense(5, kernel_quantizer=q, bias_quantizer=q, name="output")(x)
    return tf.keras.Model(inp, kl.Activation("softmax", name="softmax")(x))


def convert(name: str, folder: Path):
    """(the converted and compiled ModelGraph, its input shape) of model `name`."""
    import hls4ml

    if name == "qkeras_mlp":
        model = qkeras_mlp()
        config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
        config["LayerName"]["inp"]["Precision"]["result"] = ACCUM
        for layer in ("fc1", "fc2", "fc3", "output"):
            config["LayerName"][layer]["Precision"]["accum"] = ACCUM
        io_type = "io_parallel"
    else:
        model = stream_cnn()
        config = hls4ml.utils.config_from_keras_model(model, granularity="model", backend="Vitis")
        io_type = "io_stream"
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(folder / name),
                                                       backend="Vitis", io_type=io_type)
    graph.compile()
    return graph, tuple(model.input_shape[1:])


def events(shape: tuple, count: int, seed: int = 3) -> np.ndarray:
    """Standardized-looking inputs: normal with unit width (a fifth of them zero, as
    empty pixels or padded features are)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (count, *shape))
    x[rng.random(x.shape) < 0.2] = 0.0
    return x
