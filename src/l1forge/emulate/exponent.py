"""Power-of-two (QKeras quantized_po2) Dense and convolution layers whose shifts drop bits.

nnet::product::weight_exponential (nnet_mult.h) computes, with r_T = ap_fixed<2 G, G> and
G = W + Wx (W the exponent's width, Wx the input's):
    y = r_T(x) << k           x onto r_T's grid, then k < 0 shifts right: the bits below r_T's
                              LSB are dropped (floor), and bits shifted past its top wrap
    product = sign ? y : r_T(-y)
and dense_latency assigns each product to accum_t and sums input by input. When no shift can
drop or wrap a bit, that equals the exact product x * (+-2^k) and the layer runs through the
ordinary kernel (special_types.py). Otherwise this step computes it as written, on int64
codes: the shift, the wrap into r_T, the negation, the cast to accum_t, the running sum.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import apply_overflow
from l1forge.emulate.quantize import cast_codes
from l1forge.emulate.signals import Signal, Step, typed_signal
from l1forge.emulate.special_types import check_exact_shift, exponent_pairs
from l1forge.errors import UserError


def shifts_are_exact(node, x: Signal) -> bool:
    """Whether every shift of this po2 layer equals the exact product for inputs of x's type."""
    variable = node.weights.get("weight")
    _, k = exponent_pairs(variable, nodes.where(node))
    try:
        check_exact_shift(int(variable.type.precision.width), x.ftype, k, nodes.where(node))
    except UserError:
        return False
    return True


class ShiftDenseStep(Step):
    """Dense, or a convolution on each receptive field (`geometry`, a conv.ConvGeometry: the
    latency convolution sums a field's products in the same order), with power-of-two
    weights, the shifts computed as the firmware does."""

    def __init__(self, node, x: Signal, geometry=None):
        self.name, self.kind = node.name, f"{node.class_name}(po2 shifts)"
        self.inputs = (node.inputs[0],)
        where = nodes.where(node)
        if nodes.strategy(node) != "latency" or node.get_attr("_weights_transposed"):
            raise UserError(f"{where}: power-of-two shifts that drop bits are emulated for the Latency strategy only")
        variable = node.weights["weight"]
        n_out = int(node.get_attr("n_out") if geometry is None else node.get_attr("n_filt"))
        n_in = int(node.get_attr("n_in")) if geometry is None else geometry.taps
        sign, k = exponent_pairs(variable, where)
        self.sign, k = sign.reshape(-1, n_out), k.reshape(-1, n_out)
        if self.sign.shape != (n_in, n_out) or (geometry is None and x.size != n_in):
            raise UserError(f"{where}: weights {self.sign.shape} do not match n_in={n_in}, n_out={n_out}")
        self.x, self.geometry = x, geometry
        self.grid = int(variable.type.precision.width) + x.ftype.width  # r_T's fractional (and integer) bits
        self.r_type = FixedType(2 * self.grid, self.grid)
        self.to_grid = self.grid - x.ftype.frac  # r_T(x): x's codes onto r_T's grid (floor when negative)
        self.shift = k.astype(np.int64)
        if x.ftype.width + max(self.to_grid, 0) + max(int(k.max(initial=0)), 0) > 61 or self.r_type.width > 62:
            raise UserError(f"{where}: shifts into {self.r_type} need more than 62 bits; not emulated")
        self.accum = nodes.named_type(node, "accum_t")
        if "bias" in node.weights:
            b, b_type = nodes.weight_codes(node, "bias")
            self.bias = cast_codes(np.asarray(b, dtype=np.int64), b_type.frac, self.accum).astype(np.int64)
        else:
            self.bias = np.zeros(n_out, dtype=np.int64)
        self.result = nodes.output_type(node)
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.result,
                                   self.result.code_min, self.result.code_max)

    def run(self, arrays, tally):
        events = arrays[0].shape[0]
        x = self.x.codes(arrays[0])
        if self.geometry is not None:
            x = self.geometry.im2col(x)
        x = x << np.int64(self.to_grid) if self.to_grid >= 0 else x >> np.int64(-self.to_grid)
        x = apply_overflow(x, self.r_type)
        acc = np.repeat(self.bias[None, :], x.shape[0], axis=0)
        for i in range(self.shift.shape[0]):
            s = self.shift[i]
            xi = x[:, i : i + 1]
            y = np.where(s >= 0, xi << np.maximum(s, 0), xi >> np.maximum(-s, 0))  # floor for right shifts
            y = apply_overflow(y, self.r_type)
            y = apply_overflow(np.where(self.sign[i] == 1, y, -y), self.r_type)
            acc = acc + cast_codes(y, self.grid, self.accum, tally, f"{self.name} product")
            acc = apply_overflow(acc, self.accum, tally, f"{self.name} accum")
        out = cast_codes(acc, self.accum.frac, self.result, tally, f"{self.name} result")
        return out.astype(self.output.dtype).reshape(events, -1)
