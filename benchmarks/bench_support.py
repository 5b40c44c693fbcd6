"""What the speed benchmarks share: the projects they run on (a card built small when no
built project is given), the events, and the three sides measured for each design."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

SMALL = {"data.max_events": 4000, "training.epochs": 2, "training.early_stopping_patience": 0}
SIDES = ("emulator", "hls4ml_predict", "float_chain")


def build_small(card: Path, folder: Path) -> Path:
    """The card built small (few events and epochs) into `folder`; returns the project."""
    from l1forge.build import build_project

    return build_project(card, folder, overrides=SMALL, csim_events=100,
                         log=lambda message: None).project_dir


def repeat_events(x: np.ndarray, events: int) -> np.ndarray:
    """`events` rows of x, repeated as needed, contiguous float64."""
    x = np.asarray(x, dtype=np.float64)
    reps = events // len(x) + 1
    return np.ascontiguousarray(np.tile(x, (reps,) + (1,) * (x.ndim - 1))[:events])


def event_counts(width: int) -> tuple[int, int]:
    """(emulator and float-chain events, hls4ml predict events) for inputs of `width`
    values: a second or so per round on this machine for each side."""
    fast = int(min(1_000_000, max(20_000, 20_000_000 // width)))
    slow = int(min(20_000, max(1_000, 2_000_000 // width)))
    return fast, slow


def compiled_graph(project: Path):
    """The project's hls4ml ModelGraph with its compiled firmware library loaded through
    ctypes: the build's own library when it has one, else compiled now (g++)."""
    from l1forge.project import Project

    project = Project(project)
    graph = project.graph()
    libraries = project.compiled_libraries()
    if libraries:
        graph._top_function_lib = ctypes.cdll.LoadLibrary(str(libraries[-1]))
    else:
        graph.compile()
    return graph


def record_rate(benchmark, events: int, model: str | None = None, side: str | None = None) -> None:
    benchmark.extra_info["events"] = events
    if model is not None:
        benchmark.extra_info["model"], benchmark.extra_info["side"] = model, side
    if benchmark.stats is None:  # --benchmark-disable: the code ran once, untimed
        return
    benchmark.extra_info["events_per_second"] = round(events / benchmark.stats.stats.mean)
