"""Names, layouts and the two sample types every l1forge stage reads.

The jet features follow the hls4ml LHC jet dataset (16 high-level features, same names and
order); the L1 objects follow the 40 MHz anomaly-detection challenge layout: per event 19
rows (MET, 4 electrons, 4 muons, 10 jets) of (pT, eta, phi, class id), zero-padded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

JET_FEATURES = (
    "zlogz",
    "c1_b0_mmdt",
    "c1_b1_mmdt",
    "c1_b2_mmdt",
    "c2_b1_mmdt",
    "c2_b2_mmdt",
    "d2_b1_mmdt",
    "d2_b2_mmdt",
    "d2_a1_b1_mmdt",
    "d2_a1_b2_mmdt",
    "m2_b1_mmdt",
    "m2_b2_mmdt",
    "n2_b1_mmdt",
    "n2_b2_mmdt",
    "mass_mmdt",
    "multiplicity",
)
JET_CLASSES = ("g", "q", "w", "z", "t")

L1_SIGNALS = ("ato4l", "leptoquark", "h_tautau", "hplus_taunu")
L1_PROCESSES = ("background",) + L1_SIGNALS

# Row layout of one L1 event: (first row, number of rows, class id) per object type.
L1_ROWS = {"met": (0, 1, 1), "electron": (1, 4, 2), "muon": (5, 4, 3), "jet": (9, 10, 4)}
L1_N_OBJECTS = 19
L1_N_COLUMNS = 4  # pT, eta, phi, class id
L1_DATASET = "Particles"

FORMAT_JETS = "jets-hlf"
FORMAT_L1 = "l1-objects"


@dataclass(frozen=True)
class JetSample:
    """Jets with their 16 features (N, 16) float32 and labels (N,) int64 indexing classes."""

    features: np.ndarray
    labels: np.ndarray
    feature_names: tuple = JET_FEATURES
    class_names: tuple = JET_CLASSES
    path: str = ""
    provenance: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass(frozen=True)
class L1Sample:
    """L1 events: particles (N, 19, 4) float32 as (pT, eta, phi, class id)."""

    particles: np.ndarray
    process: str
    path: str = ""
    provenance: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.particles.shape[0])
