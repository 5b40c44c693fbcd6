"""Piecewise-linear activations of nnet_activation.h beyond ReLU and leaky ReLU:
relu1 / relu6 (`relu_max`), thresholded ReLU, PReLU, and the hard sigmoid / hard tanh that
QKeras' quantized_sigmoid / quantized_tanh and Keras' hard_sigmoid become.

Every comparison is exact (codes on a common grid); every result is one assignment to the
output type, with its rounding and overflow modes.

- relu_max<M>: x < 0 gives 0, x > M gives res_T(M) (an int converted), else res_T(x).
- thresholded_relu: x > theta gives res_T(x), else 0; theta is the call's literal as param_T.
- prelu: x > 0 gives res_T(x), else res_T(alpha[i] * x), alpha a param_t weight per value.
- hard_sigmoid: s = slope * x + shift in full precision (an `auto` ap_fixed expression),
  clipped to [0, 1] by assigning 1 or 0 to s itself, then res_T(s); hard_tanh: res_T(2 s - 1).
"""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.activations import _call_arguments
from l1forge.emulate.quantize import cast_codes, quantize_real
from l1forge.emulate.signals import Signal, Step, typed_signal
from l1forge.errors import UserError

RELU_MAX = {"relu1": 1, "relu6": 6}


def _grid(codes: np.ndarray, frac: int, grid: int) -> np.ndarray:
    return codes << np.int64(grid - frac)


class ReluMaxStep(Step):
    """nnet::relu1 / nnet::relu6."""

    def __init__(self, node, x: Signal, function: str):
        self.name, self.kind = node.name, function
        self.inputs = (node.inputs[0],)
        self.x, self.dst, self.limit = x, nodes.output_type(node), RELU_MAX[function]
        self.grid = max(x.ftype.frac, 0)
        self.top = int(cast_codes(np.array([self.limit << self.grid], dtype=np.int64), self.grid, self.dst)[0])
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                                   self.dst.code_min, self.dst.code_max)

    def run(self, arrays, tally):
        codes = _grid(self.x.codes(arrays[0]), self.x.ftype.frac, self.grid)
        inside = np.clip(codes, 0, None)
        cast = cast_codes(inside, self.grid, self.dst, tally, self.name)
        out = np.where(codes > (self.limit << self.grid), self.top, cast)
        return out.astype(self.output.dtype)


class ThresholdedReluStep(Step):
    """nnet::thresholded_relu."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, "thresholded_relu"
        self.inputs = (node.inputs[0],)
        args = _call_arguments(node)
        literal = args[1] if len(args) == 3 else str(node.get_attr("activ_param", 1.0))
        param_t = nodes.named_type(node, "param_t")
        theta = int(quantize_real(float(literal), param_t)[0])
        self.x, self.dst = x, nodes.output_type(node)
        self.grid = max(x.ftype.frac, param_t.frac, 0)
        self.theta = theta << (self.grid - param_t.frac)
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                                   self.dst.code_min, self.dst.code_max)

    def run(self, arrays, tally):
        codes = _grid(self.x.codes(arrays[0]), self.x.ftype.frac, self.grid)
        kept = np.where(codes > self.theta, codes, 0)
        return cast_codes(kept, self.grid, self.dst, tally, self.name).astype(self.output.dtype)


class PReluStep(Step):
    """nnet::prelu: one alpha per value."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, "prelu"
        self.inputs = (node.inputs[0],)
        alpha, a_type = nodes.weight_codes(node, "param")
        alpha = alpha.reshape(-1)
        if alpha.size != x.size:
            raise UserError(f"{nodes.where(node)}: {alpha.size} alphas for {x.size} inputs; expected one per value")
        self.x, self.dst, self.a_frac = x, nodes.output_type(node), a_type.frac
        self.grid = x.ftype.frac + max(a_type.frac, 0)
        self.alpha = alpha.astype(np.int64) << np.int64(max(-a_type.frac, 0))
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                                   self.dst.code_min, self.dst.code_max)

    def run(self, arrays, tally):
        codes = self.x.codes(arrays[0])
        positive = codes << np.int64(self.grid - self.x.ftype.frac)
        products = codes * self.alpha  # on grid x.frac + alpha.frac (alpha made integer-gridded)
        out = np.where(codes > 0, positive, products)
        return cast_codes(out, self.grid, self.dst, tally, self.name).astype(self.output.dtype)


def _constant(node, name: str):
    """A hard activation's static constant: the literal of its config, as its declared type."""
    match = re.search(rf"::{name}\s*=\s*([^;]+);", nodes.config_text(node))
    if not match:
        raise UserError(f"{nodes.where(node)}: generated config has no {name}")
    ftype = nodes.named_type(node, f"{name}_t")
    return int(quantize_real(float(match.group(1)), ftype)[0]), ftype


def _sum_type_holds_one(x, slope_t, shift_t) -> bool:
    """Whether the `auto` type of slope * x + shift (ap_fixed's exact product and sum types)
    can hold the 1 the clip assigns to it."""
    p_int = x.integer + slope_t.integer
    p_signed = x.signed or slope_t.signed
    signed = p_signed or shift_t.signed
    # a sum widens the integer part by one bit (plus one when an unsigned operand meets a signed one)
    ints = max(p_int + (signed and not p_signed), shift_t.integer + (signed and not shift_t.signed)) + 1
    return ints - (1 if signed else 0) >= 1


class HardActivationStep(Step):
    """nnet::hard_sigmoid / nnet::hard_tanh."""

    def __init__(self, node, x: Signal):
        function = str(node.get_attr("activation")).lower()
        self.name, self.kind = node.name, function
        self.inputs = (node.inputs[0],)
        if function not in ("hard_sigmoid", "hard_tanh"):
            raise UserError(f"{nodes.where(node)}: hard activation '{function}'; expected hard_sigmoid or hard_tanh")
        self.slope, slope_t = _constant(node, "slope")
        self.shift, shift_t = _constant(node, "shift")
        if not _sum_type_holds_one(x.ftype, slope_t, shift_t):
            raise UserError(f"{nodes.where(node)}: slope * x + shift cannot hold the clip value 1 for input {x.ftype}; "
                            "such a hard activation is not emulated")
        self.x, self.dst, self.tanh = x, nodes.output_type(node), function == "hard_tanh"
        self.p_frac = x.ftype.frac + slope_t.frac
        self.grid = max(self.p_frac, shift_t.frac, 0)
        self.shift_grid = self.shift << (self.grid - shift_t.frac)
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                                   self.dst.code_min, self.dst.code_max)

    def run(self, arrays, tally):
        codes = self.x.codes(arrays[0])
        s = (codes * self.slope) << np.int64(self.grid - self.p_frac)
        s += self.shift_grid
        one = np.int64(1) << np.int64(self.grid)
        s = np.clip(s, 0, one)
        if self.tanh:
            s = 2 * s - one
        return cast_codes(s, self.grid, self.dst, tally, self.name).astype(self.output.dtype)


def build_activation(node, inputs: list[Signal], request_scale) -> Step:
    """Every element-wise activation: the ones of this module and binary.py, the rest
    (linear, relu, leaky_relu, elu, sigmoid, tanh) by activations.py, softplus, softsign
    and selu by extra_tables.py."""
    from l1forge.emulate import activations, binary, extra_tables, wide

    function = str(node.get_attr("activation")).lower()
    if function in RELU_MAX:
        return ReluMaxStep(node, inputs[0], function)
    if function == "thresholdedrelu":
        return ThresholdedReluStep(node, inputs[0])
    if function in ("softplus", "softsign", "selu"):
        return extra_tables.build_table_activation(node, inputs[0], function)
    if function in ("binary_tanh", "ternary_tanh"):
        return binary.SignActivationStep(node, inputs[0], function)
    if function in ("linear", "relu") and wide.needs_wide_cast(inputs[0], nodes.output_type(node)):
        return wide.WideCastStep(node, inputs[0], relu=function == "relu")  # values past 62 bits
    if function in ("linear", "relu", "leakyrelu", "leaky_relu", "elu", *activations.TABLE_FUNCTIONS):
        return activations.build_activation(node, inputs, request_scale)
    raise UserError(f"{nodes.where(node)}: activation '{function}' is not emulated; expected one of "
                    f"{', '.join(SUPPORTED_ACTIVATIONS)}")


SUPPORTED_ACTIVATIONS = ("linear", "relu", "relu1", "relu6", "leaky_relu", "thresholded_relu", "prelu", "elu",
                         "selu", "sigmoid", "tanh", "softplus", "softsign", "hard_sigmoid", "hard_tanh",
                         "binary_tanh", "ternary_tanh", "softmax")


def build_hard_activation(node, inputs: list[Signal]) -> Step:
    return HardActivationStep(node, inputs[0])


def build_prelu(node, inputs: list[Signal]) -> Step:
    return PReluStep(node, inputs[0])
