"""The cost of one layer, and what a layer estimator is told about the design around it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.bits import Bits, bits_of


@dataclass(frozen=True)
class Target:
    """What the firmware is built for: the knobs the estimate depends on besides weights."""

    clock_ns: float
    io_type: str  # io_parallel or io_stream
    tool: str  # "Vivado HLS" or "Vitis HLS": the scheduler differs slightly (see schedule)
    dsp_shape: tuple[int, int]  # signed operand bits of one DSP multiplier
    delay_scale: float = 1.0  # the part's logic delay over UltraScale+ -2's (timing.py)
    family: str = ""  # the part's family (parts.Part.family): "7-series", "UltraScale+", ...
    # A multiplier binding forced by the build script (`config_op mul -impl dsp|fabric`);
    # None for the tools' own choice.
    multiplier_impl: str | None = None
    # The clock uncertainty the project asks for (hls4ml's ClockUncertainty, a Tcl
    # `set_clock_uncertainty`), in ns; None for the tools' default, 12.5% of the period.
    clock_uncertainty_ns: float | None = None

    @property
    def budget_ns(self) -> float:
        """Logic delay, in the calibration part's nanoseconds, that fits in one cycle once
        the clock uncertainty is set aside: on slower silicon less of it fits. The tools
        schedule against the period less the uncertainty (csynth reports both; a 27%
        ClockUncertainty at 5 ns reports 1.35 ns)."""
        if self.clock_uncertainty_ns is None:
            return self.clock_ns * (1.0 - C.clock_uncertainty_fraction) / self.delay_scale
        return (self.clock_ns - self.clock_uncertainty_ns) / self.delay_scale


@dataclass(frozen=True)
class LayerCost:
    """Resources and timing of one layer's hardware.

    io_parallel: `cycles` registers inside the layer; `head_ns` is the logic before the
    first of them and `delay_ns` the logic after the last (all of it when cycles == 0),
    which the schedule chains with the neighbours. io_stream: `cycles` is the process
    latency, `ii` its interval, and `process` says the layer's model already made it one.
    """

    name: str
    kind: str
    dsp: float = 0.0
    lut: float = 0.0
    ff: float = 0.0
    # flip-flops counted register by register from the schedule (registers.py), which the
    # io_stream composition adds as they are (estimate._finish scales only `ff`)
    ff_counted: float = 0.0
    bram_18k: float = 0.0
    cycles: int = 0
    ii: int = 1
    head_ns: float = 0.0
    delay_ns: float = 0.0
    process: bool = False
    # io_stream: cycles of `cycles` a process spends before it reads its input (a softmax
    # filling its table in hardware, softmax_tables), which overlap the pixel processes
    fill_cycles: int = 0
    out_bits: int = 0  # bits of the output values that are not constants
    notes: tuple[str, ...] = field(default_factory=tuple)
    # False for a layer the estimator has no rule for, counted as free: the design's
    # estimate is then a lower bound (compare.budget_section gives no pass on it)
    modelled: bool = True

    def plus(self, **extra: float) -> "LayerCost":
        """A copy with resources added (`ff=...`, `lut=...`) and cycles added (`cycles=...`)."""
        return replace(self, **{k: getattr(self, k) + v for k, v in extra.items()})


@dataclass(frozen=True)
class LayerIO:
    """The facts about a layer's tensors that most estimators need."""

    name: str
    in_bits: Bits
    out_bits: Bits
    n_in: int  # values per inference at the input
    n_out: int
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    live_in: int  # input values that are not constants
    reuse_factor: int
    strategy: str  # latency or resource
    # (constant inputs, dead outputs) of a Dense whose neighbours let the tool fold them
    # (liveness.py); None where nothing folds
    fold: tuple | None = None


def strategy_of(layer) -> str:
    """A layer's hls4ml strategy, lower case (latency where it names none)."""
    return str(layer.get_attr("strategy", "latency") or "latency").lower()


def layer_io(layer, live: dict[str, int]) -> LayerIO:
    """Read a ModelGraph layer; `live` maps variable names to their non-constant counts."""
    names = [] if layer.class_name == "Input" else list(layer.inputs)
    inputs = [v for v in (layer.model.get_layer_output_variable(n) for n in names) if v is not None]
    first = inputs[0] if inputs else layer.get_output_variable()
    out = layer.get_output_variable()
    n_in = int(math.prod(first.shape))
    n_out = int(math.prod(out.shape))
    live_in = live.get(first.name, n_in) if inputs else n_in
    strategy = strategy_of(layer)
    return LayerIO(name=layer.name, in_bits=bits_of(first.type.precision, f"layer '{layer.name}' input"),
                   out_bits=bits_of(out.type.precision, f"layer '{layer.name}' output"), n_in=n_in, n_out=n_out,
                   in_shape=tuple(first.shape), out_shape=tuple(out.shape),
                   live_in=live_in, reuse_factor=max(1, int(layer.get_attr("reuse_factor", 1) or 1)),
                   strategy=strategy)


def stream_words(n: int, shape: tuple[int, ...]) -> int:
    """Stream words (pixels) of a tensor of n values in io_stream: one per position, each
    word holding that position's channels (the last axis)."""
    channels = shape[-1] if shape else 1
    return max(n // max(channels, 1), 1)


def adder_levels(terms: int) -> int:
    """Depth of a balanced adder tree summing `terms` values."""
    return math.ceil(math.log2(terms)) if terms > 1 else 0


def split_delay(total_ns: float, budget_ns: float, head_ns: float | None = None,
                operators: int | None = None) -> tuple[int, float, float]:
    """(internal registers, head, tail) for combinational logic of `total_ns`.

    The first register goes after `head_ns` when given (a DSP's own output register),
    further ones every `budget_ns`. A chain of `operators` operations (when given) gets
    at most operators - 1 registers: the tools cut between operations, never inside one,
    and an operation longer than the period keeps a single cycle (with a longer estimated
    clock): the 5.28 ns fabric multiplies of the Vitis HLS 2021.1 calibration builds sit
    in one 3.33 ns cycle each (their verbose schedules), and the Vivado HLS 2020.1
    separable CNN's multiply and add at a 2.5 ns target take two cycles, not four.
    """
    if total_ns <= budget_ns:
        return 0, total_ns, total_ns
    head = min(head_ns if head_ns is not None else budget_ns, budget_ns)
    rest = total_ns - head
    extra = math.ceil(rest / budget_ns) - 1 if rest > budget_ns else 0
    if operators is not None and 1 + extra > operators - 1:
        registers = max(operators - 1, 0)
        return registers, (head if registers else total_ns), (budget_ns if registers else total_ns)
    return 1 + extra, head, rest - extra * budget_ns
