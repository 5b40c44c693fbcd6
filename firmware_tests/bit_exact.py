"""The emulator against a built project's own C-simulation, bit for bit, on crafted events.

`firmware_events` makes the firmware inputs: real test events, jittered copies of them, and
rows at the input type's edges (its extremes and one LSB beyond, far beyond, ties half an
LSB off the grid on both signs, zeros, random mixes of the two extremes). The project's
g++ test bench (l1forge.csim) and `emulate.load(project)` run them; every output value must
be equal.

CI compares 10,000 events per build (a quarter of them crafted edges); `make verify`
(L1FORGE_VERIFY=1) compares 100,000; L1FORGE_VERIFY_EVENTS sets any other number.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

VERIFY_EVENTS = int(os.environ.get("L1FORGE_VERIFY_EVENTS")
                    or (100_000 if os.environ.get("L1FORGE_VERIFY") == "1" else 10_000))


def firmware_events(x_test: np.ndarray, input_type, seed: int, events: int = VERIFY_EVENTS) -> np.ndarray:
    """`events` firmware inputs: real events, jittered copies, and crafted edge rows."""
    rng = np.random.default_rng(seed)
    x_test = x_test.reshape(len(x_test), -1)
    width, lsb = x_test.shape[1], input_type.lsb
    top, bottom = input_type.code_max * lsb, input_type.code_min * lsb
    picks = x_test[rng.integers(0, len(x_test), events)]
    jitter = rng.normal(0, 4 * lsb, picks.shape) * (rng.random(picks.shape) < 0.5)
    x = picks + jitter
    n = events // 40
    crafted = [
        np.full((n, width), top), np.full((n, width), bottom), np.full((n, width), top + lsb),
        np.full((n, width), bottom - lsb), np.full((n, width), 1e6), np.full((n, width), -1e6),
        np.zeros((n, width)),
        (np.round(picks[:n] / lsb) + 0.5) * lsb,  # ties, positive and negative
        -np.abs(np.round(picks[n : 2 * n] / lsb) + 0.5) * lsb,
        np.where(rng.random((n, width)) < 0.5, top, bottom),
    ]
    edges = np.concatenate(crafted)
    x[: len(edges)] = edges
    return x


def assert_emulator_equals_csim(project: Path, seed: int, events: int = VERIFY_EVENTS) -> None:
    """The emulator and the project's C-simulation agree on every value of `events` inputs."""
    from l1forge import csim, emulate

    emulator = emulate.load(project)
    with np.load(Path(project) / "trained" / "test_split.npz") as split:
        x_test = split["x_test"]
    x = firmware_events(x_test, emulator.input_steps[0].ftype, seed, events)
    ours = np.asarray(emulator.predict(x), dtype=np.float64).reshape(len(x), -1)
    comparison = csim.compare(csim.run_binary(project, x, ours.shape[1]).outputs, ours)
    assert comparison.events >= events
    assert comparison.mismatches == 0, comparison.examples[:5]


def edge_events(shape, lsb, limit, seed, events: int) -> np.ndarray:
    """`events` random events of `shape` (normal, sigma limit / 4), then rows of ties half an
    LSB off the grid (both signs), the range edges and ten times beyond, zeros, and values
    half an LSB inside the edges: what a layer test compares hls4ml's compiled model on."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, limit / 4, (events, *shape))
    n = events // 20
    x[:n] = (np.round(x[:n] / lsb) + 0.5) * lsb
    x[n : 2 * n], x[2 * n : 3 * n] = limit, -limit
    x[3 * n : 4 * n], x[4 * n : 5 * n] = limit * 10, -limit * 10
    x[5 * n : 6 * n] = 0.0
    x[6 * n : 7 * n] = (limit - lsb / 2) * np.sign(rng.normal(size=(n, *shape)))
    return x
