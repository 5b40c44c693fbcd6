"""Run an emulator over event files of any size: HDF5 or .npy in, HDF5 out, chunk by chunk.

Input events are read a chunk at a time (an HDF5 dataset slice, or a memory-mapped .npy),
checked for NaN/inf with their row number in the file, mapped to firmware inputs by the
project's preprocessing (unless the file already holds firmware inputs), emulated, and
written into the output dataset. The output file is written under a temporary name and
renamed at the end, so an interrupted run leaves nothing that looks complete. A firmware
with several inputs reads its events laid end to end, or one HDF5 dataset per input
(PortsSource). A Deep Sets
project whose particles carry jet-level features reads its jets file whole instead
(JetSetSource), since no single table of the file holds its inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from l1forge.atomic import atomic_file
from l1forge.emulate.emulator import Emulator
from l1forge.emulate.inputs import NON_FINITE_POLICIES
from l1forge.emulate.overflow import OverflowTally
from l1forge.errors import UserError
from l1forge.intake.ports import Port, arrays_per_input, split

KNOWN_DATASETS = ("Particles", "features", "events", "x")
STREAM_CHUNK = 65536


@dataclass
class StreamSummary:
    events: int
    seconds: float
    output: str
    datasets: list[str]
    overflow: list[dict] | None = None
    non_finite_rows: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        rate = self.events / self.seconds if self.seconds > 0 else None
        return {"events": self.events, "seconds": round(self.seconds, 3),
                "events_per_second": round(rate) if rate else None, "output": self.output,
                "datasets": self.datasets, "non_finite_rows": self.non_finite_rows,
                "overflow": self.overflow}


class EventSource:
    """A 2-D-or-more array of events in an HDF5 dataset or a .npy file, read by slices."""

    def __init__(self, path: Path, dataset: str | None = None):
        self.path = Path(path)
        self._file = None
        if not self.path.is_file():
            raise UserError(f"{self.path}: no such file; expected events as HDF5 or .npy")
        if self.path.suffix == ".npy":
            try:
                self.array = np.load(self.path, mmap_mode="r", allow_pickle=False)
            except (ValueError, OSError) as err:
                raise UserError(f"{self.path}: not a readable .npy array ({err})") from None
        else:
            self.array = self._open_hdf5(dataset)
        if self.array.ndim < 2 or self.array.shape[0] == 0 or self.array.dtype.kind not in "fiu":
            raise UserError(f"{self.path}: events of shape {self.array.shape} and dtype {self.array.dtype}; "
                            "expected a numeric array (events, features...) with at least one event")

    def _open_hdf5(self, dataset: str | None):
        import h5py

        try:
            self._file = h5py.File(self.path, "r")
        except OSError:
            raise UserError(f"{self.path}: neither .npy nor a readable HDF5 file") from None
        names = [k for k, v in self._file.items() if isinstance(v, h5py.Dataset)]
        if dataset is None:
            known = [n for n in KNOWN_DATASETS if n in names]
            if len(names) == 1:
                dataset = names[0]
            elif known:
                dataset = known[0]
            else:
                raise UserError(f"{self.path}: which dataset holds the events? found {names}; "
                                "pass --dataset NAME")
        if dataset not in self._file or not isinstance(self._file[dataset], h5py.Dataset):
            raise UserError(f"{self.path}: no dataset '{dataset}'; found {names}")
        return self._file[dataset]

    @property
    def events(self) -> int:
        return int(self.array.shape[0])

    def read(self, start: int, stop: int) -> np.ndarray:
        return np.asarray(self.array[start:stop], dtype=np.float64)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class JetSetSource(EventSource):
    """The firmware inputs of a Deep Sets project whose particles also carry jet-level
    features (`data.jet_features`, such as the multiplicity), built from a whole jets file in
    memory. No single table of the file holds them, so the source reads it (the generator's
    format or the hls4ml particle-level release) through the same reader as training and
    builds the raw inputs the manifest's `jet_set` names (the number of constituents, the
    constituent and the jet features) for the preprocessing spec to standardize."""

    def __init__(self, path: Path, jet_set: dict, dataset: str | None = None):
        from l1forge.data import load_jets

        self.path, self._file = Path(path), None
        if dataset is not None:
            raise UserError(f"--dataset {dataset}: this project's particles also carry the jet "
                            f"features {', '.join(jet_set['jet_features'])}, so its inputs are "
                            f"built from the whole jets file; expected no --dataset")
        sample = load_jets(self.path)  # refuses a missing path, a wrong format, NaN
        self.array = sample.constituent_inputs(tuple(jet_set["constituent_features"]),
                                               int(jet_set["constituents"]),
                                               tuple(jet_set["jet_features"]))


def input_ports(emulator: Emulator) -> list[Port]:
    """The firmware's inputs (intake.ports), in the ModelGraph's order."""
    return [Port(step.name, tuple(step.output.shape)) for step in emulator.input_steps]


class PortsSource:
    """The events of a firmware with several inputs (intake.ports): one array whose rows hold
    every input's values laid end to end (a .npy, or the HDF5 dataset --dataset names), or
    one HDF5 dataset per input, named as the inputs; read by slices, end to end."""

    def __init__(self, path: Path, ports: list, dataset: str | None = None):
        import h5py

        self.path, self.ports, self._file, self._whole = Path(path), ports, None, None
        width = sum(port.size for port in ports)
        names = [port.name for port in ports]
        if self.path.suffix != ".npy" and dataset is None and self.path.is_file() and h5py.is_hdf5(self.path):
            self._file = h5py.File(self.path, "r")
            found = [k for k, v in self._file.items() if isinstance(v, h5py.Dataset)]
            try:
                self.parts = arrays_per_input(self.path, self._file, found, ports)
            except UserError:
                self.close()
                raise
            if self.parts is not None:
                self.array = self.parts[0]
                return
            if len(found) != 1:
                self.close()
                raise UserError(f"{self.path}: which dataset holds the events? found {found}; expected "
                                f"--dataset NAME (every input's values laid end to end) or one dataset per "
                                f"input, named {names}")
            self.close()
        self._whole = EventSource(self.path, dataset)
        self.array, self.parts = self._whole.array, None
        row = int(np.prod(self.array.shape[1:]))
        if row != width:
            self.close()
            raise UserError(f"{self.path}: events of {row} values each; this firmware's {len(ports)} inputs "
                            f"take {width} ({' + '.join(f'{p.name} {list(p.shape)}' for p in ports)}), "
                            "laid end to end")

    @property
    def events(self) -> int:
        return int(self.array.shape[0])

    def read(self, start: int, stop: int) -> np.ndarray:
        if self.parts is None:
            chunk = self._whole.read(start, stop)
            return chunk.reshape(len(chunk), -1)
        return np.concatenate([np.asarray(part[start:stop], dtype=np.float64).reshape(stop - start, -1)
                               for part in self.parts], axis=1)

    def close(self) -> None:
        if self._whole is not None:
            self._whole.close()
        if self._file is not None:
            self._file.close()
            self._file = None


def _finite_rows(chunk: np.ndarray, policy: str, offset: int, label: str) -> tuple[np.ndarray, int]:
    """Refuse (or zero, per policy) events holding NaN/inf; returns the chunk and how many
    rows were replaced."""
    if np.isfinite(chunk.min()) and np.isfinite(chunk.max()):
        return chunk, 0
    bad = ~np.isfinite(chunk).reshape(len(chunk), -1).all(axis=1)
    if policy == "error":
        raise UserError(f"{label}: event {offset + int(np.flatnonzero(bad)[0])} holds NaN or infinity; expected finite "
                        "values (or --non-finite zero to replace them by 0)")
    return np.where(np.isfinite(chunk), chunk, 0.0), int(bad.sum())


def emulate_file(emulator: Emulator, in_path: Path, out_path: Path, *, dataset: str | None = None,
                 preprocess: bool = True, non_finite: str = "error", overflow_report: bool = False,
                 chunk_events: int = STREAM_CHUNK, progress: Callable[[int, int], None] | None = None
                 ) -> StreamSummary:
    """Emulate every event of `in_path` into the HDF5 file `out_path`."""
    import h5py

    from l1forge import preprocessing

    if non_finite not in NON_FINITE_POLICIES:
        raise UserError(f"--non-finite '{non_finite}': expected one of {', '.join(NON_FINITE_POLICIES)}")
    if chunk_events < 1:
        raise UserError(f"--chunk-events must be at least 1, got {chunk_events}")
    spec = emulator.manifest.get("preprocessing") if preprocess else None
    ports = input_ports(emulator)
    if len(ports) > 1 and (spec or {}).get("kind", "identity") != "identity":
        raise UserError(f"this firmware has {len(ports)} inputs and a preprocessing "
                        f"({spec.get('kind')}); expected firmware inputs (--preprocessed)")
    jet_set = (spec or {}).get("jet_set")
    if len(ports) > 1:
        source = PortsSource(in_path, ports, dataset)
    else:
        source = JetSetSource(in_path, jet_set, dataset) if jet_set else EventSource(in_path, dataset)
    try:
        preprocessing.check_shape(spec, source.array.shape)  # the whole file's, once
    except UserError as err:
        source.close()
        raise UserError(f"{in_path}: {err}") from None
    tally = OverflowTally() if overflow_report else None
    names = ["scores"] if len(emulator.outputs) == 1 else [f"scores/{name}" for name in emulator.outputs]
    replaced = 0
    start_time = time.perf_counter()
    try:
        with atomic_file(Path(out_path)) as tmp, h5py.File(tmp, "w") as out:
            datasets = [out.create_dataset(name, shape=(source.events, *shape), dtype="f8", chunks=True)
                        for name, shape in zip(names, emulator.output_shapes)]
            out.attrs["events"] = source.events
            out.attrs["source"] = str(in_path)
            out.attrs["preprocessing"] = str((spec or {"kind": "identity"}).get("kind"))
            for start in range(0, source.events, chunk_events):
                stop = min(start + chunk_events, source.events)
                raw, bad = _finite_rows(source.read(start, stop), non_finite, start, str(in_path))
                replaced += bad
                x = preprocessing.apply(spec, raw) if spec else raw
                try:
                    results = emulator.predict(split(x, ports), tally=tally)
                except UserError as err:
                    raise UserError(f"{in_path}: {err}") from None
                for dataset_out, result in zip(datasets, results if len(datasets) > 1 else [results]):
                    dataset_out[start:stop] = result
                if progress:
                    progress(stop, source.events)
    finally:
        source.close()
    seconds = time.perf_counter() - start_time
    return StreamSummary(source.events, seconds, str(out_path), names,
                         tally.rows() if tally is not None else None, replaced)
