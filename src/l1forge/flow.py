"""The one flow, from any trained model: a Keras model plus its firmware settings ->
firmware -> verified -> report -> the family's figures.

`l1forge build` (a card, trained first), each point of `l1forge scan`, and `l1forge compile`
(a user's model) all call `run`; they differ only in the `Job` they hand over. Each stage
returns a small frozen result that the next takes:

    firmware_stage  hls4ml config passes, the ModelGraph, the project written (and compiled
                    when the C-simulation runs)                              -> Firmware
    verify_stage    the C-simulation against hls4ml's compiled predict, and the bit-accurate
                    emulator against the C-simulation (or the emulator alone) -> Verified
    report_stage    latency/resource estimate, vendor figures, verdicts      -> dict
    job.figures     the family's figures over the verified events (a task's metrics, a
                    scan's objective, compile's diagnosis)                   -> dict

Firmware figures are always taken from `Verified.firmware_outputs`: the C-simulation's
outputs where it ran, the emulator's otherwise (the two are checked equal bit for bit).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import csim, firmware, report
from l1forge.errors import UserError
from l1forge.firmware.spec import FirmwareSpec
from l1forge.report.project import target_from_spec

KERAS_BATCH = 4096


@dataclass(frozen=True)
class VerifyPlan:
    """Which events the firmware is verified on. With `csim`, the first `csim_events` are
    C-simulated and compared with hls4ml's compiled predict; `every_event` then runs the
    test bench over the rest too (figures that need every event's firmware output). The
    emulator is compared with the C-simulation on every C-simulated event; without `csim`
    the emulator alone gives the firmware outputs of every event."""

    csim: bool = True
    csim_events: int = 10_000
    every_event: bool = False


@dataclass(frozen=True)
class Job:
    """One run of the flow: the model, its firmware settings, the events, and what to do."""

    keras_model: Any
    spec: FirmwareSpec
    folder: Path                       # where hls4ml writes the project
    x: np.ndarray                      # events in firmware-input space
    plan: VerifyPlan = field(default_factory=VerifyPlan)
    passes: tuple = ()                 # the family's config passes, after the common ones
    figures: Callable[["Verified", "Firmware"], dict] | None = None
    final_dir: Path | None = None      # where the project will live (None: not kept)
    log: Callable[[str], None] = print
    report_sections: tuple[str, ...] = ()  # family figures the report (and report.html) shows


@dataclass(frozen=True)
class Firmware:
    graph: Any
    folder: Path
    compiled: bool


@dataclass(frozen=True)
class Verified:
    inputs: np.ndarray            # the verified events as the firmware sees them (quantized)
    firmware_outputs: np.ndarray  # (events, outputs): C-simulation where run, else emulator
    keras_outputs: Any            # the Keras model's predictions on the same events
    checked: int                  # events C-simulated against hls4ml's predict (0: none)
    csim: dict | None             # the C-simulation's comparison with hls4ml's predict
    emulator: dict                # the emulator against the C-simulation (or alone)


@dataclass(frozen=True)
class FlowResult:
    spec: FirmwareSpec
    firmware: Firmware
    verified: Verified
    report: dict
    figures: dict


def run(job: Job) -> FlowResult:
    """The flow, top to bottom."""
    fw = firmware_stage(job)
    verified = verify_stage(job, fw)
    family = job.figures(verified, fw) if job.figures else {}
    figures = report_stage(job, fw, {key: family[key] for key in job.report_sections if key in family})
    return FlowResult(job.spec, fw, verified, figures, family)


def firmware_stage(job: Job) -> Firmware:
    """Convert with the config passes; compile (writes the project) when the C-simulation
    runs, else write the project only."""
    job.log("converting with hls4ml" + (" and compiling the firmware C++ (g++)" if job.plan.csim else ""))
    graph = firmware.convert(job.spec, job.keras_model, job.folder, job.passes)
    if job.plan.csim:
        # hls4ml's compile() writes the project again (it deletes and re-copies
        # firmware/ap_types), so the test bench may only start compiling once it returned.
        firmware.compile_graph(graph)
    elif job.final_dir is not None:
        graph.write()
    if job.final_dir is not None:
        firmware.relocate_config(job.folder, job.final_dir, job.keras_model)
    return Firmware(graph, job.folder, job.plan.csim)


def verify_stage(job: Job, fw: Firmware) -> Verified:
    x = np.asarray(job.x)
    if not job.plan.csim:
        return _emulated(job, fw, x)
    n = min(job.plan.csim_events, len(x))
    pending = csim.start_testbench_build(fw.graph, fw.folder, csim.compiled_library(fw.graph))
    covered = x if job.plan.every_event else x[:n]
    keras_outputs = _predict(job.keras_model, fw.graph, covered)  # while g++ builds the test bench
    csim.finish_testbench_build(pending, fw.folder)
    job.log(f"C-simulation over {n} events")
    verification = csim.verify(fw.graph, fw.folder, x[:n])
    if verification.comparison.mismatches:
        job.log(f"WARNING: {verification.comparison.mismatches} C-simulation values differ from hls4ml predict")
    outputs, inputs = verification.outputs, verification.inputs
    if len(covered) > n:
        job.log(f"firmware outputs (C-simulation) over the other {len(covered) - n} events")
        rest = csim.quantize_inputs(fw.graph, covered[n:])
        more = csim.run_binary(fw.folder, rest, outputs.shape[1]).outputs
        outputs, inputs = np.concatenate([outputs, more]), np.concatenate([inputs, rest])
    job.log(f"emulator against the C-simulation over {len(outputs)} events")
    emulator = csim.emulator_check(fw.graph, covered[:len(outputs)], outputs)
    return Verified(inputs, outputs, keras_outputs, n, verification.as_dict(), emulator)


def _emulated(job: Job, fw: Firmware, x: np.ndarray) -> Verified:
    """Without the C-simulation: the emulator's outputs are the firmware's (a design the
    emulator cannot model has none, said in `emulator`)."""
    from l1forge import emulate

    try:
        emulator = emulate.from_graph(fw.graph)
    except UserError as err:
        raise UserError(f"{job.spec.name}: without the C-simulation the emulator must model the "
                        f"firmware, and it does not: {err}") from None
    start = time.perf_counter()
    outputs = csim.emulator_outputs(emulator, fw.graph, x)
    seconds = time.perf_counter() - start
    return Verified(csim.quantize_inputs(fw.graph, x), outputs, _predict(job.keras_model, fw.graph, x), 0, None,
                    {"supported": True, "events": int(len(x)), "checked_against": None,
                     "seconds": round(seconds, 4)})


def _predict(keras_model, graph, x: np.ndarray):
    """Keras on the events; a model with several inputs gets them split (intake.ports)."""
    from l1forge.intake.ports import graph_ports, keras_inputs

    import tensorflow as tf

    if not len(x):
        return np.zeros((0, 1))
    try:
        return keras_model.predict(keras_inputs(x, graph_ports(graph), keras_model), batch_size=KERAS_BATCH,
                                   verbose=0)
    except tf.errors.OpError as err:  # an event the model cannot take, e.g. a token outside an Embedding
        raise UserError(f"Keras cannot run the model on these events: {_op_error_line(err)}") from None


def _op_error_line(err) -> str:
    """What a TensorFlow op error says, without its traceback of the graph's frames: the
    last line that is neither a frame nor the node's name."""
    lines = [line.strip() for line in str(getattr(err, "message", err)).splitlines()]
    said = [line for line in lines if line and not line.startswith(("File ", "[[", "Detected at node"))
            and line != "Graph execution error:"]
    return said[-1] if said else (lines[0] if lines else type(err).__name__)


def report_stage(job: Job, fw: Firmware, sections: dict | None = None) -> dict:
    """The latency/resource report of the project, with the family's `sections` (such as
    compile's diagnosis); report.html beside it when the project is kept."""
    job.log("estimating latency and resources")
    figures = report.make_report(fw.folder, graph=fw.graph, target=target_from_spec(job.spec, fw.folder))
    figures.update(sections or {})
    if job.final_dir is not None:
        report.write_html(figures, fw.folder / "report.html")
    return figures
