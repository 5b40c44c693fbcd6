"""Deep Sets firmware outputs per second: l1forge's emulator against hls4ml's compiled
predict on the constituent-level tagger, side by side in one run. The project is
$L1FORGE_BENCH_DEEPSETS if set, else hls_projects/jet_deepsets, else the card built small."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
CARD = REPO / "l1models" / "jet_deepsets.yaml"
BUILT = REPO / "hls_projects" / "jet_deepsets"
EMULATOR_EVENTS = 100_000  # 32 x 11 inputs per jet: 280 MB of float64
PREDICT_EVENTS = 5_000


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    chosen = Path(os.environ.get("L1FORGE_BENCH_DEEPSETS", BUILT))
    if (chosen / "l1forge.json").is_file():
        return chosen
    from l1forge.build import build_project

    small = {"data.max_events": 4000, "training.epochs": 2, "training.early_stopping_patience": 0}
    return build_project(CARD, tmp_path_factory.mktemp("projects"), overrides=small, csim_events=100,
                         log=lambda message: None).project_dir


@pytest.fixture(scope="module")
def events(project) -> np.ndarray:
    with np.load(project / "trained" / "test_split.npz") as split:
        x = np.asarray(split["x_test"], dtype=np.float64)
    return np.ascontiguousarray(np.tile(x, (EMULATOR_EVENTS // len(x) + 1, 1, 1))[:EMULATOR_EVENTS])


@pytest.fixture(scope="module")
def emulator(project):
    from l1forge import emulate

    return emulate.load(project)


def _record_rate(benchmark, n: int) -> None:
    benchmark.extra_info["events"] = n
    benchmark.extra_info["events_per_second"] = round(n / benchmark.stats.stats.mean)


def test_emulator_deepsets(benchmark, emulator, events):
    scores = benchmark.pedantic(emulator.predict, args=(events,), rounds=3, warmup_rounds=1)
    _record_rate(benchmark, len(events))
    assert scores.shape == (len(events), 5)


def test_hls4ml_predict_deepsets(benchmark, project, emulator, events):
    from l1forge.project import Project

    graph = Project(project).graph()
    graph.compile()
    x = np.ascontiguousarray(events[:PREDICT_EVENTS])
    firmware = benchmark.pedantic(graph.predict, args=(x,), rounds=2)
    _record_rate(benchmark, len(x))
    assert np.array_equal(np.asarray(firmware).reshape(len(x), -1), emulator.predict(x))
