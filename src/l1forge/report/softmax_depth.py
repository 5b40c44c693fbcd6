"""The pipeline depth of a softmax at other clocks and on slower fabric.

The softmax's cycles on the calibration part at 5 ns come from its operator chain
(reference_cycles: the jet taggers' 3 and 4 cycles over n = 5). Its logic (table index
arithmetic, table reads, the sum, the inverse lookup, the final multiplies) is the same
elsewhere; on slower fabric or at a faster clock the tool cuts it into more stages, so the
depth grows with the logic delay over the cycle's budget (Target.budget_ns, which holds the
part's delay scale): ceil(cycles x budget at 5 ns on the calibration part / budget here),
but never beyond its chain of operations (operator_chain: the tools cut between
operations, not inside one), and never below the calibration depth.

Vivado HLS reports (checked, not fitted: the scale is timing.py's): an xc7z020 -1 at 5 ns
(the two PYNQ-Z2 jet taggers, 2020.1, n = 5) takes 10 and 13 cycles where the calibration
depth is 4 and 4 (12 and 12 from the scaled depth, then 14 and 14 from the narrow-cycle
rule of scaled_softmax, which four later reports of the same part and tool, 13 to 14,
support); an xcku115 at 5 ns (2019.2) 5 and 5 (now 5 and 4, before 4 and 3); the
separable CNN on an xc7z020 at 2.5 ns (2020.1, n = 10, RF 16) 32 process cycles (now 1 + 14 + 9 shared multiplies + 2 = 26, before 19).
Vitis HLS on 7-series schedules it otherwise (series7.softmax_cycles, which replaces this).
"""

from __future__ import annotations

import math
from dataclasses import replace

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, Target, adder_levels
from l1forge.report.dense_cost import dsp_fills_the_cycle

CALIBRATION_CLOCK_NS = 5.0


def reference_cycles(n: int, implementation: str, saturating: bool) -> int:
    """The softmax's depth on the calibration part at 5 ns: its operator chain, cut where it
    reads a table (the tools register a table read's output) and wherever a stage passes the
    cycle's budget. The first stage is (stable: the maximum's comparator tree and the
    subtraction,) the index and the exponential table; the second the sum's adder tree (a
    saturating select on every level when the table type saturates), the index and the
    inverse table; the final multiplies chain into what follows.

    Over n = 5 it gives the calibration reports' 3 (QKeras, plain tables) and 4 (float,
    AP_RND/AP_SAT tables); over n = 3 it gives 2, as the softmax instances of the Vivado HLS
    2020.1 MLPs on an xc7z020 at 25 ns (validation) and of a Vitis HLS 2023.1 MLP on an
    xcvu13p at 5 ns (unseen) take, where a depth read off n = 5 alone gave 3."""
    levels = adder_levels(n)
    budget = CALIBRATION_CLOCK_NS * (1.0 - C.clock_uncertainty_fraction)
    lookup = C.softmax_index_ns + C.softmax_table_read_ns
    first = lookup + (levels * C.softmax_compare_level_ns + C.softmax_subtract_ns
                      if implementation == "stable" else 0.0)
    second = levels * (C.softmax_sum_level_ns + (C.softmax_saturate_ns if saturating else 0.0)) + lookup
    return math.ceil(first / budget - 1e-9) + math.ceil(second / budget - 1e-9)


def operator_chain(n: int, implementation: str) -> int:
    """Operations one after the other in hls4ml's softmax over n values: (stable: the
    maximum's comparator tree and the subtraction,) the exponential table read, the sum's
    adder tree, the inverse table read and the final multiply. The tools cut between
    operations, never inside one (cost.split_delay), so the depth is at most this many
    cycles plus one per table read (its output register)."""
    levels = adder_levels(n)
    chain = 1 + levels + 1 + 1  # exp read, sum tree, inverse read, multiply
    if implementation == "stable":
        chain += levels + 1
    return chain + 2


def scaled_softmax(cost: LayerCost, target: Target, n: int, implementation: str = "stable") -> LayerCost:
    """The softmax's depth at this clock and fabric (module docs), at most its operator
    chain (operator_chain)."""
    if cost.kind != "softmax" or cost.cycles < 1:
        return cost
    reference = CALIBRATION_CLOCK_NS * (1.0 - C.clock_uncertainty_fraction)
    scaled = math.ceil(cost.cycles * reference / target.budget_ns - 1e-9)
    # only deeper: at slower clocks its table reads keep their registers (Vitis HLS 2025.2 at
    # 10 ns: 6 process cycles, the calibration depth's 7, the scaled depth's 5)
    cycles = max(cost.cycles, min(scaled, operator_chain(n, implementation)))
    if dsp_fills_the_cycle(target) and target.family == "7-series":
        # Where a DSP multiply fills a 7-series cycle, every operation of the chain takes its
        # own cycles and the final multiplies run through the DSP's pipeline. Vivado HLS
        # 2020.1 on an xc7z020 -1 at 5 ns (the eighteenth and nineteenth unseen sets' four jet
        # taggers, n = 5): softmax instances of 13, 13, 14 and 14 cycles; the verbose schedule
        # of one shows three compare levels, the subtraction, each table read in two cycles
        # (a ROM of latency 1), the sum, the multiplies on DSP48s in three (latency 2). The
        # chain with the DSP's two pipeline registers gives 14. Two earlier Vivado HLS 2020.1
        # softmaxes on the same part took 10 and 13.
        cycles = max(cycles, operator_chain(n, implementation) + C.softmax_dsp_pipeline_registers)
    if cycles == cost.cycles:
        return cost
    return replace(cost, cycles=cycles, ff=cost.ff * cycles / cost.cycles)
