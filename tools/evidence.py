"""Write src/l1forge/report/evidence.json: the estimator's reference projects, their regions
and errors, as the reports quote them (report/evidence.py).

    python tools/evidence.py SETS_ROOT [SETS_ROOT ...]

Each SETS_ROOT holds role folders laid out by `python -m l1forge.report.reference_sets`
or `tools/reference_cases.py` (calibration/, validation/, older-hls4ml/); every role
folder is run through `l1forge report --validate` (in this process). `make evidence` does
the whole thing from ../shared/reference/vivado_reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from l1forge.report.evidence import EVIDENCE_FILE, estimator_digest
from l1forge.report.validate import latency_within_goal, validate

KEPT = ("project", "tool", "part", "fabric", "grade", "region", "latency_estimate", "latency_vendor",
        "ii_estimate", "ii_vendor", "dsp_error", "lut_error", "ff_error")


def rows_of(root: Path) -> list[dict]:
    rows = []
    for role_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        result = validate(role_dir)
        for skipped in result["skipped"]:
            print(f"skipped {role_dir.name}/{skipped['project']}: {skipped['reason']}", file=sys.stderr)
        for row in result["rows"]:
            kept = {key: row[key] for key in KEPT}
            kept.update(role=role_dir.name, latency_ok=latency_within_goal(row),
                        ii_exact=row["ii_estimate"] == row["ii_vendor"])
            rows.append(kept)
    return rows


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python tools/evidence.py SETS_ROOT [SETS_ROOT ...]", file=sys.stderr)
        return 2
    rows = [row for root in argv for row in rows_of(Path(root))]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent).stdout.strip()
    evidence = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "commit": commit,
                "estimator_digest": estimator_digest(), "rows": rows}
    EVIDENCE_FILE.write_text(json.dumps(evidence, indent=1, sort_keys=True) + "\n")
    roles = {row["role"] for row in rows}
    print(f"{EVIDENCE_FILE}: {len(rows)} projects ({', '.join(sorted(roles))})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
