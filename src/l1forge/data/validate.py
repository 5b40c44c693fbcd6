"""Shared checks for sample readers: finite values, and HDF5 files that open cleanly."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from l1forge.errors import UserError


def check_finite(path: Path, values: np.ndarray, what: str, row_offset: int = 0) -> None:
    """UserError naming the first event (row) that holds NaN or inf."""
    finite = np.isfinite(values)
    if finite.all():
        return
    bad_rows = ~finite.reshape(len(values), -1).all(axis=1)
    row = int(np.argmax(bad_rows)) + row_offset
    raise UserError(f"{path}: NaN or inf in {what} at row {row}; expected finite numbers")


@contextlib.contextmanager
def open_hdf5(path: Path):
    """Open `path` read-only; an unreadable or non-HDF5 file becomes a UserError."""
    import h5py

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file; expected an HDF5 sample file")
    try:
        handle = h5py.File(path, "r")
    except OSError as err:
        raise UserError(f"{path}: not a readable HDF5 file ({err.__class__.__name__}); "
                        f"expected an HDF5 sample file") from err
    with handle:
        yield handle
