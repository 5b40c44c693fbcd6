"""Cycles per input pixel of hls4ml's io_stream line-buffer 2D pooling (`pooling2d_cl`
with `conv_implementation::linebuffer`, the only one Vitis HLS accepts and the default of
every set seen).

Each input pixel runs one iteration of the `ReadInputHeight` x `ReadInputWidth` loop
(LOOP_FLATTEN, PIPELINE with no II, so the tools aim at 1): `compute_pool_buffer_2d`
(INLINE) shifts the pixel into the static line buffer (`ap_shift_reg`) and the static
pooling window, reduces the window channel by channel when the counters (static `int`
pX, pY, sX, sY) say it is full, writes the output word and updates the counters. Every
iteration reads what the previous one wrote (window, line buffer, counters), so the
iteration interval is set by how much of that carried chain one clock cycle holds.

The instance tables of the 19 2D pooling processes in eight vendor reports (seven
designs) split by the cycle's logic budget (Target.budget_ns: the period less the uncertainty, in UltraScale+
-2 nanoseconds):

- one pixel per cycle at a 4.375 ns budget (UltraScale+ -2, 5 ns, the default 12.5%
  uncertainty): the two SVHN CNNs (Vivado HLS 2020.1, xcu250; 903 = 30x30 + 3, 172 =
  13x13 + 3, 19 = 4x4 + 3 in each) and the PokerML CNN (Vivado HLS 2019.2, xczu5ev; 3847 = 62x62 + 3,
  844 = 29x29 + 3);
- two cycles per pixel at 3.65 ns and below: the Vitis HLS 2024.2 CNN on an xczu7ev at
  5 ns with a 27% uncertainty (75 = 2 x 6x6 + 3, interval 72), and four Zynq xc7z020 designs
  (budget 1.31 ns at 5 ns, 0.66 ns at 2.5 ns): the LeNet (Vivado HLS 2019.2; 1155 =
  2 x 24x24 + 3, 131 = 2 x 8x8 + 3), the conv autoencoder (2019.2; 2052 = 2 x 32x32 + 4,
  516, 132), the TUDATALLAPOT CNN (2019.1; 16387 = 2 x 512x16 + 3, 4099 = 2 x 256x8 + 3,
  1032 = 2 x 128x4 + 8) and the separable CNN (2020.1; 1803 = 2 x 30x30 + 3).

The boundary lies between 3.65 and 4.375 ns of budget; the rule puts it at the lowest
budget seen to hold one pixel per cycle. Which operations form the carried chain the
reports do not say (no scheduler log came with them), and the same counter code in the
convolution's `compute_output_buffer_2d` (INLINE OFF, a sub-instance) keeps one pixel
per cycle on the same xc7z020 (the LeNet's 792 = 28x28 + 8): the rule is for pooling
only, and for 2D only (the 1D pooling processes of the Virtex-7 NeutDetector sets at
3.33 ns read one pixel per cycle).

Resources (pool2d_resources), read from the module reports of seven such processes in four
builds (Vivado HLS 2020.1 on an xcu50 at 25 ns; Vitis HLS 2022.1 on an xczu7ev at 5 ns and
2023.1 on an xcvu11p at 10 ns; 4 to 64 channels, 2x2 and 4x4 pools, max and average):

- the line buffer is (pool_height - 1) x channels shift-register cores, each counted at 64 FF
  and 32 LUT whatever its depth (4 to 126 words);
- the window holds (pool_width - 1) x pool_height x channels values in registers (48, 16,
  384, 128 and 8 in the five read row by row);
- the counters, the flattened loop's index and the FSM take about 180 FF; the control logic
  about 300 LUT, and the multiplexers 110 LUT in Vitis HLS, 114 + 18 per channel in Vivado HLS;
- a max pool reduces each channel with pool - 1 compares and selects, 1.6 LUT a bit in
  Vivado HLS and 2.0 in Vitis HLS (its selects also invert the compare); an average pool with
  pool - 1 adders (1.15 LUT a bit), then a divide by a constant and a select (4 LUT a bit a
  channel);
- Vitis HLS pipelines the iteration over 3 cycles and registers the reduction: log2(pool)
  values a channel for a max pool, one fewer for an average (128, 2,048, 1,536, 1,024 FF).

The Vivado HLS build's max pools add 55-LUT multiplexer cores (7 a channel for 4x4, 1 for
2x2) that the SVHN CNNs' totals (Vivado HLS 2020.1, xcu250, 5 ns) do not leave room for:
not modelled. No module report of a 7-series build was found, and their totals (a conv
autoencoder and the MNIST CNNs on xc7z020s) hold more than this rule: they keep the older
per-compare rule of conv_cost.pooling_cost.
"""

from __future__ import annotations

import math

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import Target

# The lowest logic budget (UltraScale+ -2 ns) at which a vendor report shows the 2D
# pooling pixel loop at one pixel per cycle (module docs); 3.65 ns is the highest seen
# at two.
ONE_PIXEL_PER_CYCLE_BUDGET_NS = 4.375
# Cycles after the last pixel: the window's reduction and the output write (every 2x2
# pool above: +3, the 32-bit autoencoder's +4; 4x4 pools take +8 and +10).
POOL_TAIL_CYCLES = 3


def pixel_interval(target: Target) -> int:
    """Cycles per input pixel of a streamed line-buffer 2D pooling (module docs)."""
    return 1 if target.budget_ns >= ONE_PIXEL_PER_CYCLE_BUDGET_NS - 1e-9 else 2


def pool2d_timing(in_pixels: int, target: Target) -> tuple[int, int, str]:
    """(latency, interval, note) of a streamed line-buffer 2D pooling process over
    `in_pixels` input pixels. Vitis HLS rewinds the pipelined pixel loop (the instance
    table's "loop auto-rewind": interval 72, latency 75 for 36 pixels at two cycles);
    Vivado HLS reports the interval as the latency and the region waits one cycle more,
    as for every other streamed process here."""
    per_pixel = pixel_interval(target)
    latency = in_pixels * per_pixel + POOL_TAIL_CYCLES
    ii = in_pixels * per_pixel if target.tool == "Vitis HLS" else latency + 1
    note = (f"io_stream 2D pooling: one pixel per {per_pixel} cycle(s) (the pixel loop's carried "
            f"window and counters at a {target.budget_ns:.2f} ns logic budget)")
    return latency, ii, note


# pool2d_resources' figures (module docs): a line-buffer core (one line of one channel, 16
# bits; stream_conv's Resource convolutions count theirs alike), the fixed registers and
# control logic, and the reduction's LUTs a bit
LINE_CORE_FF, LINE_CORE_LUT = 64, 32
FIXED_FF, CONTROL_LUT = 180, 300
MUX_LUT = {"Vitis HLS": (110, 0), "Vivado HLS": (114, 18)}  # (fixed, per channel)
COMPARE_LUT_PER_BIT = {"Vitis HLS": 2.0, "Vivado HLS": 1.6}
ADD_LUT_PER_BIT, DIVIDE_LUT_PER_BIT = 1.15, 4.0


def pool2d_resources_apply(target: Target) -> bool:
    """Whether pool2d_resources prices a streamed 2D pooling: not on 7-series parts (module docs)."""
    return target.family != "7-series" and target.tool in MUX_LUT


def pool2d_resources(pool_height: int, pool_width: int, n_chan: int, width: int, average: bool,
                     target: Target) -> tuple[float, float]:
    """(LUT, FF) of a streamed line-buffer 2D pooling process (module docs). The LUTs are the
    tool's own; the estimate scales every layer's LUTs by the tool's C.lut_scale afterwards,
    so they are returned divided by it."""
    pool = pool_height * pool_width
    cores = max(pool_height - 1, 1) * n_chan
    fixed_mux, per_channel_mux = MUX_LUT[target.tool]
    if average:
        reduce_lut = n_chan * width * ((pool - 1) * ADD_LUT_PER_BIT + DIVIDE_LUT_PER_BIT)
    else:
        reduce_lut = (pool - 1) * n_chan * width * COMPARE_LUT_PER_BIT[target.tool]
    lut = cores * LINE_CORE_LUT + reduce_lut + CONTROL_LUT + fixed_mux + per_channel_mux * n_chan
    ff = cores * LINE_CORE_FF + (pool_width - 1) * pool_height * n_chan * width + FIXED_FF
    if target.tool == "Vitis HLS":
        ff += max(math.ceil(math.log2(pool)) - (1 if average else 0), 0) * n_chan * width
    return lut / C.lut_scale.get(target.tool, 1.0), ff
