"""Verification events from a file: a .npy array, or one array of a .npz archive or an
HDF5 file (for a model with several inputs, one per input, named as the inputs), holding
events in firmware-input space (what the firmware's input ports receive), checked against
the model's input shapes before anything is built on them."""

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


def _arrays(path: Path) -> tuple[dict, list[str]]:
    """The arrays a .npz or HDF5 file holds, lazily (HDF5 datasets stay on disk), and their
    names; a file that is neither is refused."""
    import zipfile

    import h5py

    if path.suffix.lower() == ".npz":
        try:
            archive = np.load(path, allow_pickle=False)
        except (ValueError, OSError, zipfile.BadZipFile) as err:
            raise UserError(f"{path}: not a readable .npz archive ({str(err).splitlines()[0]})") from None
        return archive, list(archive.files)
    try:
        f = h5py.File(path, "r")
    except OSError:
        raise UserError(f"{path}: neither .npy, .npz nor a readable HDF5 file; expected events as .npy, .npz "
                        "or HDF5") from None
    names: list[str] = []
    f.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
    return f, names


def _per_input(path: Path, arrays, names: list[str], ports, stop) -> tuple[np.ndarray, list[str], int] | None:
    """Events of a model with several inputs from one array per input, named as the inputs
    (ports.arrays_per_input), each checked against its input's shape, then laid end to end.
    None when the file does not name every input."""
    from l1forge.intake.ports import arrays_per_input

    parts = arrays_per_input(path, arrays, names, ports) if ports else None
    if parts is None:
        return None
    checked = [check_events(np.asarray(part[:stop]), port.shape, f"{path}[{port.name}]")
               for part, port in zip(parts, ports)]
    return (np.concatenate([part.reshape(len(part), -1) for part in checked], axis=1),
            [port.name for port in ports], int(parts[0].shape[0]))


def events_from_file(path, input_shape, dataset: str | None = None,
                     limit: int | None = None, ports=None) -> VerificationEvents:
    """The first `limit` events (all if None) of a .npy file, an array of a .npz archive or
    a dataset of an HDF5 file, checked. A model with several inputs (`ports`,
    intake.ports) takes its events laid end to end in one array, or, when the .npz or
    HDF5 file names every input and no dataset is asked for, one array per input."""
    from l1forge.intake.ports import describe
    from l1forge.intake.source import sha256_of

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file; expected events as .npy, .npz or HDF5")
    if limit is not None and limit < 1:
        raise UserError(f"events: {limit}; expected at least 1")
    stop = None if limit is None else int(limit)
    layout = describe(ports) if ports else None
    if path.suffix.lower() == ".npy":
        if dataset is not None:
            raise UserError(f"{path}: a .npy file holds one array; a dataset name ('{dataset}') goes with "
                            ".npz or HDF5")
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError) as err:
            raise UserError(f"{path}: not a readable .npy array ({str(err).splitlines()[0]})") from None
        total, x = int(array.shape[0]) if array.ndim else 0, np.asarray(array[:stop] if array.ndim else array)
        label, read = str(path), {"dataset": None}
    else:
        arrays, names = _arrays(path)
        try:
            joined = None if dataset is not None else _per_input(path, arrays, names, ports, stop)
            if joined is not None:
                x, datasets, total = joined
                label, read = f"{path}[{', '.join(datasets)}]", {"dataset": None, "datasets": datasets}
            else:
                dataset, stored = _named_array(path, arrays, names, dataset, ports)
                total = int(stored.shape[0]) if stored.ndim else 0
                x = np.asarray(stored[:stop] if stored.ndim else stored[()])
                label, read = f"{path}[{dataset}]", {"dataset": dataset}
        finally:
            arrays.close()
    x = check_events(x, input_shape, label, layout)
    description = {"kind": "file", "file": str(path), **read, "sha256": sha256_of(path),
                   "events": int(len(x)), "events_in_file": total}
    return VerificationEvents(x, description)


def _named_array(path: Path, arrays, names: list[str], dataset: str | None, ports=None):
    """The array `dataset` names, or the file's only one."""
    kind = "array" if path.suffix.lower() == ".npz" else "dataset"
    if dataset is None:
        if len(names) != 1:
            per_input = (f" or one {kind} per input, named {[port.name for port in ports]}"
                         if ports and len(ports) > 1 else "")
            raise UserError(f"{path}: which {kind} holds the events? found {names}; expected a {kind} name "
                            f"(--dataset NAME){per_input}")
        dataset = names[0]
    if dataset not in names:
        raise UserError(f"{path}: no {kind} '{dataset}'; found {names}")
    return dataset, arrays[dataset]
