"""Flip-flops of a Latency-strategy dense layer from its schedule: the bits that cross
each pipeline register.

A C-synthesis report counts one flip-flop per bit of every value the schedule keeps
across a clock edge (the per-instance FF column; `Register` rows at the top level). Which
values those are depends on how the layer is scheduled (dense_cost.kernel_cost):

- A DSP cascade (the multiply fills the cycle, every adder level gets a cycle of its own):
  the DSP products are held for each of the multiply's pipeline stages, every adder level's
  sums are registered, and each DSP's data operand is registered in front of it; LUT and
  shift products chain into the first adder level (the series7.py schedule of the same
  fabric). The products are full width there (data + weight bits: the cast to accum_t
  comes after the sum), the sums as wide as the products. A multiply takes two stages on
  the xc7z020 -1 at 5 ns and on the xc7z007s -2 at 3.33 ns (the ARRYTHMIA verbose
  schedule's Mul_DSP core has latency 2). Read from:
  camillaMiao's Dense 16->4 (Vivado HLS 2019.2, xc7z020 -1, 5 ns: 5,741 FF in the dense
  instance; this gives 4,960, 50 of its 64 products on DSPs) and the Dense 16->5 report
  (Vivado HLS 2020.1, same part: 7,860 FF in the streamed kernel; 6,747);
  Vitis HLS on 7-series at RF 1 in a narrow cycle (series7.wide_cycle), the same count:
  the Iris MLP's dense instances (Vitis HLS 2025.1, xc7z020 -1, 5 ns) 3,238 / 6,149 / 2,458
  FF, this 3,504 / 6,496 / 2,436 (the per-product words gave 1,210 / 2,419 / 907); the
  ARRYTHMIA calibration builds (Vitis HLS 2021.1, xc7z007s -2, 3.33 ns) 27,085 / 2,752 (DSP)
  and 25,844 / 2,293 (fabric), this 25,320 / 3,408 and 20,560 / 1,728.
- A layer whose reuse factor caps its multiplies (hls4ml's ALLOCATION pragma) and whose
  schedule is shorter than its interval runs once per schedule: nothing overlaps, so no
  value needs a shift register. Each non-zero product is made in its issue cycle and
  summed later, so it is registered once, as the accum_t value the template stores in
  its `mult` array; the inputs are held until their last product issues and every
  output's partial sum until its last term is added (held_operand_bits). Read from the
  four dense instances of Gabriele-bot's RF 16/64/32/32 jet tagger (Vivado HLS 2020.1,
  xc7z020 -1, 5 ns: 20,037, 26,304, 14,549 and 3,630 FF; this gives 16,640, 28,528,
  14,528 and 2,944).
- A tree of fabric products (no DSP, or fewer DSP than LUT products) cut by registers in
  its own cycles (io_parallel): each register holds the partial sums still alive at the
  level where it cuts, one bit wider per level summed (tree_cut_registers; the cut levels
  from the delays of dense_cost.cut_levels). The 400-input Dense of a Vitis HLS 2023.2 MLP
  (ap_uint<1> inputs, fixed<6,1> weights, xcu250 at 5 ns, ninth unseen set, studied after
  its held-out run): 924 FF in one cycle, this 1,164, two per product 5,786. Held out once
  (the tenth set's U55C MLP, 64 x 32): 4,812 FF, this 1,856, two per product 4,096.
"""

from __future__ import annotations

import math


def tree_level_values(terms: int) -> list[int]:
    """Values alive after each level of a binary adder tree over `terms` values, the last
    level's one sum included: 16 terms -> [8, 4, 2, 1]."""
    values, live = [], max(terms, 0)
    while live > 1:
        live = math.ceil(live / 2)
        values.append(live)
    return values


def multiply_stages(mult_delay_ns: float, budget_ns: float) -> int:
    """Pipeline stages of a multiply that takes `mult_delay_ns` in cycles of `budget_ns`
    of logic (at least one: its result is registered before the first adder level)."""
    if budget_ns <= 0:
        return 1
    return max(1, math.ceil(mult_delay_ns / budget_ns - 1e-9))


def cascade_registers(terms_per_output, n_staged: int, n_dsp: int, in_width: int,
                      product_width: int, stages: int) -> int:
    """Flip-flops of a dense layer whose adder levels take a cycle each: each of the
    `n_staged` products that wait for the multiply's stages held for `stages` stages, each
    adder level's sums, each DSP's data operand."""
    sums = sum(sum(tree_level_values(t)) for t in terms_per_output)
    return (stages * n_staged + sums) * product_width + n_dsp * in_width


def held_operand_bits(live_inputs: int, in_width: int, live_outputs: int, accum_width: int) -> int:
    """Registers of a layer whose shared multipliers spread its products over several
    cycles: every input some product reads is held until its last product issues, and
    every output's partial sum until its last product is added. On the four such
    instances of the Vivado HLS 2020.1 RF 8 / 16 builds (validation) this gives 1,264,
    912, 1,296 and 1,040 FF against 1,024, 976, 1,388 and 1,376."""
    return live_inputs * in_width + live_outputs * accum_width


def shared_registers(n_nonzero: int, accum_width: int, live_inputs: int, in_width: int,
                     live_outputs: int) -> int:
    """Flip-flops of a layer whose capped multiplies are issued over several cycles and
    that runs once per schedule: each non-zero product once (accum_t), plus the held
    inputs and partial sums."""
    return n_nonzero * accum_width + held_operand_bits(live_inputs, in_width, live_outputs, accum_width)


def stream_word_registers(live_inputs: int, in_width: int, live_outputs: int, out_width: int) -> int:
    """Registers of a streamed dense process (io_stream) around its kernel: the input word
    it has read and the output word it writes a cycle after the kernel's result. Read from
    the KERAS_3layer build of Vitis HLS 2025.2 (xczu7ev -2, 10 ns, every kernel within one
    cycle): its dense processes hold 1,028 / 1,576 / 1,029 / 597 FF, (inputs + outputs) x 16
    bits plus 4-5 control bits, but for the first (1,028: its outputs only); this gives
    1,280 / 1,536 / 1,024 / 592."""
    return live_inputs * in_width + live_outputs * out_width


def tree_cut_registers(terms_per_output, product_width: int, accum_width: int, cut_levels) -> int:
    """Flip-flops of an adder tree cut by registers after `cut_levels` of its levels (one
    entry per register): at each cut every output's partial sums still alive are held, each
    one bit wider per level summed (at most accum_t wide)."""
    total = 0
    for level in cut_levels:
        for terms in terms_per_output:
            if terms <= 0:
                continue
            alive = math.ceil(terms / 2 ** level)
            total += alive * min(product_width + level, accum_width)
    return total
