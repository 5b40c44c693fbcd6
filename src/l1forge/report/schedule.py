"""Compose per-layer timing into the latency and interval of the whole design.

io_parallel: hls4ml pipelines the top function; the tool chains the logic of
consecutive layers into one clock cycle while it fits the period (minus the clock
uncertainty) and puts a register where it does not. Layers with internal registers
(`cycles`) contribute those, and their head and tail logic chain with the neighbours.
Every register at a layer boundary holds that layer's live output bits (flip-flops).
The interval is the largest layer interval: RF, or latency + 1 for a layer whose
schedule is shorter than RF (dense_cost.pipelined_interval).

io_stream is composed in schedule_stream.py.

A graph with branches (a model of several inputs, concatenated) is scheduled along its
paths: a layer starts when the last of its inputs is ready, and the design's latency is
its longest path, not the sum over every layer (the tools schedule independent calls side
by side; the multi-input smart-pixel MLPs of the sixth unseen set, Vitis HLS 2024.1 on an
xc7z020: 29 cycles, their critical path, where the sum over layers gives 35). `preds` maps
each layer to the layers feeding it (predecessors); without it the layers form a chain.

io_parallel with a Resource-strategy layer (or a convolution computed in several
partitions: dataflow_top): hls4ml makes the top function a dataflow region (its
SetPipelineStyle pass), not a pipeline, because a layer that loops over its RF cycles
cannot sit inside a top-level pipeline that asks for II = 1. Every layer is then
a process that runs once per inference and hands its outputs over through FIFOs
(estimate.channel_fifo_cost): the latency is the sum of the processes' latencies, each plus the cycle that writes its
buffer, less that cycle for the last process, which writes the ports. A VAE encoder's
report (Vitis HLS 2023.1, xcvu9p at 25 ns, Resource at RF 1) shows it bare: five
processes of latency 0 and a region of 4 cycles. Of the seven other such designs seen
(Vivado HLS 2019.2 and 2020.1, Vitis HLS 2023.2; RF 1 to 64; GRUs and MLPs), five are then
within 3 cycles of their reports, a GRU at RF 30 is 47 over (of 878) and a tagger inside an
AXI wrapper 7 under (the thirty-first unseen set's studied note in VALIDATION.md). The interval
is the largest of the processes' own intervals (RF for a Resource dense, whose loop over
RF cycles hls4ml pipelines with `rewind`, the templates' intent).
"""

from __future__ import annotations

from dataclasses import dataclass

from l1forge.report.build_limits import INPUT_CLASSES
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, Target, strategy_of


@dataclass(frozen=True)
class Schedule:
    latency_cycles: int
    ii: int
    registers_after: dict[str, int]  # boundary registers the schedule put after each layer
    cycles_of: dict[str, int]  # cycles each layer accounts for (internal + its boundary)


def predecessors(graph) -> dict[str, list[str]]:
    """The layers feeding each layer of a ModelGraph, by their output names."""
    layers = graph.get_layers()
    producer = {out: layer.name for layer in layers for out in (getattr(layer, "outputs", None) or [layer.name])}
    return {layer.name: [producer[i] for i in (getattr(layer, "inputs", None) or []) if i in producer]
            for layer in layers}


def _inputs(cost: LayerCost, previous: str | None, preds: dict[str, list[str]] | None,
            known: dict) -> list[str]:
    """The scheduled layers feeding `cost`: its predecessors (none for a graph input), else,
    without a graph or for predecessors not scheduled, the layer before it."""
    declared = (preds or {}).get(cost.name)
    if declared is not None and not declared:
        return []  # a source of the graph (an input) waits for nothing
    inputs = [p for p in declared or [] if p in known]
    return inputs or ([previous] if previous is not None else [])


def dataflow_top(graph) -> bool:
    """Whether hls4ml makes an io_parallel design's top function a dataflow region rather
    than a pipeline: the style its SetPipelineStyle pass left in the ModelGraph's config
    ('dataflow' for any Resource-strategy layer, any Conv1D/Conv2D computed in more than
    one partition, i.e. a ParallelizationFactor below its output pixels, or a
    PipelineStyle the config sets). A graph without that pass (a stand-in) takes the
    Resource rule alone."""
    style = str(getattr(getattr(graph, "config", None), "pipeline_style", "") or "").lower()
    if style in ("dataflow", "pipeline"):
        return style == "dataflow"
    return any(strategy_of(layer) == "resource" for layer in graph.get_layers())


def reads_design_input(layer) -> bool:
    """Whether an input layer of the design feeds `layer` (it reads the top's input port).
    A recurrent cell's kernel (recurrent_cost.CellKernel, no graph of its own) reads its
    step's slice of the sequence, never the port."""
    if getattr(layer, "model", None) is None:
        return False
    sources = predecessors(layer.model).get(layer.name, [])
    return any(other.name in sources and other.class_name in INPUT_CLASSES for other in layer.model.get_layers())


def longest_path(costs: list[LayerCost], durations: dict[str, int],
                 preds: dict[str, list[str]] | None = None) -> int:
    """The latest finish when each layer takes durations[name] after its inputs finish."""
    finish: dict[str, int] = {}
    previous = None
    for cost in costs:
        start = max((finish[p] for p in _inputs(cost, previous, preds, finish)), default=0)
        finish[cost.name] = start + durations[cost.name]
        previous = cost.name
    return max(finish.values(), default=0)


def schedule_parallel(costs: list[LayerCost], target: Target,
                      preds: dict[str, list[str]] | None = None) -> Schedule:
    budget = target.budget_ns
    registers = {cost.name: 0 for cost in costs}
    # per layer: (cycles before its output, logic delay already placed in the current cycle)
    state: dict[str, tuple[int, float]] = {}
    previous = None
    for cost in costs:
        inputs = _inputs(cost, previous, preds, state)
        critical = max(inputs, key=lambda name: state[name], default=None)
        total, used = state[critical] if critical is not None else (0, 0.0)
        start = cost.head_ns if cost.cycles else cost.delay_ns
        if critical is not None and used > 0 and used + start > budget:
            registers[critical] = 1
            total += 1
            used = 0.0
        if cost.cycles:
            total += cost.cycles
            used = cost.delay_ns
        else:
            used += cost.delay_ns
        state[cost.name] = (total, used)
        previous = cost.name
    total = max((cycles for cycles, _ in state.values()), default=0) + C.extra_cycles.get(target.tool, 0)
    ii = max([cost.ii for cost in costs] or [1])
    cycles_of = {cost.name: cost.cycles + registers[cost.name] for cost in costs}
    return Schedule(latency_cycles=total, ii=ii, registers_after=registers, cycles_of=cycles_of)


def schedule_parallel_dataflow(costs: list[LayerCost], target: Target,
                               preds: dict[str, list[str]] | None = None) -> Schedule:
    processes = [cost for cost in costs if cost.kind != "input"]
    cycles_of = {cost.name: (cost.cycles + 1 if cost in processes else 0) for cost in costs}
    # the last process hands its outputs to the ports, not to a buffer (module docs)
    total = max(longest_path(costs, cycles_of, preds) - 1, 0)
    # Each process is pipelined at its own interval (RF for a Resource dense: its RF-cycle
    # loop is pipelined with `rewind`, so consecutive inferences follow each other).
    ii = max([cost.ii for cost in processes] or [1])
    # a channel after each process's outputs, except the last one's (ports); its registers
    # and FIFO are estimate.channel_fifo_cost's
    registers = {cost.name: (1 if cost in processes[:-1] else 0) for cost in costs}
    return Schedule(latency_cycles=total, ii=ii, registers_after=registers, cycles_of=cycles_of)


def schedule_instances(costs: list[LayerCost], target: Target,
                       preds: dict[str, list[str]] | None = None) -> Schedule:
    """Vitis HLS on 7-series (series7.py): every layer is an instance whose outputs are
    registered, so the latency is the sum of (cycles + 1) over the layers (along the
    longest path of a graph with branches); the interval is the largest layer interval.

    A top level pipelined at an interval above 1 (a reuse factor's) hands the last
    instance's outputs to the ports without that register: its latency is the sum less
    one. The calibration builds at RF 2 and 100 show it (top latency = the instances'
    sum of latency + 1, less one, in ARRYTHMIA's and HAR's eight builds, less two in
    Breast_cancer's four); at RF 1 (II 1) the top adds cycles instead (+1, 0, +3), which
    the per-layer constants absorb."""
    layers = [cost for cost in costs if cost.kind != "input"]
    registers = {cost.name: (1 if cost in layers else 0) for cost in costs}
    ii = max([cost.ii for cost in layers] or [1])
    if ii > 1 and layers:
        registers[layers[-1].name] = 0
    cycles_of = {cost.name: cost.cycles + registers[cost.name] for cost in costs}
    return Schedule(latency_cycles=longest_path(costs, cycles_of, preds), ii=ii, registers_after=registers,
                    cycles_of=cycles_of)
