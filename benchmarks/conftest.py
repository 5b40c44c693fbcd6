"""The projects the speed benchmarks run on: every committed card (l1models/*.yaml).

A card's project is, in this order: `$L1FORGE_BENCH_PROJECTS/<card>` (a folder of built
projects); the built `hls_projects/<card>` (`make demo`, `l1forge build`); otherwise the
card built once, small (few events and epochs), into a temporary folder. Speed depends
mostly on the architecture and the types, which the card fixes, and a little on the
weights (they decide, e.g., whether a layer's sums fit float32's exact range).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bench_support import build_small

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
CARDS = sorted(p.stem for p in (REPO / "l1models").glob("*.yaml"))


def _usable(project: Path) -> bool:
    return (project / "l1forge.json").is_file() and (project / "trained" / "test_split.npz").is_file()


@pytest.fixture(scope="session")
def card_project(tmp_path_factory):
    """card name -> its built project (built small on first use when none is given)."""
    built: dict[str, Path] = {}

    def project(card: str) -> Path:
        if card in built:
            return built[card]
        chosen = os.environ.get("L1FORGE_BENCH_PROJECTS")
        candidates = [Path(chosen) / card] if chosen else []
        candidates.append(REPO / "hls_projects" / card)
        found = next((c for c in candidates if _usable(c)), None)
        if found is None:
            found = build_small(REPO / "l1models" / f"{card}.yaml", tmp_path_factory.mktemp(card))
        built[card] = found
        return found

    return project
