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
