"""`l1forge trigger PROJECT`: rates and efficiencies (AD) or working points (jet-ID), with intervals."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from l1forge.trigger.efficiency import format_efficiency

ERR = Console(stderr=True)


def register(sub) -> None:
    p = sub.add_parser(
        "trigger", help="L1 rates, efficiencies with intervals, ROC/AUC of a built project",
        description="Anomaly-detection projects: run the firmware (C-simulation) over every stored "
                    "event, then per signal the efficiency at L1 rate R (rate = 40 MHz x background "
                    "acceptance) and AUCs of firmware and float scores. Jet-ID projects: per class "
                    "against the rest, top-vs-QCD and W-vs-QCD (QCD = g + q), AUCs of float, QAT "
                    "and firmware (bit-exact emulator) and the signal efficiency at background "
                    "efficiencies E. Every efficiency carries its counts and 68.3% Clopper-Pearson "
                    "interval, every AUC its DeLong error, the firmware-minus-float AUC its paired "
                    "error. Writes the figures into the manifest and PNG plots into PROJECT/trigger/.")
    p.add_argument("project", type=Path, help="a project built by `l1forge build`")
    p.add_argument("--rate-hz", type=float, action="append", metavar="R",
                   help="AD: target L1 rate in Hz, below 40 MHz (repeatable; default: the card's rates)")
    p.add_argument("--background-efficiency", type=float, action="append", metavar="E",
                   help="jet-ID: working point as a background efficiency in (0, 1) "
                        "(repeatable; default 0.1 and 0.01)")
    p.add_argument("--class", dest="classes", action="append", metavar="C",
                   help="jet-ID: only the studies whose signal is class C (repeatable; default all)")
    p.add_argument("--bootstrap", type=int, metavar="N",
                   help="re-derive each threshold on N bootstrap replicas of the background (10 to "
                        "10000): adds threshold_interval and efficiency_bootstrap_interval")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap replicas (default 0)")
    p.add_argument("--against", type=Path, metavar="OTHER",
                   help="jet taggers: only compare OTHER's float, QAT and firmware accuracy with "
                        "PROJECT's on the same test jets, each difference with its paired error")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(handler=run_trigger)


def log(message: str) -> None:
    ERR.print(f"[dim]l1forge:[/dim] {message}")


def run_trigger(args) -> int:
    from l1forge.trigger import study

    if args.against is not None:
        return run_comparison(args)
    with ERR.status("trigger figures"):
        result = study.run(args.project, args.rate_hz, args.background_efficiency, args.classes,
                           args.bootstrap, args.seed, log)
    if args.json:
        print(json.dumps({"project": str(args.project), **result}, indent=1))
        return 0
    if result["kind"] == "anomaly_detection":
        for table in result["tables"]:
            print_rate_table(result["card"], table)
    else:
        print_jet_studies(result)
    print(f"plots: {args.project / 'trigger'}/*.png")
    return 0


def _interval(pair, fmt: str = ".4g") -> str:
    return f"[{pair[0]:{fmt}}, {pair[1]:{fmt}}]"


def _z(difference: dict) -> str:
    return "no spread" if difference["z"] is None else f"z {difference['z']:+.1f}"


def _auc(entry: dict) -> str:
    return f"{entry['value']:.4f}+-{entry['stderr']:.4f}"


def print_rate_table(card: str, table: dict) -> None:
    print(f"{card} at {table['rate_hz']:g} Hz: {table['background_events']} background events "
          f"(smallest measurable rate {table['smallest_measurable_rate_hz']:.3g} Hz)")
    for kind, th in table["thresholds"].items():
        spread = f", bootstrap threshold {_interval(th['threshold_interval'], '.6g')}" if "threshold_interval" in th else ""
        print(f"  threshold {kind:8s} {th['value']:.6g}: {th['accepted']} background events above, "
              f"achieved {th['achieved_rate_hz']:.4g} Hz {_interval(th['rate_interval_hz'])} Hz{spread}")
    print(f"  {'signal':12s} {'events':>7s} {'AUC float':>15s} {'AUC firmware':>15s} {'fw-float (z)':>19s}  "
          f"{'eff float':>26s} {'eff firmware':>26s}")
    for row in table["signals"]:
        diff = row["auc"]["firmware_minus_float"]
        print(f"  {row['signal']:12s} {row['events']:7d} {_auc(row['auc']['float']):>15s} "
              f"{_auc(row['auc']['firmware']):>15s} {diff['value']:+.5f} ({_z(diff)})  "
              f"{format_efficiency(row['eff_float']):>26s} {format_efficiency(row['eff_firmware']):>26s}")
        if "efficiency_bootstrap_interval" in row:
            spread = row["efficiency_bootstrap_interval"]
            print(f"  {'':12s} threshold bootstrap: float {_interval([100 * v for v in spread['float']], '.3f')}%, "
                  f"firmware {_interval([100 * v for v in spread['firmware']], '.3f')}%")
    for row in table["signals"]:
        ref = row["reference_firmware"]
        print(f"  {row['signal']:12s} firmware at FPR {ref['fpr']:.3g}: {format_efficiency(ref['efficiency'], 3)}")
    for note in {row["reference_firmware"]["note"] for row in table["signals"]} - {""}:
        print(f"  note: {note}")


def print_jet_studies(result: dict) -> None:
    print(f"{result['card']}: {result['events']} test jets; discriminant: {result['discriminant']}")
    for study in result["studies"]:
        diffs = study["auc_differences"]
        print(f"  {study['name']} ({study['signal_events']} signal, {study['background_events']} background "
              f"jets: {'+'.join(study['background'])})")
        print("    AUC " + ", ".join(f"{m} {_auc(study['models'][m]['auc'])}" for m in study["models"])
              + f"; firmware-float {diffs['firmware_minus_float']['value']:+.5f} "
                f"({_z(diffs['firmware_minus_float'])}), firmware-QAT "
                f"{diffs['firmware_minus_qat']['value']:+.5f} ({_z(diffs['firmware_minus_qat'])})")
        for model, figures in study["models"].items():
            for point in figures["working_points"]:
                target = f"{100 * point['background_efficiency_target']:g}%"
                if not point["measurable"]:
                    print(f"    {model:8s} at background {target}: not measurable ({point['note']})")
                    continue
                spread = (f", bootstrap {_interval([100 * v for v in point['efficiency_bootstrap_interval']], '.2f')}%"
                          if "efficiency_bootstrap_interval" in point else "")
                print(f"    {model:8s} at background {target:>5s} (achieved "
                      f"{format_efficiency(point['background_efficiency'], 3)}): signal "
                      f"{format_efficiency(point['signal_efficiency'])}{spread}")


def run_comparison(args) -> int:
    from l1forge.errors import UserError
    from l1forge.trigger import jet_comparison

    extra = [flag for flag, value in (("--rate-hz", args.rate_hz), ("--background-efficiency",
             args.background_efficiency), ("--class", args.classes), ("--bootstrap", args.bootstrap))
             if value]
    if extra:
        raise UserError(f"--against compares accuracies only; expected no {', '.join(extra)} with it")
    with ERR.status("comparing taggers"):
        result = jet_comparison.compare(args.project, args.against, log)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    acc = result["accuracy"]
    print(f"{result['other']} against {result['project']} on the same {result['events']} test jets")
    for side in ("project", "other"):
        print(f"  {result[side]:24s} accuracy " + ", ".join(f"{m} {v:.4f}" for m, v in acc[side].items()))
    for row in result["differences"]:
        print(f"  {result['other']} {row['other_model']:8s} - {result['project']} {row['project_model']:8s} "
              f"{100 * row['value']:+.2f} +- {100 * row['stderr']:.2f} points ({_z(row)}; "
              f"{row['only_other_right']} jets right only in {result['other']}, "
              f"{row['only_project_right']} only in {result['project']})")
    return 0
