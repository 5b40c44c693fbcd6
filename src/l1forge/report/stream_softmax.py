"""The streamed softmax at a reuse factor: its multipliers and tables shared.

hls4ml's io_stream `softmax_latency` and `softmax_stable` (1.3 and the 2019-2020 versions
behind the vendor reports) cap the final multiplies (each exponential times the inverse
of the sum) at `multiplier_limit = ceil(n / RF)` with an ALLOCATION pragma and pipeline
the word loop at `II = n / multiplier_limit`; at RF 1 every value has its own multiplier.
The n multiplies are then issued `limit` per cycle (the last ii - 1 cycles after the
first), and over those ii cycles one dual-port exponential table serves 2 x ii lookups,
so the layer needs ceil(n / (2 ii)) of them (one per two values at RF 1) and its
inverse table. The vendor reports with a streamed softmax at RF > 1 show one DSP and two
block RAMs each: n = 13 at RF 784 (Vivado HLS 2019.2), n = 10 at RF 16 and n = 3 at RF 8
(Vivado HLS 2020.1); at RF 1 (the SVHN CNN, n = 10) ten DSPs.
"""

from __future__ import annotations

import math
from dataclasses import replace

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target


def word_interval(n: int, reuse_factor: int) -> tuple[int, int]:
    """(multiplier_limit, II) of hls4ml's streamed softmax over a word of n values."""
    limit = max(math.ceil(n / max(reuse_factor, 1)), 1)
    return limit, max(n // limit, 1)


def shared_stream_softmax(cost: LayerCost, io: LayerIO, target: Target) -> LayerCost:
    """A softmax's cost (activation_cost.softmax_cost) with its multipliers and tables
    shared as the streamed template shares them (module docs)."""
    if target.io_type != "io_stream" or cost.kind != "softmax":
        return cost
    n = io.n_in
    limit, ii = word_interval(n, io.reuse_factor)
    if limit >= n:
        return cost
    tables_parallel = math.ceil(n / 2) + 1
    tables = math.ceil(n / (2 * ii)) + 1
    per_table = cost.bram_18k / tables_parallel
    return replace(cost, dsp=limit if cost.dsp else 0.0, bram_18k=per_table * tables,
                   cycles=cost.cycles + ii - 1,
                   notes=cost.notes + (f"streamed softmax at RF {io.reuse_factor}: {n} multiplies on {limit} "
                                       f"multiplier(s), one word every {ii} cycles",))


PER_PIXEL_KIND = "softmax (per pixel)"  # a pixel process: it overlaps the others (schedule_stream)


def per_pixel_softmax(word: LayerCost, view: LayerIO, pixels: int) -> LayerCost:
    """A streamed softmax over an image (a convolution's `activation='softmax'`): hls4ml's
    `softmax_stable` / `softmax_latency` loop over the stream words, each word's channels
    normalised on their own, so the hardware is one word's (`word`, costed on the one-pixel
    view) and the process reads a word every word interval. Read from the held-out
    DNNonSilicon CNN with a softmax after each layer (Vivado HLS 2020.1, RF 4): 676 pixels of
    4 channels in 2,717 cycles (676 x 4 + 13), where one softmax over all 2,704 values had
    been estimated (676 multipliers, 875 DSPs in the design against 170)."""
    _, ii = word_interval(view.n_in, view.reuse_factor)
    latency = (pixels - 1) * ii + 1 + word.cycles + C.stream_overhead_cycles
    return replace(word, kind=PER_PIXEL_KIND, cycles=latency, ii=latency + 1, process=True,
                   out_bits=word.out_bits * pixels,
                   notes=word.notes + (f"a softmax over each of {pixels} pixels' {view.n_in} channels, "
                                       f"one pixel every {ii} cycles",))
