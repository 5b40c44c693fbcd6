"""`l1forge report`: latency and resource report of a project, or the estimator's validation."""

from __future__ import annotations

import json
from pathlib import Path

from l1forge.errors import UserError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="latency/resource estimate, vendor figures, part usage, trigger budgets",
        description="Report the latency, interval and resources of an l1forge project or any "
        "hls4ml project folder: a pre-synthesis estimate from the ModelGraph, the Vivado/Vitis "
        "reports found under the folder, the part's capacity and the trigger budget verdicts. "
        "With --validate DIR, compare the estimate with the vendor reports of every hls4ml "
        "project under DIR.")
    parser.add_argument("path", nargs="?", type=Path,
                        help="an l1forge project (hls_projects/NAME) or an hls4ml project folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write a one-page HTML report")
    parser.add_argument("--part", help="report against this FPGA part instead of the project's")
    parser.add_argument("--multiplier-impl", choices=("dsp", "fabric"), default=None,
                        help="estimate with every multiply bound to DSP slices or to LUT fabric, as a "
                        "build script's `config_op mul -impl dsp|fabric` forces (default: the binding "
                        "the project's Tcl scripts force, else the tools' own)")
    parser.add_argument("--validate", type=Path, metavar="DIR",
                        help="run the estimator on every hls4ml project with vendor reports under DIR")
    parser.set_defaults(handler=_run)


def _run(args) -> int:
    if args.validate is not None:
        if args.path is not None or args.html is not None or args.part is not None or args.multiplier_impl:
            raise UserError("--validate takes only a folder (and --json); give PATH or --validate, not both")
        from l1forge.report.validate import format_table, validate

        result = validate(args.validate)
        print(json.dumps(result, indent=2) if args.json else format_table(result))
        return 0
    if args.path is None:
        raise UserError("give a project folder (l1forge report PATH) or --validate DIR")
    from l1forge.report import make_report, write_html

    report = make_report(args.path, part=args.part, multiplier_impl=args.multiplier_impl)
    if args.html is not None:
        write_html(report, args.html)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_summary(report, args.html)
    return 0


def _print_summary(report: dict, html_path: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    estimate, vendor = report["estimate"] or {}, report["vendor"] or {}
    part = report["part"]
    table = Table(title=f"{report['project']} on {part['name']}")
    for column in ("figure", "estimate", "vendor", "capacity"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for key in ("latency_cycles", "latency_ns", "ii", "dsp", "lut", "ff", "bram_18k"):
        cap = part["capacity"].get(key)
        table.add_row(key, _show(estimate.get(key)), _show(vendor.get(key)), _show(cap))
    console.print(table)
    from l1forge.report.netlist import netlist_table

    if (netlist := netlist_table(report)) is not None:
        console.print(netlist)
    fit = report.get("fits_part")
    if fit:
        colour = {"pass": "green", "fail": "red"}.get(fit["verdict"], "yellow")
        console.print(f"fits the part: [{colour}]{fit['verdict']}[/{colour}] ({fit['source']}): {fit['detail']}",
                      highlight=False)
    for check in report["budget"]["checks"]:
        verdict = {True: "[green]PASS[/green]", False: "[red]FAIL[/red]", None: "n/a"}[check["pass"]]
        console.print(f"{verdict}  {check['check']} ({check['source']}): {check['detail']}")
    for note in report.get("notes", []):
        console.print(f"note: {note}", highlight=False)
    for warning in report["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if html_path is not None:
        console.print(f"HTML report written to {html_path}")


def _show(value) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}" if isinstance(value, float) else str(value)
