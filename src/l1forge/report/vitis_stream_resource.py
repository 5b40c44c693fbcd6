"""Vitis HLS, Resource strategy, io_stream: what the tool builds around a shared kernel
besides its multipliers, adders and weight ROM (resource_cost).

Read from the per-module C-synthesis reports of the twenty-first unseen set's Artix-7 CNN
(Vitis HLS 2024.2, hls4ml 1.0 templates: three 5x5 Conv2D layers and a Dense(125 -> 1),
Resource at RF 50 and 25; VALIDATION.md), after its held-out run, where the processes held
2 to 7 times the estimate's LUTs:

- the kernel (`dense_resource_*`, a `ReuseLoop` pipelined with `rewind`) takes its inputs
  as scalars and holds each twice, a `phi` and a `rewind` register, each behind a 2:1
  multiplexer the tool counts at 9 LUTs whatever its width: 18 LUTs and 2 x width FFs an
  input (25 x 8, 50 x 6, 100 x 6 window values; 125 x 6 Dense inputs: 450, 900, 1,800 and
  2,250 LUTs, 33-71% of each process). The streamed Dense also keeps the inputs it gathers
  (`DataPrepare`): 125 x 6 more FFs;
- a line-buffer convolution's `compute_output_buffer_2d` keeps four 32-bit `int`
  counters: 443 LUTs of adders and comparators, 66 of multiplexers, 128 FFs, the same in
  all three layers;
- its line buffer is (filt_h - 1) x channels memories, which the tool counts at 32 LUTs
  and 64 FFs each whatever their depth (64, 30 and 13 words), and a 2:1 multiplexer (9
  LUTs) for each window value read from them ((filt_h - 1) x filt_w x channels).

With these the set's processes come within 10-20% of their reports. Vitis HLS only (the
Vivado HLS streamed Resource CNNs keep other structures, VALIDATION.md), the Resource
strategy's sequential pixel loop and streamed Dense only (the Latency strategy pipelines
the pixel and inlines the kernel).
"""

from __future__ import annotations

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerIO, Target


def applies(io: LayerIO, target: Target) -> bool:
    return (target.tool == "Vitis HLS" and target.io_type == "io_stream" and io.strategy == "resource"
            and io.reuse_factor > 1)


def kernel_input_copies(n_inputs: int, width: int) -> tuple[float, float]:
    """(LUT, FF) of the kernel's phi and rewind copies of its inputs (module docs)."""
    return C.vitis_rewind_mux_lut * n_inputs, 2.0 * n_inputs * width


def conv_buffer(filt_h: int, filt_w: int, n_chan: int) -> tuple[float, float]:
    """(LUT, FF) of a Resource line-buffer convolution's window bookkeeping: the counters of
    compute_output_buffer_2d, the line-buffer memories and the window's multiplexers."""
    memories = max(filt_h - 1, 0) * n_chan
    lut = C.vitis_conv_counters_lut + memories * C.vitis_line_memory_lut + memories * filt_w * C.vitis_window_mux_lut
    ff = C.vitis_conv_counters_ff + memories * C.vitis_line_memory_ff
    return lut, ff
