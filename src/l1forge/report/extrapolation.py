"""Where the estimate stands on reports and where it extrapolates, said plainly in the
report (report/VALIDATION.md and docs/estimator.md have the evidence):

- the design's region (tool, part family, I/O type, strategy, reuse-factor band, clock
  band) and the reference reports in it, with their measured errors (evidence.py): a
  note; with none, the nearest region that has reports: a warning;
- a speed fabric and grade no reference report was made for: its delays are the
  UltraScale+ -2 ones scaled by the data sheets (timing.py);
- a part name without a speed grade.
"""

from __future__ import annotations

from l1forge.report.evidence import fabric_checked, region, region_line
from l1forge.report.timing import delay_scale

SERIES7_FABRICS = ("Artix-7", "Kintex-7", "7-series")


def range_findings(fabric: str, grade: int | None, io_type: str, estimate: dict,
                   family: str = "") -> tuple[list[str], list[str]]:
    """(warnings, notes) on the evidence behind the estimate (module docs)."""
    warnings = []
    scale = delay_scale(fabric, grade)
    if grade is None:
        warnings.append(f"estimate: the part name gives no speed grade; timed as the {fabric} grade of "
                        f"delay scale {scale:.2f}")
    elif not fabric_checked(fabric, grade):
        source = ("the data sheets' DSP Fmax against UltraScale+ -2 and x2 for 7-series routing (timing.py)"
                  if fabric in SERIES7_FABRICS else "the data sheets' DSP Fmax against UltraScale+ -2 (timing.py)")
        shared = " (Virtex-7 parts share it)" if fabric == "Kintex-7" else ""
        warnings.append(f"estimate: timing class {fabric} -{grade}{shared}: no reference report of it; delays "
                        f"x{scale:.2f} from {source}; take latency and FF as extrapolated")
    where = region(estimate.get("tool", ""), family or fabric, io_type, estimate.get("strategy", "latency"),
                   estimate.get("reuse_factor", 1), estimate.get("clock_ns", 5.0))
    line, backed = region_line(where)
    return (warnings, [line]) if backed else (warnings + [line], [])
