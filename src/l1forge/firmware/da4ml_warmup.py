"""da4ml's compiled solver, compiled by one process at a time.

hls4ml converts a distributed-arithmetic layer by tracing its constant-matrix product into
da4ml, whose solver is numba code compiled on first use and cached on disk (about three
minutes on one core of this machine). Processes that convert at the same moment (the Dask
workers of a scan on one machine, pytest-xdist workers) would each compile it, and numba's
cache is not written safely by two processes at once. `ensure_compiled` runs a tiny product
the way hls4ml traces one (same argument types, so the same compiled versions), under an
exclusive lock next to the cache: the first process compiles and saves, the others wait and
then load the saved versions in well under a second.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

DA_STRATEGY = "distributed_arithmetic"


def uses_da(hls_config) -> bool:
    """Whether an hls4ml configuration asks for distributed arithmetic anywhere."""
    return DA_STRATEGY in json.dumps(hls_config, default=str).lower()


def lock_path() -> Path:
    """The lock file for this installation of da4ml (its cache folder, or NUMBA_CACHE_DIR)."""
    import da4ml

    where = os.environ.get("NUMBA_CACHE_DIR") or str(Path(da4ml.__file__).resolve().parent)
    digest = hashlib.sha256(where.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"l1forge-da4ml-jit-{digest}.lock"


def before_conversion(hls_config) -> None:
    """Call before hls4ml converts with `hls_config`: readies da4ml when the design uses it."""
    if uses_da(hls_config):
        ensure_compiled()


@contextlib.contextmanager
def jit_lock():
    """Exclusive between the processes of this machine that use this installation of da4ml."""
    path = lock_path()
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=1)
def ensure_compiled() -> None:
    """Compile (or load) da4ml's solver in this process, one process at a time."""
    with jit_lock():
        trace_tiny_product()


def trace_tiny_product() -> None:
    """A 2x3 constant-matrix product traced as hls4ml traces a layer's: HWConfig(1, -1, -1),
    hard depth constraint 2, every decomposition searched."""
    import numpy as np
    from da4ml.trace import FixedVariableArray, HWConfig, comb_trace

    kernel = np.array([[0.5, -0.25, 0.75], [0.125, 0.5, -0.5]])
    shape = (kernel.shape[0],)
    inputs = FixedVariableArray.from_kif(np.ones(shape), np.full(shape, 3), np.full(shape, 4), HWConfig(1, -1, -1),
                                         solver_options={"hard_dc": 2, "search_all_decompose_dc": True})
    comb_trace(inputs, inputs @ kernel)


if __name__ == "__main__":  # `make demo` runs this beside its build (see the Makefile)
    ensure_compiled()
