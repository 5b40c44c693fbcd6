"""Parse Vitis HLS's one-table `csynth.rpt` (2020.2 and later).

Besides the per-function `<top>_csynth.rpt`, Vitis HLS writes `syn/report/csynth.rpt` in
another layout: a header `== Synthesis Summary Report of '<top>'` and one "Modules &
Loops" table whose rows are the top function (`+ <top>`), its sub-functions (`+ <name>`,
indented) and loops (`o <name>`), with the latency in cycles and in ns, the interval, and
resource cells written `973 (~0%)`. It names no clock target (only the slack), so a
report read from it alone has no clock; the XML summary beside it (`csynth.xml`) does.
"""

from __future__ import annotations

import re
from pathlib import Path

from l1forge.errors import UserError
from l1forge.report import text_tables as tt
from l1forge.report.csynth_types import CsynthReport, HlsInstance, int_or_none, version_warning

HEADER = re.compile(r"== Synthesis Summary Report of '([^']+)'")
_RESOURCES = {"BRAM": "bram_18k", "DSP": "dsp", "FF": "ff", "LUT": "lut", "URAM": "uram"}


def is_summary(text: str) -> bool:
    return HEADER.search(text) is not None


def _cell_number(cell: str) -> float | None:
    """`16 (~0%)` -> 16, `2.627e+06` -> 2627000, `-` -> 0, `?` -> None."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", cell.strip())
    try:
        return float(text)
    except ValueError:
        return tt.number(text)


def _columns(header: tuple[tuple[str, ...], ...]) -> list[str]:
    """The header rows joined per column: ('Latency', '(cycles)') -> 'Latency (cycles)'."""
    width = max((len(row) for row in header), default=0)
    return [" ".join(row[i] for row in header if i < len(row) and row[i]).strip() for i in range(width)]


def parse_summary_text(text: str, path: Path):
    """The CsynthReport of a summary-layout `csynth.rpt` (`path` only names it in messages)."""
    match = HEADER.search(text)
    if match is None:
        raise UserError(f"{path}: not a Vitis HLS synthesis summary (no \"== Synthesis Summary Report of "
                        "'<top>'\" header)")
    top = match.group(1)
    version = re.search(r"^\s*\* Version:\s+(\S+)", text, re.M)
    part = re.search(r"^\s*\* Target device:\s+(\S+)", text, re.M)
    if version is None:
        raise UserError(f"{path}: malformed Vitis HLS summary: no '* Version:' line")
    lines = text.splitlines()
    table = tt.table_after(lines, r"^\s*PS: '\+' for module", 0) or tt.table_after(
        lines, r"^\+ Performance & Resource Estimates", 0)
    if table is None or not table.header:
        raise UserError(f"{path}: truncated or malformed Vitis HLS summary: no 'Modules & Loops' table")
    columns = _columns(table.header)

    def col(row, prefix):
        for i, name in enumerate(columns):
            if name.startswith(prefix) and i < len(row):
                return _cell_number(row[i])
        return None

    def resources(row):
        out = {}
        for name, key in _RESOURCES.items():
            if name in columns and columns.index(name) < len(row):
                value = _cell_number(row[columns.index(name)])
                if value is not None:
                    out[key] = int(round(value))
        return out

    rows = [row for row in table.body_rows() if row]
    top_row = next((row for row in rows if row[0].lstrip("+* ").strip() == top), None)
    if top_row is None:
        raise UserError(f"{path}: truncated or malformed Vitis HLS summary: no row for the top function '{top}'")
    latency = int_or_none(col(top_row, "Latency (cycles)"))
    interval = int_or_none(col(top_row, "Interval"))
    instances = tuple(
        HlsInstance(instance=name, module=name, latency_cycles=int_or_none(col(row, "Latency (cycles)")),
                    ii=int_or_none(col(row, "Interval")),
                    **{key: value for key, value in resources(row).items() if key != "uram"})
        for row in rows if row is not top_row and row[0].lstrip().startswith("+")
        for name in [row[0].lstrip("+ ").strip()])
    warnings = list(version_warning(path, "Vitis HLS", version.group(1)))
    if latency is None:
        warnings.append(f"{path}: the latency is not a fixed number ('?' in the summary)")
    pipelined = columns.index("Pipelined") if "Pipelined" in columns else None
    return CsynthReport(
        source_file=str(path), tool="Vitis HLS", version=version.group(1), top=top,
        part=part.group(1) if part else None, clock_target_ns=None, clock_estimated_ns=None,
        latency_min=latency, latency_max=latency, ii_min=interval, ii_max=interval,
        pipeline_type=top_row[pipelined] if pipelined is not None and pipelined < len(top_row) else None,
        resources=resources(top_row), available={}, instances=instances, warnings=tuple(warnings))
