"""Cycles per input pixel of hls4ml's io_stream line-buffer convolution (conv_1d_cl,
conv_2d_cl with `conv_implementation::linebuffer`), by strategy and tool.

Every input pixel runs one call of `compute_output_buffer_1d/2d` (INLINE OFF): it shifts
the pixel into the kernel window (`kernel_shift_1d/2d`, whose `KernelShiftWidth` loop over
filt_width - 1 columns carries its own `PIPELINE II=1`) and, once the window is full,
calls the dense kernel and writes one output word.

- Latency strategy, Vivado HLS: `conv_1d_buffer_cl` / `conv_2d_buffer_cl` pipeline the
  pixel loop at II = RF, so the window shift and the kernel unroll inside the pipeline:
  one pixel every RF cycles (the SVHN CNN, RF 1).
- Latency strategy, Vitis HLS: the kernel stays a sub-instance and each pixel waits for
  the call before it (vitis_pixel_interval).
- Resource strategy (any RF in Vivado HLS, RF > 1 in Vitis HLS): the templates pipeline
  the pixel loop only for
  the Latency and distributed-arithmetic strategies, so each pixel is one sequential
  iteration: the stream read and the window bookkeeping, in 1D the `KernelShiftWidth`
  loop run as a loop (filt_width - 1 cycles; in 2D the same loop sits inside
  `shift_line_buffer`, a pipelined function, and unrolls), then the kernel (its RF-cycle
  `ReuseLoop` and the multiplier pipeline) and the write (resource_pixel_cycles). The
  tool reports the iteration's worst case (the kernel called) for every pixel, so the
  process takes pixels x that many cycles.
- Resource strategy at RF 1 in Vitis HLS: the kernel's `ReuseLoop` has one trip and
  nothing is left to share; the pixel iteration takes what the Latency strategy's does
  (resource_pixel_loop).
"""

from __future__ import annotations

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target
from l1forge.report.dense_cost import pipelined_interval
from l1forge.report.stream_pooling import LINE_CORE_LUT


def resource_pixel_loop(io: LayerIO, target: Target) -> bool:
    """Whether a streamed convolution runs the Resource strategy's sequential pixel
    iteration (resource_pixel_cycles). Not in Vitis HLS at RF 1: there the two-input
    smart-pixel CNN (Vitis HLS 2023.1, hls4ml 1.0, every layer Resource at RF 1, on an
    xcvu13p at 5 ns and an xcku040 at 25 ns) takes 2 and 3 cycles a padded input pixel in
    its 3x3 convolutions (303 = 150 x 2 + 3, 146 = 48 x 3 + 2; 302 and 98 at 25 ns), the
    very figures of its pruned twin in the Latency strategy (the same layers with 2 and 4
    filters and 24-bit weights: 303 and 147), where
    the sequential iteration (resource_pixel_cycles) gives 5. Vivado HLS at RF 1 keeps the
    sequential iteration (the Conv1D encoders, Vivado HLS 2020.1: 6 ~ 7 cycles at
    filt_width 3)."""
    if io.strategy != "resource":
        return False
    return not (target.tool == "Vitis HLS" and io.reuse_factor <= 1)


FULL_CONVOLUTIONS = ("Conv1D", "Conv2D", "Conv2DBatchnorm")  # compute_output_buffer_1d/2d


def vivado_shared_pixel_interval(kernel: LayerCost, reuse_factor: int) -> int:
    """Cycles per pixel of hls4ml's line-buffer convolution in Vivado HLS at a reuse factor
    above 1 (Latency strategy). `compute_output_buffer_2d` is a function pipeline whose II
    target is RF: its first state compares the window's counters (sX, sY, pX, pY), the dense
    kernel's call follows, and a pipeline no longer than its target runs once per depth, so
    a pixel takes the kernel's cycles + 3 (at most RF). Read from the verbose schedule of the
    thirteenth unseen set's MNIST CNN (Vivado HLS 2020.1, xcu50, 25 ns, RF 16): the kernel
    call 10 cycles, the function depth 12 and II 12, the pixel 13 (10,194 cycles for 784
    pixels); its second convolution, whose kernel takes 13, runs at RF (16). At RF 1 the
    pixel loop is pipelined at II 1 (the SVHN CNN); separable convolutions have their own
    loops (the separable CNN's depthwise, 14 a pixel at RF 16, the kernel's interval)."""
    return pipelined_interval(reuse_factor, kernel.cycles + 2)


def vitis_pixel_interval(kernel: LayerCost) -> int:
    """Cycles per pixel of hls4ml's line-buffer convolution in Vitis HLS (Latency strategy).

    `compute_output_buffer_1d/2d` (INLINE OFF) keeps the window in a static array, shifts
    the new pixel in, and calls the dense kernel on it; Vitis HLS keeps that kernel a
    pipelined sub-instance (`function_instantiate`) instead of inlining it. The next
    pixel's store into the window must wait for the call that reads it: the Vitis HLS
    2024.1 log of the Conv1D set says so ("Unable to enforce a carried dependence
    constraint ... between 'call' operation to 'dense_latency' and 'store' ... on static
    variable kernel_data"; kernel "Final II = 1, Depth = 2"; pixel function "Target II = 1,
    Final II = 3"). So a pixel takes the call's depth (the kernel's cycles + 1) plus the
    store's cycle, and never less than the kernel's own interval (RF or its schedule + 1).
    Vivado HLS inlines the kernel and reaches one pixel per RF cycles (the SVHN CNN, RF 1).
    """
    return max(kernel.ii, kernel.cycles + 2)


def resource_pixel_cycles(kernel: LayerCost, filt_width: int, two_d: bool) -> int:
    """Cycles of one pixel iteration of a Resource-strategy streamed convolution (module
    docs): C.stream_resource_pixel_cycles for the read, the window bookkeeping and the
    write, filt_width - 1 for the 1D `KernelShiftWidth` loop, and the kernel's cycles (at
    least one: at RF 1 its one-trip `ReuseLoop` unrolls into a cycle of logic).

    Read from the per-instance reports of two Conv1D encoders (Vivado HLS 2020.1, KU15P -1
    and Artix-7 at 5 ns, Resource, RF 1 to 3): the loop tables show `ReadInputWidth` not
    pipelined, its `KernelShiftWidth` sub-loop (trip filt_width - 1, II 1) and the kernel's
    `ReuseLoop`; iterations of 6 ~ 7 cycles for filt_width 3 at RF 1, 8 ~ 13 for filt_width
    5 at RF 2 (kernel RF + 3), 6 ~ 12 for filt_width 3 at RF 3; each process's latency is
    pixels x the longest iteration (884 = 68 x 13, 462 = 66 x 7, 792 = 66 x 12). The 2D
    reports (Vivado HLS 2019.2, older templates) agree within a few cycles per pixel: the
    PokerML CNN's iterations are 3 ~ RF + 5 cycles, the conv autoencoder's 4 ~ RF + 11
    (32-bit products on four DSP48E1 each)."""
    shift = 0 if two_d else max(filt_width - 1, 0)
    return C.stream_resource_pixel_cycles + shift + max(kernel.cycles, 1)


# vivado_resource_conv_lut's figures: the pixel function's counters and compares, and the
# FIFO handshakes per channel and filter (a line-buffer core is stream_pooling's LINE_CORE_LUT)
WINDOW_CONTROL_LUT = 457
HANDSHAKE_LUT = 9


def vivado_resource_conv_lut(filt_height: int, n_chan: int, n_filt: int, width: int) -> float:
    """LUTs Vivado HLS builds around the kernel of a Resource-strategy streamed 2D
    convolution (the sequential pixel iteration of resource_pixel_loop): the line buffer's
    (filt_height - 1) x n_chan shift-register cores, counted at 32 LUT each for 16-bit data
    whatever their depth (as in the streamed pooling's, stream_pooling.py), and the window's
    control. Read from the module reports of the twenty-eighth unseen set's six convolutions
    (Vivado HLS 2020.1, xc7z020, 5 ns, after its held-out run): `shift_line_buffer` 64 LUT a
    channel at an input width of 10 (96 at 34); `compute_output_buffer_2d` 344 LUT of 32-bit
    counter adders, compares and selects whatever the shape, and a multiplexer of 9 x (5 +
    n_filt) + 27; the process around it 32 + 54 + 9 x (n_chan + n_filt) (exact on the three
    read row by row). What is inside the kernel (dense_resource) stays resource_cost's."""
    cores = max(filt_height - 1, 0) * n_chan
    return (cores * LINE_CORE_LUT * width / 16 + WINDOW_CONTROL_LUT
            + HANDSHAKE_LUT * (2 * n_filt + n_chan))
