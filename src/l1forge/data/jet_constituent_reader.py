"""Read the particle-level release of the hls4ml LHC jet dataset into a JetSample.

Each file is HDF5 with `jetConstituentList` (jets, C, P) for C = 30, 50, 100 or 150
particles, `particleFeatureNames` (P names, `j1_px` ... `j1_costhetarel`), `jets`
(jets, J) and `jetFeatureNames` (J names; the labels are the one-hot columns
`j_g, j_q, j_w, j_z, j_t`). One file or a folder of them (read in name order). Columns are
found by name; the constituents become the generator's features that the release lets us
compute (PUBLIC_CONSTITUENT_SOURCES; charge and PF class too where the file has
`j1_pdgid`), pT-ordered, and the 16 HLF features come from the `j_<name>` columns of `jets`
when all are present. Every problem is one UserError line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from l1forge.data.jet_constituents import l1_pf_columns, pdg_charge
from l1forge.data.schema import CONSTITUENT_FEATURES, JET_CLASSES, JET_FEATURES, JetSample
from l1forge.data.validate import check_finite, open_hdf5
from l1forge.errors import UserError

CONSTITUENT_DATASET = "jetConstituentList"
DATASETS = (CONSTITUENT_DATASET, "particleFeatureNames", "jets", "jetFeatureNames")
# l1forge constituent feature <- the release's particle column.
PUBLIC_CONSTITUENT_SOURCES = {
    "pt_rel": "j1_ptrel",
    "e_rel": "j1_erel",
    "delta_eta": "j1_etarel",
    "delta_phi": "j1_phirel",
    "delta_r": "j1_deltaR",
}
# Releases that also store each particle's PDG id give charge and PF class as well.
PDG_COLUMNS = ("j1_pdgid", "j1_pt", "j1_eta")
LABEL_COLUMNS = tuple(f"j_{c}" for c in JET_CLASSES)
HLF_COLUMNS = tuple(f"j_{name}" for name in JET_FEATURES)


def is_constituent_file(handle) -> bool:
    return CONSTITUENT_DATASET in handle


def _names(handle, dataset: str, path: Path) -> list[str]:
    names = handle[dataset][...]
    if names.ndim != 1:
        raise UserError(f"{path}: '{dataset}' has shape {names.shape}; expected a list of names")
    return [n.decode() if isinstance(n, bytes) else str(n) for n in names]


def _columns(path: Path, names: list[str], wanted, dataset: str) -> list[int]:
    missing = [w for w in wanted if w not in names]
    if missing:
        raise UserError(f"{path}: '{dataset}' lacks {', '.join(missing)}; expected the names "
                        f"{', '.join(wanted)}")
    return [names.index(w) for w in wanted]


def _l1_pf(path: Path, values: np.ndarray, names: list[str], real: np.ndarray) -> np.ndarray:
    """Charge and PF class as l1forge's generator defines them, from `j1_pdgid`, `j1_pt`
    and `j1_eta` (releases that store the id); zero in padding rows."""
    pid, pt, eta = (values[:, :, names.index(c)] for c in PDG_COLUMNS)
    check_finite(path, np.stack([pid, pt, eta], axis=-1), "j1_pdgid, j1_pt, j1_eta")
    columns = l1_pf_columns(np.rint(pid), pdg_charge(np.rint(pid)), pt, eta)
    return np.where(real[:, :, None], columns, 0.0).astype(np.float32)


def _labels(path: Path, onehot: np.ndarray) -> np.ndarray:
    check_finite(path, onehot, "the label columns " + ", ".join(LABEL_COLUMNS))
    bad = ~((np.sum(onehot == 1, axis=1) == 1) & (np.sum(onehot == 0, axis=1) == 4))
    if bad.any():
        row = int(np.argmax(bad))
        raise UserError(f"{path}: jet {row} has labels {onehot[row].tolist()} in "
                        f"{', '.join(LABEL_COLUMNS)}; expected exactly one 1 (one-hot)")
    return np.argmax(onehot, axis=1).astype(np.int64)


def _read_file(path: Path) -> dict:
    with open_hdf5(path) as f:
        missing = [d for d in DATASETS if d not in f]
        if missing:
            raise UserError(f"{path}: no dataset(s) {', '.join(missing)}; expected the hls4ml "
                            f"particle-level layout ({', '.join(DATASETS)})")
        particle_names = _names(f, "particleFeatureNames", path)
        jet_names = _names(f, "jetFeatureNames", path)
        table, jets = f[CONSTITUENT_DATASET], f["jets"]
        if table.ndim != 3 or table.shape[2] != len(particle_names):
            raise UserError(f"{path}: '{CONSTITUENT_DATASET}' has shape {table.shape}; "
                            f"expected (jets, particles, {len(particle_names)}), one column "
                            f"per particleFeatureNames entry")
        if jets.ndim != 2 or jets.shape != (table.shape[0], len(jet_names)):
            raise UserError(f"{path}: 'jets' has shape {jets.shape}; expected "
                            f"({table.shape[0]}, {len(jet_names)}): one row per jet of "
                            f"'{CONSTITUENT_DATASET}', one column per jetFeatureNames entry")
        if table.shape[0] == 0 or table.shape[1] == 0:
            raise UserError(f"{path}: '{CONSTITUENT_DATASET}' has shape {table.shape}; "
                            f"expected at least one jet and one particle")
        wanted = list(PUBLIC_CONSTITUENT_SOURCES.values())
        index = _columns(path, particle_names, wanted, "particleFeatureNames")
        values = table[...]
        picked = values[:, :, index].astype(np.float32)
        if all(c in particle_names for c in PDG_COLUMNS):
            picked = np.concatenate([picked, _l1_pf(path, values, particle_names,
                                                    picked[:, :, 0] != 0)], axis=2)
        jets = jets[...]
        labels = _labels(path, jets[:, _columns(path, jet_names, LABEL_COLUMNS,
                                                 "jetFeatureNames")])
        has_hlf = all(c in jet_names for c in HLF_COLUMNS)
        features = jets[:, [jet_names.index(c) for c in HLF_COLUMNS]] if has_hlf else None
    check_finite(path, picked, CONSTITUENT_DATASET)
    if features is not None:
        check_finite(path, features, "the HLF columns of 'jets'")
    return {"constituents": picked, "labels": labels, "features": features}


def _pt_ordered(constituents: np.ndarray) -> np.ndarray:
    """Hardest first (the release is pT-ordered already; this makes sure), phi wrapped."""
    order = np.argsort(-constituents[:, :, 0], axis=1, kind="stable")
    out = np.take_along_axis(constituents, order[:, :, None], axis=1)
    dphi = list(PUBLIC_CONSTITUENT_SOURCES).index("delta_phi")
    outside = np.abs(out[:, :, dphi]) > np.pi  # only those: wrapping costs rounding
    out[:, :, dphi] = np.where(outside, (out[:, :, dphi] + np.pi) % (2 * np.pi) - np.pi,
                               out[:, :, dphi])
    return out


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".h5", ".hdf5"))
    if not files:
        raise UserError(f"{path}: no .h5 files in the folder; expected hls4ml particle-level "
                        f"jet files ({', '.join(DATASETS)})")
    return files


def read_constituent_jets(path: Path) -> JetSample:
    """One particle-level file, or every .h5 file of a folder, as one JetSample."""
    path = Path(path)
    files, parts = _files(path), []
    for file in files:
        part = _read_file(file)
        if parts and part["constituents"].shape[1] != parts[0]["constituents"].shape[1]:
            raise UserError(f"{file}: {part['constituents'].shape[1]} particles per jet; "
                            f"expected {parts[0]['constituents'].shape[1]} as in the folder's "
                            f"first file")
        if parts and (part["features"] is None) != (parts[0]["features"] is None):
            state = "absent" if part["features"] is None else "present"
            raise UserError(f"{file}: HLF columns {state}; expected the same 'jets' columns "
                            f"as the folder's first file")
        if parts and part["constituents"].shape[2] != parts[0]["constituents"].shape[2]:
            state = "present" if part["constituents"].shape[2] > 5 else "absent"
            raise UserError(f"{file}: j1_pdgid {state}; expected the same particle columns as "
                            f"the folder's first file")
        parts.append(part)
    features = None if parts[0]["features"] is None else \
        np.concatenate([p["features"] for p in parts]).astype(np.float32)
    constituents = _pt_ordered(np.concatenate([p["constituents"] for p in parts]))
    provenance = {"source": "hls4ml LHC jet dataset, particle-level release",
                  "files": [str(f) for f in files],
                  "particles_per_jet": int(constituents.shape[1]),
                  "constituent_columns": dict(PUBLIC_CONSTITUENT_SOURCES),
                  "hlf_features": features is not None}
    names = CONSTITUENT_FEATURES[:constituents.shape[2]]  # the first five, or all with ids
    provenance["pf_from_pdgid"] = len(names) == len(CONSTITUENT_FEATURES)
    return JetSample(features, np.concatenate([p["labels"] for p in parts]), path=str(path),
                     provenance=provenance, constituents=constituents, constituent_names=names)
