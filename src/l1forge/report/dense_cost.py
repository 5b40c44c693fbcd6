"""Dense layers (and the per-pixel kernel of convolutions): products, adder trees, ROMs.

Latency strategy (hls4ml's dense_latency): every product is unrolled on a visible
constant, so the multiplier census decides DSP vs LUT vs shift vs nothing; the template
caps the multipliers at `multiplier_limit = ceil(n_in*n_out/RF) - n_zeros/RF` with an
ALLOCATION pragma, and pipelines at II = RF. Each output sums its non-zero products and
its bias in a tree of accum_t adders. Flip-flops are the bits the layer's schedule keeps
across a clock edge where registers.py counts them (DSP cascades, capped layers run once
per schedule, Vitis HLS 7-series narrow cycles, streamed words, and in io_parallel the
partial sums alive where the registers cut a tree of fabric products); elsewhere two per
product and register, the figure the DSP-product jet taggers give (the register sits behind
the DSP, whose own pipeline registers are not flip-flops).

The Resource strategy (dense_resource) is in resource_cost.py.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from l1forge.report import series7, series7_pipelined, ternary_tree, vitis_instance_ff
from l1forge.report.build_limits import UNROLL_LIMIT
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target, adder_levels, split_delay
from l1forge.report.bits import Bits, bits_of, layer_codes
from l1forge.report.multipliers import Census, constant_census, csd_digits
from l1forge.report.registers import (cascade_registers, held_operand_bits, multiply_stages, shared_registers,
                                      stream_word_registers, tree_cut_registers)
from l1forge.report.resource_cost import resource_cost
from l1forge.report.schedule import reads_design_input



def distinct_multiplies(census: Census, codes: np.ndarray) -> Census:
    """The census with each multiply counted once per distinct (input, weight code) pair.

    The tool builds `x_i * w` once when the same input meets the same constant in several
    outputs (common-subexpression elimination; `x_i * -w` is another product). A
    multiply here is a product of 3+ CSD digits (census.n_deep); where those take DSPs
    (census.n_dsp), the DSPs are the distinct ones too. In every RF 1 calibration build
    with forced DSP binding the DSP count is exactly that distinct count (HAR: 33, 156,
    129 and 89 DSPs in its four layers, where 36, 227, 198 and 90 products have 3+ digits;
    ARRYTHMIA 119 and 42; Breast_cancer 25, 7 and 1), and the RF 100 latencies of the
    HAR layers are too short for the repeated products to be multiplied again.
    """
    if not census.n_deep:
        return census
    codes = np.asarray(codes, dtype=np.int64).reshape(np.shape(codes)[0], -1)
    deep = (codes != 0) & (csd_digits(codes) >= C.dsp_min_csd_digits)
    distinct = sum(len(np.unique(row[mask])) for row, mask in zip(codes, deep) if mask.any())
    return replace(census, n_deep=distinct, n_dsp=distinct if census.n_dsp else 0)


def kernel_cost(name: str, kind: str, io: LayerIO, census: Census, accum: Bits, n_out: int,
                multiplier_limit: int, target: Target, live_inputs: int | None = None) -> LayerCost:
    """Cost of one fully unrolled product matrix whose products feed `n_out` sums;
    `live_inputs` counts the inputs some product reads (io.live_in when not given)."""
    n_dsp = min(census.n_dsp, max(multiplier_limit, 0)) * census.dsp_per_product
    tree_bits = sum(max(t - 1, 0) for t in census.terms_per_output) * accum.width
    lut = C.lut_per_adder_bit * census.lut_adder_bits + C.lut_per_tree_bit * tree_bits
    if series7.applies(target) and kind == "dense":
        return series7_kernel_cost(name, kind, io, census, accum, multiplier_limit, n_dsp, lut, target,
                                   io.live_in if live_inputs is None else live_inputs)
    ff_counted = 0.0  # flip-flops from the schedule, not scaled in io_stream (LayerCost.ff_counted)
    levels = adder_levels(census.max_terms)
    budget = target.budget_ns
    dsp_fills_cycle = dsp_fills_the_cycle(target)
    # A dense tree of fabric products, with none or fewer DSP products than LUT ones, is timed
    # from its fabric multiplies: its first register where a cycle's logic ends, not behind
    # the DSPs (the ninth unseen set's 400-input Dense with 17 DSP products: 1 cycle in its
    # report). Not where a DSP multiply fills the cycle: that cascade is kept as it was read.
    fabric_tree = kind == "dense" and (not census.n_dsp or (census.n_dsp < census.n_lut and not dsp_fills_cycle))
    if census.n_dsp and not fabric_tree:
        mult_delay, head = C.delay_dsp_ns, C.delay_dsp_ns
    elif census.n_lut:
        mult_delay, head = C.delay_lut_mult_ns, None
    else:
        mult_delay, head = 0.0, None
    cascade = bool(census.n_dsp) and dsp_fills_cycle
    shared = shared_multiplier_cycles(census, multiplier_limit, mult_delay, head, budget)
    instance = False  # a Vitis HLS Dense instance's registers (vitis_instance_ff) price its FF
    if cascade:
        # The multiply leaves no room for the adders in its cycle: the tool sums in the DSP
        # post-adders, one registered tree level per cycle (dense16x5 on an xc7z020 -1).
        stages = multiply_stages(mult_delay, budget)
        cycles = stages + levels
        head_ns, tail_ns = min(mult_delay, budget), 0.0
        ff = cascade_ff(kind, io, census, accum, stages)
        if kind == "dense" and target.io_type == "io_stream":
            # already what the streamed kernel registers (the Dense 16->5 report, Vivado HLS
            # 2020.1: 7,860 FF in its dense process, 6,747 from the schedule)
            ff, ff_counted = 0.0, ff
    else:
        cycles, head_ns, tail_ns = split_delay(mult_delay + levels * C.delay_adder_level_ns, budget, head)
        if fabric_tree and kind == "dense" and ternary_tree.applies(target):
            # 3-input adders, a level a cycle; the last fills its cycle (ternary_tree)
            cycles, head_ns, tail_ns = ternary_tree.tree_cycles(census.max_terms), budget, budget
        ff = C.ff_per_term_registered * census.n_nonzero * cycles
        instance = (kind == "dense" and bool(cycles or shared > cycles) and vitis_instance_ff.applies(target)
                    and not (fabric_tree and io.in_bits.width == 1))
        if instance:
            # a Vitis HLS Dense instance: its output registers and the partial sums at its
            # first cut (vitis_instance_ff), whatever the reuse factor spreads its products
            # over; a binary input's products are selects of the weights, no multiply, and
            # keep the fabric tree's timing below
            ff = vitis_instance_ff.instance_ff(census.terms_per_output, io.in_bits.width + census.weight_bits,
                                               accum.width, io.out_bits.width, budget)
        elif fabric_tree and cycles and target.io_type == "io_parallel":
            # fabric products: the registers cut the tree where its partial sums are (module docs)
            cuts = cut_levels(cycles, head_ns, budget, mult_delay, levels)
            ff = tree_cut_registers(census.terms_per_output, io.in_bits.width + census.weight_bits, accum.width, cuts)
    live = sum(1 for t in census.terms_per_output if t > 0)
    held_in = io.live_in if live_inputs is None else live_inputs
    if shared > cycles and cascade and kind == "dense":
        # issued over several cycles, run once per schedule, every product crossing a
        # register because its multiply fills the cycle (registers.shared_registers)
        ff, ff_counted = shared_registers(census.n_nonzero, accum.width, held_in, io.in_bits.width, live), 0.0
    elif shared > cycles and not cascade and not instance:
        # each product is summed in its issue cycle: only the operands are held
        ff += held_operand_bits(held_in, io.in_bits.width, live, accum.width)
    if target.io_type == "io_stream" and kind == "dense" and max(cycles, shared) == 0 and target.tool == "Vitis HLS":
        # a combinational kernel's process registers its input and output words
        # (registers.stream_word_registers), not scaled like logic registers are. Vitis HLS
        # only: the one report that shows them is a Vitis build; in Vivado HLS builds the
        # stream scale fitted on the SVHN CNN (calibration.stream_ff_scale) stands for them
        ff_counted += stream_word_registers(held_in, io.in_bits.width, live, io.out_bits.width)
    cycles = max(cycles, shared)
    notes = ["DSP post-adder cascade: one registered adder level per cycle"] if cascade else []
    if census.n_deep > multiplier_limit > 0:
        where = "a DSP" if census.n_dsp else "a fabric multiplier"
        notes.append(f"{census.n_deep} products want {where}; the reuse factor caps them at {multiplier_limit}, "
                     f"issued over {math.ceil(census.n_deep / multiplier_limit)} cycles")
    return LayerCost(name=name, kind=kind, dsp=n_dsp, lut=lut, ff=ff, ff_counted=ff_counted, cycles=cycles,
                     ii=pipelined_interval(io.reuse_factor, cycles + vitis_instance_register(kind, cycles, target)),
                     head_ns=head_ns, delay_ns=tail_ns,
                     out_bits=live * io.out_bits.width, notes=tuple(notes))


def dsp_fills_the_cycle(target: Target) -> bool:
    """Whether a DSP multiply leaves no room for the adders in its cycle, so the tool sums in
    the DSP post-adders, one registered level per cycle (the cascade of kernel_cost).

    UltraScale and UltraScale+: the multiply and C.cascade_chain_levels adder levels pass
    the cycle's budget (fitted on the Dense 16->5 report; the UltraScale+ -2 reports at 5 ns
    show no cascade). 7-series: the multiply alone, as the hard block it is (the data
    sheets' DSP ratio x C.series7_dsp, not the fabric's routing factor), needs two stages:
    the Dense 16->5 report (xc7z020 -1, 5 ns) cascades; the tenth unseen set's Virtex-7 -2
    MLP at 5 ns registers its DSP products once and chains its adders (Dense instances of 1,
    2 and 1 cycles, where the cascade gave 4, 6 and 5)."""
    if target.family == "7-series":
        return C.delay_dsp_ns * C.series7_dsp / C.series7_routing > target.budget_ns
    return C.delay_dsp_ns + C.cascade_chain_levels * C.delay_adder_level_ns > target.budget_ns


def cut_levels(registers: int, head_ns: float, budget_ns: float, mult_delay_ns: float, levels: int) -> list[int]:
    """The adder levels of a tree summed before each of its `registers` registers: the first
    after `head_ns` of logic, the others every `budget_ns`, the tree's levels starting after
    the multiply (cost.split_delay's cuts)."""
    return [min(levels, max(0, math.floor((head_ns + k * budget_ns - mult_delay_ns) / C.delay_adder_level_ns + 1e-9)))
            for k in range(registers)]


def cascade_ff(kind: str, io: LayerIO, census: Census, accum: Bits, stages: int) -> float:
    """Flip-flops of a kernel summed in a DSP cascade. A dense layer's are counted from its
    schedule (registers.cascade_registers: DSP products at full width for each multiply
    stage, every adder level's sums, the DSP operands); in io_stream the caller keeps that
    count out of the stream scale (LayerCost.ff_counted). A convolution's kernel keeps the
    older count (every product, term and DSP input once, at accum_t width)."""
    if kind != "dense":
        return (census.n_nonzero * accum.width + sum(census.terms_per_output) * accum.width
                + census.n_dsp * io.in_bits.width)
    return cascade_registers(census.terms_per_output, census.n_dsp, census.n_dsp, io.in_bits.width,
                             io.in_bits.width + census.weight_bits, stages)


def pipelined_interval(reuse_factor: int, cycles: int) -> int:
    """Interval of a kernel hls4ml pipelines at II = RF (`#pragma HLS PIPELINE
    II=reuse_factor` on the Latency-strategy dense kernel and on the streamed convolution's
    pixel loop): a pipeline whose schedule is shorter than its II target has nothing to
    overlap, and the tools report (and run) it once per schedule, every cycles + 1 cycles.

    Every reuse-factor report that lists its instances shows it: the four dense instances
    of the Vivado HLS 2020.1 RF 8 / 16 builds (II 5, 6, 11, 12 for latencies 4, 5, 10, 11),
    the capped and uncapped instances of the Vitis HLS 2021.1 RF 100 builds (series7.py),
    (latencies 1 to 47). A kernel without a register (cycles 0) keeps the target: no report
    shows a combinational kernel at a reuse factor above 1."""
    if cycles < 1:
        return max(1, reuse_factor)
    return max(1, min(reuse_factor, cycles + 1))


def vitis_instance_register(kind: str, cycles: int, target: Target) -> int:
    """The output register a Vitis HLS dense instance schedules inside itself (1), where
    the interval of a kernel shorter than its RF follows the instance's schedule.

    Vitis HLS keeps hls4ml's Latency-strategy dense kernel a sub-instance and registers its
    outputs within it (series7.py: every such instance on 7-series parts); a kernel
    pipelined at II = RF with a shorter schedule then runs every instance latency + 1
    cycles, one more than its own registers give. The Vitis HLS 2024.1 MLP at RF 16 on an
    xczu7ev (fourth unseen set): three dense instances, 14 cycles of schedule each in the
    estimate, report latency 15 and interval 16, the last layer's too. Vivado HLS inlines
    the kernel into the top pipeline, whose boundary registers are not the kernel's: its
    RF 8 / 16 instances run every latency + 1 of their own schedule (pipelined_interval)."""
    pipelined = kind == "dense" and target.io_type == "io_parallel" and cycles >= 1
    return 1 if pipelined and target.tool == "Vitis HLS" else 0


def series7_kernel_cost(name: str, kind: str, io: LayerIO, census: Census, accum: Bits,
                        multiplier_limit: int, n_dsp: float, lut: float, target: Target,
                        live_inputs: int = 0) -> LayerCost:
    """A dense layer as Vitis HLS schedules it on 7-series fabric (series7.py): one cycle
    per adder level, the multiply in the first cycle or its own, and a reuse factor whose
    multiplier cap binds runs the layer once per interval."""
    levels = adder_levels(census.max_terms)
    cycles = series7.dense_cycles(levels, bool(census.n_dsp), target, unsigned_input=not io.in_bits.signed)
    weight_bits = census.weight_bits
    if census.n_products > UNROLL_LIMIT:  # over the unroll limit (build_limits): its sums are
        cycles = max(cycles, series7.chain_cycles(census.max_terms, target))  # a chain of adds (HAR fc1)
    # A layer pipelined at II = RF whose schedule is shorter than RF is run once per
    # schedule: the reports' layers have II = latency + 1 there (RF 100, the cap not binding)
    ii = pipelined_interval(io.reuse_factor, cycles)
    notes = []
    # Products the tool keeps as multiplies (3+ CSD digits) share the capped multipliers
    # whatever their binding: the LUT-bound builds share them too (VALIDATION.md).
    n_multiplies = census.n_deep
    shared = series7.shared_interval(n_multiplies, multiplier_limit, io.reuse_factor, census.max_terms,
                                     bool(census.n_dsp), target)
    live = sum(1 for t in census.terms_per_output if t > 0)
    ff = series7_ff(io, census, accum, target)
    if shared is not None:
        # run once before the next: every cycle of its schedule, the chain's too (the held-out
        # mnist fc1 at RF 100: 48 cycles, II 49, though its multiplies issue in 9)
        cycles = max(cycles, shared - 1)
        ii = pipelined_interval(io.reuse_factor, cycles)
        if series7_pipelined.overlaps(n_multiplies, multiplier_limit, io.reuse_factor, census.max_terms,
                                      bool(census.n_dsp), target):
            # longer than its interval: a pipeline overlapping inferences (series7_pipelined.py)
            cycles = max(cycles, series7_pipelined.pipelined_cycles(
                n_multiplies, multiplier_limit, live, census.max_terms, bool(census.n_dsp), target))
            ff = series7_pipelined.pipelined_ff(
                census.n_nonzero, max(accum.width, io.in_bits.width + weight_bits), live_inputs,
                io.in_bits.width, live, accum.width, series7_pipelined.issue_cycles(n_multiplies, multiplier_limit))
        notes.append(f"{n_multiplies} multiplies share {multiplier_limit} multipliers (reuse factor "
                     f"{io.reuse_factor}): the layer runs once every {ii} cycles")
        lut = series7.shared_lut(lut, census, multiplier_limit)
    # With every multiply forced onto DSP48E1s, each sums its product into the tree in its
    # own post-adder (P = A*B + C): one tree adder fewer in LUTs per DSP product (without
    # it the adder count over-estimates the nine DSP-bound calibration builds by 2-40%,
    # median 29%; with it 0-40%, median 12%). Only there: the one default-binding build
    # (Iris, Vitis HLS 2025.1) shows no such saving.
    # (every DSP-bound multiply keeps it when the reuse factor shares the DSPs: the DSP
    # builds' LUTs grow from RF 2 to RF 100 by the multiplexers alone, series7.shared_lut)
    if target.multiplier_impl == "dsp":
        lut = max(lut - C.lut_per_tree_bit * accum.width * census.n_dsp, 0.0)
    return LayerCost(name=name, kind=kind, dsp=n_dsp, lut=lut,
                     ff=ff, cycles=cycles, ii=ii,
                     head_ns=target.budget_ns, delay_ns=target.budget_ns,
                     out_bits=live * io.out_bits.width, notes=tuple(notes))


def series7_ff(io: LayerIO, census: Census, accum: Bits, target: Target) -> float:
    """Flip-flops of a dense layer Vitis HLS schedules on 7-series fabric. At RF 1 in a
    narrow cycle (series7.wide_cycle) every adder level is a cycle and a DSP multiply has
    cycles of its own, so the schedule's registers are counted (registers.cascade_registers:
    the DSP products for each multiply stage, every level's sums, the DSP operands; LUT and
    shift products chain into the first level); elsewhere the per-product words of
    series7.dense_ff."""
    word = max(accum.width, io.in_bits.width + census.weight_bits)
    if io.reuse_factor <= 1 and not series7.wide_cycle(target):
        stages = multiply_stages(C.delay_dsp_ns, target.budget_ns)
        return cascade_registers(census.terms_per_output, census.n_dsp, census.n_dsp, io.in_bits.width, word,
                                 stages)
    return series7.dense_ff(census.n_nonzero, word, io.reuse_factor)


def shared_multiplier_cycles(census: Census, multiplier_limit: int, mult_delay: float,
                             head: float | None, budget: float) -> int:
    """Cycles of a Latency-strategy layer whose multipliers the reuse factor shares.

    hls4ml pipelines the layer at II = RF and caps the multipliers with an ALLOCATION
    pragma; the scheduler then issues `limit` products per cycle, so the last of them
    starts ceil(products / limit) - 1 cycles in and still needs its multiply and one
    adder to join the sums already made. The products capped are the ones the tool keeps
    as `mul` operations (3+ CSD digits, census.n_deep), whatever they are bound to: the
    ALLOCATION pragma limits the operation, not the DSP. Constant products built from
    shifts and adders are not capped (Vitis HLS 2024.1, RF 2: the output layer's 106 DSP
    products shared 80 DSPs at no extra cycle, VALIDATION.md); multiplies bound to the
    fabric are (the LUT-bound Vitis HLS 2021.1 calibration builds at RF 100 issue them
    `cap` per cycle as the DSP-bound ones do, series7.py). Latency strategy only: the
    Resource strategy's loop over RF cycles is in resource_cost.
    """
    if census.n_deep <= multiplier_limit or multiplier_limit <= 0:
        return 0
    issue = math.ceil(census.n_deep / multiplier_limit)
    # the last multiply and the adder joining it: two operations, at most one register
    last, _, _ = split_delay(mult_delay + C.delay_adder_level_ns, budget, head, operators=2)
    return issue - 1 + last


def kernel_codes(layer) -> tuple[np.ndarray, np.ndarray | None, Bits]:
    """The weight codes as an (inputs per output, outputs) matrix, the bias codes, and the
    weight type.

    hls4ml's resource-strategy pass stores the weights transposed (outputs first) and marks
    the layer `_weights_transposed`; this undoes that so every strategy reads the same way.
    """
    codes, weight = layer_codes(layer, "weight")
    if layer.get_attr("_weights_transposed", False) is True:
        codes = np.moveaxis(codes, 0, -1)
    biases = layer_codes(layer, "bias")[0] if layer.weights.get("bias") is not None else None
    return codes.reshape(-1, codes.shape[-1]), biases, weight


def multiplier_limit(layer, n_products: int, rf: int) -> int:
    """hls4ml's `multiplier_limit` of a layer: its n_zeros is the count of weights that
    are exactly zero before quantization (WeightVariable.nzeros), as the template has it."""
    variable = layer.weights["weight"]
    n_zeros = int(getattr(variable, "nzeros", -1))
    if n_zeros < 0:
        n_zeros = int(np.sum(np.asarray(variable.data) == 0))
    return math.ceil(n_products / rf) - n_zeros // rf


def dense_cost(layer, io: LayerIO, target: Target, product: str) -> LayerCost:
    weights, biases, weight = kernel_codes(layer)
    accum = bits_of(layer.get_attr("accum_t").precision) if layer.get_attr("accum_t") else io.out_bits
    n_in, n_out = weights.shape
    limit = multiplier_limit(layer, n_in * n_out, io.reuse_factor)  # the template's cap, from all weights
    if io.fold is not None and io.strategy == "latency":
        weights, biases = fold_constants(weights, biases, *io.fold)
    if io.strategy == "resource" and io.reuse_factor > 1:
        packed = target.io_type == "io_parallel" and reads_design_input(layer)  # the port, one word
        cost = resource_cost(layer.name, "dense", io, n_in * n_out, n_out, io.in_bits, weight,
                             accum, product, target, packed_input=packed)
        if packed and packed_read_adds_cycles(target):
            cost = replace(cost, cycles=cost.cycles + C.vivado_packed_input_cycles,
                           notes=cost.notes + ("reads the design's input as one packed word: its index "
                                               "arithmetic and a pipelined variable shift in every cycle",))
        return cost
    census = constant_census(weights, biases, io.in_bits, weight, product, target.dsp_shape,
                             allow_dsp=io.strategy != "distributed_arithmetic",
                             multiplier_impl=target.multiplier_impl)
    census = distinct_multiplies(census, weights)
    live_inputs = int((np.asarray(weights) != 0).any(axis=1).sum())
    return kernel_cost(layer.name, "dense", io, census, accum, n_out, limit, target, live_inputs)


def packed_read_adds_cycles(target: Target) -> bool:
    """Whether a Resource Dense that reads the design's input array, which hls4ml reshapes
    into one word (ARRAY_RESHAPE), through the dataflow region's FIFO takes longer: Vivado
    HLS, io_parallel, 7-series. Its ReuseLoop then picks `data[in_index]` out of the packed word with an index
    known only at run time: the word's read and the index arithmetic (2 cycles) and a
    256-bit variable shift pipelined over 6 (a `ShiftnS` core of latency 5), 8 cycles more
    than the other layers' loops. Read from the verbose schedules of two first layers on an
    xc7z020 at 5 ns: a PYNQ-Z2 Resource tagger (Vivado HLS 2019.2, RF 64, a partner of the
    first unseen set: 77 cycles where its other layers take RF + 3; the rest is its DSP
    latency) and the nineteenth unseen set's Resource tagger (Vivado HLS 2020.1, RF 8: 20,
    the others RF + 4)."""
    return target.tool == "Vivado HLS" and target.io_type == "io_parallel" and target.family == "7-series"


def fold_constants(weights: np.ndarray, biases: np.ndarray | None, constant_in: np.ndarray,
                   dead_out: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The weight codes the tool still multiplies (liveness.py): a constant input's
    products fold into the bias (a non-zero bias term where there was none), a dead
    output's column disappears with its bias."""
    weights = np.array(weights, copy=True)
    folded_into_bias = (weights[constant_in] != 0).any(axis=0)
    weights[constant_in, :] = 0
    weights[:, dead_out] = 0
    if biases is not None:
        biases = np.array(biases, copy=True).reshape(-1)
        biases[folded_into_bias & (biases == 0)] = 1
        biases[dead_out] = 0
    return weights, biases
