"""Read jet samples in every public form, validated, into a JetSample.

Forms: l1forge HDF5 (`features`, `labels`, and `constituents` when generated with them),
the hls4ml particle-level HDF5 release (jet_constituent_reader), the OpenML table as
ARFF or CSV (16 feature columns by name plus `class`), parquet with the same columns,
and the hls4ml tutorial's numpy split (a folder with X_train_val.npy, y_train_val.npy,
X_test.npy, y_test.npy, classes.npy). Every problem is one UserError line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from l1forge.data.jet_constituent_reader import is_constituent_file, read_constituent_jets
from l1forge.data.schema import JET_CLASSES, JET_FEATURES, JetSample
from l1forge.data.validate import check_finite, open_hdf5
from l1forge.errors import UserError

NUMPY_SPLIT_FILES = ("X_train_val.npy", "y_train_val.npy", "X_test.npy", "y_test.npy",
                     "classes.npy")
TABLE_SUFFIXES = {".arff": "arff", ".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def _labels_from_names(path: Path, names) -> np.ndarray:
    names = np.array([n.decode() if isinstance(n, bytes) else str(n) for n in names])
    names = np.char.strip(np.char.strip(names), "'\"")
    unknown = ~np.isin(names, JET_CLASSES)
    if unknown.any():
        row = int(np.argmax(unknown))
        raise UserError(f"{path}: unknown label {names[row]!r} in column 'class' at row {row}; "
                        f"expected one of {', '.join(JET_CLASSES)}")
    lookup = {name: i for i, name in enumerate(JET_CLASSES)}
    return np.array([lookup[n] for n in names], dtype=np.int64)


def _from_table(path: Path, columns: dict, form: str) -> JetSample:
    """`columns`: column name -> 1-D array, as read from an ARFF, CSV or parquet table."""
    missing = [name for name in JET_FEATURES + ("class",) if name not in columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}; expected the 16 "
                        f"jet features by name ({', '.join(JET_FEATURES)}) and 'class'")
    n_rows = len(columns["class"])
    if n_rows == 0:
        raise UserError(f"{path}: the table has no rows; expected at least one jet")
    try:
        features = np.column_stack([np.asarray(columns[n], dtype=np.float64)
                                    for n in JET_FEATURES])
    except (TypeError, ValueError) as err:
        raise UserError(f"{path}: a feature column is not numeric ({err}); expected numbers "
                        f"in every feature column") from err
    check_finite(path, features, "features")
    labels = _labels_from_names(path, columns["class"])
    return JetSample(features.astype(np.float32), labels, path=str(path),
                     provenance={"source": f"{form} table", "rows": n_rows})


def _read_arff(path: Path) -> dict:
    from scipy.io import arff

    try:
        data, _meta = arff.loadarff(str(path))
    except Exception as err:  # scipy raises several parse error types
        raise UserError(f"{path}: not a readable ARFF file ({err}); expected an ARFF "
                        f"table with the 16 jet features and 'class'") from err
    return {name: data[name] for name in data.dtype.names}


def _read_pandas(path: Path, form: str) -> dict:
    import pandas as pd

    try:
        frame = pd.read_csv(path) if form == "csv" else pd.read_parquet(path)
    except Exception as err:  # pandas/pyarrow raise many parse error types
        raise UserError(f"{path}: not a readable {form} file ({err}); expected a table with "
                        f"the 16 jet features and 'class'") from err
    return {str(name): frame[name].to_numpy() for name in frame.columns}


def _load_npy(path: Path, allow_pickle: bool = False) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=allow_pickle)
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not a readable .npy array ({err})") from err


def _split_part(folder: Path, x_name: str, y_name: str, classes: np.ndarray):
    x, y = _load_npy(folder / x_name), _load_npy(folder / y_name)
    if x.ndim != 2 or x.shape[1] != len(JET_FEATURES):
        raise UserError(f"{folder / x_name}: shape {x.shape}; expected (N, 16) jet features")
    if y.ndim == 2 and y.shape[1] == len(classes):
        y_index = np.argmax(y, axis=1)  # one-hot, as the tutorial saves it
    elif y.ndim == 1:
        y_index = y.astype(np.int64)
    else:
        raise UserError(f"{folder / y_name}: shape {y.shape}; expected (N, {len(classes)}) "
                        f"one-hot labels or (N,) class indices")
    if len(y_index) != len(x):
        raise UserError(f"{folder / y_name}: {len(y_index)} labels for {len(x)} rows of "
                        f"{x_name}; expected one label per jet")
    if len(x) and (y_index.min() < 0 or y_index.max() >= len(classes)):
        raise UserError(f"{folder / y_name}: label index out of range; expected 0.."
                        f"{len(classes) - 1} (classes.npy)")
    check_finite(folder / x_name, x, "features")
    return x, _labels_from_names(folder / "classes.npy", classes[y_index]) if len(x) else \
        np.zeros(0, np.int64)


def _read_numpy_split(folder: Path) -> JetSample:
    missing = [n for n in NUMPY_SPLIT_FILES if not (folder / n).is_file()]
    if missing:
        raise UserError(f"{folder}: missing {', '.join(missing)}; expected the hls4ml "
                        f"tutorial's numpy split ({', '.join(NUMPY_SPLIT_FILES)})")
    # The tutorial saves LabelEncoder.classes_, an object array, so it is a pickle.
    classes = _load_npy(folder / "classes.npy", allow_pickle=True).astype(str)
    train = _split_part(folder, "X_train_val.npy", "y_train_val.npy", classes)
    test = _split_part(folder, "X_test.npy", "y_test.npy", classes)
    if len(train[0]) + len(test[0]) == 0:
        raise UserError(f"{folder}: the split holds no jets; expected at least one")
    return JetSample(np.concatenate([train[0], test[0]]).astype(np.float32),
                     np.concatenate([train[1], test[1]]), path=str(folder),
                     provenance={"source": "hls4ml tutorial numpy split",
                                 "train_val": len(train[0]), "test": len(test[0]),
                                 "note": "rows are train_val then test"})


def _read_constituents(path: Path, f, n_jets: int) -> tuple:
    """(constituents (N, C, F) float32, names) of an l1forge jets file, or (None, None)."""
    if "constituents" not in f:
        return None, None
    names = tuple(json.loads(f.attrs.get("constituent_names", "[]")))
    table = f["constituents"]
    if table.ndim != 3 or table.shape[0] != n_jets or table.shape[2] != len(names) \
            or not names:
        raise UserError(f"{path}: 'constituents' has shape {table.shape} with "
                        f"{len(names)} constituent_names; expected ({n_jets}, C, F) with F "
                        f"names, one row per jet")
    values = table[...].astype(np.float32)
    check_finite(path, values, "constituents")
    return values, names


def _read_hdf5(path: Path) -> JetSample:
    with open_hdf5(path) as f:
        if is_constituent_file(f):
            return read_constituent_jets(path)
        if "features" not in f or "labels" not in f:
            what = "an L1-objects file" if "Particles" in f else "missing 'features'/'labels'"
            raise UserError(f"{path}: {what}; expected a jets HLF file with datasets "
                            f"'features' (N, 16) and 'labels' (N,)")
        names = json.loads(f.attrs.get("feature_names", json.dumps(list(JET_FEATURES))))
        if tuple(names) != JET_FEATURES:
            raise UserError(f"{path}: feature names {names}; expected {list(JET_FEATURES)}")
        features, labels = f["features"][...], f["labels"][...].astype(np.int64)
        provenance = json.loads(f.attrs.get("provenance", "{}"))
        if features.ndim != 2 or features.shape[1] != 16 or \
                labels.shape != (features.shape[0],):
            raise UserError(f"{path}: features {features.shape} and labels {labels.shape}; "
                            f"expected (N, 16) and (N,)")
        constituents, constituent_names = _read_constituents(path, f, len(labels))
    if len(labels) == 0:
        raise UserError(f"{path}: the file holds no jets; expected at least one")
    bad = (labels < 0) | (labels >= len(JET_CLASSES))
    if bad.any():
        row = int(np.argmax(bad))
        raise UserError(f"{path}: unknown label {labels[row]} at row {row}; expected 0..4 "
                        f"for {', '.join(JET_CLASSES)}")
    check_finite(path, features, "features")
    return JetSample(features.astype(np.float32), labels, path=str(path),
                     provenance=provenance, constituents=constituents,
                     constituent_names=constituent_names)


def has_constituent_files(folder: Path) -> bool:
    """A folder of hls4ml particle-level files (rather than the numpy split)."""
    return not any((folder / n).exists() for n in NUMPY_SPLIT_FILES) and \
        any(p.suffix.lower() in (".h5", ".hdf5") for p in folder.iterdir())


def read_jets(path: Path) -> JetSample:
    """Read any supported jets form at `path` (file or numpy-split folder)."""
    path = Path(path)
    if path.is_dir():
        if has_constituent_files(path):
            return read_constituent_jets(path)
        return _read_numpy_split(path)
    if path.name in NUMPY_SPLIT_FILES:
        return _read_numpy_split(path.parent)
    if not path.is_file():
        raise UserError(f"{path}: no such file or folder; expected a jets sample")
    suffix = path.suffix.lower()
    if suffix in (".h5", ".hdf5"):
        return _read_hdf5(path)
    form = TABLE_SUFFIXES.get(suffix)
    if form is None:
        raise UserError(f"{path}: unknown jets format {suffix or '(no suffix)'!r}; expected "
                        f".h5/.hdf5, .arff, .csv, .parquet or a numpy-split folder")
    columns = _read_arff(path) if form == "arff" else _read_pandas(path, form)
    return _from_table(path, columns, form)

