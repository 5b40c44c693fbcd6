"""Layers that move values without arithmetic: reshape/flatten, transpose, zero padding,
nearest-neighbour resize (UpSampling). Each is a fixed gather of the flat input, followed
by the assignment to the output type when that type differs from the input's.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.compiled import _jit, enabled
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.signals import Signal, Step, cast_bounds, typed_signal
from l1forge.errors import UserError


@_jit
def _gather(x, index, out):
    """out[e, k] = x[e, index[k]]: numpy's take loops per element through its generic
    indexing code (about 1 ns a value); this is the plain loop."""
    for e in range(x.shape[0]):
        src, dst = x[e], out[e]
        for k in range(index.shape[0]):
            dst[k] = src[index[k]]
    return out


class GatherStep(Step):
    """out[k] = res_T(in[index[k]]), or zero where index[k] < 0 (padding)."""

    def __init__(self, node, x: Signal, index: np.ndarray | None):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        self.x, self.index = x, index
        self.pads = index is not None and bool((index < 0).any())  # -1: a padded position, zero
        self.dst = nodes.output_type(node)
        self.same_type = self.dst == x.ftype
        shape = tuple(node.get_output_variable().shape)
        if self.same_type:
            pads = index is not None and bool((index < 0).any())
            lo, hi = (min(x.lo, 0), max(x.hi, 0)) if pads else (x.lo, x.hi)
            self.output = Signal(node.outputs[0], shape, x.ftype, lo, hi, x.dtype, x.scale)
        else:
            lo, hi, self.may_overflow = cast_bounds(min(x.lo, 0), max(x.hi, 0), x.ftype.frac, self.dst)
            self.output = typed_signal(node.outputs[0], shape, self.dst, lo, hi)
        if int(np.prod(shape)) != (x.size if index is None else index.size):
            raise UserError(f"{nodes.where(node)}: output shape {shape} does not match its input")

    def run(self, arrays, tally):
        x = arrays[0]
        if not self.same_type:
            codes = self.x.codes(x)
            x = cast_array(codes, self.x.ftype.frac, self.x.ftype.frac, self.dst, self.may_overflow, tally, self.name)
            x = x.astype(self.output.dtype)
        if self.index is None:
            return x
        if self.pads:
            x = np.concatenate([x, np.zeros((x.shape[0], 1), dtype=x.dtype)], axis=1)
        if enabled() and x.flags.c_contiguous:
            return _gather(x, self.index, np.empty((x.shape[0], self.index.size), dtype=x.dtype))
        return np.take(x, self.index, axis=1)  # row-major: x[:, index] would give columns in memory order


def build_reshape(node, inputs: list[Signal]) -> Step:
    return GatherStep(node, inputs[0], None)


def build_transpose(node, inputs: list[Signal]) -> Step:
    x = inputs[0]
    perm = list(node.get_attr("perm"))
    index = np.arange(x.size).reshape(x.shape).transpose(perm).ravel()
    return GatherStep(node, x, index)


def build_zero_padding(node, inputs: list[Signal]) -> Step:
    nodes.check_channels_last(node)
    a = node.get_attr
    in_h, in_w, chans = a("in_height", 1), a("in_width"), a("n_chan")
    out_h, out_w = a("out_height", 1), a("out_width")
    top, left = a("pad_top", 0), a("pad_left")
    index = np.full((out_h, out_w, chans), -1, dtype=np.int64)
    index[top : top + in_h, left : left + in_w, :] = np.arange(in_h * in_w * chans).reshape(in_h, in_w, chans)
    return GatherStep(node, inputs[0], index.ravel())


def build_resize(node, inputs: list[Signal]) -> Step:
    """nnet::resize_nearest: source row/column = (i * ((in << 16) / out + 1)) >> 16."""
    nodes.check_channels_last(node)
    a = node.get_attr
    if str(a("algorithm", "nearest")) != "nearest":
        raise UserError(f"{nodes.where(node)}: resize algorithm '{a('algorithm')}' is not emulated; expected nearest")
    in_h, in_w, chans = a("in_height", 1) or 1, a("in_width"), a("n_chan")
    out_h, out_w = a("out_height", 1) or 1, a("out_width")
    rows = (np.arange(out_h) * (((in_h << 16) // out_h) + 1)) >> 16
    cols = (np.arange(out_w) * (((in_w << 16) // out_w) + 1)) >> 16
    index = ((rows[:, None, None] * in_w + cols[None, :, None]) * chans + np.arange(chans)[None, None, :]).ravel()
    return GatherStep(node, inputs[0], index)
