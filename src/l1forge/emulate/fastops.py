"""Clamping that stays on numpy's SIMD paths.

In numpy 1.26 `np.maximum(a, scalar)` and `np.clip` take a slow scalar-broadcast loop
(measured: docs/results/emulator.md), while `np.maximum(a, b)` with two
contiguous arrays of one shape is vectorized. Clamps therefore use constant arrays of
the operand's own shape, cached because chunks repeat the same shapes.
"""

from __future__ import annotations

import contextlib
import functools

import numpy as np

_CONSTANTS: dict[tuple, np.ndarray] = {}
_CACHE_LIMIT = 64


def constant_like(a: np.ndarray, value) -> np.ndarray:
    key = (a.shape, a.dtype.str, value)
    array = _CONSTANTS.get(key)
    if array is None:
        if len(_CONSTANTS) >= _CACHE_LIMIT:
            _CONSTANTS.clear()
        array = np.full(a.shape, value, dtype=a.dtype)
        array.setflags(write=False)
        _CONSTANTS[key] = array
    return array


def clamp(a: np.ndarray, lo=None, hi=None) -> np.ndarray:
    """Clamp `a` into [lo, hi] in place (either end may be None)."""
    fast = a.flags.c_contiguous
    if lo is not None:
        np.maximum(a, constant_like(a, lo) if fast else lo, out=a)
    if hi is not None:
        np.minimum(a, constant_like(a, hi) if fast else hi, out=a)
    return a


@functools.lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread():
    """Run BLAS on one thread inside the block. The emulator's products are small (a chunk of
    events times one layer), where a second BLAS thread only adds synchronisation; on a
    loaded machine its spin-waiting made jet-ID 5.6x slower (181k against 1.01M events/s)."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield
