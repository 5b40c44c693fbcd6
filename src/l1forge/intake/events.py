"""Verification events from a file: a .npy array, or one dataset of an HDF5 file, holding
events in firmware-input space (what the firmware's input port receives), checked against
the model's input shape before anything is built on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from l1forge.errors import UserError


@dataclass(frozen=True)
class VerificationEvents:
    """Events the firmware is verified on, and where they came from (for the manifest)."""

    x: np.ndarray = field(repr=False, compare=False)  # (events, *input_shape), float64
    description: dict = field(compare=False)


def check_events(x, input_shape, label: str, layout: str | None = None) -> np.ndarray:
    """Events as float64 (events, *input_shape): refuses a non-numeric array, no events, a
    wrong event shape (a flat (events, features) array of the same size is accepted) and
    NaN or infinity (naming the first such event)."""
    shape = tuple(int(d) for d in input_shape)
    width = int(np.prod(shape)) if shape else 1
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise UserError(f"{label}: events of dtype {array.dtype}; expected numbers")
    if array.ndim == 1 and width == 1:
        array = array.reshape(len(array), 1)
    if array.ndim < 1 or array.shape[0] == 0:
        raise UserError(f"{label}: no events (shape {array.shape}); expected (events, {', '.join(map(str, shape))})")
    if tuple(array.shape[1:]) != shape and not (array.ndim == 2 and array.shape[1] == width):
        raise UserError(f"{label}: events of shape {array.shape}; the model expects "
                        f"(events, {', '.join(map(str, shape))})" + ("" if len(shape) == 1 else f" or (events, {width})")
                        + (f": {layout}" if layout else ""))
    array = np.asarray(array, dtype=np.float64).reshape((array.shape[0],) + shape)
    flat = array.reshape(len(array), -1)
    if not (np.isfinite(flat.min()) and np.isfinite(flat.max())):
        row = int(np.flatnonzero(~np.isfinite(flat).all(axis=1))[0])
        raise UserError(f"{label}: event {row} holds NaN or infinity; expected finite values")
    return array


def _hdf5_dataset(path: Path, f, dataset: str | None):
    import h5py

    names: list[str] = []
    f.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
    if dataset is None:
        if len(names) != 1:
            raise UserError(f"{path}: which dataset holds the events? found {names}; expected a "
                            "dataset name (--dataset NAME)")
        dataset = names[0]
    if dataset not in f or not isinstance(f[dataset], h5py.Dataset):
        raise UserError(f"{path}: no dataset '{dataset}'; found {names}")
    return dataset, f[dataset]


def events_from_file(path, input_shape, dataset: str | None = None,
                     limit: int | None = None, layout: str | None = None) -> VerificationEvents:
    """The first `limit` events (all if None) of a .npy file or an HDF5 dataset, checked;
    `layout` says what a row holds (a model with several inputs, ports.describe)."""
    import h5py

    from l1forge.intake.source import sha256_of

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file; expected events as .npy or HDF5")
    if limit is not None and limit < 1:
        raise UserError(f"events: {limit}; expected at least 1")
    stop = None if limit is None else int(limit)
    if path.suffix.lower() == ".npy":
        if dataset is not None:
            raise UserError(f"{path}: a .npy file holds one array; a dataset name ('{dataset}') goes with HDF5")
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError) as err:
            raise UserError(f"{path}: not a readable .npy array ({str(err).splitlines()[0]})") from None
        total, x = int(array.shape[0]) if array.ndim else 0, np.asarray(array[:stop] if array.ndim else array)
        label = str(path)
    else:
        try:
            f = h5py.File(path, "r")
        except OSError:
            raise UserError(f"{path}: neither .npy nor a readable HDF5 file; expected events as .npy "
                            "or HDF5") from None
        with f:
            dataset, stored = _hdf5_dataset(path, f, dataset)
            total = int(stored.shape[0]) if stored.ndim else 0
            x = np.asarray(stored[:stop] if stored.ndim else stored[()])
        label = f"{path}[{dataset}]"
    x = check_events(x, input_shape, label, layout)
    description = {"kind": "file", "file": str(path), "dataset": dataset, "sha256": sha256_of(path),
                   "events": int(len(x)), "events_in_file": total}
    return VerificationEvents(x, description)
