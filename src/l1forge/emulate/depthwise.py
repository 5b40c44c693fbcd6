"""Depthwise convolutions (hls4ml's DepthwiseConv1D / DepthwiseConv2D, io_parallel Latency).

nnet_sepconv{1,2}d_latency.h computes, per output pixel and channel c, with a depth
multiplier of 1 (the firmware asserts it):
    acc[c] = accum_t(b[c]);  acc[c] += accum_t(x[tap][c] * w[tap][c])  for tap = 0, 1, ...
i.e. an ordinary convolution whose weight matrix is block diagonal: row (tap, c') feeds
output c only when c' == c. The extra products are exact zeros, and adding a zero leaves a
(saturated or wrapped) sum as it is, so running that matrix through the convolution kernel
gives the firmware's sums in the firmware's order.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import conv, nodes
from l1forge.emulate.dense import KernelStep, weights_and_bias
from l1forge.emulate.signals import Signal
from l1forge.errors import UserError


def _depthwise_step(node, inputs: list[Signal], geometry) -> KernelStep:
    nodes.check_channels_last(node)
    conv._check_dilation(node)
    chans = int(node.get_attr("n_chan"))
    if int(node.get_attr("depth_multiplier", 1) or 1) != 1 or int(node.get_attr("n_filt")) != chans:
        raise UserError(f"{nodes.where(node)}: depth multiplier {node.get_attr('depth_multiplier')} is not "
                        "emulated; expected 1 (hls4ml's firmware supports only 1)")
    if nodes.strategy(node) != "latency" or node.get_attr("_weights_transposed", False):
        raise UserError(f"{nodes.where(node)}: depthwise convolution is emulated for the Latency strategy only")
    w, w_type, b, b_type = weights_and_bias(node)
    per_tap = w.reshape(-1, chans)  # (taps, channels)
    full = np.zeros((per_tap.shape[0], chans, chans), dtype=np.int64)
    full[:, np.arange(chans), np.arange(chans)] = per_tap
    return KernelStep(node, inputs[0], full.reshape(-1, chans), w_type, b, b_type, geometry)


def build_depthwise1d(node, inputs: list[Signal]) -> KernelStep:
    a = node.get_attr
    return _depthwise_step(node, inputs, conv.ConvGeometry(
        (1, a("in_width")), a("n_chan"), (1, a("filt_width")), (1, a("stride_width")),
        (0, 0, a("pad_left"), a("pad_right")), (1, a("out_width"))))


def build_depthwise2d(node, inputs: list[Signal]) -> KernelStep:
    a = node.get_attr
    return _depthwise_step(node, inputs, conv.ConvGeometry(
        (a("in_height"), a("in_width")), a("n_chan"), (a("filt_height"), a("filt_width")),
        (a("stride_height"), a("stride_width")),
        (a("pad_top"), a("pad_bottom"), a("pad_left"), a("pad_right")), (a("out_height"), a("out_width"))))
