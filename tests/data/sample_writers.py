"""Writers of tiny sample files in each exact public form (and helpers to break them)."""

from __future__ import annotations

import numpy as np

from l1forge.data import JET_CLASSES, JET_FEATURES


def write_arff(path, features, names, columns=JET_FEATURES):
    lines = ["@RELATION hls4ml_lhc_jets_hlf", ""]
    lines += [f"@ATTRIBUTE {c} NUMERIC" for c in columns]
    lines += ["@ATTRIBUTE class {g,q,t,w,z}", "", "@DATA"]
    lines += [",".join(f"{v:.6f}" for v in row) + f",{name}" for row, name in zip(features, names)]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_csv(path, features, names, columns=JET_FEATURES):
    header = ",".join(columns) + ",class"
    rows = [",".join(repr(float(v)) for v in row) + f",{name}" for row, name in zip(features, names)]
    path.write_text("\n".join([header] + rows) + "\n")
    return path


def write_parquet(path, features, names, columns=JET_FEATURES):
    import pandas as pd

    frame = pd.DataFrame(features, columns=list(columns))
    frame["class"] = names
    frame.to_parquet(path)
    return path


def write_numpy_split(folder, features, names, n_test=4):
    """As the hls4ml tutorial saves it: sorted class names, one-hot labels."""
    folder.mkdir(parents=True, exist_ok=True)
    classes = np.array(sorted(JET_CLASSES))
    one_hot = (names[:, None] == classes[None, :]).astype(np.float32)
    np.save(folder / "X_train_val.npy", features[:-n_test])
    np.save(folder / "y_train_val.npy", one_hot[:-n_test])
    np.save(folder / "X_test.npy", features[-n_test:])
    np.save(folder / "y_test.npy", one_hot[-n_test:])
    np.save(folder / "classes.npy", classes)
    return folder


def write_particles(path, particles, **extra):
    """The 40 MHz challenge layout: one dataset `Particles` (N, 19, 4)."""
    import h5py

    with h5py.File(path, "w") as f:
        f.create_dataset("Particles", data=particles)
        for name, value in extra.items():
            f.create_dataset(name, data=value)
    return path


def l1_events(n=5):
    """n valid L1 events: MET, one electron, one muon, two jets, pT-ordered, padded."""
    events = np.zeros((n, 19, 4), dtype=np.float32)
    for i in range(n):
        events[i, 0] = (20.0 + i, 0.0, 0.5, 1)
        events[i, 1] = (30.0, 0.4, -1.0, 2)
        events[i, 5] = (25.0, -0.3, 2.0, 3)
        events[i, 9] = (60.0, 1.2, 0.1, 4)
        events[i, 10] = (40.0, -2.0, -2.5, 4)
    return events


PARTICLE_NAMES = ("j1_px", "j1_py", "j1_pz", "j1_e", "j1_erel", "j1_pt", "j1_ptrel", "j1_eta",
                  "j1_etarel", "j1_etarot", "j1_phi", "j1_phirel", "j1_phirot", "j1_deltaR",
                  "j1_costheta", "j1_costhetarel")
_TAUS = ("tau1_b1", "tau2_b1", "tau3_b1", "tau1_b2", "tau2_b2", "tau3_b2", "tau32_b1",
         "tau32_b2")
_ECFS = ("c1_b0", "c1_b1", "c1_b2", "c2_b1", "c2_b2", "d2_b1", "d2_b2", "d2_a1_b1",
         "d2_a1_b2", "m2_b1", "m2_b2", "n2_b1", "n2_b2")
# 59 columns shaped like the release's `jetFeatureNames` (kinematics, N-subjettiness and
# energy correlations ungroomed and groomed, groomed masses, the one-hot labels, an index).
JET_COLUMNS = (("j_pt", "j_eta", "j_mass") + tuple(f"j_{t}" for t in _TAUS)
               + tuple(f"j_{e}" for e in _ECFS) + tuple(f"j_{t}_mmdt" for t in _TAUS)
               + tuple(f"j_{name}" for name in JET_FEATURES)
               + ("j_mass_trim", "j_mass_prun", "j_mass_sdb2", "j_mass_sdm1")
               + tuple(f"j_{c}" for c in JET_CLASSES) + ("j_undef", "j_index"))
assert len(JET_COLUMNS) == 59


def particle_level_jets(n_jets=10, n_particles=30, seed=3):
    """Constituent table (n_jets, n_particles, 16) and jets table in the hls4ml release's
    layout: pT-ordered particles with a varying multiplicity, zero-padded; labels cycle
    through g, q, w, z, t."""
    rng = np.random.default_rng(seed)
    table = np.zeros((n_jets, n_particles, len(PARTICLE_NAMES)), np.float32)
    jets = np.zeros((n_jets, len(JET_COLUMNS)), np.float32)
    column = {name: i for i, name in enumerate(PARTICLE_NAMES)}
    for j in range(n_jets):
        m = int(rng.integers(3, n_particles + 1))
        ptrel = np.sort(rng.uniform(0.001, 0.3, m))[::-1]
        deta, dphi = rng.uniform(-0.8, 0.8, m), rng.uniform(-0.8, 0.8, m)
        values = {"j1_ptrel": ptrel, "j1_erel": ptrel * 1.01, "j1_etarel": deta,
                  "j1_phirel": dphi, "j1_deltaR": np.hypot(deta, dphi),
                  "j1_pt": ptrel * 1000.0, "j1_costhetarel": np.cos(np.hypot(deta, dphi))}
        for name, value in values.items():
            table[j, :m, column[name]] = value
        jets[j, :-7] = rng.uniform(0.1, 2.0, len(JET_COLUMNS) - 7)
        jets[j, JET_COLUMNS.index(f"j_{JET_CLASSES[j % 5]}")] = 1.0
        jets[j, -1] = j
    return table, jets


def write_particle_level(path, table, jets, particle_names=PARTICLE_NAMES,
                         jet_names=JET_COLUMNS, skip=()):
    """One file of the hls4ml particle-level release (datasets named in `skip` left out)."""
    import h5py

    datasets = {"jetConstituentList": table, "jets": jets,
                "particleFeatureNames": np.array([n.encode() for n in particle_names]),
                "jetFeatureNames": np.array([n.encode() for n in jet_names])}
    with h5py.File(path, "w") as f:
        for name, value in datasets.items():
            if name not in skip:
                f.create_dataset(name, data=value)
    return path
