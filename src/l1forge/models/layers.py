"""Card layers -> Keras/QKeras layers. The float twin uses the same stack with plain layers.

Quantizers follow the hls4ml tutorial's QKeras jet tagger: `quantized_bits(bits, integer,
alpha=1)` for weights and biases (alpha=1 keeps the scale a power of two that hls4ml maps to
ap_fixed exactly), `quantized_relu(bits, integer)` for activations.
"""

from __future__ import annotations

from l1forge.card import Card, LayerSpec


def quantizer_strings(card: Card, layer: LayerSpec) -> dict[str, str]:
    q = card.quantization
    w_bits = layer.weight_bits or q.weight_bits
    a_bits = layer.activation_bits or q.activation_bits
    return {
        "kernel": f"quantized_bits({w_bits},{q.weight_integer},alpha=1)",
        "bias": f"quantized_bits({q.bias_bits},{q.bias_integer},alpha=1)",
        "relu": f"quantized_relu({a_bits},{q.activation_integer})",
        "leaky_relu": f"quantized_relu({a_bits},{q.activation_integer},negative_slope={{alpha}})",
        "bits": str(a_bits),
    }


def build_stack(card: Card, layers: tuple[LayerSpec, ...], x, quantized: bool, prefix: str = ""):
    """Apply `layers` to tensor `x` and return the output tensor."""
    for layer in layers:
        x = make_layer(card, layer, quantized, prefix)(x)
    return x


def make_layer(card: Card, layer: LayerSpec, quantized: bool, prefix: str = ""):
    from tensorflow.keras import layers as kl
    from tensorflow.keras.regularizers import l1

    name = prefix + layer.name
    reg = l1(card.training.l1_regularization) if card.training.l1_regularization > 0 else None
    qs = quantizer_strings(card, layer)
    if layer.type == "dense":
        if quantized:
            from qkeras import QDense

            return QDense(layer.units, name=name, kernel_quantizer=qs["kernel"],
                          bias_quantizer=qs["bias"], kernel_initializer="lecun_uniform",
                          kernel_regularizer=reg)
        return kl.Dense(layer.units, name=name, kernel_initializer="lecun_uniform",
                        kernel_regularizer=reg)
    if layer.type == "conv2d":
        if quantized:
            from qkeras import QConv2D

            return QConv2D(layer.filters, tuple(layer.kernel), name=name, padding=layer.padding,
                           kernel_quantizer=qs["kernel"], bias_quantizer=qs["bias"],
                           kernel_initializer="lecun_uniform", kernel_regularizer=reg)
        return kl.Conv2D(layer.filters, tuple(layer.kernel), name=name, padding=layer.padding,
                         kernel_initializer="lecun_uniform", kernel_regularizer=reg)
    if layer.type in ("relu", "leaky_relu"):
        if quantized:
            from qkeras import QActivation

            spec = qs[layer.type].format(alpha=layer.alpha)
            return QActivation(spec, name=name)
        if layer.type == "leaky_relu":
            return kl.LeakyReLU(alpha=layer.alpha, name=name)
        return kl.Activation("relu", name=name)
    if layer.type in ("softmax", "sigmoid", "tanh", "linear"):
        return kl.Activation(layer.type, name=name)
    if layer.type == "batchnorm":
        return kl.BatchNormalization(name=name)
    if layer.type == "maxpool2d":
        return kl.MaxPooling2D(tuple(layer.pool), name=name)
    if layer.type == "avgpool2d":
        return kl.AveragePooling2D(tuple(layer.pool), name=name)
    if layer.type == "upsampling2d":
        return kl.UpSampling2D(tuple(layer.pool), name=name)
    if layer.type == "flatten":
        return kl.Flatten(name=name)
    if layer.type == "reshape":
        return kl.Reshape(tuple(layer.shape), name=name)
    raise ValueError(f"layer type {layer.type} has no builder")
