"""What a project folder says about its target: part, clock, I/O type, tool, budgets.

An l1forge project is an hls4ml output folder with an `l1forge.json` manifest whose
`target` (part, clock_ns, io_type, strategy, reuse_factor) and `latency_budget_ns` win
over the hls4ml config. Any other hls4ml folder is read from `hls4ml_config.yml` alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from l1forge.errors import UserError
from l1forge.hls_project import CONFIG_NAME, read_config

MANIFEST_NAME = "l1forge.json"
TOOLS = {"vivado": "Vivado HLS", "vitis": "Vitis HLS"}


@dataclass(frozen=True)
class ProjectTarget:
    folder: Path
    name: str  # the card's name for l1forge projects, else the folder's
    has_config: bool
    project_name: str | None
    part: str | None
    clock_ns: float
    io_type: str
    tool: str
    latency_budget_ns: float | None
    warnings: tuple[str, ...]


def read_manifest(folder: Path) -> dict | None:
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not readable JSON ({err})") from None
    if not isinstance(manifest, dict):
        raise UserError(f"{path}: expected a JSON object (the l1forge manifest)")
    return manifest


def _number(value, where: str, field: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserError(f"{where}: field '{field}' is {value!r}; expected a number") from None
    if number <= 0:
        raise UserError(f"{where}: field '{field}' is {value!r}; expected a positive number")
    return number


def read_target(folder: Path) -> ProjectTarget:
    folder = Path(folder)
    manifest = read_manifest(folder)
    has_config = (folder / CONFIG_NAME).is_file()
    config = read_config(folder) if has_config else {}
    target = (manifest or {}).get("target") or {}
    where = str(folder / MANIFEST_NAME)
    warnings = []
    backend = str(target.get("backend") or config.get("Backend") or "Vivado")
    tool = TOOLS.get(backend.lower())
    if tool is None:
        tool = "Vivado HLS"
        warnings.append(f"backend '{backend}' is not a Xilinx HLS backend; estimated as Vivado HLS")
    io_type = str(target.get("io_type") or config.get("IOType") or "io_parallel")
    if io_type not in ("io_parallel", "io_stream"):
        raise UserError(f"{folder}: io_type '{io_type}'; expected io_parallel or io_stream")
    clock = _number(target.get("clock_ns"), where, "target.clock_ns") \
        or _number(config.get("ClockPeriod"), str(folder / CONFIG_NAME), "ClockPeriod") or 5.0
    return ProjectTarget(
        folder=folder, name=str((manifest or {}).get("card") or folder.resolve().name),
        has_config=has_config,
        project_name=config.get("ProjectName") if has_config else None,
        part=target.get("part") or config.get("Part"),
        clock_ns=clock, io_type=io_type, tool=tool,
        latency_budget_ns=_number(target.get("latency_budget_ns", (manifest or {}).get("latency_budget_ns")),
                                  where, "latency_budget_ns"),
        warnings=tuple(warnings))
