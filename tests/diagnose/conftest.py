"""One small trained classifier (16-64-32-32-5, softmax) and its verification events,
built once per session, and a helper converting it with hls4ml's default types plus
a few planted changes."""

from __future__ import annotations

import numpy as np
import pytest
from diagnose_models import convert

EVENTS = 1000


@pytest.fixture(scope="session")
def trained_classifier():
    """(model with weights on the firmware grid, events, the weights as trained)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input((16,), name="input_1")
    hidden = tf.keras.layers.Dense(64, activation="relu", name="fc1")(inputs)
    hidden = tf.keras.layers.Dense(32, activation="relu", name="fc2")(hidden)
    hidden = tf.keras.layers.Dense(32, activation="relu", name="fc3")(hidden)
    outputs = tf.keras.layers.Dense(5, activation="softmax", name="output")(hidden)
    model = tf.keras.Model(inputs, outputs)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 16)).astype(np.float32)
    labels = (2 * x[:, :5] + x[:, 5:10]).argmax(axis=1)  # learnable: logits of realistic spread
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, labels, epochs=4, batch_size=128, verbose=0)
    # Weights on the grid of hls4ml's default ap_fixed<16,6> (LSB 2^-10): the only departures
    # from Keras are then the planted ones, not weight rounding carried through the layers.
    trained = model.get_weights()
    model.set_weights([np.round(w * 1024) / 1024 for w in trained])
    return model, rng.normal(size=(EVENTS, 16)), trained


@pytest.fixture(scope="session")
def classifier(trained_classifier):
    return trained_classifier[:2]


@pytest.fixture(scope="session")
def trained_weights(trained_classifier):
    """The classifier's weights as trained, before they were put on the firmware grid."""
    return trained_classifier[2]


@pytest.fixture(scope="session")
def default_graph(classifier):
    return convert(classifier[0])
