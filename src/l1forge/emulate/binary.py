"""Binary and ternary networks: XNOR products, hls4ml's BatchNormalizationQuantizedTanh, and
the binary_tanh / ternary_tanh activations (nnet_mult.h, nnet_batchnorm.h, nnet_activation.h).

Products, by the kinds of their operands (hls4ml picks one per layer):
- `weight_binary` (binary weights, any data): `w == 0 ? -x : x`; the weight reader returns
  the weight as +-1 (special_types.py), so the ordinary multiply-accumulate is exact;
- `data_binary` (binary data, any weights): `x == 0 ? -w : w`, the same with the data bit
  mapped to +-1 before the kernel (`BinaryDataStep`);
- `both_binary` (XNOR net): the product is the bit `x == w`; the sum of those bits is then
  returned as `ap_int<ceillog2(n_in) + 2>(acc * 2 - n_in)`, i.e. the +-1 dot product
  (`XnorDenseStep`).
A batch normalization followed by a binary or ternary activation is folded by hls4ml into
thresholds on the normalization's input: `x >= t` gives bit 1 (binary); `x > t_hi` gives 1,
`x <= t_lo` gives -1, else 0 (ternary), per channel (`ThresholdStep`).
"""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate import conv, exponent, nodes
from l1forge.emulate.fixed import integer_type
from l1forge.emulate.overflow import apply_overflow
from l1forge.emulate.quantize import cast_codes, quantize_real
from l1forge.emulate.signals import Signal, Step, typed_signal
from l1forge.emulate.special_types import PLUS_MINUS_ONE, XNOR_BIT
from l1forge.errors import UserError


def product_of(node) -> str:
    """The product class the layer's generated config selects (nnet::product::<name>)."""
    match = re.search(r"product::(\w+)<", node.get_attr("config_cpp") or "")
    return match.group(1) if match else "mult"


def ceillog2(n: int) -> int:
    """nnet::ceillog2 of nnet_helpers.h (1 for n <= 2)."""
    return 1 if n <= 2 else 1 + ceillog2((n + 1) // 2)


class BinaryDataStep(Step):
    """A dense or convolution kernel whose input is XNOR bits: each bit becomes +-1 first."""

    rescalable = False

    def __init__(self, node, x: Signal, base_builder):
        self.name, self.kind = node.name, f"{node.class_name}(binary input)"
        self.inputs = (node.inputs[0],)
        if x.ftype != XNOR_BIT:
            raise UserError(f"{nodes.where(node)}: data_binary product on input {x.ftype}; expected ap_uint<1>")
        plus_minus = Signal(x.name, x.shape, PLUS_MINUS_ONE, -1, 1, np.dtype(np.float32), 0)
        self.kernel_step = base_builder(node, [plus_minus])
        self.output = self.kernel_step.output

    def run(self, arrays, tally):
        x = arrays[0].astype(np.float32) * np.float32(2) - np.float32(1)
        return self.kernel_step.run([x], tally)


def conv_geometry(node) -> conv.ConvGeometry:
    """The receptive fields of a Conv1D/Conv2D node (channels last), as conv.py reads them."""
    nodes.check_channels_last(node)
    a = node.get_attr
    if node.class_name.endswith("1D"):
        return conv.ConvGeometry((1, a("in_width")), a("n_chan"), (1, a("filt_width")), (1, a("stride_width")),
                                 (0, 0, a("pad_left"), a("pad_right")), (1, a("out_width")))
    return conv.ConvGeometry((a("in_height"), a("in_width")), a("n_chan"), (a("filt_height"), a("filt_width")),
                             (a("stride_height"), a("stride_width")),
                             (a("pad_top"), a("pad_bottom"), a("pad_left"), a("pad_right")),
                             (a("out_height"), a("out_width")))


class XnorDenseStep(Step):
    """Dense, or a convolution on each receptive field (`geometry`, padding reads as the bit 0
    like the firmware's zeroed buffer), with binary data and binary weights
    (nnet::product::both_binary); n_in of the final cast is the field's size."""

    def __init__(self, node, x: Signal, geometry: conv.ConvGeometry | None = None):
        self.name, self.kind = node.name, f"{node.class_name}(xnor)"
        self.inputs = (node.inputs[0],)
        if node.get_attr("_weights_transposed", False) or nodes.strategy(node) != "latency":
            raise UserError(f"{nodes.where(node)}: XNOR layers are emulated for the Latency strategy only")
        w, _ = nodes.weight_codes(node, "weight")  # +-1
        n_out = int(node.get_attr("n_out") if geometry is None else node.get_attr("n_filt"))
        n_in = int(node.get_attr("n_in")) if geometry is None else geometry.taps
        w = w.reshape(-1, n_out)
        if w.shape != (n_in, n_out) or (geometry is None and x.size != n_in):
            raise UserError(f"{nodes.where(node)}: weights {w.shape} do not match n_in={n_in}, n_out={n_out}")
        self.bits = ((w + 1) // 2).astype(np.float32)
        self.n_in, self.geometry = n_in, geometry
        self.accum = nodes.named_type(node, "accum_t")
        if self.accum.frac < 0:
            raise UserError(f"{nodes.where(node)}: accumulator {self.accum} has no unit bit; expected an integer grid")
        if "bias" in node.weights:
            b, b_type = nodes.weight_codes(node, "bias")
            self.bias = cast_codes(b.astype(np.int64), b_type.frac, self.accum).astype(np.int64)
        else:
            self.bias = np.zeros(n_out, dtype=np.int64)
        largest = int(np.abs(self.bias).max(initial=0)) + (n_in << self.accum.frac)
        if largest > self.accum.code_max and self.accum.overflow != "WRAP":
            raise UserError(f"{nodes.where(node)}: a saturating accumulator {self.accum} that can overflow is not "
                            "emulated for XNOR dense")
        self.sum_type = integer_type(ceillog2(n_in) + 2)  # the cast<> of nnet_mult.h
        self.result = nodes.output_type(node)
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.result,
                                   self.result.code_min, self.result.code_max)

    def run(self, arrays, tally):
        events = arrays[0].shape[0]
        a = arrays[0].astype(np.float32)
        if self.geometry is not None:
            a = self.geometry.im2col(a)
        matches = a @ self.bits + (np.float32(1) - a) @ (np.float32(1) - self.bits)  # exact small integers
        acc = matches.astype(np.int64) << np.int64(self.accum.frac)
        acc += self.bias
        acc = apply_overflow(acc, self.accum, tally, f"{self.name} accum")
        doubled = 2 * acc - (self.n_in << self.accum.frac)  # acc * 2 - n_in, exact on the accum grid
        as_int = cast_codes(doubled, self.accum.frac, self.sum_type, tally, f"{self.name} sum")
        out = cast_codes(as_int, 0, self.result, tally, f"{self.name} result")
        return out.astype(self.output.dtype).reshape(events, -1)


def binary_aware(base_builder):
    """Wrap a Dense/convolution builder: binary data or XNOR products go to the steps above,
    power-of-two shifts that drop bits to exponent.ShiftDenseStep."""

    def build(node, inputs: list[Signal]) -> Step:
        product = product_of(node)
        if product == "weight_exponential" and not exponent.shifts_are_exact(node, inputs[0]):
            return exponent.ShiftDenseStep(node, inputs[0], None if node.class_name == "Dense" else conv_geometry(node))
        if product == "data_binary":
            return BinaryDataStep(node, inputs[0], base_builder)
        if product == "both_binary":
            if node.class_name not in ("Dense", "Conv1D", "Conv2D", "Conv2DBatchnorm", "PointwiseConv1D", "PointwiseConv2D"):
                raise UserError(f"{nodes.where(node)}: XNOR (binary data and weights) is emulated for Dense and "
                                "convolutions only")
            return XnorDenseStep(node, inputs[0], None if node.class_name == "Dense" else conv_geometry(node))
        return base_builder(node, inputs)

    return build


class ThresholdStep(Step):
    """nnet::normalize_binary_tanh / normalize_ternary_tanh."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        self.quantize = int(node.get_attr("quantize", 0) or 0)
        names = {2: ("threshold",), 3: ("threshold_hi", "threshold_lo")}.get(self.quantize)
        if names is None:
            raise UserError(f"{nodes.where(node)}: quantize={self.quantize}; expected 2 (binary) or 3 (ternary)")
        n_filt = int(node.get_attr("n_filt", -1) or -1)
        channel = np.arange(x.size) % n_filt if n_filt > 0 else np.arange(x.size)
        thresholds = [nodes.weight_codes(node, name) for name in names]
        self.grid = max([x.ftype.frac] + [t_type.frac for _, t_type in thresholds])
        self.x = x
        self.levels = []
        for codes, t_type in thresholds:
            flat = codes.reshape(-1)
            if n_filt <= 0 and flat.size != x.size:
                raise UserError(f"{nodes.where(node)}: {flat.size} thresholds for {x.size} inputs")
            self.levels.append(flat[channel].astype(np.int64) << np.int64(self.grid - t_type.frac))
        self.dst = nodes.output_type(node)
        lo = 0 if self.quantize == 2 else -1
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst, lo, 1)

    def run(self, arrays, tally):
        x = self.x.codes(arrays[0]) << np.int64(self.grid - self.x.ftype.frac)
        if self.quantize == 2:
            out = (x >= self.levels[0]).astype(np.int64)
        else:
            out = np.where(x > self.levels[0], 1, np.where(x <= self.levels[1], -1, 0))
        if tally is not None:
            tally.add(self.name, 0, out.size, self.dst.overflow)
        return out.astype(self.output.dtype)


class SignActivationStep(Step):
    """nnet::binary_tanh (x >= 0 gives +1, else -1; an ap_uint<1> result keeps only x >= 0
    as the bit) and nnet::ternary_tanh (d = data_T(2 x): d > 1 gives 1, d > -1 gives 0, else
    -1, each then assigned to the result type)."""

    def __init__(self, node, x: Signal, function: str):
        self.name, self.kind = node.name, function
        self.inputs = (node.inputs[0],)
        self.x, self.function, self.dst = x, function, nodes.output_type(node)
        values = {v: int(quantize_real(float(v), self.dst)[0]) for v in (-1, 0, 1)}
        if function == "binary_tanh" and self.dst == XNOR_BIT:
            values[-1] = 0  # binary_cast: a negative cache becomes the bit 0
        self.values = values
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                                   min(values.values()), max(values.values()))

    def run(self, arrays, tally):
        codes = self.x.codes(arrays[0])
        v = self.values
        if self.function == "binary_tanh":
            out = np.where(codes >= 0, v[1], v[-1])
        else:
            doubled = apply_overflow(codes * 2, self.x.ftype, tally, f"{self.name} 2x")  # datareg = 2 * data
            one = np.int64(1) << np.int64(self.x.ftype.frac) if self.x.ftype.frac >= 0 else None
            if one is None:
                real = doubled.astype(np.float64) * self.x.ftype.lsb
                out = np.where(real > 1, v[1], np.where(real > -1, v[0], v[-1]))
            else:
                out = np.where(doubled > one, v[1], np.where(doubled > -one, v[0], v[-1]))
        if tally is not None:
            tally.add(self.name, 0, out.size, self.dst.overflow)
        return out.astype(self.output.dtype)


def build_threshold(node, inputs: list[Signal]) -> Step:
    return ThresholdStep(node, inputs[0])
