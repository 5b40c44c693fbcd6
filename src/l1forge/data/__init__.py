"""Physics samples: jet high-level features and L1 trigger objects.

Readers for the public forms users hold and for the committed defaults in `data/`; the
Pythia 8 generation behind `l1forge data generate` lives in the `*_generation` modules and
is imported only when used (it needs the optional `generate` extra).
"""

from __future__ import annotations

from pathlib import Path

from l1forge.data.defaults import default_jets_path, default_l1_paths
from l1forge.data.jet_readers import read_jets
from l1forge.data.l1_reader import read_l1
from l1forge.data.schema import (CONSTITUENT_FEATURES, JET_CLASSES, JET_FEATURES,
                                 L1_PROCESSES, L1_SIGNALS, JetSample, L1Sample)
from l1forge.errors import UserError

__all__ = ["JET_FEATURES", "JET_CLASSES", "CONSTITUENT_FEATURES", "L1_SIGNALS", "JetSample",
           "L1Sample", "load_jets", "load_l1_objects", "default_jets_path", "default_l1_paths"]


def load_jets(path: str | Path | None = None) -> JetSample:
    """Jets from `path` (any supported form), or the committed default sample.

    `sample.constituents` (N, C, F) and `sample.constituent_names` are set for files that
    hold constituents (the default sample, the hls4ml particle-level release) and None
    otherwise; `sample.constituent_inputs(names, count)` selects features by name."""
    return read_jets(Path(path) if path is not None else default_jets_path())


def load_l1_objects(path: str | Path | None = None, process: str = "background",
                    max_events: int | None = None) -> L1Sample:
    """L1 events from `path`, or the committed default file for `process`."""
    if process not in L1_PROCESSES:
        raise UserError(f"process: got {process!r}, expected one of {', '.join(L1_PROCESSES)}")
    chosen = Path(path) if path is not None else default_l1_paths()[process]
    return read_l1(chosen, process, max_events)
