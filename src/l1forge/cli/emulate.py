"""`l1forge emulate PROJECT --in EVENTS --out SCORES`: the bit-accurate emulator over files."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

ERR = Console(stderr=True)


def register(sub) -> None:
    p = sub.add_parser(
        "emulate",
        help="run the bit-accurate emulator of a project over an event file",
        description="Emulate the firmware of an l1forge (or any hls4ml) project bit for bit "
        "over events read from HDF5 or .npy, in chunks, writing the outputs to HDF5.",
    )
    p.add_argument("project", type=Path, help="project folder, e.g. hls_projects/jet_id")
    p.add_argument("--in", dest="events", type=Path, required=True, metavar="EVENTS",
                   help="events: .npy, or HDF5 (dataset chosen by --dataset or found automatically)")
    p.add_argument("--out", type=Path, required=True, metavar="SCORES", help="output HDF5 file")
    p.add_argument("--dataset", default=None, help="HDF5 dataset holding the events")
    p.add_argument("--preprocessed", action="store_true",
                   help="the events already are firmware inputs: skip the project's preprocessing")
    p.add_argument("--non-finite", choices=["error", "zero"], default="error",
                   help="events holding NaN/inf: refuse them (default) or replace those values by 0")
    p.add_argument("--overflow-report", action="store_true",
                   help="count, per layer, how many values saturated or wrapped on these events")
    p.add_argument("--chunk-events", type=int, default=65536, help="events read per chunk (default 65536)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON")
    p.set_defaults(handler=run_emulate)


def _overflow_table(rows: list[dict]) -> Table:
    table = Table(title="overflow report (values outside their type, per cast)")
    for column in ("cast", "mode", "overflowed", "values", "fraction"):
        table.add_column(column, justify="left" if column in ("cast", "mode") else "right")
    for row in rows:
        table.add_row(row["site"], row["mode"], f"{row['overflowed']:,}", f"{row['values']:,}",
                      f"{row['fraction']:.2e}")
    return table


def _rate_column():
    """A progress column with the events per second rich measures over the last chunks."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task):
            return Text(f"{task.speed:,.0f} events/s" if task.speed else "", style="progress.data.speed")

    return RateColumn()


def run_emulate(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from l1forge import emulate
    from l1forge.emulate.streaming import emulate_file

    with ERR.status(f"planning the emulator of {args.project}"):
        emulator = emulate.load(args.project)
    columns = (TextColumn("emulating"), BarColumn(), MofNCompleteColumn(), TextColumn("events"),
               _rate_column(), TimeRemainingColumn())
    with Progress(*columns, console=ERR, transient=True, disable=args.json) as bar:
        task = bar.add_task("emulate", total=None)
        summary = emulate_file(
            emulator, args.events, args.out, dataset=args.dataset, preprocess=not args.preprocessed,
            non_finite=args.non_finite, overflow_report=args.overflow_report, chunk_events=args.chunk_events,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    result = summary.as_dict()
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    rate = f"{result['events_per_second']:,}" if result["events_per_second"] else "n/a"
    print(f"emulated {result['events']:,} events in {result['seconds']:.2f} s "
          f"({rate} events/s) -> {result['output']} {result['datasets']}")
    if result["non_finite_rows"]:
        print(f"  {result['non_finite_rows']:,} events held NaN/inf, replaced by 0")
    if summary.overflow is not None:
        Console().print(_overflow_table(summary.overflow))
    return 0
