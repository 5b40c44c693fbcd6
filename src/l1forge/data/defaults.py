"""Where the committed default samples live: `data/` at the repository root.

`L1FORGE_DATA_DIR` points l1forge at another folder holding files of the same names (for
an installed copy, or a larger sample generated with `l1forge data generate`).
"""

from __future__ import annotations

import os
from pathlib import Path

from l1forge.data.schema import L1_PROCESSES

JETS_FILE = "jets_hlf.h5"
L1_FILES = {process: f"l1_{process}.h5" for process in L1_PROCESSES}


def data_dir() -> Path:
    override = os.environ.get("L1FORGE_DATA_DIR")
    if override:
        return Path(override)
    # src/l1forge/data/defaults.py -> repository root
    return Path(__file__).resolve().parents[3] / "data"


def default_jets_path() -> Path:
    return data_dir() / JETS_FILE


def default_l1_paths() -> dict[str, Path]:
    """{"background": path, "<signal>": path, ...}."""
    return {process: data_dir() / name for process, name in L1_FILES.items()}
