"""Parse Vivado utilization and timing-summary reports (after synthesis or place-and-route).

`report_utilization` prints one table per resource family; the rows read here are the
LUT, register, block RAM, URAM and DSP rows (named `Slice ...` on 7-series parts and
`CLB ...` on UltraScale). Block RAM is counted in 36 Kb tiles, reported here as 18 Kb
halves (`bram_18k = 2 x tiles`) to match the HLS reports. `report_timing_summary` gives
the design's worst setup (WNS) and hold (WHS) slack and the clock periods.

Which stage a file describes comes from its `Design State` line (Synthesized, Placed,
Routed); timing summaries carry no such line, so their stage is read from the file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from l1forge.errors import UserError
from l1forge.report import text_tables as tt

KNOWN_MAJOR_VERSIONS = {str(year) for year in range(2016, 2025)}

_ROWS = {
    "lut": ("Slice LUTs", "CLB LUTs"),
    "ff": ("Slice Registers", "CLB Registers"),
    "bram_tiles": ("Block RAM Tile",),
    "uram": ("URAM",),
    "dsp": ("DSPs",),
}
_STAGES = {"synthesized": "post-synthesis", "placed": "post-place", "routed": "post-route"}


@dataclass(frozen=True)
class Utilization:
    source_file: str
    version: str | None
    stage: str  # post-synthesis, post-place, post-route or unknown
    device: str | None
    used: dict[str, float]
    available: dict[str, float]
    warnings: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class TimingSummary:
    source_file: str
    version: str | None
    stage: str
    wns_ns: float | None
    whs_ns: float | None
    tns_ns: float | None
    clock_period_ns: float | None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def met(self) -> bool | None:
        if self.wns_ns is None:
            return None
        return self.wns_ns >= 0 and (self.whs_ns is None or self.whs_ns >= 0)


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError as err:
        raise UserError(f"{path}: cannot read the report ({err.strerror})") from None


def _header_field(text: str, name: str) -> str | None:
    match = re.search(rf"^\|\s*{name}\s*:\s*(.+?)\s*$", text, re.M)
    return match.group(1) if match else None


def _version(path: Path, text: str, warnings: list[str]) -> str | None:
    tool = _header_field(text, "Tool Version")
    match = re.search(r"Vivado v\.(\d{4}\.\d+)", tool or "")
    if not match:
        warnings.append(f"{path}: no Vivado tool version in the header; figures read as usual")
        return None
    if match.group(1).split(".")[0] not in KNOWN_MAJOR_VERSIONS:
        warnings.append(f"{path}: Vivado {match.group(1)} is a version this parser was not "
                        "checked against; figures read from the usual places")
    return match.group(1)


def _stage_from_name(path: Path) -> str:
    name = Path(path).name.lower()
    # the stage words first: an implementation run writes placed and routed reports alike
    for key, stage in (("route", "post-route"), ("place", "post-place"), ("synth", "post-synthesis"),
                       ("impl", "post-route")):
        if key in name:
            return stage
    return "unknown"


def _site_rows(lines: list[str]) -> dict[str, tuple[float | None, float | None]]:
    """Used and available figures of each `Site Type` row of interest, first match wins."""
    found: dict[str, tuple[float | None, float | None]] = {}
    i = 0
    while i < len(lines):
        table = tt.read_table(lines, i) if lines[i].lstrip().startswith("+") else None
        if table is None:
            i += 1
            continue
        header = table.header[0] if table.header else ()
        if header and header[0] == "Site Type" and "Used" in header:
            used_col = header.index("Used")
            avail_col = header.index("Available") if "Available" in header else None
            for row in table.body_rows():
                label = row[0].rstrip("*").strip()
                for key, names in _ROWS.items():
                    if key not in found and label in names and len(row) == len(header):
                        available = tt.number(row[avail_col]) if avail_col is not None else None
                        found[key] = (tt.number(row[used_col]), available)
        i = max(table.end_line, i + 1)
    return found


def parse_utilization(path: Path) -> Utilization:
    path = Path(path)
    text = _read(path)
    if "Accelerator Utilization Design Information" in text:
        raise UserError(f"{path}: a Vitis accelerator (kernel) utilization summary, not a Vivado "
                        "report_utilization report of the design")
    if "report_utilization" not in text and "Utilization Design Information" not in text:
        raise UserError(f"{path}: not a Vivado utilization report (no 'report_utilization' header)")
    warnings: list[str] = []
    version = _version(path, text, warnings)
    rows = _site_rows(text.splitlines())
    if not rows and re.search(r"^\|\s*Site Type\s*\|\s*SLR0\b", text, re.M):
        raise UserError(f"{path}: a per-SLR breakdown (report_utilization -slr) without the design's "
                        "totals; expected the plain report_utilization report")
    for key in ("lut", "ff"):
        if key not in rows or rows[key][0] is None:
            raise UserError(f"{path}: truncated or malformed utilization report: no "
                            f"'{_ROWS[key][0]}' / '{_ROWS[key][1]}' row")
    state = (_header_field(text, "Design State") or "").lower().removeprefix("fully ")  # "Fully Placed"
    stage = _STAGES.get(state, _stage_from_name(path))
    used, available = {}, {}
    for key, (value, capacity) in rows.items():
        factor = 2 if key == "bram_tiles" else 1  # 36 Kb tiles, counted as 18 Kb halves
        name = "bram_18k" if key == "bram_tiles" else key
        used[name] = _whole((value or 0) * factor)
        if capacity is not None:
            available[name] = _whole(capacity * factor)
    return Utilization(source_file=str(path), version=version, stage=stage,
                       device=_header_field(text, "Device"), used=used, available=available,
                       warnings=tuple(warnings))


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _slack(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None  # 'NA' where no path of that kind is constrained


def parse_timing_summary(path: Path) -> TimingSummary:
    path = Path(path)
    text = _read(path)
    lines = text.splitlines()
    at = tt.find_line(lines, r"^\|\s*Design Timing Summary")
    if at < 0:
        raise UserError(f"{path}: not a Vivado timing summary (no 'Design Timing Summary' section)")
    head = tt.find_line(lines, r"WNS\(ns\)\s+TNS\(ns\)", at)
    values = None
    if head >= 0:
        for line in lines[head + 1: head + 5]:
            stripped = line.strip()
            if stripped and not set(stripped) <= set("- "):
                values = stripped.split()
                break
    if not values or len(values) < 5:
        raise UserError(f"{path}: truncated or malformed timing summary: no WNS/TNS/WHS values")
    warnings: list[str] = []
    version = _version(path, text, warnings)
    period = None
    clock_at = tt.find_line(lines, r"^Clock\s+Waveform\(ns\)\s+Period\(ns\)", at)
    if clock_at >= 0:
        for line in lines[clock_at + 2: clock_at + 6]:
            match = re.match(r"^\S+\s+\{[^}]*\}\s+([0-9.]+)", line.strip())
            if match:
                period = float(match.group(1))
                break
    return TimingSummary(source_file=str(path), version=version, stage=_stage_from_name(path),
                         wns_ns=_slack(values[0]), tns_ns=_slack(values[1]),
                         whs_ns=_slack(values[4]), clock_period_ns=period,
                         warnings=tuple(warnings))
