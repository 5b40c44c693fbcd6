"""`--validate DIR`: the estimator against every hls4ml project under DIR with vendor reports.

A project folder is one holding `hls4ml_config.yml`; it counts when a C-synthesis report
is found under it. For each, the estimate (made for the tool that wrote the report) is
compared with the report: latency as a difference in cycles, resources as relative errors
|estimate - vendor| / vendor. The summary gives the medians over projects.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from l1forge.errors import UserError
from l1forge.firmware.loading import CONFIG_NAME
from l1forge.report.build import make_report
from l1forge.report.compare import relative_error
from l1forge.report.evidence import region
from l1forge.report.parts import speed_grade

RESOURCES = ("dsp", "lut", "ff")


def project_folders(root: Path) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if CONFIG_NAME in files:
            found.append(Path(folder))
            dirs[:] = []  # the project's own sub-folders are its reports, not other projects
    return found


def _row(folder: Path, root: Path) -> dict | None:
    report = make_report(folder)
    vendor, estimate = report["vendor"], report["estimate"]
    if vendor and estimate is None:  # the reason is the report's one 'no estimate' warning
        raise UserError(next((w for w in report["warnings"] if w.startswith("no estimate")), "no estimate"))
    if not vendor or vendor.get("latency_cycles") is None:
        return None
    row = {"project": str(folder.relative_to(root)) if folder != root else folder.name,
           "tool": f'{vendor["tool"]} {vendor["version"]}', "part": vendor.get("part"),
           "latency_estimate": estimate["latency_cycles"], "latency_vendor": vendor["latency_cycles"],
           "latency_diff": estimate["latency_cycles"] - vendor["latency_cycles"],
           "latency_error": round(relative_error(estimate["latency_cycles"], vendor["latency_cycles"]) or 0.0, 4),
           "ii_estimate": estimate["ii"], "ii_vendor": vendor["ii"]}
    for key in RESOURCES:
        row[f"{key}_estimate"], row[f"{key}_vendor"] = estimate[key], vendor[key]
        error = relative_error(estimate[key], vendor[key])
        row[f"{key}_error"] = None if error is None else round(error, 4)
    part = report["part"]
    row["fabric"], row["grade"] = part["speed_fabric"], speed_grade(row["part"] or part["name"])
    row["region"] = region(estimate["tool"], part["family"], estimate["io_type"], estimate["strategy"],
                           estimate["reuse_factor"], estimate["clock_ns"])
    return row


def latency_within_goal(row: dict) -> bool:
    """Within max(2 cycles, 10% of the vendor latency)."""
    return abs(row["latency_diff"]) <= max(2, 0.1 * row["latency_vendor"])


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def validate(root) -> dict:
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: no such folder")
    rows, skipped = [], []
    for folder in project_folders(root):
        name = str(folder.relative_to(root)) if folder != root else folder.name
        try:
            row = _row(folder, root)
        except UserError as err:  # one unreadable project does not hide the others
            skipped.append({"project": name, "reason": str(err)})
            continue
        if row is not None:
            rows.append(row)
    if not rows:
        raise UserError(f"{root}: no hls4ml project with vendor synthesis reports under it "
                        f"(a folder with {CONFIG_NAME} and a *_csynth.rpt/.xml or csynth.rpt/.xml below it)")
    summary = {"projects": len(rows),
               "latency_abs_diff_median": _median([abs(r["latency_diff"]) for r in rows]),
               "latency_abs_diff_max": max(abs(r["latency_diff"]) for r in rows),
               "latency_error_median": _median([r["latency_error"] for r in rows]),
               "latency_error_max": max(r["latency_error"] for r in rows),
               # the goal: within 2 cycles or 10%, whichever is larger
               "latency_within_goal": sum(1 for r in rows if latency_within_goal(r)),
               "ii_exact": sum(1 for r in rows if r["ii_estimate"] == r["ii_vendor"])}
    for key in RESOURCES:
        summary[f"{key}_error_median"] = _median([r[f"{key}_error"] for r in rows])
        errors = [r[f"{key}_error"] for r in rows if r[f"{key}_error"] is not None]
        summary[f"{key}_error_max"] = max(errors) if errors else None
    return {"root": str(root), "rows": rows, "summary": summary, "skipped": skipped}


def format_table(result: dict) -> str:
    """The validation table as Markdown (what VALIDATION.md and the terminal show)."""
    lines = ["| project | tool | latency est / vendor (diff) | DSP est / vendor (err) | "
             "LUT est / vendor (err) | FF est / vendor (err) |", "|---|---|---|---|---|---|"]

    def cell(row, key):
        error = row[f"{key}_error"]
        shown = "n/a" if error is None else f"{100 * error:.0f}%"
        return f'{row[f"{key}_estimate"]:,} / {row[f"{key}_vendor"]:,} ({shown})'

    for row in result["rows"]:
        lines.append(f'| {row["project"]} | {row["tool"]} | {row["latency_estimate"]} / '
                     f'{row["latency_vendor"]} ({row["latency_diff"]:+d}) | '
                     + " | ".join(cell(row, key) for key in RESOURCES) + " |")
    s = result["summary"]

    def pct(value):
        return "n/a" if value is None else f"{100 * value:.0f}%"

    lines.append(f'| **median** ({s["projects"]} projects) | | {s["latency_abs_diff_median"]:g} cycles off '
                 f'(max {s["latency_abs_diff_max"]}), {pct(s["latency_error_median"])} | '
                 f'{pct(s["dsp_error_median"])} | '
                 f'{pct(s["lut_error_median"])} | {pct(s["ff_error_median"])} |')
    lines.append(f'| **worst** | | {pct(s["latency_error_max"])}; within max(2 cycles, 10%): '
                 f'{s["latency_within_goal"]} of {s["projects"]}; II exact: {s["ii_exact"]} of {s["projects"]} | '
                 f'{pct(s["dsp_error_max"])} | {pct(s["lut_error_max"])} | {pct(s["ff_error_max"])} |')
    if result.get("skipped"):
        lines += [""] + [f'skipped {item["project"]}: {item["reason"]}' for item in result["skipped"]]
    return "\n".join(lines)
