"""The events the RTL is checked on, and the emulator's answer for them.

Events: the project's stored test inputs (trained/test_split.npz, firmware-input space)
first, then range edges of the input type (every input at its most negative code, at its
largest, at zero, at one LSB either side of zero, and alternating extremes), then inputs
drawn uniformly over the whole code range until the requested count is reached. Every
event is handed over as the input type's codes, so the RTL and the emulator see the same
integers; the emulator's answer is that of the layer the RTL ends at (`outputs_of`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.emulate.emulator import Emulator
from l1forge.emulate.fixed import FixedType

SEED = 20261206


@dataclass(frozen=True)
class Events:
    codes: np.ndarray   # (events, inputs) int64 codes of the input type
    from_test: int      # how many come from the test split
    edges: int          # range-edge events
    uniform: int        # uniform random codes


def edge_codes(ftype: FixedType, n: int) -> np.ndarray:
    low, high = ftype.code_min, ftype.code_max
    rows = [np.full(n, low), np.full(n, high), np.zeros(n, dtype=np.int64)]
    if ftype.signed:
        rows += [np.full(n, -1), np.full(n, 1)]
    alternate = np.arange(n) % 2 == 0
    rows += [np.where(alternate, low, high), np.where(alternate, high, low)]
    return np.array(rows, dtype=np.int64)


def verification_events(emulator: Emulator, test_inputs: np.ndarray | None, count: int) -> Events:
    step = emulator.input_steps[0]
    ftype, n = step.ftype, step.output.size
    parts, from_test = [], 0
    if test_inputs is not None and len(test_inputs):
        x = np.asarray(test_inputs, dtype=np.float64).reshape(len(test_inputs), -1)[: max(count, 0)]
        parts.append(step.quantize(x).astype(np.int64))
        from_test = len(x)
    edges = edge_codes(ftype, n)
    parts.append(edges)
    uniform = max(count - from_test - len(edges), 0)
    if uniform:
        rng = np.random.default_rng(SEED)
        parts.append(rng.integers(ftype.code_min, ftype.code_max + 1, size=(uniform, n), dtype=np.int64))
    return Events(np.concatenate(parts), from_test, len(edges), uniform)


def reference_outputs(emulator: Emulator, steps: int, codes: np.ndarray, ftype: FixedType) -> np.ndarray:
    """The emulator's real values of the last of its first `steps` steps, (events, elements)."""
    kept = emulator.steps[:steps]
    last = kept[-1].output.name
    truncated = Emulator(emulator.input_steps, kept, [last], emulator.signals)
    values = truncated.predict(codes.astype(np.float64) * ftype.lsb)
    return np.asarray(values, dtype=np.float64).reshape(len(codes), -1)
