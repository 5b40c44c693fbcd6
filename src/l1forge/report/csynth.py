"""Parse Vivado HLS and Vitis HLS C-synthesis reports (`*_csynth.rpt` and `*_csynth.xml`;
Vitis HLS's one-table `csynth.rpt` summary is read by csynth_summary.py).

Both tools write the same two files per synthesized function: a text report with the
latency, interval and utilization summaries plus a per-instance breakdown, and an XML file
with the summaries only. The parsers are strict: a file that lacks a summary the report
must have (latency, utilization totals) is malformed or truncated, and raises `UserError`
naming it. A tool version outside the range the formats were checked against is parsed
all the same, with a warning, because the layout has been stable since Vivado HLS 2017.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from l1forge.errors import UserError
from l1forge.report import text_tables as tt
from l1forge.report.csynth_summary import is_summary, parse_summary_text
from l1forge.report.csynth_types import KNOWN_VERSIONS, CsynthReport, HlsInstance, int_or_none, version_warning  # noqa: F401

_RESOURCE_KEYS = {"BRAM_18K": "bram_18k", "DSP48E": "dsp", "DSP": "dsp", "DSP48": "dsp",
                  "FF": "ff", "LUT": "lut", "URAM": "uram"}



# --- text report -------------------------------------------------------------------------


def _header(path: Path, text: str) -> tuple[str, str, str, str | None]:
    match = re.search(r"== (Vivado|Vitis) HLS Report for '([^']+)'", text)
    if not match:
        raise UserError(f"{path}: not a Vivado/Vitis HLS synthesis report "
                        "(no \"== Vivado HLS Report for '<top>'\" header)")
    tool, top = f"{match.group(1)} HLS", match.group(2)
    version = re.search(r"^\* Version:\s+(\S+)", text, re.M)
    part = re.search(r"^\* Target device:\s+(\S+)", text, re.M)
    if not version:
        raise UserError(f"{path}: malformed {tool} report: no '* Version:' line")
    return tool, version.group(1), top, part.group(1) if part else None


def _section(lines: list[str], title: str) -> tuple[int, int]:
    start = tt.find_line(lines, rf"^== {title}")
    if start < 0:
        return -1, -1
    stop = tt.find_line(lines, r"^== ", start + 1)
    return start, len(lines) if stop < 0 else stop - 1


def _latency_cells(cells: tuple[str, ...]) -> tuple[int | None, ...]:
    """(latency min, max, interval min, max) from a summary or instance row's numeric cells.

    Rows carry 4 numbers (2019.1 and older: cycles, intervals) or 6 (cycles, absolute
    times, intervals); the absolute times are the ones with a unit, or the third and
    fourth of six where a latency is not known ('?' has no unit).
    """
    numeric = [c for c in cells if tt.number(c) is not None or c == "?"]
    if len(numeric) >= 6:
        cycles = [numeric[i] for i in (0, 1, 4, 5)]
    else:
        cycles = [c for c in numeric if not re.search(r"[a-z]s$", c)]
    values = [int_or_none(tt.number(c)) if c != "?" else None for c in cycles]
    if len(values) < 4:
        return (None, None, None, None)
    return tuple(values[:4])


def _timing(lines: list[str], start: int, stop: int) -> tuple[float | None, float | None]:
    at = tt.find_line(lines, r"^\+ Timing", start, stop)
    table = tt.table_after(lines, r"\* Summary:", at, stop) if at >= 0 else None
    row = table.body_rows()[0] if table and table.body_rows() else None
    if not row or len(row) < 3:
        return None, None
    return tt.number(row[1].replace("ns", "")), tt.number(row[2].replace("ns", ""))


def _instances_latency(lines, start, stop) -> dict[str, tuple]:
    at = tt.find_line(lines, r"^\s+\* Instance:", start, stop)
    table = tt.read_table(lines, at + 1) if at >= 0 else None
    rows = {}
    for row in table.body_rows() if table else []:
        if len(row) >= 6 and row[0] and row[0] != "Total":
            rows[row[0]] = (row[1], _latency_cells(row[2:]))
    return rows


def _utilization(path, lines, start, stop, tool) -> tuple[dict, dict, dict]:
    table = tt.table_after(lines, r"^\* Summary:", start, stop)
    if table is None or not table.header:
        raise UserError(f"{path}: truncated or malformed {tool} report: no utilization summary table")
    names = table.header[0]
    total = table.row_named("Total")
    if total is None or len(total) != len(names):
        raise UserError(f"{path}: truncated or malformed {tool} report: no utilization 'Total' row")

    def as_dict(row):
        out = {}
        for name, cell in zip(names[1:], row[1:]):
            key = _RESOURCE_KEYS.get(name)
            value = tt.number(cell)
            if key and value is not None:
                out[key] = int(value)
        return out

    available = table.row_named("Available")
    detail = {}
    at = tt.find_line(lines, r"^\s+\* Instance:", table.end_line, stop)
    inst = tt.read_table(lines, at + 1) if at >= 0 else None
    if inst is not None and inst.header:
        inst_names = inst.header[0]
        for row in inst.body_rows():
            if row and row[0] != "Total" and len(row) == len(inst_names):
                detail[row[0]] = {(_RESOURCE_KEYS.get(n)): int(tt.number(c) or 0)
                                  for n, c in zip(inst_names[2:], row[2:]) if _RESOURCE_KEYS.get(n)}
    return as_dict(total), as_dict(available) if available else {}, detail


def parse_csynth_text(text: str, path: Path) -> CsynthReport:
    """Parse the text of one `*_csynth.rpt` (`path` only names it in messages); Vitis HLS's
    one-table `csynth.rpt` is read by csynth_summary."""
    if is_summary(text):
        return parse_summary_text(text, path)
    tool, version, top, part = _header(path, text)
    lines = text.splitlines()
    perf_start, perf_stop = _section(lines, "Performance Estimates")
    util_start, util_stop = _section(lines, "Utilization Estimates")
    if perf_start < 0 or util_start < 0:
        missing = "Performance Estimates" if perf_start < 0 else "Utilization Estimates"
        raise UserError(f"{path}: truncated or malformed {tool} report: no '{missing}' section")
    target, estimated = _timing(lines, perf_start, perf_stop)
    latency_at = tt.find_line(lines, r"^\+ Latency", perf_start, perf_stop)
    summary = tt.table_after(lines, r"\* Summary:", latency_at, perf_stop) if latency_at >= 0 else None
    if summary is None or not summary.body_rows():
        raise UserError(f"{path}: truncated or malformed {tool} report: no latency summary table")
    row = summary.body_rows()[0]
    lat_min, lat_max, ii_min, ii_max = _latency_cells(row)
    warnings = version_warning(path, tool, version)
    if lat_max is None:
        warnings.append(f"{path}: the latency is not a fixed number ('?' in the summary)")
    resources, available, detail = _utilization(path, lines, util_start, util_stop, tool)
    lat_rows = _instances_latency(lines, perf_start, perf_stop)
    instances = []
    for name in list(lat_rows) + [n for n in detail if n not in lat_rows]:
        module, (i_lat_min, i_lat_max, i_ii_min, i_ii_max) = lat_rows.get(name, ("", (None,) * 4))
        res = detail.get(name, {})
        instances.append(HlsInstance(
            instance=name, module=module, latency_cycles=i_lat_max, ii=i_ii_max,
            dsp=res.get("dsp", 0), lut=res.get("lut", 0), ff=res.get("ff", 0),
            bram_18k=res.get("bram_18k", 0)))
    return CsynthReport(
        source_file=str(path), tool=tool, version=version, top=top, part=part,
        clock_target_ns=target, clock_estimated_ns=estimated,
        latency_min=lat_min, latency_max=lat_max, ii_min=ii_min, ii_max=ii_max,
        pipeline_type=row[-1] if row and tt.number(row[-1]) is None else None,
        resources=resources, available=available, instances=tuple(instances),
        warnings=tuple(warnings))


def parse_csynth_rpt(path: Path) -> CsynthReport:
    path = Path(path)
    try:
        text = path.read_text(errors="replace")
    except OSError as err:
        raise UserError(f"{path}: cannot read the report ({err.strerror})") from None
    return parse_csynth_text(text, path)


# --- XML report --------------------------------------------------------------------------


def _xml_text(root: ET.Element, path_in_xml: str, path: Path, required: bool = True) -> str | None:
    node = root.find(path_in_xml)
    if node is None or node.text is None:
        if required:
            raise UserError(f"{path}: truncated or malformed HLS XML report: no <{path_in_xml}>")
        return None
    return node.text.strip()


def _xml_int(text: str | None) -> int | None:
    try:
        return int(float(text)) if text is not None else None
    except ValueError:
        return None  # 'undef' for latencies the tool could not bound


def parse_csynth_xml(path: Path) -> CsynthReport:
    """Parse one `*_csynth.xml`. The XML names no tool: Vitis HLS writes `<DSP>`, Vivado
    HLS `<DSP48E>`, which is how the two are told apart."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise UserError(f"{path}: malformed or truncated XML ({err})") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read the report ({err.strerror})") from None
    if root.tag != "profile":
        raise UserError(f"{path}: not an HLS synthesis report (root element <{root.tag}>, expected <profile>)")
    version = _xml_text(root, "ReportVersion/Version", path)
    resources_node = root.find("AreaEstimates/Resources")
    if resources_node is None:
        raise UserError(f"{path}: truncated or malformed HLS XML report: no <AreaEstimates/Resources>")
    tool = "Vivado HLS" if resources_node.find("DSP48E") is not None else "Vitis HLS"

    def resource_dict(node):
        out = {}
        for child in list(node) if node is not None else []:
            key = _RESOURCE_KEYS.get(child.tag)
            value = _xml_int(child.text)
            if key and value is not None:
                out[key] = value
        return out

    latency = "PerformanceEstimates/SummaryOfOverallLatency/"
    warnings = version_warning(path, tool, version)
    lat_max = _xml_int(_xml_text(root, latency + "Worst-caseLatency", path))
    if lat_max is None:
        warnings.append(f"{path}: the latency is not a fixed number ('undef' in the summary)")
    estimated = _xml_text(root, "PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod", path, False)
    target = _xml_text(root, "UserAssignments/TargetClockPeriod", path, False)
    return CsynthReport(
        source_file=str(path), tool=tool, version=version,
        top=_xml_text(root, "UserAssignments/TopModelName", path, False) or "",
        part=_xml_text(root, "UserAssignments/Part", path, False),
        clock_target_ns=float(target) if target else None,
        clock_estimated_ns=float(estimated) if estimated else None,
        latency_min=_xml_int(_xml_text(root, latency + "Best-caseLatency", path)),
        latency_max=lat_max,
        ii_min=_xml_int(_xml_text(root, latency + "Interval-min", path)),
        ii_max=_xml_int(_xml_text(root, latency + "Interval-max", path)),
        pipeline_type=_xml_text(root, "PerformanceEstimates/PipelineType", path, False),
        resources=resource_dict(resources_node),
        available=resource_dict(root.find("AreaEstimates/AvailableResources")),
        warnings=tuple(warnings))
