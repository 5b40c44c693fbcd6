"""What the speed benchmarks share: a card built small when no built project is given, and
the events/s each benchmark records beside its timings."""

from __future__ import annotations

from pathlib import Path

SMALL = {"data.max_events": 4000, "training.epochs": 2, "training.early_stopping_patience": 0}


def build_small(card: Path, folder: Path) -> Path:
    """The card built small (few events and epochs) into `folder`; returns the project."""
    from l1forge.build import build_project

    return build_project(card, folder, overrides=SMALL, csim_events=100,
                         log=lambda message: None).project_dir


def record_rate(benchmark, events: int) -> None:
    benchmark.extra_info["events"] = events
    if benchmark.stats is None:  # --benchmark-disable: the code ran once, untimed
        return
    benchmark.extra_info["events_per_second"] = round(events / benchmark.stats.stats.mean)
