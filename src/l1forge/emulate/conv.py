"""Conv1D and Conv2D (io_parallel, channels last) as the dense kernel over receptive fields.

The firmware (nnet_conv1d_latency.h / nnet_conv2d_latency.h) gathers each output pixel's
receptive field, zero-padded, into a row in (filter row, filter column, channel) order, and
runs the dense multiply-accumulate on it; output pixels come out row-major with the filters
innermost (channels last). The emulator does exactly that (`im2col`) where the summation
order matters. Where the sums are exact it instead adds one small matrix product per filter
tap over shifted views of the padded image, which gives the same integers without building
rows `filter size` times wider than the image.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.dense import DAStep, KernelStep, weights_and_bias
from l1forge.emulate.signals import Signal
from l1forge.errors import UserError


UNROLL_LIMIT = 1 << 16  # entries of a convolution's unrolled matrix (ConvGeometry.unrolled)
UNROLL_WASTE = 8        # its multiplications, at most this many times the convolution's own


class ConvGeometry:
    """Image, filter, stride, padding and output sizes of one convolution (2-D; 1-D has height 1)."""

    def __init__(self, in_hw, chans, filt_hw, stride_hw, pads, out_hw):
        (self.in_h, self.in_w), self.chans = in_hw, chans
        (self.f_h, self.f_w), (self.s_h, self.s_w) = filt_hw, stride_hw
        self.p_t, self.p_b, self.p_l, self.p_r = pads
        self.o_h, self.o_w = out_hw
        self._patches = None
        self._field_index = None

    @property
    def pixels(self) -> int:
        return self.o_h * self.o_w

    @property
    def taps(self) -> int:
        """Inputs of one output pixel's receptive field (filter taps times channels)."""
        return self.f_h * self.f_w * self.chans

    def patches(self) -> np.ndarray:
        """(output pixels, taps): flat input index of every tap, or the padding slot."""
        if self._patches is None:
            oy, ox, ky, kx, c = np.meshgrid(np.arange(self.o_h), np.arange(self.o_w), np.arange(self.f_h),
                                            np.arange(self.f_w), np.arange(self.chans), indexing="ij")
            y, x = oy * self.s_h + ky - self.p_t, ox * self.s_w + kx - self.p_l
            inside = (y >= 0) & (y < self.in_h) & (x >= 0) & (x < self.in_w)
            flat = (y * self.in_w + x) * self.chans + c
            padding_slot = self.in_h * self.in_w * self.chans
            self._patches = np.where(inside, flat, padding_slot).reshape(self.pixels, -1)
        return self._patches

    def field_index(self) -> np.ndarray:
        """`patches` with -1 for a padded tap (patch_mac.py's receptive fields)."""
        if self._field_index is None:
            patches = self.patches()
            self._field_index = np.ascontiguousarray(np.where(patches == self.in_h * self.in_w * self.chans, -1,
                                                              patches), dtype=np.int64)
        return self._field_index

    def im2col(self, x: np.ndarray) -> np.ndarray:
        """(events, image) -> (events * output pixels, filter taps * channels)."""
        if self.taps == self.chans and self.pixels * self.chans == x.shape[1] and self.s_h == self.s_w == 1 \
                and not (self.p_t or self.p_b or self.p_l or self.p_r):
            return x.reshape(x.shape[0] * self.pixels, self.chans)  # pointwise: every pixel is its own field
        padded = np.concatenate([x, np.zeros((x.shape[0], 1), dtype=x.dtype)], axis=1)
        return np.take(padded, self.patches().ravel(), axis=1).reshape(x.shape[0] * self.pixels, -1)

    def unrolled(self, w: np.ndarray) -> np.ndarray | None:
        """The whole convolution as one (image, output pixels * filters) matrix: column
        (pixel, filter) holds the filter's weights at the inputs of the pixel's receptive
        field, zero elsewhere (padding reads zeros, so it needs no row). One product with
        it gives the exact sums of every pixel at once; worth it for a small image, where
        gathering receptive fields costs more than the zeros (ad_cnn_ae: 6x the
        multiplications, one BLAS call). None when the matrix would pass UNROLL_LIMIT
        entries or UNROLL_WASTE times the real multiplications."""
        image, filters = self.in_h * self.in_w * self.chans, w.shape[1]
        entries = image * self.pixels * filters
        if entries > UNROLL_LIMIT or entries > UNROLL_WASTE * self.pixels * self.taps * filters:
            return None
        full = np.zeros((image + 1, self.pixels, filters), dtype=w.dtype)
        patches = self.patches()
        for pixel in range(self.pixels):
            full[patches[pixel], pixel] += w  # the padding slot collects the padded taps' weights
        return full[:image].reshape(image, self.pixels * filters)

    def tap_rows(self, x: np.ndarray):
        """For each filter tap (row-major), the (events * output pixels, channels) inputs it sees."""
        events = x.shape[0]
        image = x.reshape(events, self.in_h, self.in_w, self.chans)
        if self.p_t or self.p_b or self.p_l or self.p_r:
            padded = np.zeros((events, self.in_h + self.p_t + self.p_b, self.in_w + self.p_l + self.p_r, self.chans),
                              dtype=x.dtype)
            padded[:, self.p_t : self.p_t + self.in_h, self.p_l : self.p_l + self.in_w] = image
            image = padded
        rows_end, cols_end = self.s_h * (self.o_h - 1) + 1, self.s_w * (self.o_w - 1) + 1
        for kh in range(self.f_h):
            for kw in range(self.f_w):
                view = image[:, kh : kh + rows_end : self.s_h, kw : kw + cols_end : self.s_w, :]
                yield kh * self.f_w + kw, view.reshape(events * self.pixels, self.chans)


def _check_dilation(node) -> None:
    for key in ("dilation", "dilation_width", "dilation_height"):
        value = node.get_attr(key, 1)
        if value not in (1, None, (1,), (1, 1), [1], [1, 1]):
            raise UserError(f"{nodes.where(node)}: dilated convolutions are not emulated")


def _conv_step(node, inputs: list[Signal], geometry: ConvGeometry) -> KernelStep | DAStep:
    """The kernel step of a Conv1D/Conv2D node; hls4ml's resource strategy stores the
    weights filters-first, which is moved back to filters-last here. With distributed
    arithmetic (all pixels in one partition) the step runs da4ml's per-pixel program."""
    nodes.check_channels_last(node)
    _check_dilation(node)
    if nodes.strategy(node) == "distributed_arithmetic":
        if node.get_attr("n_partitions", 1) != 1:
            raise UserError(f"{nodes.where(node)}: distributed arithmetic over "
                            f"{node.get_attr('n_partitions')} partitions is not emulated; expected 1 "
                            "(every pixel computed at once)")
        return DAStep(node, inputs[0], geometry)
    w, w_type, b, b_type = weights_and_bias(node)
    n_filt = node.get_attr("n_filt")
    if node.get_attr("_weights_transposed", False):
        # The firmware reads the stored array flat, filters first: (F, [H,] W, C). Read it
        # so rather than by its shape: hls4ml's Conv2DBatchnorm stores its folded kernel
        # filters-first for Resource in the Vivado backends and the resource pass moves the
        # axes once more, and the firmware still reads the flat array as (F, taps).
        return KernelStep(node, inputs[0], np.asarray(w).reshape(n_filt, -1).T, w_type, b, b_type, geometry)
    return KernelStep(node, inputs[0], w.reshape(-1, n_filt), w_type, b, b_type, geometry)


def build_conv1d(node, inputs: list[Signal]) -> KernelStep:
    a = node.get_attr
    return _conv_step(node, inputs, ConvGeometry(
        (1, a("in_width")), a("n_chan"), (1, a("filt_width")), (1, a("stride_width")),
        (0, 0, a("pad_left"), a("pad_right")), (1, a("out_width"))))


def build_conv2d(node, inputs: list[Signal]) -> KernelStep:
    a = node.get_attr
    return _conv_step(node, inputs, ConvGeometry(
        (a("in_height"), a("in_width")), a("n_chan"), (a("filt_height"), a("filt_width")),
        (a("stride_height"), a("stride_width")),
        (a("pad_top"), a("pad_bottom"), a("pad_left"), a("pad_right")), (a("out_height"), a("out_width"))))
