"""Assemble the report of one project folder: estimate, vendor figures, part, verdicts."""

from __future__ import annotations

from pathlib import Path

from l1forge.errors import UserError
from l1forge.report.build_limits import hls_limit_warnings
from l1forge.report.compare import budget_section, comparison, part_fit, part_section
from l1forge.report.estimate import estimate_graph
from l1forge.report.extrapolation import range_findings
from l1forge.report.keras3_file import is_keras3_file, load_keras3_graph
from l1forge.report.part_choice import estimate_part
from l1forge.report.parts import find_part, part_from_report, speed_grade
from l1forge.report.timing import delay_scale
from l1forge.report.project import MANIFEST_NAME, multiplier_impl_of, read_target
from l1forge.report.netlist import netlist_comparison, netlist_section
from l1forge.report.older_hls4ml import older_firmware_warnings
from l1forge.report.vendor import vendor_section

REPORT_VERSION = 1


def _relative_sources(vendor: dict | None, folder: Path) -> None:
    """Name report files relative to the project, so a report stays true when it moves."""
    for section in [vendor] + [(vendor or {}).get(k) for k in ("post_synthesis", "post_place",
                                                              "post_route", "timing")]:
        if section and section.get("source_file"):
            path = Path(section["source_file"])
            section["source_file"] = str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def project_graph(folder: Path, notes: list[str] | None = None):
    """The ModelGraph of an hls4ml project folder: through hls4ml's Keras 2 frontend, or,
    for a model saved by Keras 3 (which that frontend cannot load), from the file's
    architecture and weights (keras3_file)."""
    from l1forge.firmware.loading import load_graph, model_path, read_config

    config = read_config(folder)
    try:
        path = model_path(folder, config)
    except UserError:
        path = None  # load_graph says what is missing
    if path is not None and is_keras3_file(path):
        return load_keras3_graph(folder, config, path)
    return load_graph(folder, notes=notes)


def _estimate(graph, target, vendor: dict | None, part_row, part_name: str,
              multiplier_impl: str | None) -> tuple[dict, list[str], list[str]]:
    """The estimate of a graph, the warnings that go with it (HLS limits, extrapolation)
    and its notes (each layer's notes, the region's evidence)."""
    # Compare like with like: estimate for the tool that wrote the vendor report.
    tool = (vendor or {}).get("tool") or target.tool
    grade = speed_grade(part_name)
    scale = delay_scale(part_row.speed_fabric, grade)
    estimate = estimate_graph(graph, target.clock_ns, target.io_type, tool, part_row.dsp_shape, scale,
                              family=part_row.family, multiplier_impl=multiplier_impl,
                              clock_uncertainty_ns=target.clock_uncertainty_ns)
    notes = [f"{row['name']}: {note}" for row in estimate["per_layer"] for note in row["notes"]]
    limits = hls_limit_warnings(graph, part_row.family, target.clock_ns, multiplier_impl, target.io_type, tool)
    extrapolated, region = range_findings(part_row.speed_fabric, grade, target.io_type, estimate, part_row.family)
    return estimate, limits + extrapolated, region + notes


def make_report(project_dir, part: str | None = None, graph=None, target=None,
                multiplier_impl: str | None = None) -> dict:
    """The report of an l1forge project or any hls4ml project folder (see module docs).

    `part` overrides the project's part; `graph` skips loading the model and `target`
    reading the target from disk (the build passes the ModelGraph and target it has);
    `multiplier_impl` (dsp or fabric) overrides the multiplier binding the project's
    target or Tcl scripts force.
    """
    folder = Path(project_dir)
    if not folder.is_dir():
        raise UserError(f"{folder}: no such folder")
    target = target or read_target(folder)
    vendor, warnings = vendor_section(folder, target.project_name)
    warnings = list(target.warnings) + warnings
    if graph is None and not target.has_config and vendor is None:
        raise UserError(f"{folder}: neither an hls4ml project (no hls4ml_config.yml) nor vendor "
                        "reports (*_csynth.rpt/.xml or csynth.rpt/.xml, vivado_synth.rpt, *utilization*.rpt, "
                        "*timing_summary*.rpt) under it")
    part_name, chosen = estimate_part(part, target.part, vendor)  # the vendor's part where they differ
    warnings += chosen
    if not part_name:
        raise UserError(f"{folder}: no FPGA part in {MANIFEST_NAME} or hls4ml_config.yml; pass --part")
    try:
        part_row = find_part(part_name)
    except UserError:
        part_row = part_from_report(part_name, (vendor or {}).get("available") or {})
        if part_row is None:
            raise
        warnings.append(f"part '{part_name}' is not in l1forge's table: capacity from the vendor report, "
                        f"timed as {part_row.speed_fabric}")
    estimate, notes = None, []
    if target.has_config and graph is None:
        try:
            graph = project_graph(folder, warnings)
        except UserError as err:
            if vendor is None:
                raise
            # Vendor figures never need the model: keep them, and say why there is no estimate.
            warnings.append(f"no estimate: {err}")
    if graph is not None:
        try:
            impl = multiplier_impl_of(multiplier_impl, "--multiplier-impl") or target.multiplier_impl
            estimate, more, notes = _estimate(graph, target, vendor, part_row, part_name, impl)
            warnings += more
        except UserError as err:
            if vendor is None:
                raise
            warnings.append(f"no estimate: {err}")
    elif not target.has_config:
        warnings.append(f"{folder}: no hls4ml_config.yml; vendor figures only")
    warnings += older_firmware_warnings(vendor, estimate)
    _relative_sources(vendor, folder)
    netlist = netlist_section(folder)  # yosys figures of `l1forge rtl`, when it has run
    return {
        "report_version": REPORT_VERSION,
        "project": target.name,
        "estimate": estimate,
        "vendor": vendor,
        "comparison": comparison(estimate, vendor),
        "part": part_section(part_row, estimate, vendor),
        "fits_part": part_fit(part_row, estimate, vendor),
        "budget": budget_section(estimate, vendor, target.latency_budget_ns),
        "warnings": warnings,
        "notes": notes,
        "netlist": netlist,
        "netlist_comparison": netlist_comparison(estimate, netlist),
    }
