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

# Per-constituent features of generated jets (definitions in jet_constituents.py).
CONSTITUENT_FEATURES = (
    "pt_rel",
    "e_rel",
    "delta_eta",
    "delta_phi",
    "delta_r",
    "charge",
    "is_charged_hadron",
    "is_electron",
    "is_muon",
    "is_neutral_hadron",
    "is_photon",
)

L1_SIGNALS = ("ato4l", "leptoquark", "h_tautau", "hplus_taunu")
L1_PROCESSES = ("background",) + L1_SIGNALS

# Row layout of one L1 event: (first row, number of rows, class id) per object type.
L1_ROWS = {"met": (0, 1, 1), "electron": (1, 4, 2), "muon": (5, 4, 3), "jet": (9, 10, 4)}
L1_N_OBJECTS = 19
L1_N_COLUMNS = 4  # pT, eta, phi, class id
L1_DATASET = "Particles"

FORMAT_JETS = "jets-hlf"
FORMAT_JET_CONSTITUENTS = "jets-constituents"  # the hls4ml particle-level release
FORMAT_L1 = "l1-objects"


@dataclass(frozen=True)
class JetSample:
    """Jets: labels (N,) int64 indexing `class_names`, their 16 HLF features (N, 16) float32
    (None for a particle-level file without them), and, where the file has them, their
    constituents (N, C, F) float32, pT-ordered and zero-padded, with the F names in
    `constituent_names` (both None for an HLF-only file)."""

    features: np.ndarray | None
    labels: np.ndarray
    feature_names: tuple = JET_FEATURES
    class_names: tuple = JET_CLASSES
    path: str = ""
    provenance: dict = field(default_factory=dict)
    constituents: np.ndarray | None = None
    constituent_names: tuple | None = None

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def constituent_inputs(self, names: tuple | None = None, count: int | None = None,
                           jet_names: tuple = ()) -> np.ndarray:
        """(N, count, len(names) + len(jet_names)) float32: the named constituent features
        of the `count` hardest constituents (all stored ones by default), zero-padded past
        those stored, then the named jet-level (HLF) features, the same for every particle
        of a jet (padding rows included, so the input stays a set)."""
        from l1forge.errors import UserError

        if self.constituents is None:
            raise UserError(f"{self.path}: the file holds no jet constituents; expected a "
                            f"particle-level jets file (l1forge data generate jets, or the "
                            f"hls4ml jetConstituentList files)")
        names = tuple(self.constituent_names) if names is None else tuple(names)
        missing = [n for n in names if n not in self.constituent_names] or \
            ([] if names else ["(none)"])
        if missing:
            raise UserError(f"{self.path}: constituent feature(s) {', '.join(missing)} not in "
                            f"the file; expected names from {', '.join(self.constituent_names)}")
        stored = self.constituents.shape[1]
        count = stored if count is None else int(count)
        if count < 1:
            raise UserError(f"constituent count: got {count}, expected at least 1")
        columns = [self.constituent_names.index(n) for n in names]
        out = np.zeros((len(self), count, len(names)), np.float32)
        out[:, :min(count, stored)] = self.constituents[:, :count][:, :, columns]
        if not jet_names:
            return out
        return np.concatenate([out, np.repeat(self.jet_inputs(jet_names)[:, None, :], count, axis=1)],
                              axis=2)

    def jet_inputs(self, names: tuple) -> np.ndarray:
        """(N, len(names)) float32: the named jet-level (HLF) features."""
        from l1forge.errors import UserError

        if self.features is None:
            raise UserError(f"{self.path}: the file holds no jet-level features, so "
                            f"{', '.join(names)} cannot be given to the particles; expected a "
                            f"file with the 16 HLF features (l1forge data generate jets, or "
                            f"the hls4ml release's 'jets' with every j_<feature> column)")
        missing = [n for n in names if n not in self.feature_names]
        if missing:
            raise UserError(f"{self.path}: jet feature(s) {', '.join(missing)} not in the file; "
                            f"expected names from {', '.join(self.feature_names)}")
        return self.features[:, [self.feature_names.index(n) for n in names]].astype(np.float32)


@dataclass(frozen=True)
class L1Sample:
    """L1 events: particles (N, 19, 4) float32 as (pT, eta, phi, class id)."""

    particles: np.ndarray
    process: str
    path: str = ""
    provenance: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.particles.shape[0])
