"""Tiny stand-ins for hls4ml ModelGraph nodes, so the emulator's layers can be tested on
hand-built graphs without TensorFlow or a compiler.

They expose exactly what l1forge.emulate reads from a node: name, class, inputs/outputs,
attributes, output variable (shape + precision), weights (iterated as the text hls4ml
writes: as many decimals as the type has fractional bits) and the generated config text.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from hls4ml.model.types import FixedPrecisionType, NamedType, RoundingMode, SaturationMode


def fixed(width, integer, signed=True, rounding="TRN", overflow="WRAP") -> FixedPrecisionType:
    return FixedPrecisionType(width, integer, signed, RoundingMode[rounding], SaturationMode[overflow])


class FakeWeight:
    def __init__(self, data, precision):
        self.data = np.asarray(data, dtype=np.float64)
        self.type = SimpleNamespace(precision=precision)

    def __iter__(self):
        decimals = max(0, precision_frac(self.type.precision))
        return iter([f"{v:.{decimals}f}" for v in self.data.ravel()])


def precision_frac(precision) -> int:
    return precision.width - precision.integer


class FakeNode:
    def __init__(self, name, class_name, inputs, shape, precision, attrs=None, weights=None, config=""):
        self.name, self.class_name = name, class_name
        self.inputs, self.outputs = list(inputs), [name]
        self.attributes = dict(attrs or {})
        self.weights = {k: FakeWeight(*v) for k, v in (weights or {}).items()}
        self._output = SimpleNamespace(shape=list(shape), type=SimpleNamespace(precision=precision))
        if config:
            self.attributes["config_cpp"] = config

    def get_attr(self, key, default=None):
        return self.attributes.get(key, default)

    def get_output_variable(self):
        return self._output


def named(name, precision) -> NamedType:
    return NamedType(name, precision)


class FakeGraph:
    def __init__(self, nodes, outputs=None, io_type="io_parallel"):
        self.nodes = nodes
        self.inputs = [n.name for n in nodes if n.class_name == "Input"]
        self.outputs = outputs or [nodes[-1].name]
        self.config = SimpleNamespace(get_config_value=lambda key: io_type if key == "IOType" else None)

    def get_layers(self):
        return iter(self.nodes)


def input_node(name, shape, precision) -> FakeNode:
    return FakeNode(name, "Input", [], shape, precision)


def dense_node(name, source, weights, bias, w_prec, b_prec, accum, result, strategy="latency") -> FakeNode:
    weights = np.asarray(weights, dtype=np.float64)
    return FakeNode(
        name, "Dense", [source], [weights.shape[1]], result,
        attrs={"n_in": weights.shape[0], "n_out": weights.shape[1], "strategy": strategy,
               "accum_t": named(f"{name}_accum_t", accum)},
        weights={"weight": (weights, w_prec), "bias": (bias, b_prec)},
    )


def activation_node(name, source, function, shape, result, **attrs) -> FakeNode:
    return FakeNode(name, "Activation", [source], shape, result, attrs={"activation": function, **attrs})


def dense_relu_graph() -> FakeGraph:
    """3 inputs -> Dense 2 -> ReLU into ufixed<4,1>: the small firmware the API and
    streaming tests share."""
    w = [[0.5, -0.25], [0.125, 0.75], [-1.0, 0.03125]]
    return FakeGraph([
        input_node("inp", [3], fixed(10, 4, True, "TRN", "SAT")),
        dense_node("fc", "inp", w, [0.0625, -0.5], fixed(6, 1), fixed(6, 1), fixed(24, 10), fixed(24, 10)),
        activation_node("relu", "fc", "relu", [2], fixed(4, 1, False, "RND_CONV", "SAT")),
    ])
