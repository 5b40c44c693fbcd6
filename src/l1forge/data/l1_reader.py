"""Read L1-object files (40 MHz challenge layout), validated, in chunks.

A file is HDF5 with dataset `Particles` (N, 19, 4): rows MET, 4 electrons, 4 muons,
10 jets; columns pT, eta, phi, class id (1 MET, 2 e, 3 mu, 4 jet; 0 in padded rows).
`iter_chunks` never holds more than one chunk, so `info` works on multi-million-event
files; `read_l1` loads (at most `max_events`) into an L1Sample.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import numpy as np

from l1forge.data.schema import L1_DATASET, L1_N_COLUMNS, L1_N_OBJECTS, L1_ROWS, L1Sample
from l1forge.data.validate import check_finite, open_hdf5
from l1forge.errors import UserError

CHUNK_EVENTS = 100_000

# Allowed class id per row: the row's own type, or 0 for padding (MET is never padded).
_ROW_IDS = np.zeros(L1_N_OBJECTS)
for _first, _n, _class_id in L1_ROWS.values():
    _ROW_IDS[_first:_first + _n] = _class_id


def _dataset(handle, path: Path):
    if L1_DATASET not in handle:
        what = "a jets HLF file" if "features" in handle else f"no dataset '{L1_DATASET}'"
        raise UserError(f"{path}: {what}; expected an L1-objects file with dataset "
                        f"'{L1_DATASET}' of shape (N, 19, 4)")
    data = handle[L1_DATASET]
    if data.ndim != 3 or data.shape[1:] != (L1_N_OBJECTS, L1_N_COLUMNS):
        raise UserError(f"{path}: '{L1_DATASET}' has shape {data.shape}; expected "
                        f"(N, {L1_N_OBJECTS}, {L1_N_COLUMNS})")
    if data.shape[0] == 0:
        raise UserError(f"{path}: '{L1_DATASET}' holds no events; expected at least one")
    return data


def validate_chunk(path: Path, chunk: np.ndarray, first_row: int) -> None:
    """Finite values, known class ids in the right rows, non-negative pT."""
    check_finite(path, chunk, L1_DATASET, first_row)
    ids = chunk[:, :, 3]
    bad = (ids != _ROW_IDS) & (ids != 0)
    if bad.any():
        event, row = np.argwhere(bad)[0]
        raise UserError(f"{path}: unknown class id {ids[event, row]:g} in object row {row} of "
                        f"event {first_row + event}; expected {_ROW_IDS[row]:g} or 0 "
                        f"(1 MET, 2 e, 3 mu, 4 jet)")
    negative = chunk[:, :, 0] < 0
    if negative.any():
        event, row = np.argwhere(negative)[0]
        raise UserError(f"{path}: negative pT in object row {row} of event {first_row + event};"
                        f" expected pT >= 0")


def iter_chunks(path: Path, max_events: int | None = None,
                chunk_events: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (first event index, validated (n, 19, 4) float32 chunk)."""
    chunk_events = chunk_events or CHUNK_EVENTS
    with open_hdf5(path) as handle:
        data = _dataset(handle, Path(path))
        total = data.shape[0] if max_events is None else min(data.shape[0], max_events)
        for start in range(0, total, chunk_events):
            chunk = np.asarray(data[start:min(start + chunk_events, total)], dtype=np.float32)
            validate_chunk(Path(path), chunk, start)
            yield start, chunk


def read_attributes(path: Path) -> dict:
    """Event count, provenance and (l1forge files) per-event process ids and names."""
    with open_hdf5(path) as handle:
        data = _dataset(handle, Path(path))
        out = {"events": int(data.shape[0]),
               "provenance": json.loads(handle.attrs.get("provenance", "{}"))}
        if "process_id" in handle:
            out["process_names"] = json.loads(handle.attrs.get("process_names", "[]"))
        return out


def process_counts(path: Path, names: list) -> dict:
    """Events per source, counted chunk by chunk from the file's `process_id`."""
    counts = np.zeros(len(names), dtype=np.int64)
    with open_hdf5(path) as handle:
        ids = handle["process_id"]
        for start in range(0, ids.shape[0], CHUNK_EVENTS):
            chunk = ids[start:start + CHUNK_EVENTS].astype(np.int64)
            if chunk.size and (chunk.min() < 0 or chunk.max() >= len(names)):
                raise UserError(f"{path}: process_id out of range; expected 0..{len(names) - 1}")
            counts += np.bincount(chunk, minlength=len(names))
    return {name: int(n) for name, n in zip(names, counts)}


def read_l1(path: Path, process: str, max_events: int | None = None) -> L1Sample:
    if max_events is not None and max_events < 1:
        raise UserError(f"max_events: got {max_events}, expected a positive number")
    chunks = [chunk for _, chunk in iter_chunks(path, max_events)]
    attributes = read_attributes(path)
    return L1Sample(np.concatenate(chunks), process, path=str(path),
                    provenance=attributes["provenance"])
