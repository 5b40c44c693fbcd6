"""A scan's points as Dask tasks, resumable, with their Pareto front and outputs.

Local by default: a distributed.LocalCluster of worker processes with one thread each
(`workers`, default the number of cores); `scheduler="tcp://HOST:PORT"` runs on a cluster
that is already up (`dask scheduler` + `dask worker`, or dask-jobqueue on HTCondor/Slurm).
Every worker needs the same l1forge installation and must see the scan folder and the
card's data at the same paths (a shared file system). Each point writes its own result
file; a point already done is not run again, so the same command continues a scan that
was interrupted, and Ctrl-C keeps what finished. A failed point (its one-line error kept
in its file) is tried again by the next run. DIR/scan.json is written once the cluster is
up, before the first point runs (its points not run yet say "pending"), and again after each
point finishes, so a scan interrupted in its first run is continued like any other.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from l1forge.atomic import write_text_atomic
from l1forge.errors import UserError
from l1forge.scan import budget as budgets
from l1forge.scan import outputs, pareto
from l1forge.scan.grid import describe, grid_points, parse_grid, point_id
from l1forge.scan.point import CARD_FILE, point_file, run_point

SCAN_JSON = "scan.json"


@dataclass
class Progress:
    """What a progress display is told: counts by state."""

    total: int
    done: int = 0
    failed: int = 0
    skipped: int = 0
    running: int = 0


def prepare_points(card_path: Path, grid_items: list[str], overrides: dict, sample: int | None,
                   seed: int):
    """(base card, points): every point's card is loaded before anything runs, so a key that
    is no card field or a value the card refuses stops the scan at once, naming the point."""
    from l1forge.tasks import load_card

    base = load_card(card_path, overrides)
    grid = parse_grid(grid_items)
    clash = sorted(set(grid) & set(overrides))
    if clash:
        raise UserError(f"--grid and --set both give {', '.join(clash)}; expected each field in one")
    points = grid_points(grid, sample, seed)
    for point in points:
        try:
            load_card(card_path, {**overrides, **point})
        except UserError as err:
            raise UserError(f"scan point {describe(point)}: {err}") from None
    return base, points


def check_out_dir(out: Path, card_sha: str, force: bool) -> None:
    """An --out folder may hold a scan of this card (continued) or nothing."""
    record = out / SCAN_JSON
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    if record.is_file():
        previous = json.loads(record.read_text()).get("card_sha256")
        if previous != card_sha and not force:
            raise UserError(f"--out {out}: holds a scan of another card (or other --set values); "
                            "use another folder, or --force to start it again")
        if previous != card_sha:
            shutil.rmtree(out)
    elif any(out.iterdir()) and not force:
        raise UserError(f"--out {out}: a folder that is not a scan; use an empty or new folder, "
                        "or --force")


def run_scan(card_path: str | Path, grid_items: list[str], out: str | Path, *,
             overrides: dict | None = None, sample: int | None = None, seed: int = 0,
             csim: bool = False, budget: str | None = None, workers: int | None = None,
             scheduler: str | None = None, force: bool = False,
             progress: Callable[[Progress], None] | None = None) -> dict[str, Any]:
    """Run (or continue) the scan; returns the content of DIR/scan.json."""
    from l1forge.card import card_sha256
    from l1forge.data.dask_engine import check_engine, open_cluster
    from l1forge.report.parts import find_part

    card_path, out, overrides = Path(card_path), Path(out), dict(overrides or {})
    check_engine(workers, scheduler, None)
    if card_path.is_dir():
        subject, points = _compiled_subject(card_path, grid_items, overrides, sample, seed)
    else:
        base, points = prepare_points(card_path, grid_items, overrides, sample, seed)
        subject = Subject(base.name, card_sha256(base), str(Path(base.source).resolve()), base.target.part,
                          CARD_FILE, card_path.read_text())
    limits = budgets.parse_budget(budget, find_part(subject.part))
    sha = subject.sha256
    check_out_dir(out, sha, force)
    (out / "points").mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / subject.file, subject.text)
    ids = [point_id(p) for p in points]
    state = Progress(total=len(points))
    todo = [(p, i) for p, i in zip(points, ids) if not _done(point_file(out, i))]
    state.skipped = len(points) - len(todo)

    def record() -> dict[str, Any]:
        """DIR/scan.json as the points stand: written before the first point runs (so an
        interrupted first scan is continued, not refused) and after each one finishes."""
        results = [_result(out, p, i) for p, i in zip(points, ids)]
        content = summarize(subject, overrides, results, limits, budget)
        write_text_atomic(out / SCAN_JSON, json.dumps(content, indent=1) + "\n")
        return content

    if todo:
        with open_cluster(workers, scheduler) as cluster:
            record()
            _run_on(cluster.client, out, overrides, todo, csim, state, progress, record)
    content = record()
    outputs.write_plot(content, out / "pareto.png")
    outputs.write_html(content, out / "scan.html", out / "pareto.png")
    return content


def _run_on(client, out: Path, overrides: dict, todo, csim: bool, state: Progress, progress,
            record: Callable[[], Any]) -> None:
    from distributed import as_completed

    futures = [client.submit(run_point, str(out.resolve()), overrides, point, pid, csim,
                             key=f"l1forge-scan-{pid}", pure=False) for point, pid in todo]
    state.running = min(len(futures), sum(client.nthreads().values()) or 1)
    if progress:
        progress(state)
    try:
        for future in as_completed(futures):
            result = future.result()
            if result["status"] == "done":
                state.done += 1
            else:
                state.failed += 1
            record()
            remaining = len(futures) - state.done - state.failed
            state.running = min(remaining, sum(client.nthreads().values()) or 1)
            if progress:
                progress(state)
    except BaseException:
        client.cancel(futures)  # Ctrl-C: what finished is on disk already
        raise


def _result(out: Path, point: dict, pid: str) -> dict[str, Any]:
    """A point's result file, or a pending entry for a point not run yet."""
    path = point_file(out, pid)
    return json.loads(path.read_text()) if path.is_file() else {"overrides": point, "status": "pending"}


def _done(path: Path) -> bool:
    """A point that finished: its file says done (a failed point is tried again)."""
    return path.is_file() and json.loads(path.read_text()).get("status") == "done"


@dataclass(frozen=True)
class Subject:
    """What is scanned: a card (its file copied into the scan folder) or a compiled project
    (its path written there)."""

    name: str
    sha256: str
    source: str
    part: str
    file: str
    text: str


def _compiled_subject(project: Path, grid_items: list[str], overrides: dict, sample: int | None, seed: int):
    from l1forge.scan.compiled import PROJECT_FILE, check_point, compile_record, subject_sha256

    if overrides:
        raise UserError("--set changes a card; a compiled project is scanned with --grid hls.KEY=... only")
    content = compile_record(project)
    points = grid_points(parse_grid(grid_items), sample, seed)
    for point in points:
        check_point(point)
    text = json.dumps({"project": str(project.resolve())}) + "\n"
    return Subject(content["card"], subject_sha256(content), str(project.resolve()), content["target"]["part"],
                   PROJECT_FILE, text), points


def summarize(subject: Subject, overrides: dict, results: list[dict], limits: dict,
              budget: str | None) -> dict[str, Any]:
    objective = next((r["objective"] for r in results if r.get("status") == "done"), None)
    if objective is not None:
        pareto.mark_front(results, objective)
    for result in results:
        result.setdefault("pareto", False)
        if limits and result.get("status") == "done":
            result["fits_budget"] = budgets.fits(result["estimate"], limits)
    return {"card": subject.name, "card_sha256": subject.sha256, "card_source": subject.source,
            "part": subject.part, "objective": objective, "budget": budget or None,
            "budget_limits": limits or None,
            "card_overrides": overrides, "points": results}
