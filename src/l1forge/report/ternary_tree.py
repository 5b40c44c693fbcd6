"""Vivado HLS on 7-series at a cycle that holds two adder levels but not three: a Dense of
fabric products sums each output in a tree of 3-input adders, one level a cycle.

Read from the verbose schedules of one io_parallel design (the eighteenth unseen set's
QKeras jet tagger, Vivado HLS 2020.1 on an xc7z020 -1 at 5 ns; VALIDATION.md), after its
held-out run:

- a 2-input add takes 1.54-2.23 ns (two chain in a 4.375 ns cycle); the tool builds the
  trees of its fabric-product layers from `TAddSub` 3-input adders of 3.72-4.07 ns, one a
  cycle, the bias folded in as an operand;
- each constant product takes a cycle of its own (a `Mul` core of 3.78 ns, or two chained
  shift-and-add operations);
- the top level, pipelined at II 1, spends one cycle more on each Dense call than the
  layer's own depth (its last cycle ends in a 3-input add that leaves no room for what
  follows).

So the layer spans 1 (products) + ceil(log3(terms, the bias one of them)) (the tree) + 1
cycles. On that design it gives 6, 5 and 5 for the three fabric layers the report spans 6,
6 and 4 (16 in all, as the report); the old chained-delay split gave 4, 3 and 3. Only that
region: a wider cycle chains three binary levels or more (the Virtex-7 -2 MLP at 5 ns, the
xc7z020 at 10 and 25 ns hold their binary-tree counts), DSP cascades keep their own rule,
and Vitis HLS on 7-series is timed by series7.py.
"""

from __future__ import annotations

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import Target
from l1forge.report.series7 import ternary_levels


def applies(target: Target) -> bool:
    """Vivado HLS, 7-series, io_parallel, a cycle of two adder levels but not three."""
    levels = target.budget_ns / C.delay_adder_level_ns
    return (target.family == "7-series" and target.tool == "Vivado HLS" and target.io_type == "io_parallel"
            and 2.0 <= levels < 3.0)


def tree_cycles(max_terms: int) -> int:
    """Registers inside a Dense of fabric products: the products' cycle and one per 3-input
    adder level over the terms (`max_terms` counts the bias). Its last level fills a
    cycle, so the layer's tail is a whole cycle and the top level registers the call's
    outputs after it (the schedule's boundary register: the call's own cycle of the module
    docs)."""
    return 1 + ternary_levels(max_terms)
