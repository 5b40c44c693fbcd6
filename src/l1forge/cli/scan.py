"""`l1forge scan CARD --grid KEY=V1,V2 ... --out DIR`: the design space on Dask."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from l1forge.cli.build import parse_overrides

ERR = Console(stderr=True)


def register(sub) -> None:
    p = sub.add_parser(
        "scan", help="accuracy against FPGA resources over a grid of card fields, on Dask",
        description="Train, convert, estimate and emulate (bit-exact, whole test split) every "
                    "point of the grid as Dask tasks; write DIR/scan.json, DIR/pareto.png and "
                    "DIR/scan.html with the Pareto front. Run again to continue an interrupted scan.")
    p.add_argument("card", type=Path, help="model card (YAML)")
    p.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a card field and its values (repeatable; the grid is their product)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a card field for every point")
    p.add_argument("--sample", type=int, default=None, metavar="N", help="draw N points of the grid")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample (default 0)")
    p.add_argument("--csim", action="store_true", help="also C-simulate every point (slower)")
    p.add_argument("--budget", default=None, metavar="LIMITS",
                   help="mark the points that fit, e.g. lut=5%%,dsp=0,latency_ns=50")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int, default=None,
                        help="worker processes of a local Dask cluster (default: the cores)")
    engine.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="a running Dask scheduler, tcp://HOST:PORT (shared file system)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="scan folder")
    p.add_argument("--force", action="store_true", help="replace a scan of another card in DIR")
    p.add_argument("--json", action="store_true", help="print scan.json")
    p.set_defaults(handler=run_scan_command)


def run_scan_command(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    from l1forge.scan import run_scan

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=ERR, disable=args.json, transient=True) as bar:
        task = bar.add_task("scan", total=None)

        def show(state) -> None:
            bar.update(task, total=state.total, completed=state.done + state.failed + state.skipped,
                       description=f"scan: {state.done} done, {state.failed} failed, "
                                   f"{state.running} running, {state.skipped} from before")

        content = run_scan(args.card, args.grid, args.out, overrides=parse_overrides(args.set),
                           sample=args.sample, seed=args.seed, csim=args.csim, budget=args.budget,
                           workers=args.workers, scheduler=args.scheduler, force=args.force,
                           progress=show)
    if args.json:
        print(json.dumps(content, indent=1))
        return 0
    Console().print(summary_table(content))
    print(f"{args.out / 'scan.json'}, {args.out / 'pareto.png'}, {args.out / 'scan.html'}")
    return 0


def summary_table(content: dict) -> Table:
    from l1forge.scan.grid import short_label

    objective = content["objective"] or "objective"
    table = Table(title=f"scan of {content['card']}: Pareto front marked *")
    for column in ("", "point", objective, "LUT", "DSP", "FF", "cycles", "II", "s"):
        table.add_column(column, justify="left" if column in ("", "point") else "right")
    for p in content["points"]:
        if p["status"] != "done":
            table.add_row("", short_label(p["overrides"]), f"failed: {p['error']}", "", "", "", "", "", "")
            continue
        e = p["estimate"]
        mark = "*" if p["pareto"] else ""
        if p.get("fits_budget") is False:
            mark += " (over budget)"
        table.add_row(mark, short_label(p["overrides"]), f"{p[objective]:.4f}", f"{e['lut']:,}",
                      str(e["dsp"]), f"{e['ff']:,}", str(e["latency_cycles"]), str(e["ii"]),
                      f"{p['seconds']:.0f}")
    return table
