"""Flip-flops of Vitis HLS Dense instances (io_parallel, not 7-series).

Vitis HLS keeps hls4ml's Latency-strategy Dense a sub-instance (dense_cost.
vitis_instance_register). Its products are combinational (DSPs as `mul_16s_10ns_26_1_0`,
no DSP register; or fabric shift-and-add products) feeding fabric adders. The instance
registers:

- its outputs (`ap_return_*_int_reg`, as wide as the layer's result type), where the sums end;
- where the tree does not fit the cycle, every partial sum alive at the first cut: the sums
  of `cut_level` adder levels after the multiply (`add_ln58_*_reg`), each a bit wider per
  level than the products and at most accum_t wide.

The cut follows the clock: at 5 ns with 0.62 ns of uncertainty (the calibration's Vitis HLS
2024.1 taggers) a 16-term tree fits whole (fc1: 993 FF for 64 outputs of 16 bits) and a
64-term tree is cut after 4 levels (fc2: 2,891 FF, the rule 2,560); at 5 ns with 1.35 ns
(hls4ml's Vitis default of 27%: the twenty-second to twenty-fourth unseen sets, Vitis HLS
2023.2 and 2024.2) every tree is cut after 2 levels (fc1 5,454 and 4,466 FF, the rule
5,120; fc2 8,502 / 8,036, the rule 8,704; the output layer's module report lists 51
registered 16-bit partial sums and 5 output registers). Those two clocks fix the two delays
below within a band (a multiply of 2.3-3.0 ns, a level of 0.3-0.5 ns); their midpoints
are taken. Trees of fabric products show the same registers: the 6-bit QKeras tagger's fc3
(Vitis HLS 2023.2, module report: 40 partial sums of 12-16 bits and 27 outputs of 18 bits,
1,038 FF; the rule 1,242), the U55C QKeras MLP's fc1 (registered products and 64 outputs).

A reuse factor above 1 spreads the products over RF cycles but leaves the same registers:
the tutorial tagger at RF 2 (twenty-fourth unseen set, Vitis HLS 2023.2 and 2024.2, 27%)
reports 5,618 / 7,991 / 6,141 / 1,265 FF in its four Dense instances where its RF 1 build
(twenty-third set) reports 5,454 / 8,502 / 4,785 / 902; this rule gives 7,008 / 8,592 /
5,136 / 816 for both, where the held-operand rule of Vivado HLS's shared multipliers
(registers.held_operand_bits) gave 3,048 / 7,772 / 2,398 / 392 at RF 2 (the tagger's FF 36%
-> 5% under; the calibration's Vitis HLS 2024.1 RF 2 tagger 12% -> 5% over). The RF 16 MLP of
the twenty-fifth set's repeats goes from 66% to 71% under: its config asks for 12.5%
uncertainty where its report shows 1.25 ns, and its instances hold partial sums over all
16 cycles.

The top level registers the input of each such instance (FF only: the schedule's latency
already counts that cycle in the instance, dense_cost.vitis_instance_register): the
ReLU outputs before fc2, fc3 and the output layer in every report of those sets.
"""

from __future__ import annotations

import math

from l1forge.report import series7
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import Target, adder_levels
from l1forge.report.registers import tree_cut_registers


def applies(target: Target) -> bool:
    return target.tool == "Vitis HLS" and target.io_type == "io_parallel" and not series7.applies(target)


def cut_level(budget_ns: float) -> int:
    """Adder levels summed after a combinational DSP multiply before the first register."""
    return max(0, math.floor((budget_ns - C.vitis_comb_dsp_ns) / C.vitis_sum_level_ns + 1e-9))


def instance_ff(terms_per_output, product_width: int, accum_width: int, out_width: int, budget_ns: float) -> int:
    """The registers of one Dense instance (module docs): the partial sums alive at the
    first cut, each a bit wider per level summed and at most accum_t wide, and its outputs."""
    live = [t for t in terms_per_output if t > 0]
    level = cut_level(budget_ns)
    cut = (tree_cut_registers(live, product_width, accum_width, [level])
           if live and adder_levels(max(live)) > level else 0)
    return cut + len(live) * out_width
