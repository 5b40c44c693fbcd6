"""Deep Sets firmware outputs per second: l1forge's emulator against hls4ml's compiled
predict on the constituent-level tagger, side by side in one run. The project is
$L1FORGE_BENCH_DEEPSETS if set, else hls_projects/jet_deepsets, else the card built small."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from bench_support import build_small, record_rate

REPO = Path(__file__).resolve().parents[1]
CARD = REPO / "l1models" / "jet_deepsets.yaml"
BUILT = REPO / "hls_projects" / "jet_deepsets"
EMULATOR_EVENTS = 100_000  # 32 x 12 inputs per jet: 307 MB of float64
PREDICT_EVENTS = 5_000


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    chosen = Path(os.environ.get("L1FORGE_BENCH_DEEPSETS", BUILT))
    if (chosen / "l1forge.json").is_file():
        return chosen
    return build_small(CARD, tmp_path_factory.mktemp("projects"))


@pytest.fixture(scope="module")
def events(project) -> np.ndarray:
    with np.load(project / "trained" / "test_split.npz") as split:
        x = np.asarray(split["x_test"], dtype=np.float64)
    return np.ascontiguousarray(np.tile(x, (EMULATOR_EVENTS // len(x) + 1, 1, 1))[:EMULATOR_EVENTS])


@pytest.fixture(scope="module")
def emulator(project):
    from l1forge import emulate

    return emulate.load(project)


def test_emulator_deepsets(benchmark, emulator, events):
    scores = benchmark.pedantic(emulator.predict, args=(events,), rounds=3, warmup_rounds=1)
    record_rate(benchmark, len(events))
    assert scores.shape == (len(events), 5)


def test_hls4ml_predict_deepsets(benchmark, project, emulator, events):
    from l1forge.project import Project

    graph = Project(project).graph()
    graph.compile()
    x = np.ascontiguousarray(events[:PREDICT_EVENTS])
    firmware = benchmark.pedantic(graph.predict, args=(x,), rounds=2)
    record_rate(benchmark, len(x))
    assert np.array_equal(np.asarray(firmware).reshape(len(x), -1), emulator.predict(x))
