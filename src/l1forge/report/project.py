"""What a project folder says about its target: part, clock, I/O type, tool, budgets.

An l1forge project is an hls4ml output folder with an `l1forge.json` manifest whose
`target` (part, clock_ns, io_type, strategy, reuse_factor) and `latency_budget_ns` win
over the hls4ml config. Any other hls4ml folder is read from `hls4ml_config.yml` alone.
The flow hands the target over in memory (`target_from_spec`), before any manifest exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from l1forge.errors import UserError
from l1forge.report.binding_pragmas import firmware_multiplier_impl
from l1forge.project import MANIFEST, Project

if TYPE_CHECKING:
    from l1forge.firmware.spec import FirmwareSpec

MANIFEST_NAME = MANIFEST
# hls4ml's Xilinx backends; the Accelerator ones are the same HLS with a board wrapper around it
TOOLS = {"vivado": "Vivado HLS", "vitis": "Vitis HLS", "vivadoaccelerator": "Vivado HLS",
         "vitisaccelerator": "Vitis HLS"}


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
    # A multiplier binding the build forces: from the manifest's target, else a pragma in the
    # project's firmware (binding_pragmas.py), else the Tcl scripts' `config_op mul -impl
    # dsp|fabric`; None: the tools choose.
    multiplier_impl: str | None = None
    # The clock uncertainty the project asks for, in ns: from the manifest's target, else
    # the project's Tcl (`set_clock_uncertainty`), else hls4ml's ClockUncertainty; None:
    # the tools' default (12.5% of the period).
    clock_uncertainty_ns: float | None = None


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
    """The target of a project folder on disk (manifest if any, else hls4ml_config.yml)."""
    project = Project(folder)
    return _target(project, project.manifest(strict=False))


def target_from_spec(spec: FirmwareSpec, folder: Path) -> ProjectTarget:
    """The target of the project the flow is assembling in `folder` for `spec`."""
    return _target(Project(folder), {"card": spec.name, "target": spec.target_dict()})


MULTIPLIER_IMPLS = ("dsp", "fabric")
# `config_op mul -impl dsp` (Vitis HLS; also spelled `config_op -impl dsp mul`): the
# binding of every multiply in the design.
CONFIG_OP_MUL = re.compile(r"^\s*config_op\b(?=[^\n]*\bmul\b)[^\n#;]*?-impl\s+(\w+)", re.MULTILINE)


def multiplier_impl_of(value, where: str) -> str | None:
    """A multiplier binding as the estimate takes it (dsp or fabric), or None."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text not in MULTIPLIER_IMPLS:
        raise UserError(f"{where}: multiplier_impl '{value}'; expected dsp or fabric")
    return text


def tcl_scripts(folder: Path) -> list[tuple[str, str]]:
    """(name, text) of the project's Tcl scripts in name order (the tool sources them so:
    a later line wins); an unreadable script is skipped."""
    scripts = []
    for script in sorted(Path(folder).glob("*.tcl")):
        try:
            scripts.append((script.name, script.read_text(errors="replace")))
        except OSError:
            continue
    return scripts


def tcl_multiplier_impl(folder: Path) -> tuple[str | None, list[str]]:
    """The binding the project's Tcl scripts force on multiplies (the last `config_op mul
    -impl` line wins, as in the tool), with a warning for a binding the estimate does not
    model (`auto`, or Vitis' DSP variants)."""
    found = None
    for name, text in tcl_scripts(folder):
        for match in CONFIG_OP_MUL.finditer(text):
            found = (match.group(1).lower(), name)
    if found is None:
        return None, []
    impl, name = found
    if impl in MULTIPLIER_IMPLS:
        return impl, []
    if impl == "auto":
        return None, []
    return None, [f"{name}: config_op mul -impl {impl} is not modelled; estimated with the tools' own binding"]


# `set_clock_uncertainty 27%` or `set_clock_uncertainty $clock_uncertainty default`, and the
# `set clock_uncertainty 27%` that hls4ml's project.tcl writes from ClockUncertainty.
SET_CLOCK_UNCERTAINTY = re.compile(r"^\s*set_clock_uncertainty\s+([^\s#;]+)", re.MULTILINE)
TCL_SET = re.compile(r"^\s*set\s+(\w+)\s+([^\s#;]+)", re.MULTILINE)


def clock_uncertainty_of(value, clock_ns: float, where: str) -> float | None:
    """A clock uncertainty in ns from the tools' spelling: a share of the period ("27%")
    or a time in ns ("1.35"), as `set_clock_uncertainty` and hls4ml's ClockUncertainty take it."""
    if value is None:
        return None
    text = str(value).strip().strip('"{}').strip()
    percent = text.endswith("%")
    try:
        number = float(text[:-1] if percent else text)
    except ValueError:
        raise UserError(f"{where}: clock uncertainty {value!r}; expected a percentage of the "
                        "period (\"27%\") or a time in ns") from None
    ns = clock_ns * number / 100.0 if percent else number
    if not 0.0 <= ns < clock_ns:
        raise UserError(f"{where}: clock uncertainty {value!r} is {ns:g} ns; expected at least 0 "
                        f"and less than the {clock_ns:g} ns period")
    return ns


def tcl_clock_uncertainty(folder: Path) -> tuple[str | None, str | None]:
    """(value, script) of the last `set_clock_uncertainty` in the project's Tcl scripts, a
    `$variable` argument resolved through the scripts' `set variable value` lines."""
    found, variables = None, {}
    for name, text in tcl_scripts(folder):
        variables.update({m.group(1): m.group(2) for m in TCL_SET.finditer(text)})
        for match in SET_CLOCK_UNCERTAINTY.finditer(text):
            found = (match.group(1), name)
    if found is None:
        return None, None
    value, name = found
    if value.startswith("$"):
        value = variables.get(value[1:].strip("{}"))
    return value, name


def _uncertainty(project: Project, target: dict, config: dict, clock: float) -> float | None:
    if target.get("clock_uncertainty") is not None:
        return clock_uncertainty_of(target["clock_uncertainty"], clock,
                                    f"{project.manifest_path}: target.clock_uncertainty")
    value, script = tcl_clock_uncertainty(project.folder)
    if value is not None:
        return clock_uncertainty_of(value, clock, f"{project.folder / script}: set_clock_uncertainty")
    return clock_uncertainty_of(config.get("ClockUncertainty"), clock,
                                f"{project.config_path}: ClockUncertainty")


def _target(project: Project, manifest: dict[str, Any]) -> ProjectTarget:
    folder = project.folder
    has_config = project.has_config()
    config = project.hls_config() if has_config else {}
    target = manifest.get("target") or {}
    where = str(project.manifest_path)
    warnings = []
    backend = str(target.get("backend") or config.get("Backend") or "Vivado")
    tool = TOOLS.get(backend.lower())
    if tool is None:
        tool = "Vivado HLS"
        warnings.append(f"backend '{backend}' is not a Xilinx HLS backend; estimated as Vivado HLS")
    io_type = str(target.get("io_type") or config.get("IOType") or "io_parallel")
    if io_type not in ("io_parallel", "io_stream"):
        raise UserError(f"{folder}: io_type '{io_type}'; expected io_parallel or io_stream")
    impl = multiplier_impl_of(target.get("multiplier_impl"), where)
    if impl is None:  # a pragma in the firmware overrides the build script's config_op
        impl, more = firmware_multiplier_impl(folder)
        warnings += more
    if impl is None:
        impl, more = tcl_multiplier_impl(folder)
        warnings += more
    clock = _number(target.get("clock_ns"), where, "target.clock_ns") \
        or _number(config.get("ClockPeriod"), str(project.config_path), "ClockPeriod") or 5.0
    return ProjectTarget(
        folder=folder, name=str(manifest.get("card") or folder.resolve().name),
        has_config=has_config,
        project_name=config.get("ProjectName") if has_config else None,
        part=target.get("part") or config.get("Part") or config.get("XilinxPart"),  # hls4ml 0.x: XilinxPart
        clock_ns=clock, io_type=io_type, tool=tool,
        latency_budget_ns=_number(target.get("latency_budget_ns", manifest.get("latency_budget_ns")),
                                  where, "latency_budget_ns"),
        warnings=tuple(warnings), multiplier_impl=impl,
        clock_uncertainty_ns=_uncertainty(project, target, config, clock))
