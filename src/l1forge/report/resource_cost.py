"""hls4ml's Resource strategy (dense_resource): ceil(n_products / RF) real multipliers
read their weights from a ROM, which the template forces into block RAM when RF > 1, and
issue the products over RF pipelined cycles, accumulating each output in place.

The template (nnet_dense_resource.h, hls4ml 0.x to 1.3) has three bodies, picked by RF
against the inputs per output n_in (resource_case):

- rf_leq_nin (RF <= n_in): multiplier `im` reads `data[in_index]`, an index stepped by RF
  from the loop counter `ir` and reset to `ir` past n_in; it accumulates into a fixed
  output;
- rf_gt_nin_rem0 (RF > n_in, RF % n_in == 0): one index `in_index`, counted 0..n_in-1
  across the loop, feeds every multiplier; each multiplier adds into one of RF / n_in
  outputs, picked by `outidx[ir]`, a table the loop reads every cycle (beside the
  multiply, so the iteration is no deeper than rf_leq_nin's);
- rf_gt_nin (the rest): `data[(ir + RF * im) % n_in]` per multiplier, summed per output
  in `mult[]` before the accumulators.
"""

from __future__ import annotations

import math

from l1forge.emulate.nodes import LEQ, REM0, resource_case
from l1forge.report import vitis_stream_resource
from l1forge.report.bits import Bits
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target
from l1forge.report.multipliers import variable_census
from l1forge.report.variable_binding import shared_multiply_dsps

def resource_cost(name: str, kind: str, io: LayerIO, n_products: int, n_out: int,
                  data: Bits, weight: Bits, accum: Bits, product: str, target: Target) -> LayerCost:
    """Cost of hls4ml's Resource strategy: shared multipliers and a weight ROM."""
    rf = io.reuse_factor
    n_in = max(n_products // max(n_out, 1), 1)
    case = resource_case(n_in, rf)
    block = math.ceil(n_products / rf)
    census = shared_multiply_dsps(variable_census(block, n_out, data, weight, product, target.dsp_shape),
                                  n_out, n_in, rf, data, weight, accum, target.multiplier_impl)
    lut = (C.lut_per_adder_bit * census.lut_adder_bits + C.lut_per_tree_bit * block * accum.width
           + input_mux_lut(block, data.width, n_in, rf, case)
           + accumulator_select_lut(block, accum.width, n_in, rf, case)
           + block * accumulate_cast_lut(data, weight, accum))
    bram = rom_bram_18k(block * weight.width, rf) if rf > 1 else 0
    ff = n_out * accum.width + block * (data.width + weight.width)
    ff_counted = 0.0  # registers counted from the reports, not scaled in io_stream
    if vitis_stream_resource.applies(io, target):
        # the kernel's phi and rewind copies of its inputs (vitis_stream_resource); a streamed
        # Dense also keeps the inputs it gathers
        copies_lut, copies_ff = vitis_stream_resource.kernel_input_copies(n_in, data.width)
        lut += copies_lut
        ff_counted = copies_ff + (input_register_ff(n_in, data, target.io_type) if kind == "dense" else 0)
    elif kind == "dense":
        ff += input_register_ff(n_in, data, target.io_type)
    # multiplier pipeline (DSP with M and P registers); the rem0 body's read of its
    # output-index table `outidx[ir]` runs beside the multiply, which it does not delay.
    # Where a cycle holds the weight read, the multiply and the accumulation (a budget of
    # C.resource_flat_budget_ns), the loop body is one stage.
    depth = (1 if target.budget_ns >= C.resource_flat_budget_ns else 3) if census.n_dsp else 1
    return LayerCost(name=name, kind=kind, dsp=census.n_dsp * census.dsp_per_product, lut=lut,
                     ff=ff, ff_counted=ff_counted, bram_18k=bram, cycles=rf + depth, ii=rf,
                     head_ns=target.budget_ns, delay_ns=C.delay_adder_level_ns,
                     out_bits=n_out * io.out_bits.width,
                     notes=(f"Resource strategy: {block} multipliers shared over RF={rf} ({case})",))


LUT6_MUX_INPUTS = 4  # a LUT6 is a 4:1 multiplexer (the slice's F7/F8 muxes join them)


def index_values(n_in: int, reuse_factor: int) -> int:
    """Inputs the tool gives each multiplier's operand multiplexer in the rf_leq_nin body:
    `in_index` starts from the loop counter `ir`, whose register holds 0..RF (the exit
    test needs RF), i.e. ceil(log2(RF + 1)) bits, and the tool sizes the multiplexer by
    that width, never beyond the n_in inputs. Vivado HLS 2020.1, xc7z020 (the PYNQ QKeras
    jet tagger's fc2, RF 32 over 64 inputs): 64 `mux_646_5` instances, 64 inputs on a
    6-bit select; its output layer (RF 16, 32 inputs): 32-input muxes. The RF-2 Conv1D
    encoders (Vivado HLS 2020.1, KU15P and Artix-7): their four Resource layers cost the
    same LUTs per multiplier (285 to 299) over 64, 40, 40 and 20 inputs, so the
    multiplexer there does not grow with n_in: 4 inputs."""
    return min(n_in, 2 ** math.ceil(math.log2(reuse_factor + 1)))


def input_mux_lut(multipliers: int, width: int, n_in: int, reuse_factor: int, case: str = LEQ) -> float:
    """LUTs of the Resource strategy's input multiplexers: the template reads
    `data[in_index]` with an index that changes every cycle of the RF loop, about
    inputs / 4 LUT6 per bit of each multiplexer. rf_leq_nin: one per multiplier
    (Vivado HLS 2020.1 binding reports of the PYNQ QKeras jet tagger: 64 and 10 such
    multiplexers for 64 and 10 multipliers) over index_values inputs; rf_gt_nin_rem0:
    a single n_in:1 multiplexer, since every multiplier reads the same `data[in_index]`;
    rf_gt_nin: one n_in:1 per multiplier (`(ir + RF * im) % n_in` covers every input).
    None without a reuse factor (every product has its own constant input)."""
    if reuse_factor <= 1:
        return 0.0
    if case == REM0:
        return width * math.ceil(n_in / LUT6_MUX_INPUTS)
    inputs = index_values(n_in, reuse_factor) if case == LEQ else n_in
    return multipliers * width * math.ceil(inputs / LUT6_MUX_INPUTS)


def accumulator_select_lut(multipliers: int, width: int, n_in: int, reuse_factor: int, case: str) -> float:
    """rf_gt_nin_rem0: multiplier `im` adds into `acc[outidx[ir] + im * RF / n_in]`, one
    of RF / n_in accumulators that changes with the cycle, so it reads its addend through
    an (RF / n_in):1 multiplexer of the accumulator's width (template; the other bodies
    accumulate each multiplier into a fixed output)."""
    if case != REM0:
        return 0.0
    return multipliers * width * math.ceil((reuse_factor // n_in) / LUT6_MUX_INPUTS)


def accumulate_cast_lut(data: Bits, weight: Bits, accum: Bits) -> float:
    """LUTs per multiplier of `acc[o] += static_cast<accum_t>(product)` when accum_t
    rounds or saturates: the full-precision product is rounded and saturated into
    accum_t, and the sum saturated again; each cast costs C.lut_per_cast_in_bit per bit
    of what it narrows (the rounding and saturating cast of the calibration's ReLUs).
    Nothing where the product fits accum_t or its modes truncate and wrap. The RF-2
    Conv1D encoders (fixed<24,16,RND,SAT> accumulators of 24x8-bit products, Vivado HLS
    2020.1): 285 to 299 LUTs per multiplier over four layers; this gives 219 of them,
    their multiplexers and adders the rest."""
    prod_width = data.width + weight.width
    prod_integer = data.integer + weight.integer
    narrows = accum.rounds and prod_width - prod_integer > accum.width - accum.integer
    clips = accum.saturates and prod_integer > accum.integer
    lut = C.lut_per_cast_in_bit * prod_width if narrows or clips else 0.0
    if accum.saturates:
        lut += C.lut_per_cast_in_bit * (accum.width + 1)
    return lut


# Block RAM 18K shapes: (words, bits per word)
BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))


def rom_bram_18k(word_bits: int, words: int) -> int:
    """Block RAMs of the weight ROM: ARRAY_RESHAPE packs each cycle's weights into one
    word of `block x weight` bits, RF words deep, and the tool picks the BRAM18 shape
    that needs the fewest: a 784-deep ROM of 78-bit words takes 5 as 1K x 18 (PokerML's
    Dense, Vivado HLS 2019.2: 5), not 6 as 512 x 36; 8 words of 768 bits take 22 as
    512 x 36 (the PYNQ QKeras tagger's fc1, Vivado HLS 2020.1: 22)."""
    return min(math.ceil(word_bits / width) * math.ceil(words / depth) for depth, width in BRAM18_SHAPES)


def input_register_ff(n_in: int, data: Bits, io_type: str) -> int:
    """Registers holding a Resource dense's inputs while its RF-cycle loop reads them.

    io_stream: hls4ml's streamed dense gathers its input words into `data[n_in]`
    (ARRAY_PARTITION complete) before the kernel runs: n_in registers of the input width
    (nnet_dense_stream.h). io_parallel: the layer is a dataflow process whose whole body
    is the loop, which the tool pipelines with `rewind`; each input read gets a `rewind`
    register and a `phi` register (the Register table of the PYNQ QKeras tagger's fc2,
    Vivado HLS 2020.1: data_N_V_read_rewind_reg and data_N_V_read_phi_reg, 5 bits each, for
    all 64 inputs): 2 x n_in registers."""
    return (1 if io_type == "io_stream" else 2) * n_in * data.width
