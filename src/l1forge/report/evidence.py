"""Which vendor reports back an estimate: the region a design falls in, and the measured
errors of the reference projects in that region.

`evidence.json` (beside this module) holds one row per reference project of the
estimator's calibration and validation sets: its region (tool, part family, speed fabric
and grade, clock, I/O type, strategy, reuse factor) and how the estimate compared with its
vendor report. `tools/evidence.py` writes it from `l1forge report --validate --json` over
the sets (`make evidence`), and records a digest of the estimator's modules: the tests
fail when the rules change and the file is not written again, so the figures a report
quotes are the current estimator's.

A report states, for its design, how many of those reports share its region (calibration
ones the rules were read from, validation ones held out), their latency and II hits and
median resource errors; with none, the nearest region that has reports, so a user knows
which figures are extrapolations and from where.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from functools import lru_cache
from pathlib import Path

EVIDENCE_FILE = Path(__file__).with_name("evidence.json")
# Modules that only present, parse arguments or quote the evidence: editing them changes
# no estimate, so they are outside the digest.
OUTSIDE_DIGEST = {"evidence.py", "extrapolation.py", "html_page.py", "diagnosis_html.py", "text_tables.py",
                  "validate.py", "reference_sets.py", "__init__.py"}
# Matched in this order; the last keys are relaxed first when no report shares them all.
KEYS = ("tool", "family", "io_type", "strategy", "reuse", "clock")
ROLES = ("calibration", "validation")


def estimator_digest(package: Path | None = None) -> str:
    """sha256 over the estimator's modules (report/*.py but OUTSIDE_DIGEST, and the
    legacy-config translation that decides the graph of old projects)."""
    package = package or Path(__file__).resolve().parent
    files = sorted(p for p in package.glob("*.py") if p.name not in OUTSIDE_DIGEST)
    files.append(package.parent / "firmware" / "legacy_config.py")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()


def reuse_band(reuse_factor: int) -> str:
    rf = int(reuse_factor or 1)
    return "RF 1" if rf <= 1 else "RF 2-16" if rf <= 16 else "RF > 16"


def clock_band(clock_ns: float) -> str:
    return "clock < 4 ns" if clock_ns < 4 else "clock 4-6 ns" if clock_ns <= 6 else "clock > 6 ns"


def tool_name(tool: str) -> str:
    """'Vitis HLS 2021.1' -> 'Vitis HLS' (the version is not part of the region)."""
    return " ".join(word for word in str(tool).split() if not word[:1].isdigit())


def region(tool: str, family: str, io_type: str, strategy: str, reuse_factor: int, clock_ns: float) -> dict:
    return {"tool": tool_name(tool), "family": family, "io_type": io_type, "strategy": strategy,
            "reuse": reuse_band(reuse_factor), "clock": clock_band(clock_ns)}


@lru_cache(maxsize=1)
def load() -> dict:
    if not EVIDENCE_FILE.exists():
        return {"rows": []}
    return json.loads(EVIDENCE_FILE.read_text())


def matching(rows: list[dict], where: dict, keys: tuple[str, ...]) -> list[dict]:
    return [row for row in rows if all(row["region"][key] == where[key] for key in keys)]


def summary(rows: list[dict]) -> str:
    """'3 reports (1 calibration, 2 validation): validation latency within the goal 2 of 2,
    II exact 2 of 2, median DSP 0%, LUT 12%, FF 20%'."""
    counts = {role: sum(1 for row in rows if row["role"] == role) for role in ROLES}
    held = [row for row in rows if row["role"] == "validation"] or rows
    which = "validation" if counts["validation"] else "calibration"

    def median(key):
        values = [row[key] for row in held if row[key] is not None]
        return f"{100 * statistics.median(values):.0f}%" if values else "n/a"

    return (f"{len(rows)} report(s) ({counts['calibration']} calibration, {counts['validation']} validation): "
            f"{which} latency within max(2 cycles, 10%) {sum(row['latency_ok'] for row in held)} of {len(held)}, "
            f"II exact {sum(row['ii_exact'] for row in held)} of {len(held)}, median DSP {median('dsp_error')}, "
            f"LUT {median('lut_error')}, FF {median('ff_error')}")


def describe(where: dict, keys: tuple[str, ...]) -> str:
    return ", ".join(where[key] for key in keys)


def region_line(where: dict, evidence: dict | None = None) -> tuple[str, bool]:
    """(one line: the reports that share the design's region, or the nearest that exist;
    whether reports in the region itself back it): a backed region is information (a note),
    an extrapolated one a warning."""
    evidence = evidence if evidence is not None else load()
    rows = [row for row in evidence.get("rows", []) if row["role"] in ROLES]
    stamp = f"report/evidence.json, {evidence.get('date', 'undated')}"
    found = matching(rows, where, KEYS)
    if found:
        return f"estimate: region {describe(where, KEYS)} backed by {summary(found)} ({stamp})", True
    return _nearest_line(rows, where, stamp), False


def _nearest_line(rows: list[dict], where: dict, stamp: str) -> str:
    for n in range(len(KEYS) - 1, 0, -1):
        nearest = matching(rows, where, KEYS[:n])
        if nearest:
            return (f"estimate: no vendor report in this region ({describe(where, KEYS)}); "
                    f"take the figures as extrapolated from the nearest, {describe(where, KEYS[:n])}: "
                    f"{summary(nearest)} ({stamp})")
    return (f"estimate: no vendor report of {where['tool']} backs these rules ({describe(where, KEYS)}); "
            f"take every figure as extrapolated ({stamp})")


def fabric_checked(fabric: str, grade: int | None, evidence: dict | None = None) -> bool:
    """Whether any reference report was made for this speed fabric and grade."""
    evidence = evidence if evidence is not None else load()
    return any(row.get("fabric") == fabric and row.get("grade") == grade
               for row in evidence.get("rows", []) if row["role"] in ROLES)
