"""Card layers -> Keras/QKeras layers, through one registry: LAYERS maps each card layer type
to its builder and its card check. The float twin uses the same stack with plain layers.

Quantizers follow the hls4ml tutorial's QKeras jet tagger: `quantized_bits(bits, integer,
alpha=1)` for weights and biases (alpha=1 keeps the scale a power of two that hls4ml maps to
ap_fixed exactly), `quantized_relu(bits, integer)` for activations.

A new layer type is one entry in LAYERS and its builder (and, for the firmware side, one
entry in the emulator's and the estimator's registries, keyed by hls4ml class).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from l1forge.card.schema import LayerSpec
    from l1forge.models.spec import NetworkSpec


@dataclass(frozen=True)
class LayerQuant:
    """The quantizers one layer uses: its own overrides, else the card's quantization."""

    weight_bits: int
    weight_integer: int
    bias_bits: int
    bias_integer: int
    activation_bits: int
    activation_integer: int


def layer_quant(net: NetworkSpec, layer: LayerSpec) -> LayerQuant:
    q = net.quantization

    return LayerQuant(
        weight_bits=layer.weight_bits or q.weight_bits,
        weight_integer=q.weight_integer if layer.weight_integer is None else layer.weight_integer,
        bias_bits=layer.bias_bits or q.bias_bits,
        bias_integer=q.bias_integer if layer.bias_integer is None else layer.bias_integer,
        activation_bits=layer.activation_bits or q.activation_bits,
        activation_integer=(q.activation_integer if layer.activation_integer is None
                            else layer.activation_integer),
    )


def quantizer_strings(net: NetworkSpec, layer: LayerSpec) -> dict[str, str]:
    lq = layer_quant(net, layer)
    return {
        "kernel": f"quantized_bits({lq.weight_bits},{lq.weight_integer},alpha=1)",
        "bias": f"quantized_bits({lq.bias_bits},{lq.bias_integer},alpha=1)",
        "relu": f"quantized_relu({lq.activation_bits},{lq.activation_integer})",
        "leaky_relu": (f"quantized_relu({lq.activation_bits},{lq.activation_integer},"
                       "negative_slope={alpha})"),
        "quantize": f"quantized_bits({lq.activation_bits},{lq.activation_integer},alpha=1)",
        "bits": str(lq.activation_bits),
    }


def build_stack(net: NetworkSpec, layers: tuple[LayerSpec, ...], x, quantized: bool, prefix: str = ""):
    """Apply `layers` to tensor `x` and return the output tensor."""
    for layer in layers:
        x = make_layer(net, layer, quantized, prefix)(x)
    return x


# A function (net, layer spec, Keras layer) -> Keras layer applied to every layer built
# inside `wrapping_layers` (models/pruning.py wraps weighted layers for pruning with it).
_WRAP: ContextVar[Callable | None] = ContextVar("l1forge_layer_wrap", default=None)


@contextmanager
def wrapping_layers(wrap: Callable):
    token = _WRAP.set(wrap)
    try:
        yield
    finally:
        _WRAP.reset(token)


def make_layer(net: NetworkSpec, layer: LayerSpec, quantized: bool, prefix: str = ""):
    """The Keras layer of one card layer (wrapped, inside `wrapping_layers`)."""
    built = LAYERS[layer.type].build(net, layer, quantized, prefix + layer.name)
    wrap = _WRAP.get()
    return wrap(net, layer, built) if wrap is not None else built


def _regularizer(net: NetworkSpec):
    from tensorflow.keras.regularizers import l1

    return l1(net.l1_regularization) if net.l1_regularization > 0 else None


def _dense(net, layer, quantized, name):
    from tensorflow.keras import layers as kl

    if quantized:
        from qkeras import QDense

        qs = quantizer_strings(net, layer)
        return QDense(layer.units, name=name, kernel_quantizer=qs["kernel"],
                      bias_quantizer=qs["bias"], kernel_initializer="lecun_uniform",
                      kernel_regularizer=_regularizer(net))
    return kl.Dense(layer.units, name=name, kernel_initializer="lecun_uniform",
                    kernel_regularizer=_regularizer(net))


def _conv2d(net, layer, quantized, name):
    from tensorflow.keras import layers as kl

    if quantized:
        from qkeras import QConv2D

        qs = quantizer_strings(net, layer)
        return QConv2D(layer.filters, tuple(layer.kernel), name=name, padding=layer.padding,
                       kernel_quantizer=qs["kernel"], bias_quantizer=qs["bias"],
                       kernel_initializer="lecun_uniform", kernel_regularizer=_regularizer(net))
    return kl.Conv2D(layer.filters, tuple(layer.kernel), name=name, padding=layer.padding,
                     kernel_initializer="lecun_uniform", kernel_regularizer=_regularizer(net))


def _relu(net, layer, quantized, name):
    from tensorflow.keras import layers as kl

    if quantized:
        from qkeras import QActivation

        return QActivation(quantizer_strings(net, layer)["relu"], name=name)
    return kl.Activation("relu", name=name)


def _leaky_relu(net, layer, quantized, name):
    from tensorflow.keras import layers as kl

    if quantized:
        from qkeras import QActivation

        spec = quantizer_strings(net, layer)["leaky_relu"].format(alpha=layer.alpha)
        return QActivation(spec, name=name)
    return kl.LeakyReLU(alpha=layer.alpha, name=name)


def _quantize(net, layer, quantized, name):
    """quantized_bits(activation bits, activation integer bits): the signed fixed-point type
    its input is rounded (half to even) and saturated to, with no ReLU; identity in the float
    twin. After a batch normalization it narrows the normalized values before the next
    weighted layer multiplies them (the firmware gives the normalization this result type)."""
    from tensorflow.keras import layers as kl

    if quantized:
        from qkeras import QActivation

        return QActivation(quantizer_strings(net, layer)["quantize"], name=name)
    return kl.Activation("linear", name=name)


def _activation(kind: str):
    def build(net, layer, quantized, name):
        from tensorflow.keras import layers as kl

        return kl.Activation(kind, name=name)
    return build


def _keras(class_name: str, argument: Callable[[LayerSpec], tuple] | None = None):
    """A plain Keras layer, the same in the QAT network and its float twin."""
    def build(net, layer, quantized, name):
        from tensorflow.keras import layers as kl

        args = (argument(layer),) if argument else ()
        return getattr(kl, class_name)(*args, name=name)
    return build


# Card checks of one layer entry: (layer, where) -> an error text, or None when it is fine.
def _positive_units(layer, where):
    if layer.units <= 0:
        return f"{where}.units", f"a positive number of units, got {layer.units}"
    return None


def _conv_sizes(layer, where):
    if layer.filters <= 0:
        return f"{where}.filters", f"a positive number of filters, got {layer.filters}"
    return _two_sizes(layer.kernel, where)


def _pool_sizes(layer, where):
    return _two_sizes(layer.pool, where)


def _two_sizes(sizes, where):
    if len(sizes) != 2 or any(k <= 0 for k in sizes):
        return where, f"two positive kernel/pool sizes, got {list(sizes)}"
    return None


def _reshape_sizes(layer, where):
    if not layer.shape or any(d <= 0 for d in layer.shape):
        return f"{where}.shape", f"positive sizes, got {list(layer.shape)}"
    return None


def _leaky_slope(layer, where):
    mantissa, _ = math.frexp(layer.alpha)
    if not (0 < layer.alpha < 1 and mantissa == 0.5):
        return f"{where}.alpha", ("a negative slope that is a power of two below 1 (QKeras' "
                                  f"quantized_relu needs it), such as 0.25 or 0.125, got {layer.alpha}")
    return None


@dataclass(frozen=True)
class LayerKind:
    build: Callable  # (net, layer, quantized, name) -> Keras layer
    check: Callable | None = None  # (layer, where) -> (field, expected) or None
    has_weights: bool = False  # weights and biases: per-layer weight/bias bits, sparsity
    quantized_activation: bool = False  # a QKeras activation quantizer: per-layer activation bits
    # target.strategy distributed_arithmetic may build this weighted layer (hls4ml's DA as
    # da4ml shift-and-add trees), with its emulation and estimate proven: dense for now;
    # hls4ml also builds conv2d so, which l1forge does not emulate or estimate yet
    distributed_arithmetic: bool = False


LAYERS: dict[str, LayerKind] = {
    "dense": LayerKind(_dense, _positive_units, has_weights=True, distributed_arithmetic=True),
    "relu": LayerKind(_relu, quantized_activation=True),
    "leaky_relu": LayerKind(_leaky_relu, _leaky_slope, quantized_activation=True),
    "linear": LayerKind(_activation("linear")),
    "quantize": LayerKind(_quantize, quantized_activation=True),
    "softmax": LayerKind(_activation("softmax")),
    "sigmoid": LayerKind(_activation("sigmoid")),
    "tanh": LayerKind(_activation("tanh")),
    "batchnorm": LayerKind(_keras("BatchNormalization")),
    "conv2d": LayerKind(_conv2d, _conv_sizes, has_weights=True),
    "maxpool2d": LayerKind(_keras("MaxPooling2D", lambda s: tuple(s.pool)), _pool_sizes),
    "avgpool2d": LayerKind(_keras("AveragePooling2D", lambda s: tuple(s.pool)), _pool_sizes),
    "flatten": LayerKind(_keras("Flatten")),
    # permutation-invariant pooling over a set (Deep Sets): the mean or the maximum over
    # the set's elements, per feature
    "global_avgpool1d": LayerKind(_keras("GlobalAveragePooling1D")),
    "global_maxpool1d": LayerKind(_keras("GlobalMaxPooling1D")),
    "reshape": LayerKind(_keras("Reshape", lambda s: tuple(s.shape)), _reshape_sizes),
    "upsampling2d": LayerKind(_keras("UpSampling2D", lambda s: tuple(s.pool))),
}
