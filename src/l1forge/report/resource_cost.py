"""hls4ml's Resource strategy (dense_resource): ceil(n_products / RF) real multipliers
read their weights from a ROM, which the template forces into block RAM when RF > 1, and
issue the products over RF pipelined cycles, accumulating each output in place."""

from __future__ import annotations

import math
from dataclasses import replace

from l1forge.report.bits import Bits
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target
from l1forge.report.multipliers import Census, variable_census


def resource_cost(name: str, kind: str, io: LayerIO, n_products: int, n_out: int,
                  data: Bits, weight: Bits, accum: Bits, product: str, target: Target) -> LayerCost:
    """Cost of hls4ml's Resource strategy: shared multipliers and a weight ROM."""
    rf = io.reuse_factor
    block = math.ceil(n_products / rf)
    census = accumulating_dsps(variable_census(block, n_out, data, weight, product, target.dsp_shape),
                               n_out, target)
    lut = (C.lut_per_adder_bit * census.lut_adder_bits + C.lut_per_tree_bit * block * accum.width
           + input_mux_lut(block, data.width, n_products // max(n_out, 1), rf))
    rom_bits_wide = block * weight.width
    bram = math.ceil(rom_bits_wide / 36) * math.ceil(rf / 512) if rf > 1 else 0
    ff = n_out * accum.width + block * (data.width + weight.width)
    depth = 3 if census.n_dsp else 1  # multiplier pipeline (assumed: DSP with M and P registers)
    return LayerCost(name=name, kind=kind, dsp=census.n_dsp * census.dsp_per_product, lut=lut,
                     ff=ff, bram_18k=bram, cycles=rf + depth, ii=rf,
                     head_ns=target.budget_ns, delay_ns=C.delay_adder_level_ns,
                     out_bits=n_out * io.out_bits.width,
                     notes=(f"Resource strategy: {block} multipliers shared over RF={rf}",))


LUT6_MUX_INPUTS = 4  # a LUT6 is a 4:1 multiplexer (the slice's F7/F8 muxes join them)


def input_mux_lut(multipliers: int, width: int, n_in: int, reuse_factor: int) -> float:
    """LUTs of the Resource strategy's input multiplexers: the template reads
    `data[in_index]` with an index that changes every cycle of the RF loop, so each of
    the shared multipliers selects its `width`-bit operand from the layer's `n_in`
    inputs (per output: the convolution's kernel window), one n_in:1 multiplexer per
    multiplier (Vivado HLS 2020.1 binding reports of the PYNQ QKeras jet tagger: 64 and
    10 such multiplexers for 64 and 10 multipliers), about n_in / 4 LUT6 per bit. None
    without a reuse factor (every product has its own constant input)."""
    if reuse_factor <= 1:
        return 0.0
    return multipliers * width * math.ceil(n_in / LUT6_MUX_INPUTS)


def accumulating_dsps(census: Census, n_out: int, target: Target) -> Census:
    """A Resource-strategy layer whose shared multiplies are too narrow for a DSP by their
    widths still puts one multiply per output into a DSP48: the template's
    `acc[out_index] += product(...)` is a multiply-accumulate, and the tool binds the
    first multiply of each output's sum together with its add into a DSP multiply-add
    (P = A*B + C); the other multiplies of the cycle stay in fabric. So min(multipliers,
    outputs) DSPs, and the loop's iteration takes the DSP pipeline's depth.

    Vivado HLS 2020.1, xc7z020 -1 (the PYNQ QKeras jet tagger, 6-bit inputs and weights,
    RF 32/16/16): 32, 32 and 5 DSPs for 64, 64 and 10 shared 6x6 multipliers over 32, 32
    and 5 outputs, and latencies RF + 4 (RF + 2 without the DSP pipeline); its 16-bit-input
    layer (RF 8) has all 128 multipliers on DSPs by width. Not where the build forces
    multiplies into fabric."""
    if not census.n_lut or target.multiplier_impl == "fabric":
        return census
    mac = min(census.n_lut, n_out)
    kept = census.n_lut - mac
    return replace(census, n_lut=kept, n_dsp=census.n_dsp + mac, dsp_per_product=max(census.dsp_per_product, 1),
                   lut_adder_bits=round(census.lut_adder_bits * kept / census.n_lut))
