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
                  data: Bits, weight: Bits, accum: Bits, product: str, target: Target,
                  packed_input: bool = False) -> LayerCost:
    """Cost of hls4ml's Resource strategy: shared multipliers and a weight ROM.
    `packed_input`: the layer reads the design's input port, one packed word in io_parallel."""
    rf = io.reuse_factor
    n_in = max(n_products // max(n_out, 1), 1)
    case = resource_case(n_in, rf)
    block = math.ceil(n_products / rf)
    census = shared_multiply_dsps(variable_census(block, n_out, data, weight, product, target.dsp_shape),
                                  n_out, n_in, rf, data, weight, accum, target.multiplier_impl)
    if target.tool == "Vitis HLS" and case == LEQ and rf > 1:
        select_lut = vitis_shared_select_lut(n_in, data.width, rf, packed_input)
    else:
        select_lut = input_mux_lut(block, data.width, n_in, rf, case)
    lut = (C.lut_per_adder_bit * census.lut_adder_bits + C.lut_per_tree_bit * block * accum.width
           + select_lut + accumulator_select_lut(block, accum.width, n_in, rf, case)
           + block * accumulate_cast_lut(data, weight, accum))
    bram = rom_bram_18k(block * weight.width, rf) if rf > 1 else 0
    ff = n_out * accum.width + operand_registers(block, census, target) * (data.width + weight.width)
    ff_counted = 0.0  # registers counted from the reports, not scaled in io_stream
    if vitis_stream_resource.applies(io, target):
        # the kernel's phi and rewind copies of its inputs (vitis_stream_resource); a streamed
        # Dense also keeps the inputs it gathers
        copies_lut, copies_ff = vitis_stream_resource.kernel_input_copies(n_in, data.width)
        lut += copies_lut
        ff_counted = copies_ff + (input_register_ff(n_in, data, target.io_type) if kind == "dense" else 0)
    elif kind == "dense":
        ff += input_register_ff(n_in, data, target.io_type)
        if target.tool == "Vitis HLS" and target.io_type == "io_parallel":
            lut += vitis_rewind_mux_lut(n_in, n_out, packed_input)
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


def operand_registers(block: int, census, target: Target) -> int:
    """The multipliers whose operands the kernel holds in fabric registers (data and weight
    width each): all of them, but in Vivado HLS io_parallel those of products wider than
    one DSP, which the tool builds as a DSP cascade holding its operands in the DSPs' own
    input registers. Read after their held-out run from the thirty-fifth unseen set's two
    Vivado HLS 2019.2 Resource builds of a 57-128-64-16 encoder (32-bit data, 8- and
    32-bit weights, 2 and 4 DSPs a product, RF 2 to 19): their dense instances hold each
    output's accumulator and each input's two rewind copies and nothing a multiplier (the
    8-bit build's 128 -> 64 layer at RF 2: 12,039 FF, where its 4,096 multipliers' operand
    registers alone would be 163,840).
    io_stream keeps the rule: the one streamed design with such products (the
    validation's 32-bit conv autoencoder, Vivado HLS 2019.2) is already 33% under in FF."""
    if target.tool == "Vivado HLS" and target.io_type == "io_parallel" and census.dsp_per_product > 1:
        return block - census.n_dsp
    return block


def vitis_shared_select_lut(n_in: int, width: int, reuse_factor: int, packed_input: bool) -> float:
    """LUTs of the rf_leq_nin body's input selection in Vitis HLS, which builds one
    selection per distinct index rather than one per multiplier. Multiplier `im` reads
    `data[ir + (im mod n_in / RF) x RF]` (hls4ml accepts an RF below n_in only where it
    divides n_in, so the wrap of `in_index` is known at compile time), so n_in / RF
    selections feed all the multipliers. Each is an n_in:1 multiplexer of the data width
    (LUT6 rule of input_mux_lut) or, where the layer reads the design's packed input port,
    a variable shift of the whole packed word, C.vitis_packed_shift_lut_per_bit a bit of
    it. Read from the module reports of the thirty-first unseen set's Artix-7 MLP (Vitis HLS
    2023.2) after its held-out run: its 100 -> 64 layer at RF 50 (128 multipliers) selects
    with two `lshr` of the 1,800-bit input word, 2,171 LUT each; its 64 -> 2 layer at RF 64
    with one 64:1 `sparsemux` of 24 bits, 273 LUT (this rule: 384). Vivado HLS builds one
    per multiplier (input_mux_lut)."""
    selects = max(n_in // reuse_factor, 1)
    if packed_input:
        return selects * C.vitis_packed_shift_lut_per_bit * n_in * width
    return selects * width * math.ceil(n_in / LUT6_MUX_INPUTS)


def vitis_rewind_mux_lut(n_in: int, n_out: int, packed_input: bool) -> float:
    """Vitis HLS, io_parallel: the kernel's `ReuseLoop` is pipelined with `rewind`, so each
    input is held as a `phi` and a `rewind` copy (the io_stream kernel's two, C.vitis_rewind_mux_lut;
    the packed input port is one word, held once) and each output's accumulator as a `phi`,
    its register and the flushed return value, three 2:1 multiplexers the tool counts at
    9 LUT whatever their width. The thirty-first unseen set's Artix-7 MLP (Vitis HLS
    2023.2, module reports read after its held-out run): 1,799 multiplexer LUT in the
    100 -> 64 layer that reads the port, 1,826 in the 64 -> 2 layer (this rule: 1,746 and
    1,206; the rest of the second was not read row by row)."""
    inputs = 1 if packed_input else n_in
    return C.vitis_rewind_mux_lut * inputs + 1.5 * C.vitis_rewind_mux_lut * n_out


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
