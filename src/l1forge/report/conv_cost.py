"""Convolutions: the dense kernel of one output pixel, repeated in space or in time.

io_stream (hls4ml's line-buffer convolution) builds one kernel of
kernel_size x n_chan products per filter, fed a window from shift-register line buffers,
and runs it once per input pixel at II = RF: the latency grows with the image, the
resources do not. io_parallel (conv_*_latency_cl) unrolls `n_pixels` kernels per
partition and runs the `n_partitions` partitions in a loop at II = RF. With distributed
arithmetic the kernel is da4ml's program for one pixel (da_cost.py), unrolled alike.
"""

from __future__ import annotations

import math

import numpy as np

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target, split_delay
from l1forge.report.da_cost import da_dense_cost
from l1forge.report.bits import bits_of
from l1forge.report.dense_cost import distinct_multiplies, kernel_codes, kernel_cost, multiplier_limit
from l1forge.report.resource_cost import resource_cost
from l1forge.report.multipliers import constant_census, product_type
from l1forge.report import vitis_stream_resource
from l1forge.report.stream_conv import (FULL_CONVOLUTIONS, resource_pixel_loop, resource_pixel_cycles,
                                        vitis_pixel_interval, vivado_resource_conv_lut,
                                        vivado_shared_pixel_interval)
from l1forge.report.stream_pooling import pool2d_resources, pool2d_resources_apply, pool2d_timing

SRL_DEPTH = 32  # one LUT holds a 32-deep shift register of one bit


def _kernel(layer, io: LayerIO, target: Target) -> tuple[LayerCost, int]:
    if io.strategy == "distributed_arithmetic":  # da4ml's program for one pixel, no weights in the graph
        return da_dense_cost(layer, io, target), int(layer.get_attr("n_filt"))
    matrix, biases, weight = kernel_codes(layer)
    product = product_type(io.in_bits, bits_of(layer.weights["weight"].type.precision))
    n_filt = matrix.shape[1]
    accum_t = layer.get_attr("accum_t")
    accum = bits_of(accum_t.precision) if accum_t is not None else io.out_bits
    if io.strategy == "resource" and io.reuse_factor > 1:
        cost = resource_cost(layer.name, "conv", io, matrix.size, n_filt, io.in_bits, weight,
                             accum, product, target)
        return cost, n_filt
    census = constant_census(matrix, biases, io.in_bits, weight, product, target.dsp_shape,
                             multiplier_impl=target.multiplier_impl)
    census = distinct_multiplies(census, matrix)
    limit = multiplier_limit(layer, matrix.size, io.reuse_factor)
    # the kernel reads one window (its matrix's rows), not the whole image io.live_in counts
    return kernel_cost(layer.name, "conv", io, census, accum, n_filt, limit, target,
                       live_inputs=int(np.count_nonzero(np.any(matrix != 0, axis=1)))), n_filt


def _pixels(shape: tuple[int, ...]) -> int:
    return int(math.prod(shape[:-1])) if len(shape) > 1 else 1


def conv_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    kernel, n_filt = _kernel(layer, io, target)
    in_pixels, out_pixels = _pixels(io.in_shape), _pixels(io.out_shape)
    n_chan = io.in_shape[-1]
    out_bits = out_pixels * n_filt * io.out_bits.width
    if target.io_type == "io_stream":
        filt_h = int(layer.get_attr("filt_height", 1) or 1)
        filt_w = int(layer.get_attr("filt_width", 1) or 1)
        in_width = int(layer.get_attr("in_width", io.in_shape[-2] if len(io.in_shape) > 1 else 1))
        line_bits = max(filt_h - 1, 0) * n_chan * io.in_bits.width
        line_lut = line_bits * math.ceil(in_width / SRL_DEPTH)
        window_ff = filt_h * filt_w * n_chan * io.in_bits.width
        sequential = resource_pixel_loop(io, target)  # the pixel loop is not pipelined (stream_conv)
        if sequential:
            # Vivado HLS runs the line buffer's KernelShiftWidth loop in 2D too (the DNNonSilicon
            # CNNs' verbose schedule, Vivado HLS 2020.1: trip filt_width - 1 in every pixel)
            encoded = str(layer.get_attr("implementation", "linebuffer") or "linebuffer").lower() == "encoded"
            shifts_2d = target.tool == "Vivado HLS" and not encoded
            per_pixel = resource_pixel_cycles(kernel, filt_w, two_d="2D" in layer.class_name and not shifts_2d)
            how = f"one pixel per {per_pixel} cycles (a sequential iteration: window shift loop and kernel call)"
            # Vitis HLS adds the loop's exit cycle (the Artix-7 CNNs' three processes, Vitis HLS
            # 2024.2: 225,281 = 4,096 x 55 + 1, 49,501 = 900 x 55 + 1, 9,296 = 169 x 55 + 1);
            # Vivado HLS does not (the Conv1D encoders: 884 = 68 x 13)
            latency = in_pixels * per_pixel + (1 if target.tool == "Vitis HLS" else 0)
        else:
            # the last pixel's kernel call ends after its issue, except where a pixel holds
            # its whole call (Vivado HLS at RF > 1: the MNIST CNN's 784 x 13 + 2, 36 x 16 + 2)
            tail = kernel.cycles + 2
            if target.tool == "Vitis HLS":
                per_pixel = vitis_pixel_interval(kernel)
                how = f"one pixel per {per_pixel} cycles (the kernel call and the window it reads)"
            elif io.reuse_factor > 1 and layer.class_name in FULL_CONVOLUTIONS:
                per_pixel, tail = vivado_shared_pixel_interval(kernel, io.reuse_factor), 2
                how = f"one pixel per {per_pixel} cycles (the window's counters, the kernel call, its write)"
            else:
                per_pixel, how = kernel.ii, "one pixel per RF cycles"
            latency = in_pixels * per_pixel + tail
        # Vitis HLS rewinds the pipelined pixel loop: the next image starts as the last
        # pixel is issued (no idle cycle), so the process interval is pixels x per-pixel
        # interval (the Conv1D report: 390 = 130 x 3, latency 393)
        rewinds = target.tool == "Vitis HLS" and not sequential
        buffer_ff = 0.0  # counted from the reports, not scaled (LayerCost.ff_counted)
        if sequential and vitis_stream_resource.applies(io, target) and "2D" in layer.class_name:
            # the window bookkeeping Vitis HLS builds around a Resource kernel (vitis_stream_resource)
            line_lut, buffer_ff = vitis_stream_resource.conv_buffer(filt_h, filt_w, n_chan)
        elif sequential and target.tool == "Vivado HLS" and "2D" in layer.class_name:
            # the line-buffer cores and the window's control Vivado HLS builds around it (stream_conv)
            line_lut = vivado_resource_conv_lut(filt_h, n_chan, n_filt, io.in_bits.width)
        return LayerCost(
            name=layer.name, kind="conv", dsp=kernel.dsp, lut=kernel.lut + line_lut,
            ff=kernel.ff + window_ff, ff_counted=kernel.ff_counted + buffer_ff,
            bram_18k=kernel.bram_18k, cycles=latency,
            ii=in_pixels * per_pixel if rewinds else latency + 1,
            process=True, out_bits=out_bits,
            notes=kernel.notes + (f"io_stream convolution: one kernel, {how}",))
    partitions = int(layer.get_attr("n_partitions", 1) or 1)
    copies = max(out_pixels // max(partitions, 1), 1)
    cycles = kernel.cycles + (partitions - 1) * kernel.ii
    return LayerCost(
        name=layer.name, kind="conv", dsp=kernel.dsp * copies, lut=kernel.lut * copies,
        ff=kernel.ff * copies, bram_18k=kernel.bram_18k, cycles=cycles,
        ii=partitions * kernel.ii, head_ns=kernel.head_ns, delay_ns=kernel.delay_ns,
        out_bits=out_bits,
        notes=kernel.notes + (f"io_parallel convolution: {copies} kernel copies x {partitions} partitions",))


def pooling_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    """Max pooling compares, average pooling adds; both over the pool window."""
    pool_height, pool_width = int(layer.get_attr("pool_height", 1) or 1), int(layer.get_attr("pool_width", 1) or 1)
    pool = pool_height * pool_width
    if layer.class_name.startswith("GlobalPooling"):
        pool = max(_pixels(io.in_shape), 1)
    n_out = io.n_out
    lut = n_out * max(pool - 1, 0) * io.in_bits.width * 1.5  # a comparator and a mux per step
    levels = math.ceil(math.log2(pool)) if pool > 1 else 0
    delay = levels * (C.delay_adder_level_ns + C.delay_relu_ns / 2)
    if target.io_type == "io_stream":
        in_pixels = _pixels(io.in_shape)
        n_chan = io.in_shape[-1]
        in_width = int(layer.get_attr("in_width", 1) or 1)
        latency = in_pixels + 3
        if layer.class_name.startswith("GlobalPooling"):
            # hls4ml's streamed global pooling keeps one running maximum (or sum) per
            # channel, updated as each pixel is read: one comparator and one register per
            # channel, whatever the image size (no line buffer, no window)
            return LayerCost(name=layer.name, kind="pooling", lut=n_chan * io.in_bits.width * 1.5,
                             ff=n_chan * io.in_bits.width, cycles=latency, ii=latency + 1, process=True,
                             out_bits=n_out * io.out_bits.width,
                             notes=("io_stream global pooling: a running result per channel",))
        line_buffer_2d = (layer.class_name == "Pooling2D"
                          and str(layer.get_attr("implementation", "linebuffer")).lower() == "linebuffer")
        ii, notes = latency + 1, ()
        if line_buffer_2d:
            latency, ii, note = pool2d_timing(in_pixels, target)  # the carried pixel loop (stream_pooling)
            notes = (note,)
        if line_buffer_2d and pool2d_resources_apply(target):
            # the module reports' line buffer, window and reduction (stream_pooling)
            average = str(layer.get_attr("pool_op", "Max")).lower().startswith("av")
            lut, ff_counted = pool2d_resources(pool_height, pool_width, n_chan, io.in_bits.width, average, target)
            ff = 0.0
        else:
            # a comparator and a mux per step, the line buffer in shift registers, the window
            lut = ((pool - 1) * n_chan * io.in_bits.width * 1.5
                   + n_chan * io.in_bits.width * math.ceil(in_width / SRL_DEPTH))
            ff, ff_counted = pool * n_chan * io.in_bits.width, 0.0
        return LayerCost(name=layer.name, kind="pooling", lut=lut, ff=ff, ff_counted=ff_counted,
                         cycles=latency, ii=ii, process=True,
                         out_bits=n_out * io.out_bits.width, notes=notes)
    cycles, head, tail = split_delay(delay, target.budget_ns)
    return LayerCost(name=layer.name, kind="pooling", lut=lut, cycles=cycles, head_ns=head,
                     delay_ns=tail, out_bits=n_out * io.out_bits.width)
