"""Small synthetic L1-object samples in the committed files' layout, for fast tests.

Background: a MET row, 0-2 electrons/muons and 1-6 jets with falling pT spectra; signals:
the same with harder leptons (ato4l: four leptons) or harder jets, so a score separates them.
Values are on the L1 grid (0.5 GeV, eta 0.0435, phi 2 pi / 144) like the real samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from l1forge.data.hdf5_store import write_l1
from l1forge.data.l1_objects import quantise
from l1forge.data.schema import L1_ROWS

SIGNALS = ("ato4l", "leptoquark", "h_tautau", "hplus_taunu")
REPO = Path(__file__).resolve().parents[2]
CARDS = {name: REPO / "l1models" / f"{name}.yaml" for name in ("ad_dense_ae", "ad_vae", "ad_cnn_ae")}


def events(n: int, seed: int, lepton_scale: float = 10.0, jet_scale: float = 20.0,
           n_leptons: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 19, 4), dtype=np.float32)
    for kind, eta_max, scale in (("electron", 3.0, lepton_scale), ("muon", 2.1, lepton_scale),
                                 ("jet", 4.0, jet_scale)):
        first, rows, class_id = L1_ROWS[kind]
        counts = rng.integers(0, rows + 1 if kind == "jet" else 3, size=n)
        if n_leptons is not None and kind != "jet":
            counts = np.full(n, n_leptons // 2)
        for i in range(rows):
            present = counts > i
            pt = 3.0 + rng.exponential(scale, size=n)
            pt, eta, phi = quantise(pt, rng.uniform(-eta_max, eta_max, n), rng.uniform(-np.pi, np.pi, n))
            out[present, first + i] = np.stack([pt, eta, phi, np.full(n, class_id)], axis=1)[present]
    met_pt, _, met_phi = quantise(rng.exponential(15.0, size=n), 0.0, rng.uniform(-np.pi, np.pi, n))
    out[:, 0] = np.stack([met_pt, np.zeros(n), met_phi, np.ones(n)], axis=1)
    return out


def write_folder(folder: Path, n_background: int = 3000, n_signal: int = 400, seed: int = 1,
                 signals=SIGNALS) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    provenance = {"generator": "l1forge tests (synthetic)"}
    write_l1(folder / "l1_background.h5", events(n_background, seed), provenance)
    shapes = {"ato4l": dict(lepton_scale=40.0, n_leptons=4), "leptoquark": dict(jet_scale=80.0),
              "h_tautau": dict(lepton_scale=25.0), "hplus_taunu": dict(jet_scale=60.0, lepton_scale=30.0)}
    for i, name in enumerate(signals):
        write_l1(folder / f"l1_{name}.h5", events(n_signal, seed + 1 + i, **shapes[name]), provenance)
    return folder
