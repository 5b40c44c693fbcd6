"""For every card in l1models/: the emulator equals the project's C-simulation bit for bit on
at least 100,000 events, crafted edges included.

Each card is built small (few events, few epochs: the weights need not be good, only real),
then the project's own g++ test bench (l1forge.csim) and `emulate.load(project)` run the
same firmware inputs: the test split, jittered copies of it, and crafted rows at the input
type's edges (its extremes and one LSB beyond, far beyond, ties half an LSB off the grid
on both signs, zeros).

The same holds for io_stream firmware (hls4ml's stream templates, with their Clone, Repack
and ZeroPadding processes): jet-ID and the convolutional autoencoder, the card with the
most layer kinds, are built in io_stream and checked the same way; and for jet-ID with
the Resource strategy at reuse factor 4 (weights in ROMs, shared multipliers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the C-simulation")

REPO = Path(__file__).resolve().parents[1]
CARDS = sorted((REPO / "l1models").glob("*.yaml"))
SMALL = {"data.max_events": 4000, "training.epochs": 2, "training.early_stopping_patience": 0}
EVENTS = 100_000


def _default_data_present(card) -> bool:
    from l1forge.data import default_jets_path, default_l1_paths

    if getattr(card.data, "path", None):
        return True
    if card.task == "jet_id":
        return default_jets_path().is_file()
    return all(path.is_file() for path in default_l1_paths().values())


def firmware_events(x_test: np.ndarray, input_type, seed: int) -> np.ndarray:
    """EVENTS firmware inputs: real events, jittered copies, and crafted edge rows."""
    rng = np.random.default_rng(seed)
    x_test = x_test.reshape(len(x_test), -1)
    width, lsb = x_test.shape[1], input_type.lsb
    top, bottom = input_type.code_max * lsb, input_type.code_min * lsb
    picks = x_test[rng.integers(0, len(x_test), EVENTS)]
    jitter = rng.normal(0, 4 * lsb, picks.shape) * (rng.random(picks.shape) < 0.5)
    x = picks + jitter
    n = EVENTS // 40
    crafted = [
        np.full((n, width), top), np.full((n, width), bottom), np.full((n, width), top + lsb),
        np.full((n, width), bottom - lsb), np.full((n, width), 1e6), np.full((n, width), -1e6),
        np.zeros((n, width)),
        (np.round(picks[:n] / lsb) + 0.5) * lsb,  # ties, positive and negative
        -np.abs(np.round(picks[n : 2 * n] / lsb) + 0.5) * lsb,
        np.where(rng.random((n, width)) < 0.5, top, bottom),
    ]
    edges = np.concatenate(crafted)
    x[: len(edges)] = edges
    return x


def _emulator_equals_csim(card_path: Path, tmp_path: Path, overrides: dict) -> None:
    from l1forge import csim, emulate
    from l1forge.build import build_project
    from l1forge.card import load_card

    card = load_card(card_path, overrides)
    if not _default_data_present(card):
        pytest.skip(f"{card_path.name}: the committed default sample is not in data/ yet")
    result = build_project(card_path, tmp_path, overrides=overrides, csim_events=200, log=lambda message: None)
    project = result.project_dir
    assert result.manifest["target"]["io_type"] == card.target.io_type
    emulator = emulate.load(project)
    with np.load(project / "trained" / "test_split.npz") as split:
        x_test = split["x_test"]
    x = firmware_events(x_test, emulator.input_steps[0].ftype, seed=len(card.name))
    ours = np.asarray(emulator.predict(x), dtype=np.float64).reshape(len(x), -1)
    run = csim.run_binary(project, x, ours.shape[1])
    comparison = csim.compare(run.outputs, ours)
    assert comparison.events >= EVENTS
    assert comparison.mismatches == 0, comparison.examples[:5]


@pytest.mark.parametrize("card_path", CARDS, ids=[p.stem for p in CARDS])
def test_emulator_equals_csim_for_card(card_path, tmp_path):
    _emulator_equals_csim(card_path, tmp_path, SMALL)


VARIANTS = {
    "jet_id-io_stream": ("jet_id", {"target.io_type": "io_stream"}),
    "ad_cnn_ae-io_stream": ("ad_cnn_ae", {"target.io_type": "io_stream"}),
    "jet_id-resource-rf4": ("jet_id", {"target.strategy": "Resource", "target.reuse_factor": 4}),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_emulator_equals_csim_for_other_firmware_forms(variant, tmp_path):
    card, overrides = VARIANTS[variant]
    _emulator_equals_csim(REPO / "l1models" / f"{card}.yaml", tmp_path, {**SMALL, **overrides})
