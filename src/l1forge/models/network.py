"""Whole networks per task. Jet-ID is one stack; the anomaly-detection families add theirs."""

from __future__ import annotations

from l1forge.card import Card
from l1forge.models.layers import build_stack


def build_network(card: Card, quantized: bool = True):
    """The card's network as a Keras model (QKeras layers when `quantized`)."""
    import tensorflow as tf

    if card.task in ("autoencoder", "vae"):
        from l1forge.models.autoencoder import build_autoencoder, build_vae

        return build_autoencoder(card, quantized) if card.task == "autoencoder" \
            else build_vae(card, quantized).network
    tf.keras.utils.set_random_seed(card.training.seed)
    inputs = tf.keras.Input(shape=tuple(card.model.input_shape), name="inputs")
    outputs = build_stack(card, card.model.layers, inputs, quantized)
    suffix = "qat" if quantized else "float"
    return tf.keras.Model(inputs, outputs, name=f"{card.name}_{suffix}")
