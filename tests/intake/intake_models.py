"""Small trained-model stand-ins, built here in every form a user brings them in.

The QKeras dense network mixes both quantizer styles: objects (`quantized_bits(6, 0)`,
`QActivation(quantized_relu(6, 2))`, as in hls4ml's tutorial) and strings. Its weights are
set from a seed, so its outputs are fixed and any loader that loses a weight shows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PART = "xcvu9p-flga2104-2-e"


def _seeded_weights(model, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = [rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()]
        for value, variable in zip(values, layer.weights):
            if "variance" in variable.name:
                value[...] = np.abs(value) + 0.5
        if values:
            layer.set_weights(values)


def qkeras_dense(seed: int = 1):
    """8 -> QDense(6) -> QActivation(relu) -> QDense(3): quantizer objects and strings."""
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu
    from tensorflow import keras

    inputs = keras.Input((8,), name="inp")
    x = QDense(6, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="fc1")(inputs)
    x = QActivation(quantized_relu(6, 2), name="relu1")(x)
    x = QDense(3, kernel_quantizer="quantized_bits(6,0,alpha=1)", bias_quantizer="quantized_bits(6,0,alpha=1)",
               name="fc2")(x)
    model = keras.Model(inputs, x, name="qdense")
    _seeded_weights(model, seed)
    return model


def qkeras_conv(seed: int = 2):
    """A small QConv2D network with a quantized batch normalization and pooling."""
    from qkeras import QActivation, QBatchNormalization, QConv2D, QDense, quantized_bits, quantized_relu
    from tensorflow import keras

    inputs = keras.Input((6, 6, 1), name="image")
    x = QConv2D(3, (3, 3), kernel_quantizer=quantized_bits(6, 0, alpha=1),
                bias_quantizer=quantized_bits(6, 0, alpha=1), name="conv")(inputs)
    x = QBatchNormalization(name="bn")(x)
    x = QActivation(quantized_relu(6, 2), name="relu")(x)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flat")(x)
    x = QDense(2, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="out")(x)
    model = keras.Model(inputs, x, name="qconv")
    _seeded_weights(model, seed)
    return model


def plain_dense(seed: int = 3):
    """A float Keras network, no QKeras."""
    from tensorflow import keras

    model = keras.Sequential([keras.Input((5,), name="x"), keras.layers.Dense(4, activation="relu", name="d1"),
                              keras.layers.Dense(2, name="d2")], name="plain")
    _seeded_weights(model, seed)
    return model


def save_every_form(model, folder: Path, stem: str) -> dict[str, Path]:
    """The model as a whole .h5, a .keras archive, and a JSON architecture + weights .h5."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"h5": folder / f"{stem}.h5", "keras": folder / f"{stem}.keras",
             "json": folder / f"{stem}.json", "weights": folder / f"{stem}_weights.h5"}
    model.save(paths["h5"])
    model.save(paths["keras"])
    paths["json"].write_text(json.dumps(json.loads(model.to_json()), indent=1))
    model.save_weights(paths["weights"])
    return paths


def hls4ml_folder(model, folder: Path, io_type: str = "io_parallel"):
    """Convert `model` the way hls4ml's documentation shows and write the project
    (hls_model.write(), no l1forge.json); returns the ModelGraph."""
    import hls4ml

    config = hls4ml.utils.config_from_keras_model(model, granularity="name")
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(folder),
                                                       part=PART, io_type=io_type)
    graph.write()
    return graph


def predict(model, x) -> np.ndarray:
    return np.asarray(model(np.asarray(x, dtype=np.float32), training=False))
