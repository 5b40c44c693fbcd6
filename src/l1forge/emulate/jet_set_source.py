"""Firmware inputs of a Deep Sets project whose particles also carry jet-level features.

A card's `data.jet_features` (such as the jet's multiplicity) are given to every particle
after its own features, so no single table of a jets file holds the firmware's input. The
project's preprocessing spec names what it was trained on (`jet_set`: the number of
constituents, the constituent and the jet features); this source reads a jets file (the
generator's, or the hls4ml particle-level release) through the same reader as training and
builds those inputs, raw, for the spec to standardize.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from l1forge.errors import UserError


class JetSetSource:
    """The same interface as streaming.EventSource, over a whole jets file in memory."""

    def __init__(self, path: Path, jet_set: dict, dataset: str | None = None):
        from l1forge.data import load_jets

        self.path = Path(path)
        if dataset is not None:
            raise UserError(f"--dataset {dataset}: this project's particles also carry the jet "
                            f"features {', '.join(jet_set['jet_features'])}, so its inputs are "
                            f"built from the whole jets file; expected no --dataset")
        if not self.path.is_file() and not self.path.is_dir():
            raise UserError(f"{self.path}: no such file; expected a jets file with constituents "
                            f"and HLF features (HDF5)")
        sample = load_jets(self.path)
        self.array = sample.constituent_inputs(tuple(jet_set["constituent_features"]),
                                               int(jet_set["constituents"]),
                                               tuple(jet_set["jet_features"]))

    @property
    def events(self) -> int:
        return int(self.array.shape[0])

    def read(self, start: int, stop: int) -> np.ndarray:
        return np.asarray(self.array[start:stop], dtype=np.float64)

    def close(self) -> None:
        """Nothing stays open: the reader closed the file."""
