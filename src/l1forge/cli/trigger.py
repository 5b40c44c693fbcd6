"""`l1forge trigger PROJECT --rate-hz R`: thresholds, efficiencies and AUCs of an AD project."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

ERR = Console(stderr=True)


def register(sub) -> None:
    p = sub.add_parser(
        "trigger", help="L1 rate thresholds, signal efficiencies and ROC of an anomaly-detection project",
        description="Run the project's firmware (C-simulation) over every stored event, then give "
                    "per signal the efficiency at L1 rate R (rate = 40 MHz x background acceptance), "
                    "AUC for firmware and float scores, and the efficiency at FPR 1e-5 when the "
                    "background can measure it. Writes metrics.per_signal into the manifest and "
                    "PNG plots into PROJECT/trigger/.")
    p.add_argument("project", type=Path, help="a project built by `l1forge build` from an AD card")
    p.add_argument("--rate-hz", type=float, action="append", metavar="R",
                   help="target L1 rate in Hz, below 40 MHz (repeatable; default: the card's rates)")
    p.add_argument("--json", action="store_true", help="print the tables as JSON")
    p.set_defaults(handler=run_trigger)


def log(message: str) -> None:
    ERR.print(f"[dim]l1forge:[/dim] {message}")


def run_trigger(args) -> int:
    from l1forge import trigger_project

    with ERR.status("scoring events"):
        card, tables = trigger_project.rate_tables(args.project, args.rate_hz, log)
    if args.json:
        print(json.dumps({"project": str(args.project), "tables": tables}, indent=1))
        return 0
    for table in tables:
        print_table(card, table)
    print(f"plots: {args.project / trigger_project.TRIGGER_DIR}/*.png")
    return 0


def print_table(card: str, table: dict) -> None:
    th = table["thresholds"]
    print(f"{card} at {table['rate_hz']:g} Hz: {table['background_events']} background events "
          f"(smallest measurable rate {table['smallest_measurable_rate_hz']:.3g} Hz)")
    print(f"  threshold firmware {th['firmware']['value']:.6g} (achieved {th['firmware']['achieved_rate_hz']:.4g} Hz), "
          f"float {th['float']['value']:.6g} (achieved {th['float']['achieved_rate_hz']:.4g} Hz)")
    print(f"  {'signal':12s} {'events':>8s} {'AUC float':>10s} {'AUC fw':>8s} "
          f"{'eff float':>10s} {'eff fw':>8s}  eff fw at reference FPR")
    for row in table["signals"]:
        ref = row["reference_firmware"]
        print(f"  {row['signal']:12s} {row['events']:8d} {row['auc_float']:10.4f} {row['auc_firmware']:8.4f} "
              f"{row['eff_float']:10.4%} {row['eff_firmware']:8.4%}  {ref['efficiency']:.4%} at FPR {ref['fpr']:.3g}")
    notes = {row["reference_firmware"]["note"] for row in table["signals"]} - {""}
    for note in notes:
        print(f"  note: {note}")
