"""Vitis HLS on 7-series: a capped dense layer that overlaps consecutive inferences.

hls4ml's dense_latency pipelines the layer at II = RF and caps its multiplies with an
ALLOCATION pragma (`multiplier_limit`). series7.shared_interval covers the layers whose
issue cycles and adder tail fit inside RF: they run once per schedule, latency = II - 1.
When they do not fit (a small reuse factor: 2 to 4), the tool keeps II = RF and lets the
schedule run longer than the interval: the layer is a real pipeline whose latency is not
bounded by RF (series7.shared_interval's `min(RF, ...)` bounds only the interval).

The schedule then is (this module):

- The multiplies are issued in the template's loop order (Product1 over the inputs,
  Product2 over the outputs), `limit` a cycle: ceil(multiplies / limit) issue cycles, and
  the last one carries the remainder r = multiplies - (issue - 1) * limit, spread over the
  outputs (ceil(r / live outputs) each).
- Each output's earlier products are summed while the later ones issue; the last issue's
  products join that partial sum in a tree of ceil(r / outputs) + 1 terms, scheduled as
  any series7 dense tree (series7.dense_cycles: in a narrow cycle a DSP multiply takes its
  own cycle, then one cycle per adder level).
- The layer is never shorter than its whole tree unshared (series7.dense_cycles over all
  its terms).

Latency = max(dense_cycles(all terms), issue - 1 + dense_cycles(last tree)). Read from
the four dense instances of an 8-6-3-6-8 autoencoder at RF 4 (Vitis HLS 2023.2, xc7a50t
-1, 5 ns): 6 / 5 / 5 / 6 cycles at II 4, this gives 6 / 5 / 5 / 6 (series7.shared_interval
alone gave 5 / 4 / 3 / 3: it held them at RF - 1). The four capped layers of the RF 2
calibration and validation builds (Vitis HLS 2021.1, xc7z007s -2: Breast_cancer fc2 at
5 ns, jet tagger output at 3.33 ns, DSP and fabric) keep their estimates (2, 2, 6, 5;
vendor 2, 2, 7, 5): their whole tree is the longer path.

Flip-flops of such a layer are its schedule's registers: every non-zero product is
registered once (full width: data + weight bits, the wider of that and accum_t), every
input some product reads is held over the issue cycles, and every output's partial sum
is registered once per issue cycle after the first. On the autoencoder's four instances
1,884 / 794 / 801 / 1,903 FF, this gives 1,824 / 640 / 848 / 1,952 (the per-product
words of series7.dense_ff gave 1,408 / 448 / 512 / 1,472); the capped RF 2 layers above
161 (Breast_cancer fc2) and 3,196 (jet tagger output, DSP), this 168 and 2,448 (96 and
2,128 before).

The same report set the ReLU's threshold (series7.relu_cycles): its ReLUs take no cycle
at 5 ns on a -1 part, where the dense layers still see a narrow cycle.
"""

from __future__ import annotations

import math

from l1forge.report import series7
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import Target, adder_levels


def issue_cycles(n_multiplies: int, limit: int) -> int:
    """Cycles over which `limit` multipliers issue `n_multiplies` multiplies."""
    if limit <= 0:
        return 1
    return max(1, math.ceil(n_multiplies / limit))


def overlaps(n_multiplies: int, limit: int, reuse_factor: int, terms: int, dsp_bound: bool,
             target: Target | None = None) -> bool:
    """Whether a capped layer is a pipeline that overlaps inferences: its issue cycles and
    adder tail (series7.shared_interval before the RF bound) exceed its reuse factor."""
    unbounded = series7.capped_schedule(n_multiplies, limit, terms, dsp_bound, target)
    return unbounded is not None and unbounded > reuse_factor


def last_tree_terms(n_multiplies: int, limit: int, live_outputs: int) -> int:
    """Terms of an output's last sum: its share of the last issue cycle's multiplies and
    the partial sum of everything issued before."""
    issue = issue_cycles(n_multiplies, limit)
    remainder = n_multiplies - (issue - 1) * limit
    return math.ceil(remainder / max(live_outputs, 1)) + 1


def pipelined_cycles(n_multiplies: int, limit: int, live_outputs: int, max_terms: int,
                     dsp_multiply: bool, target: Target) -> int:
    """Latency of a capped layer pipelined at II = RF whose schedule is longer than RF."""
    whole = series7.dense_cycles(adder_levels(max_terms), dsp_multiply, target)
    last = adder_levels(last_tree_terms(n_multiplies, limit, live_outputs))
    return max(whole, issue_cycles(n_multiplies, limit) - 1 + series7.dense_cycles(last, dsp_multiply, target))


def pipelined_ff(n_nonzero: int, product_width: int, live_inputs: int, in_width: int,
                 live_outputs: int, accum_width: int, issue: int) -> int:
    """Registers of such a layer: each product once, the inputs held over the issue
    cycles, each output's partial sum once per issue cycle after the first."""
    return (n_nonzero * product_width + live_inputs * in_width
            + live_outputs * accum_width * max(issue - 1, 0))

