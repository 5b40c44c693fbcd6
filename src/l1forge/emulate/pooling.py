"""Max and average pooling, windowed and global, as nnet_pooling.h computes them.

Max:     res_T(accum_t(largest tap)); padded taps hold the type's top-bit-only pattern
         (the most negative value of a signed type, 2^(W-1) LSBs of an unsigned one).
Average: y = accum_t(0); y = accum_t(y + tap) for every tap in order; y /= count (an
         integer division, truncating towards zero); res_T(y). Padded taps add zero and,
         unless count_pad, do not count.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.compiled import _jit, enabled
from l1forge.emulate.fused_cast import plan_cast
from l1forge.emulate.quantize import cast_array, cast_codes
from l1forge.emulate.signals import Signal, Step, cast_bounds, exact_dtype, type_magnitude, typed_signal
from l1forge.errors import UserError


SMALL_WINDOW = 16  # taps of a window summed position by position (_tiled_average)


@_jit
def _window_max(image, out, first, offsets):
    """out[e, i] = the largest of image[e, first[i] + offsets[t]] over the window's taps t:
    max pooling over windows that all have the same shape (first: each output's top-left
    tap, channels last; offsets: every tap's distance from it). One compiled pass over the
    chunk instead of a numpy pass per window position over strided views."""
    for e in range(image.shape[0]):
        src, dst = image[e], out[e]
        for i in range(first.shape[0]):
            dst[i] = src[first[i]]
        for t in range(1, offsets.shape[0]):
            step = offsets[t]
            for i in range(first.shape[0]):
                v, m = src[first[i] + step], dst[i]
                dst[i] = v if v > m else m
    return out


@_jit
def _window_average(image, out, first, offsets, factor, count):
    """out[e, i] = trunc(the sum of image[e, first[i] + offsets[t]] over the window's taps
    t, times factor, over count), in out's dtype (exact: the caller's bound; the taps
    gathered as _window_max gathers them, the quotient as _tiled_average argues)."""
    for e in range(image.shape[0]):
        src, dst = image[e], out[e]
        for i in range(first.shape[0]):
            dst[i] = src[first[i]]
        for t in range(1, offsets.shape[0]):
            step = offsets[t]
            for i in range(first.shape[0]):
                dst[i] += src[first[i] + step]
        for i in range(first.shape[0]):
            dst[i] = np.trunc(dst[i] * factor / count)
    return out


def window_taps(in_hw, pool_hw, stride_hw, pad_before, out_hw) -> np.ndarray:
    """(out pixels, taps) flat input pixel index of every tap, -1 where it reads padding."""
    (in_h, in_w), (p_h, p_w), (s_h, s_w), (p_t, p_l), (o_h, o_w) = in_hw, pool_hw, stride_hw, pad_before, out_hw
    oy, ox, ky, kx = np.meshgrid(np.arange(o_h), np.arange(o_w), np.arange(p_h), np.arange(p_w), indexing="ij")
    y, x = oy * s_h + ky - p_t, ox * s_w + kx - p_l
    inside = (y >= 0) & (y < in_h) & (x >= 0) & (x < in_w)
    return np.where(inside, y * in_w + x, -1).reshape(o_h * o_w, p_h * p_w)


class PoolingStep(Step):
    """`tiling`: (in_h, in_w, pool_h, pool_w) when the windows tile the image (stride equal
    to the pool size, no padding; rows and columns past the last whole window unread): the
    windows are then a reshape of the image, which numpy reduces without gathering taps."""

    def __init__(self, node, x: Signal, taps: np.ndarray, n_chan: int, count_pad: bool, tiling=None):
        nodes.check_channels_last(node)
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        self.op = str(node.get_attr("pool_op")).lower()
        if self.op not in ("max", "average"):
            raise UserError(f"{nodes.where(node)}: pool_op '{self.op}' is not emulated; expected Max or Average")
        self.x, self.taps, self.n_chan, self.tiling = x, taps, n_chan, tiling
        self.accum, self.dst = nodes.named_type(node, "accum_t"), nodes.output_type(node)
        padded = taps < 0
        self.pad_code = 0 if self.op == "average" else (x.ftype.code_min if x.ftype.signed else 1 << (x.ftype.width - 1))
        self.counts = (np.full(taps.shape[0], taps.shape[1]) if count_pad else (~padded).sum(axis=1)).astype(np.int64)
        if self.op == "average" and (self.counts == 0).any():
            raise UserError(f"{nodes.where(node)}: a pooling window covers only padding")
        lo, hi = min(x.lo, self.pad_code if padded.any() else x.lo), max(x.hi, self.pad_code if padded.any() else x.hi)
        if self.op == "average":
            n = taps.shape[1]
            self.sum_is_plain = self.accum.frac >= x.ftype.frac and not cast_bounds(
                min(lo, 0) * n, max(hi, 0) * n, x.ftype.frac, self.accum)[2]
            acc_lo, acc_hi, _ = cast_bounds(lo, hi, x.ftype.frac, self.accum)
        else:
            acc_lo, acc_hi, self.acc_overflow = cast_bounds(lo, hi, x.ftype.frac, self.accum)
        out_lo, out_hi, self.may_overflow = cast_bounds(acc_lo, acc_hi, self.accum.frac, self.dst)
        widest_sum = max(abs(lo), abs(hi)) * taps.shape[1] << max(self.accum.frac - x.ftype.frac, 0)
        self.float_average = (self.op == "average" and tiling is not None and self.sum_is_plain
                              and widest_sum < 2**50 and not padded.any())
        self.sum_dtype = np.dtype(np.float32 if widest_sum < 2**23 else np.float64)
        # max pooling on floats: the input codes shifted onto accum_t's and result_t's grids,
        # half an LSB and a wrap's room beside them, all exact in this dtype (None: int64 path)
        up = max(self.accum.frac - x.ftype.frac, 0) + max(self.dst.frac - self.accum.frac, 0)
        need = max(abs(lo), abs(hi), 2 * type_magnitude(self.accum), 2 * type_magnitude(self.dst)) + 2 << up
        self.float_max, self._gather = None, None
        if self.op == "max" and x.dtype.kind == "f" and exact_dtype(need).kind == "f":
            self.float_max = max(np.dtype(x.dtype), exact_dtype(need), key=lambda d: d.itemsize)
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst, out_lo, out_hi)
        # a float average's cast to res_T as one fused_cast pass (None: numba off)
        self.plan = plan_cast(False, self.accum.frac, self.accum.frac, self.dst, self.may_overflow) \
            if self.float_average else None

    def _windows(self, codes: np.ndarray) -> np.ndarray:
        """(events, out pixels, taps, channels) of input codes, padding filled in."""
        events = codes.shape[0]
        pixels = codes.reshape(events, -1, self.n_chan)
        padded = np.concatenate([pixels, np.full((events, 1, self.n_chan), self.pad_code, dtype=np.int64)], axis=1)
        return padded[:, self.taps, :]

    def _tiles(self, stored: np.ndarray) -> np.ndarray:
        """(events, out rows, pool rows, out columns, pool columns, channels) of the stored
        input, for windows that tile the image."""
        in_h, in_w, p_h, p_w = self.tiling
        image = stored.reshape(len(stored), in_h, in_w, self.n_chan)
        o_h, o_w = in_h // p_h, in_w // p_w
        image = image[:, : o_h * p_h, : o_w * p_w]
        return image.reshape(len(stored), o_h, p_h, o_w, p_w, self.n_chan)

    def _tiled_average(self, stored: np.ndarray, tally) -> np.ndarray:
        """Average pooling over tiling windows whose sum is plain (no tap's addition can round
        or overflow accum_t): the sum is exact in float64 in any order, and the division by
        the window's size, truncated towards zero, is exact too (a correctly rounded
        quotient of integers below 2^50, 2^23 in float32, never crosses the integer it
        truncates to)."""
        tiles = self._tiles(stored)
        p_h, p_w = self.tiling[2], self.tiling[3]
        factor, count = self.sum_dtype.type(2.0 ** (self.accum.frac - self.x.scale)), self.sum_dtype.type(p_h * p_w)
        if enabled() and p_h * p_w <= SMALL_WINDOW:  # compiled: one pass, taps gathered
            out = np.empty((len(stored), self.taps.shape[0] * self.n_chan), dtype=self.sum_dtype)
            acc = _window_average(np.ascontiguousarray(stored), out, *self._tile_gather(), factor, count)
            if self.plan is not None and tally is None and self.output.dtype.kind == "f":
                return self.plan(acc, None, self.output.dtype)  # the cast to res_T: one fused_cast pass
            out = cast_array(acc, self.accum.frac, self.accum.frac, self.dst, self.may_overflow, tally, self.name)
            return out.astype(self.output.dtype, copy=False)
        if p_h * p_w <= SMALL_WINDOW:  # window position by window position: two-array adds
            total = tiles[:, :, 0, :, 0].astype(self.sum_dtype)
            for row in range(p_h):
                for column in range(p_w):
                    if row or column:
                        np.add(total, tiles[:, :, row, :, column], out=total, casting="unsafe")
        else:  # a global pooling's long windows: one reduction
            total = tiles.sum(axis=(2, 4), dtype=self.sum_dtype)
        total *= factor
        total /= count
        acc = np.trunc(total, out=total).reshape(len(stored), -1, self.n_chan)
        out = cast_array(acc, self.accum.frac, self.accum.frac, self.dst, self.may_overflow, tally, self.name)
        return out.reshape(out.shape[0], -1).astype(self.output.dtype)

    def run(self, arrays, tally):
        if self.op == "average" and self.float_average:
            return self._tiled_average(arrays[0], tally)
        if self.op == "max" and self.tiling is not None and self.float_max is not None and enabled():
            return self._compiled_max(arrays[0], tally)
        if self.op == "max" and self.tiling is not None:  # max commutes with the stored scale
            tiles = self._tiles(arrays[0])
            largest = tiles[:, :, 0, :, 0].copy()  # window by window position: numpy's fast two-array maximum
            for row in range(tiles.shape[2]):
                for column in range(tiles.shape[4]):
                    if row or column:
                        np.maximum(largest, tiles[:, :, row, :, column], out=largest)
            largest = self.x.codes(largest)
            acc = cast_array(largest.reshape(len(largest), -1, self.n_chan), self.x.ftype.frac, self.x.ftype.frac,
                             self.accum, self.acc_overflow, tally, f"{self.name} accum")
            out = cast_array(acc, self.accum.frac, self.accum.frac, self.dst, self.may_overflow, tally, self.name)
            return out.reshape(out.shape[0], -1).astype(self.output.dtype)
        windows = self._windows(self.x.codes(arrays[0]))
        if self.op == "max":
            acc = cast_array(windows.max(axis=2), self.x.ftype.frac, self.x.ftype.frac, self.accum,
                             self.acc_overflow, tally, f"{self.name} accum")
        else:
            acc = self._average(windows, tally)
        out = cast_array(acc, self.accum.frac, self.accum.frac, self.dst, self.may_overflow, tally, self.name)
        return out.reshape(out.shape[0], -1).astype(self.output.dtype)

    def _tile_gather(self) -> tuple[np.ndarray, np.ndarray]:
        """(first, offsets) of _window_max / _window_sum: tiling windows are all the first
        one, shifted; channels last."""
        if self._gather is None:
            first = (self.taps[:, :1] * self.n_chan + np.arange(self.n_chan)).ravel()
            self._gather = (first.astype(np.int64), (self.taps[0] - self.taps[0, 0]).astype(np.int64) * self.n_chan)
        return self._gather

    def _compiled_max(self, stored: np.ndarray, tally) -> np.ndarray:
        """Tiled max pooling on the stored floats (max commutes with the stored scale), then
        the two casts on the pooled values, in a float dtype proved to hold them exactly."""
        out = np.empty((len(stored), self.taps.shape[0] * self.n_chan), dtype=stored.dtype)
        largest = _window_max(np.ascontiguousarray(stored), out, *self._tile_gather()).astype(self.float_max, copy=False)
        acc = cast_array(largest, self.x.scale, self.x.ftype.frac, self.accum, self.acc_overflow, tally,
                         f"{self.name} accum")
        out = cast_array(acc, self.accum.frac, self.accum.frac, self.dst, self.may_overflow, tally, self.name)
        return out.astype(self.output.dtype, copy=False)

    def _average(self, windows: np.ndarray, tally) -> np.ndarray:
        frac = self.x.ftype.frac
        if self.sum_is_plain:
            total = windows.sum(axis=2) << np.int64(self.accum.frac - frac)
        else:  # the firmware's order: y = accum_t(y + tap), tap by tap
            total = np.zeros(windows.shape[:2] + windows.shape[3:], dtype=np.int64)
            grid = max(frac, self.accum.frac)
            for k in range(windows.shape[2]):
                step = (total << np.int64(grid - self.accum.frac)) + (windows[:, :, k, :] << np.int64(grid - frac))
                total = cast_codes(step, grid, self.accum, tally, f"{self.name} accum")
        counts = self.counts[None, :, None]
        return np.sign(total) * (np.abs(total) // counts)  # integer division towards zero


def build_pooling1d(node, inputs: list[Signal]) -> Step:
    a = node.get_attr
    taps = window_taps((1, a("n_in")), (1, a("pool_width")), (1, a("stride_width")), (0, a("pad_left")),
                       (1, a("n_out")))
    return PoolingStep(node, inputs[0], taps, a("n_filt"), bool(a("count_pad", False)))


def build_pooling2d(node, inputs: list[Signal]) -> Step:
    a = node.get_attr
    taps = window_taps((a("in_height"), a("in_width")), (a("pool_height"), a("pool_width")),
                       (a("stride_height"), a("stride_width")), (a("pad_top"), a("pad_left")),
                       (a("out_height"), a("out_width")))
    tiles = (a("stride_height"), a("stride_width")) == (a("pool_height"), a("pool_width")) and not any(
        a(side, 0) for side in ("pad_top", "pad_bottom", "pad_left", "pad_right")) and (
        a("out_height"), a("out_width")) == (a("in_height") // a("pool_height"), a("in_width") // a("pool_width"))
    tiling = (a("in_height"), a("in_width"), a("pool_height"), a("pool_width")) if tiles else None
    return PoolingStep(node, inputs[0], taps, a("n_filt"), bool(a("count_pad", False)), tiling)


def build_global_pooling(node, inputs: list[Signal]) -> Step:
    n_filt = int(node.get_attr("n_filt"))
    pixels = inputs[0].size // n_filt
    return PoolingStep(node, inputs[0], np.arange(pixels)[None, :], n_filt, count_pad=True,
                       tiling=(1, pixels, 1, pixels))
