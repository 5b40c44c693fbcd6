"""Which cost function prices a layer, by its hls4ml class: the one table of the estimator.

Adding a layer type to the estimator is one entry here and its cost function; nothing else
in report/ names hls4ml classes. Every cost function has the signature
`(layer, io: LayerIO, target: Target) -> LayerCost`.
"""

from __future__ import annotations

from dataclasses import replace

from l1forge.report.activation_cost import activation_cost, batchnorm_cost
from l1forge.report.binary_cost import threshold_cost
from l1forge.report.bits import bits_of
from l1forge.report.conv_cost import conv_cost, pooling_cost
from l1forge.report.cost import LayerCost, LayerIO, Target
from l1forge.report.da_cost import da_dense_cost
from l1forge.report.dense_cost import dense_cost
from l1forge.report.misc_cost import merge_cost, unknown_cost, wiring_cost
from l1forge.report.multipliers import product_type
from l1forge.report.recurrent_cost import recurrent_cost


def _dense(layer, io: LayerIO, target: Target) -> LayerCost:
    if io.strategy == "distributed_arithmetic":  # hls4ml's DA: da4ml's adders, no weights in the graph
        return da_dense_cost(layer, io, target)
    return dense_cost(layer, io, target, product_type(io.in_bits, bits_of(layer.weights["weight"].type.precision)))


def _convolution(layer, io: LayerIO, target: Target) -> LayerCost:
    return conv_cost(layer, io, target)


def _per_channel_convolution(layer, io: LayerIO, target: Target) -> LayerCost:
    cost = _convolution(layer, io, target)
    return replace(cost, notes=cost.notes + (f"{layer.class_name}: costed as a full convolution",))


COST_BY_CLASS = {
    "Dense": _dense,
    **dict.fromkeys(("Conv1D", "Conv2D", "PointwiseConv1D", "PointwiseConv2D", "Conv2DBatchnorm"), _convolution),
    **dict.fromkeys(("DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D"),
                    _per_channel_convolution),
    **dict.fromkeys(("Activation", "ParametrizedActivation", "HardActivation", "PReLU", "Softmax",
                     "TernaryTanh"), activation_cost),
    **dict.fromkeys(("BatchNormalization", "ApplyAlpha"), batchnorm_cost),
    **dict.fromkeys(("Pooling1D", "Pooling2D", "GlobalPooling1D", "GlobalPooling2D"), pooling_cost),
    **dict.fromkeys(("Merge", "Dot"), merge_cost),
    "BatchNormalizationQuantizedTanh": threshold_cost,
    **dict.fromkeys(("GRU", "LSTM", "Bidirectional"), recurrent_cost),
    **dict.fromkeys(("Input", "Reshape", "Flatten", "Transpose", "Repack", "Clone", "Cropping1D",
                     "Cropping2D", "ZeroPadding1D", "ZeroPadding2D", "Concatenate", "Resize"), wiring_cost),
}

# Classes whose io_stream process holds one pixel's hardware, used once per pixel.
ELEMENTWISE = frozenset(("Activation", "ParametrizedActivation", "HardActivation", "PReLU", "TernaryTanh",
                         "BatchNormalization", "ApplyAlpha", "BatchNormalizationQuantizedTanh"))


def cost_function(class_name: str):
    """The cost function of an hls4ml layer class (layers not in the table are counted as
    free, with a note saying so)."""
    return COST_BY_CLASS.get(class_name, unknown_cost)
