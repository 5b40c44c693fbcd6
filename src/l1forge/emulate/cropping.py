"""Cropping1D / Cropping2D (nnet_cropping.h, channels last): the kept window of the input,
each value assigned to the output type (reshaping.GatherStep)."""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.reshaping import GatherStep
from l1forge.emulate.signals import Signal, Step


def build_cropping(node, inputs: list[Signal]) -> Step:
    nodes.check_channels_last(node)
    a = node.get_attr
    in_h, in_w, chans = a("in_height", 1) or 1, a("in_width"), a("n_chan")
    out_h, out_w = a("out_height", 1) or 1, a("out_width")
    top, left = a("crop_top", 0) or 0, a("crop_left", 0) or 0
    flat = np.arange(in_h * in_w * chans).reshape(in_h, in_w, chans)
    return GatherStep(node, inputs[0], flat[top : top + out_h, left : left + out_w, :].ravel())
