"""The jet-ID project the speed benchmarks run on, and its events.

The project is, in this order: the folder named by $L1FORGE_BENCH_PROJECT; the built
`hls_projects/jet_id` (from `make demo` or `l1forge build l1models/jet_id.yaml`); otherwise
the card built once, small (few events and epochs), into a temporary folder. Speed depends
mostly on the architecture and the types, which the card fixes, and a little on the
weights (they decide whether a layer's sums fit float32's exact range).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from bench_support import build_small

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
CARD = REPO / "l1models" / "jet_id.yaml"
BUILT = REPO / "hls_projects" / "jet_id"
EMULATOR_EVENTS = 1_000_000


def _usable(project: Path) -> bool:
    return (project / "l1forge.json").is_file() and (project / "trained" / "test_split.npz").is_file()


@pytest.fixture(scope="session")
def jet_id_project(tmp_path_factory) -> Path:
    chosen = os.environ.get("L1FORGE_BENCH_PROJECT")
    if chosen:
        if not _usable(Path(chosen)):
            pytest.fail(f"L1FORGE_BENCH_PROJECT={chosen}: not a built l1forge project (no l1forge.json "
                        "or trained/test_split.npz)")
        return Path(chosen)
    if _usable(BUILT):
        return BUILT
    return build_small(CARD, tmp_path_factory.mktemp("projects"))


@pytest.fixture(scope="session")
def jet_id_events(jet_id_project) -> np.ndarray:
    """EMULATOR_EVENTS firmware inputs: the project's test split, repeated."""
    with np.load(jet_id_project / "trained" / "test_split.npz") as split:
        x_test = np.asarray(split["x_test"], dtype=np.float64)
    repeats = EMULATOR_EVENTS // len(x_test) + 1
    return np.ascontiguousarray(np.tile(x_test, (repeats, 1))[:EMULATOR_EVENTS])
