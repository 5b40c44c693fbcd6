"""Write l1forge sample files: HDF5, gzip + shuffle, provenance as JSON inside the file.

Jets: datasets `features` (N, 16) float32 and `labels` (N,) int8, attributes `format`,
`feature_names`, `class_names`, `provenance`.
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
from l1forge.data.schema import FORMAT_JETS, FORMAT_L1, JET_CLASSES, JET_FEATURES, L1_DATASET

_COMPRESSION = {"compression": "gzip", "compression_opts": 9, "shuffle": True}


def _chunks(n_rows: int, row_shape: tuple) -> tuple:
    # ~16k events per chunk: good compression, and readers can stream chunk by chunk.
    return (max(1, min(n_rows, 16384)),) + row_shape


def _readable(tmp: Path) -> None:
    # The temporary file is created private (0600); a sample file is meant to be shared.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def write_jets(path: Path, features: np.ndarray, labels: np.ndarray, provenance: dict) -> None:
    import h5py

    with atomic_file(Path(path)) as tmp, h5py.File(tmp, "w") as f:
        f.create_dataset("features", data=features.astype(np.float32),
                         chunks=_chunks(len(labels), (features.shape[1],)), **_COMPRESSION)
        f.create_dataset("labels", data=labels.astype(np.int8),
                         chunks=_chunks(len(labels), ()), **_COMPRESSION)
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
