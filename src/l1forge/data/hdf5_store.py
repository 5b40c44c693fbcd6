"""Write l1forge sample files: HDF5, gzip + shuffle, provenance as JSON inside the file.

Jets: datasets `features` (N, 16) float32 and `labels` (N,) int8, attributes `format`,
`feature_names`, `class_names`, `provenance`; generated files add `constituents`
(N, C, F) float16 with attribute `constituent_names` (F names).
L1 objects: dataset `Particles` (N, 19, 4) float32, the public challenge layout, plus
optional `process_id` (N,) int8 naming each event's source in `process_names`.
Files are written beside their destination and renamed into place when complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from l1forge.atomic import atomic_file
from l1forge.data.schema import (CONSTITUENT_FEATURES, FORMAT_JETS, FORMAT_L1, JET_CLASSES,
                                 JET_FEATURES, L1_DATASET)

CONSTITUENT_DTYPE = np.dtype(np.float16)
_COMPRESSION = {"compression": "gzip", "compression_opts": 9, "shuffle": True}


def _chunks(n_rows: int, row_shape: tuple, rows: int = 16384) -> tuple:
    # ~16k events per chunk: good compression, and readers can stream chunk by chunk.
    return (max(1, min(n_rows, rows)),) + row_shape


def _readable(tmp: Path) -> None:
    # The temporary file is created private (0600); a sample file is meant to be shared.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def write_jets(path: Path, features: np.ndarray, labels: np.ndarray, provenance: dict,
               constituents: np.ndarray | None = None) -> None:
    import h5py

    with atomic_file(Path(path)) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("features", data=features.astype(np.float32),
                         chunks=_chunks(len(labels), (features.shape[1],)), **_COMPRESSION)
        f.create_dataset("labels", data=labels.astype(np.int8),
                         chunks=_chunks(len(labels), ()), **_COMPRESSION)
        if constituents is not None:
            # Half precision (11 significant bits): 4.9e-4 relative, far finer than L1
            # particle flow's own granularity, and it keeps data/ within its budget.
            f.create_dataset("constituents", data=constituents.astype(CONSTITUENT_DTYPE),
                             chunks=_chunks(len(labels), constituents.shape[1:], 2048),
                             **_COMPRESSION)
            f.attrs["constituent_names"] = json.dumps(list(CONSTITUENT_FEATURES))
        f.attrs["format"] = FORMAT_JETS
        f.attrs["feature_names"] = json.dumps(list(JET_FEATURES))
        f.attrs["class_names"] = json.dumps(list(JET_CLASSES))
        f.attrs["provenance"] = json.dumps(provenance, sort_keys=True)
        _readable(tmp)


def write_l1(path: Path, particles: np.ndarray, provenance: dict,
             process_id: np.ndarray | None = None, process_names: tuple = ()) -> None:
    import h5py

    with atomic_file(Path(path)) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset(L1_DATASET, data=particles.astype(np.float32),
                         chunks=_chunks(len(particles), particles.shape[1:]), **_COMPRESSION)
        if process_id is not None:
            f.create_dataset("process_id", data=process_id.astype(np.int8),
                             chunks=_chunks(len(process_id), ()), **_COMPRESSION)
            f.attrs["process_names"] = json.dumps(list(process_names))
        f.attrs["format"] = FORMAT_L1
        f.attrs["provenance"] = json.dumps(provenance, sort_keys=True)
        _readable(tmp)
