"""Graph layers matched to Keras tensors across hls4ml's optimizer: fused batch
normalization, removed Dropout, split activations; QKeras layers compared bit for bit."""

from __future__ import annotations

import numpy as np
from diagnose_models import convert

from l1forge.diagnose import diagnose


def _set_random_weights(model, seed):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(scale=0.5, size=w.shape) for w in model.get_weights()]
    for layer in model.layers:  # batch normalization variances must stay positive
        if type(layer).__name__ == "BatchNormalization":
            index = sum(len(earlier.get_weights()) for earlier in model.layers[:model.layers.index(layer)])
            weights[index + 3] = rng.uniform(0.5, 2.0, size=weights[index + 3].shape)
    model.set_weights(weights)


def test_fused_batchnorm_and_removed_dropout_are_compared_where_they_end():
    import tensorflow as tf

    inputs = tf.keras.Input((8,), name="in")
    hidden = tf.keras.layers.Dense(16, name="d1")(inputs)
    hidden = tf.keras.layers.BatchNormalization(name="bn1")(hidden)
    hidden = tf.keras.layers.Activation("relu", name="act1")(hidden)
    hidden = tf.keras.layers.Dropout(0.1, name="drop")(hidden)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(3, name="d2")(hidden))
    _set_random_weights(model, 1)
    graph = convert(model)
    assert [node.name for node in graph.get_layers()] == ["in", "d1", "act1", "d2"]
    found = diagnose(graph, model, np.random.default_rng(2).normal(size=(300, 8)))
    assert found.layer("d1").keras_layer == "bn1" and "bn1" in found.layer("d1").note
    assert found.layer("act1").keras_layer == "drop"
    assert found.keras_only == ()
    assert found.first_divergent_layer is None and found.cause is None and found.fix is None
    assert found.argmax_agreement is None  # no softmax: not a classifier


def test_qkeras_layers_agree_within_one_lsb_and_show_their_clipping():
    import tensorflow as tf
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu

    inputs = tf.keras.Input((8,), name="in")
    hidden = QDense(16, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
                    name="q1")(inputs)
    hidden = QActivation(quantized_relu(6, 2), name="qa1")(hidden)
    outputs = QDense(3, kernel_quantizer="quantized_bits(6,0,alpha=1)", bias_quantizer="quantized_bits(6,0,alpha=1)",
                     activation="quantized_relu(8,3)", name="q2")(hidden)
    model = tf.keras.Model(inputs, outputs)
    _set_random_weights(model, 3)
    graph = convert(model)
    x = np.round(np.random.default_rng(4).normal(scale=2.0, size=(300, 8)) * 16) / 16  # on the input grid
    found = diagnose(graph, model, x)
    for row in found.layers:
        assert row.quantized and row.agreement == 1.0 and row.max_lsb_error == 0.0, row
    assert found.layer("q2").note.startswith("Keras q2 before its activation")
    assert found.layer("qa1").saturated > 0  # quantized_relu(6, 2) clips at 4, in Keras as in firmware


def test_a_recurrent_layers_cell_activation_is_not_split_off():
    """hls4ml splits a Dense's activation into its own layer but applies an LSTM's or GRU's
    inside every step: the recurrent layer is compared with Keras' output, not its
    pre-activation (which would set every LSTM apart from its firmware)."""
    import tensorflow as tf

    from l1forge.diagnose.mapping import has_builtin_activation

    assert has_builtin_activation(tf.keras.layers.Dense(3, activation="relu"))
    assert not has_builtin_activation(tf.keras.layers.Dense(3))
    for layer in (tf.keras.layers.LSTM(3), tf.keras.layers.GRU(3), tf.keras.layers.SimpleRNN(3, activation="relu")):
        assert not has_builtin_activation(layer)
