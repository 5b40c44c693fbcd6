"""Dense and convolution layers: the MacKernel applied to events or to image patches.

Convolutions in io_parallel gather each output pixel's receptive field (zero-padded) into
a row, in (filter row, filter column, channel) order, and run the same dense kernel on it
(nnet_conv1d_latency.h / nnet_conv2d_latency.h); output pixels come out row-major with the
filters innermost, which is the channels-last layout.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.signals import Signal, Step
from l1forge.errors import UserError

SUPPORTED_STRATEGIES = ("latency", "resource")


class KernelStep(Step):
    def __init__(self, node, x: Signal, weights: np.ndarray, w_type, bias, b_type, patches: np.ndarray | None):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        strategy = nodes.strategy(node)
        if strategy not in SUPPORTED_STRATEGIES:
            raise UserError(f"{nodes.where(node)}: strategy '{strategy}' is not emulated; expected Latency or Resource")
        self.patches = patches
        self.n_pixels = 1 if patches is None else patches.shape[0]
        accum = nodes.named_type(node, "accum_t")
        self.kernel = MacKernel(nodes.where(node), weights, w_type, bias, b_type, accum,
                                nodes.output_type(node), x, ordered=strategy == "latency")
        self.shape = tuple(node.get_output_variable().shape)
        self.output = self.kernel.output_signal(node.outputs[0], self.shape)

    @property
    def rescalable(self) -> bool:
        return self.kernel.rescalable

    def rescale(self, scale: int) -> Signal:
        """Store the output at `scale` for a consumer that rounds onto that grid."""
        self.kernel.set_output_scale(scale)
        self.output = self.kernel.output_signal(self.output.name, self.shape)
        return self.output

    def run(self, arrays, tally):
        x = arrays[0]
        events = x.shape[0]
        if self.patches is not None:
            if self.patches.max() >= x.shape[1]:  # some taps read the zero padding
                x = np.concatenate([x, np.zeros((events, 1), dtype=x.dtype)], axis=1)
            x = x[:, self.patches].reshape(events * self.n_pixels, -1)
        out = self.kernel.run(x, tally, self.name)
        return out.reshape(events, -1)


def _weights_and_bias(node):
    w, w_type = nodes.weight_codes(node, "weight")
    if "bias" in node.weights:
        b, b_type = nodes.weight_codes(node, "bias")
    else:
        b, b_type = np.zeros(w.shape[-1], dtype=np.int64), w_type
    return w, w_type, b, b_type


def build_dense(node, inputs: list[Signal]) -> KernelStep:
    w, w_type, b, b_type = _weights_and_bias(node)
    if node.get_attr("_weights_transposed", False):
        w = w.T  # the Resource strategy stores (n_out, n_in)
    n_in, n_out = int(node.get_attr("n_in")), int(node.get_attr("n_out"))
    if w.shape != (n_in, n_out) or inputs[0].size != n_in:
        raise UserError(f"{nodes.where(node)}: weights {w.shape} do not match n_in={n_in}, n_out={n_out}")
    return KernelStep(node, inputs[0], w, w_type, b, b_type, patches=None)


def _patch_index(in_hw, chans, filt_hw, stride_hw, pad_before, out_hw) -> np.ndarray:
    """For each output pixel, the flat input index of every tap (or -1 for padding)."""
    (in_h, in_w), (f_h, f_w), (s_h, s_w), (p_t, p_l), (o_h, o_w) = in_hw, filt_hw, stride_hw, pad_before, out_hw
    oy, ox, ky, kx, c = np.meshgrid(np.arange(o_h), np.arange(o_w), np.arange(f_h), np.arange(f_w),
                                    np.arange(chans), indexing="ij")
    y = oy * s_h + ky - p_t
    x = ox * s_w + kx - p_l
    inside = (y >= 0) & (y < in_h) & (x >= 0) & (x < in_w)
    flat = (y * in_w + x) * chans + c
    padding_slot = in_h * in_w * chans
    return np.where(inside, flat, padding_slot).reshape(o_h * o_w, f_h * f_w * chans)


def _check_dilation(node) -> None:
    for key in ("dilation", "dilation_width", "dilation_height"):
        value = node.get_attr(key, 1)
        if value not in (1, None, (1,), (1, 1), [1], [1, 1]):
            raise UserError(f"{nodes.where(node)}: dilated convolutions are not emulated")


def build_conv1d(node, inputs: list[Signal]) -> KernelStep:
    nodes.check_channels_last(node)
    _check_dilation(node)
    a = node.get_attr
    w, w_type, b, b_type = _weights_and_bias(node)
    if a("_weights_transposed", False):
        w = np.transpose(w, (1, 2, 0))  # (F, W, C) back to (W, C, F)
    patches = _patch_index((1, a("in_width")), a("n_chan"), (1, a("filt_width")), (1, a("stride_width")),
                           (0, a("pad_left")), (1, a("out_width")))
    return KernelStep(node, inputs[0], w.reshape(-1, a("n_filt")), w_type, b, b_type, patches)


def build_conv2d(node, inputs: list[Signal]) -> KernelStep:
    nodes.check_channels_last(node)
    _check_dilation(node)
    a = node.get_attr
    w, w_type, b, b_type = _weights_and_bias(node)
    if a("_weights_transposed", False):
        w = np.transpose(w, (1, 2, 3, 0))  # (F, H, W, C) back to (H, W, C, F)
    patches = _patch_index((a("in_height"), a("in_width")), a("n_chan"), (a("filt_height"), a("filt_width")),
                           (a("stride_height"), a("stride_width")), (a("pad_top"), a("pad_left")),
                           (a("out_height"), a("out_width")))
    return KernelStep(node, inputs[0], w.reshape(-1, a("n_filt")), w_type, b, b_type, patches)
