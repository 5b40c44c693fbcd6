"""Cheap generation targets for the Dask engine tests (no Pythia): importable by the test's
external `dask worker` through PYTHONPATH, as a real target is through l1forge."""

from __future__ import annotations

import os

import numpy as np

from l1forge.errors import UserError


def seeded_draws(quota: int, seed: int, report) -> dict:
    """`quota` seeded random numbers, reported one by one, and the process that drew them."""
    values = np.random.default_rng(seed).random(quota)
    for _ in range(quota):
        report(1)
    return {"values": values, "pid": os.getpid()}


def refuses(quota: int, seed: int, report) -> dict:
    raise UserError(f"task with seed {seed}: refused on purpose; expected by the test")
