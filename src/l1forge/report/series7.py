"""Vitis HLS on 7-series parts: the schedule the reports show, layer by layer.

On an UltraScale+ part the tools chain the logic of consecutive layers into one clock
cycle (schedule.schedule_parallel). On 7-series fabric with Vitis HLS the 23 io_parallel
reports of the reference folder (22 Zynq xc7z007s -2 builds of Vitis HLS 2021.1 at 3.33 and
5 ns, one xc7z020 -1 build of Vitis HLS 2025.1 at 5 ns) all show another schedule:

- Every layer is its own instance whose outputs are registered: the top-level latency is
  the sum over layers of (the layer's cycles + 1), nothing chains across a layer boundary.
- An adder tree level costs a whole cycle: on this fabric a 16-bit add with its routing
  takes more than half of a 3.3-5 ns period in the tool's delay model, so two levels never
  share a cycle. Whether the multiply shares the first cycle depends on the period: in a
  wide cycle (at least 4 ns of logic on Artix-7 -2 after the 12.5% uncertainty; 5 ns on
  -2) the multiply and two levels fit, and a tree of L levels takes max(1, L - 1) cycles;
  in a narrow one a DSP multiply takes a cycle of its own (L + 1 cycles) and a LUT
  multiply chains with the first level (L cycles).
- A ReLU (with its cast) takes one cycle where a cycle has less than 3.0 ns of logic
  (calibration.series7_relu_chain_ns) and chains otherwise (relu_cycles).
- The stable softmax walks two trees over its N values (the maximum and the sum of the
  exponentials): 2 ceil(log2 N) levels, one cycle each in a wide cycle and two in a
  narrow one, around the table reads and the final multiply (6 and 4 cycles with that
  multiply in a DSP, 2 fewer in LUTs).
- A reuse factor whose ALLOCATION cap binds (more distinct multiplies, dense_cost.
  distinct_multiplies, than ceil(n_in n_out / RF) - n_zeros / RF multipliers): the tool
  issues `cap` multiplies per cycle, then finishes the sums in (ternary levels - 2)
  cycles, 2 more on DSPs (the sums are trees of three-input adders: ternary_levels),
  and the layer runs once before the next: interval = latency + 1, never more than RF
  (exact on the seven LUT-bound capped layers of the RF 100 calibration builds and on
  the held-out jet tagger's four, within 2 cycles on DSPs except Breast_cancer's, 4
  short: its verbose schedule has a 5-stage DSP multiply where HAR's has 1).
- A Dense of more than 4,096 products is a chain, not a tree: its widest output's terms
  added one after another, about 2.6 a cycle at 5 ns (chain_cycles; HAR's fc1, 192
  cycles; the held-out mnist fc1, 48).
- Flip-flops hold the products and the tree's partial sums between its cycles. At RF 1
  in a narrow cycle they are counted from the schedule (dense_cost.series7_ff,
  registers.cascade_registers: the DSP products per multiply stage, every adder level's
  sums, the DSP operands). Elsewhere, per non-zero product, 1.35 words of the wider of the
  accumulator and the product at RF 1 (the median of the eight dense instances of the
  calibration builds at RF 1, 0.92 to 1.87), and 1.0 word at a reuse factor of 2 or more,
  whose pipelines share registers between stages (the median of the same instances at
  RF 2 and 100, 0.45 to 1.25).

The constants are in calibration.py (series7_*). The rules were read from the calibration reports (ARRYTHMIA and Breast_cancer, 12 builds)
and checked on the others (VALIDATION.md). Vivado HLS on 7-series keeps the chaining
schedule (the Dense 16->5 report).
"""

from __future__ import annotations

import math

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import Target, adder_levels

ARTIX2_OVER_REFERENCE = 775.0 / 550.0  # DSP Fmax of UltraScale+ -2 over Artix-7 -2 (timing.py)


def applies_to(family: str, tool: str, io_type: str) -> bool:
    """Whether these rules time a design: Vitis HLS on a 7-series part, io_parallel."""
    return family == "7-series" and tool == "Vitis HLS" and io_type == "io_parallel"


def applies(target: Target) -> bool:
    return applies_to(target.family, target.tool, target.io_type)


def logic_ns(target: Target) -> float:
    """Logic per cycle in Artix-7 -2 nanoseconds (the calibration reports' fabric): the
    budget without the routing factor timing.py puts on 7-series delays."""
    return target.budget_ns * ARTIX2_OVER_REFERENCE * C.series7_routing


def wide_cycle(target: Target) -> bool:
    return logic_ns(target) >= C.series7_wide_cycle_ns


def dense_cycles(levels: int, dsp_multiply: bool, target: Target, unsigned_input: bool = False) -> int:
    """Cycles of a dense layer's products and adder tree of `levels` levels.

    In a narrow cycle a DSP multiply of unsigned data (a ReLU's outputs) takes one cycle
    more than one of signed data: every Dense fed by a ReLU in the DSP-bound builds at
    3.33 ns is a cycle longer than its tree and multiply (ARRYTHMIA's output layer, the jet
    tagger's three, CARDIO's output layer: 5 of 5), every Dense fed by the signed inputs
    is not (3 of 3); their verbose schedules bind the same `Mul_DSP` core, of latency 2, to
    both. The fabric-bound builds show no such cycle (2 of 5 layers longer, one shorter)."""
    if wide_cycle(target):
        return max(1, levels - 1)
    if dsp_multiply:
        return levels + 1 + (1 if unsigned_input else 0)
    return max(1, levels)


def chain_cycles(terms: int, target: Target) -> int:
    """Cycles of a Dense over the unroll limit: Vitis HLS 2021.1 unrolls it (its log of
    HAR's fc1: "Unrolling loop 'Product1' ... completely with a factor of 561") but sums
    each output in a chain of adds, C.series7_chain_add_ns of logic each, the multiplies
    chained into its first cycle: HAR's fc1 takes 192 cycles at RF 1, 2 and 100, on DSPs
    and in LUTs alike, where a tree of its 495 terms takes 8."""
    return max(1, math.ceil(terms * C.series7_chain_add_ns / logic_ns(target) - 1e-9))


def ternary_levels(terms: int) -> int:
    """Depth of a tree of three-input adders summing `terms` values: Vitis HLS 2021.1 on
    7-series groups a dense layer's sums into TernaryAdder cores (one per cycle at 3.33
    and at 5 ns in the calibration builds' verbose schedules: ARRYTHMIA LUT_reuse100
    config5, Breast_cancer DSP_reuse100 config2)."""
    levels = 0
    while terms > 3 ** levels:
        levels += 1
    return levels


def shared_dsp_cycles(limit: int, target: Target | None = None) -> int:
    """Pipeline cycles of the shared DSP multiply of a capped layer, as the verbose schedules
    bind it: a single shared DSP is pipelined deepest (Breast_cancer DSP_reuse100, 5 ns: a
    five-state multiply; its fc1 and fc2 and the held-out CARDIO's fc1 at 3.33 ns, all of
    cap 1, take four cycles over the fabric count), several take the `Mul_DSP` core of the
    cycle: latency 2 at a narrow cycle (ARRYTHMIA at 3.33 ns; the jet tagger's four capped
    layers), none at a wide one (HAR at 5 ns: its 3.81 ns multiply fits the cycle).
    Without a target, a narrow cycle."""
    if limit == 1:
        return C.series7_single_dsp_cycles
    return 0 if target is not None and wide_cycle(target) else C.series7_shared_dsp_cycles


def shared_tail(terms: int, dsp_bound: bool, limit: int = 2, target: Target | None = None) -> int:
    """Cycles a capped layer takes after its last issue cycle: its ternary adder tree over
    the widest output's `terms` (non-zero products and bias) beyond the first two levels
    (the products issued earlier were summed meanwhile), and the shared DSP multiply's
    pipeline where the shared multipliers are DSPs (shared_dsp_cycles)."""
    return max(0, ternary_levels(terms) - 2) + (shared_dsp_cycles(limit, target) if dsp_bound else 0)


def capped_schedule(n_multiplies: int, limit: int, terms: int = 0, dsp_bound: bool = False,
                    target: Target | None = None) -> int | None:
    """Issue cycles + adder tail + 1 of a layer whose multiplier cap binds, before any RF
    bound (shared_interval, series7_pipelined.overlaps); None when the cap does not bind."""
    if limit <= 0 or n_multiplies <= limit:
        return None
    return math.ceil(n_multiplies / limit) + shared_tail(terms, dsp_bound, limit, target) + 1


def shared_interval(n_multiplies: int, limit: int, reuse_factor: int, terms: int = 0,
                    dsp_bound: bool = False, target: Target | None = None) -> int | None:
    """Interval of a Latency-strategy layer whose reuse factor caps its multipliers: the
    tool issues `limit` distinct multiplies per cycle, finishes the sums (shared_tail)
    and runs the layer once before the next (its latency is the interval less one in
    every such report); never more than RF. None when the cap does not bind."""
    schedule = capped_schedule(n_multiplies, limit, terms, dsp_bound, target)
    return None if schedule is None else min(reuse_factor, schedule)


def shared_lut(lut: float, census, limit: int) -> float:
    """LUTs of a layer whose reuse factor caps its multiplies: each distinct multiply
    reaches the shared multipliers through input multiplexers (series7_shared_mux_lut
    each), and where they are bound to fabric only `limit` of them are built (the DSP
    builds' LUTs grow from RF 2 to RF 100 by 6.9 to 14.7 per distinct multiply over the
    seven capped calibration layers; the fabric builds' fall by 38 to 52)."""
    lut += C.series7_shared_mux_lut * census.n_deep
    if not census.n_dsp and census.deep_lut_adder_bits and census.n_deep > limit > 0:
        kept = limit / census.n_deep
        lut -= C.lut_per_adder_bit * census.deep_lut_adder_bits * (1 - kept)
    return max(lut, 0.0)


def dense_ff(n_nonzero: int, word_bits: int, reuse_factor: int) -> float:
    """Flip-flops of a dense layer's pipeline in a wide cycle or at a reuse factor above 1
    (dense_cost.series7_ff): `word_bits` is the wider of the accumulator and the product
    (data + weight bits)."""
    words = C.series7_ff_words_rf1 if reuse_factor <= 1 else C.series7_ff_words_shared
    return words * n_nonzero * word_bits


def relu_cycles(target: Target) -> int:
    """A ReLU chains into its producer's cycle (no cycle of its own) where a cycle holds
    at least series7_relu_chain_ns of logic: a cycle of its own at 2.91 ns (xc7z007s -2 at
    3.33 ns, Vitis HLS 2021.1: ARRYTHMIA and the jet tagger at RF 1, 2 and 100), none at
    3.08 ns (xc7z020 -1 at 5 ns with 27% uncertainty, Vitis HLS 2025.1: the Iris MLP), 3.69
    ns (xc7a50t -1 at 5 ns, Vitis HLS 2023.2: the 8-6-3-6-8 autoencoder) or 4.375 ns
    (xc7z007s -2 at 5 ns). A lower threshold than the dense tree's (series7_wide_cycle_ns):
    at 3.08 and 3.69 ns the dense layers still take a cycle per adder level (the Iris
    MLP's 4 / 5 / 5, the autoencoder's)."""
    return 0 if logic_ns(target) >= C.series7_relu_chain_ns else 1


def softmax_cycles(n_values: int, target: Target, dsp_multiply: bool) -> int:
    per_level = 1 if wide_cycle(target) else 2
    base = C.series7_softmax_base_wide if wide_cycle(target) else C.series7_softmax_base_narrow
    base -= 0 if dsp_multiply else C.series7_softmax_fabric_saving
    return base + 2 * adder_levels(n_values) * per_level
