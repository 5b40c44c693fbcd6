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
"""

from __future__ import annotations

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
