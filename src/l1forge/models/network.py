"""A classifier network from a card: the card's layer stack on its input shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from l1forge.models.layers import build_stack

if TYPE_CHECKING:
    from l1forge.models.spec import NetworkSpec


def build_network(net: NetworkSpec, quantized: bool = True):
    """The card's network as a Keras model (QKeras layers when `quantized`)."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(net.seed)
    inputs = tf.keras.Input(shape=tuple(net.input_shape), name="inputs")
    outputs = build_stack(net, net.layers, inputs, quantized)
    suffix = "qat" if quantized else "float"
    return tf.keras.Model(inputs, outputs, name=f"{net.name}_{suffix}")
