"""The emulator object: runs the planned steps over events, chunk by chunk.

Chunks keep every intermediate array small enough to stay in cache, which matters more
for speed than anything else once the arithmetic is vectorized.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from l1forge.emulate.fastops import one_blas_thread
from l1forge.emulate.fusion import fuse
from l1forge.emulate.inputs import InputStep, check_finite, check_policy, check_shape
from l1forge.emulate.overflow import OverflowTally
from l1forge.emulate.signals import Signal
from l1forge.errors import UserError

DEFAULT_CHUNK = 1024
CHUNK_VALUES = 1 << 20  # values of the widest layer per chunk: its arrays stay within L3
MAX_CHUNK = 8192


def default_chunk(signals: dict[str, Signal]) -> int:
    """Events per chunk: the power of two that puts at most about CHUNK_VALUES values into
    the widest layer, between DEFAULT_CHUNK and MAX_CHUNK. Narrow networks then pay each
    layer's fixed cost per call over more events (jet-ID: 1,024 -> 4,096 events, 0.99M ->
    1.05M events/s on the loaded machine; ad_cnn_ae, 228 values wide: 1,024 -> 4,096
    events, 0.30M -> 0.33M events/s of CPU time); the widest (Deep Sets, stream_cnn's
    convolutions) keep 1,024."""
    widest = max([signal.size for signal in signals.values()], default=1)
    events = 1 << max((CHUNK_VALUES // max(widest, 1)).bit_length() - 1, 0)
    return int(min(max(events, DEFAULT_CHUNK), MAX_CHUNK))


class Emulator:
    """Bit-accurate model of one hls4ml firmware: `predict`, `trace`, `overflow_report`."""

    def __init__(self, input_steps: list[InputStep], steps: list, outputs: list[str], signals: dict[str, Signal],
                 manifest: dict | None = None):
        self.input_steps = input_steps
        self.steps = steps
        self.outputs = outputs
        self.signals = signals
        self.manifest = manifest or {}
        self.chunk_size = default_chunk(signals)
        self.fused_steps = fuse(steps, outputs)  # what predict runs (fusion.py); trace runs `steps`

    @property
    def output_shapes(self) -> list[tuple[int, ...]]:
        return [self.signals[name].shape for name in self.outputs]

    def describe(self) -> list[dict]:
        """One row per layer: name, kind, output type, and how the emulator stores it."""
        rows = []
        for step in [*self.input_steps, *self.steps]:
            out = step.output
            rows.append({"layer": step.name, "kind": step.kind, "type": str(out.ftype),
                         "shape": list(out.shape), "dtype": str(out.dtype)})
        return rows

    def _event_arrays(self, x, non_finite: str) -> list[np.ndarray]:
        check_policy(non_finite)
        many = len(self.input_steps) > 1
        if many and (not isinstance(x, Sequence) or len(x) != len(self.input_steps)):
            raise UserError(f"this firmware has {len(self.input_steps)} inputs; expected a list of as many arrays")
        arrays = list(x) if many else [x]
        checked = [check_shape(a, step.output.size, f"input '{step.name}'")
                   for a, step in zip(arrays, self.input_steps)]
        if len({a.shape[0] for a in checked}) > 1:
            raise UserError("inputs hold different numbers of events; expected the same for every input")
        return checked

    def _run_chunk(self, events: list[np.ndarray], tally: OverflowTally | None, non_finite: str = "error",
                   first_row: int = 0, fused: bool = True) -> dict[str, np.ndarray]:
        arrays = {}
        for step, x in zip(self.input_steps, events):
            # Checked chunk by chunk: the chunk is then still in cache for the quantization.
            x, value_range = check_finite(x, f"input '{step.name}'", non_finite, first_row)
            arrays[step.output.name] = step.quantize(x, tally, value_range)
        for step in self.steps if tally is not None or not fused else self.fused_steps:
            arrays[step.output.name] = step.run([arrays[name] for name in step.inputs], tally)
        return arrays

    def _chunks(self, events: list[np.ndarray], chunk_size: int):
        n = events[0].shape[0]
        for start in range(0, n, chunk_size):
            yield start, [e[start : start + chunk_size] for e in events]

    def predict(self, x, chunk_size: int | None = None, non_finite: str = "error",
                tally: OverflowTally | None = None):
        """Firmware outputs (float64, exact) for firmware inputs `x` (post-preprocessing),
        `chunk_size` events at a time (default: `default_chunk`).

        Returns one array of shape (events, *output shape), or a list for several outputs.
        """
        events = self._event_arrays(x, non_finite)
        chunk_size = chunk_size or self.chunk_size
        n = events[0].shape[0]
        results = [np.empty((n, *shape), dtype=np.float64) for shape in self.output_shapes]
        with one_blas_thread():
            for start, chunk in self._chunks(events, chunk_size):
                arrays = self._run_chunk(chunk, tally, non_finite, start)
                for result, name in zip(results, self.outputs):
                    out = result[start : start + chunk[0].shape[0]].reshape(arrays[name].shape)
                    np.multiply(arrays[name], 2.0 ** -self.signals[name].scale, out=out, casting="unsafe")
                    out += 0.0  # -0.0 -> 0.0: the firmware has no negative zero
        return results[0] if len(results) == 1 else results

    def trace(self, x, chunk_size: int | None = None, non_finite: str = "error") -> dict[str, np.ndarray]:
        """Every layer's output (float64, real values, shape (events, *layer shape))."""
        events = self._event_arrays(x, non_finite)
        chunk_size = chunk_size or self.chunk_size
        parts: dict[str, list[np.ndarray]] = {}
        with one_blas_thread():
            for start, chunk in self._chunks(events, chunk_size):
                arrays = self._run_chunk(chunk, None, non_finite, start, fused=False)
                for step in [*self.input_steps, *self.steps]:
                    signal = step.output
                    real = signal.real(arrays[signal.name]).reshape(-1, *signal.shape)
                    parts.setdefault(step.name, []).append(real)
        return {name: np.concatenate(chunks) for name, chunks in parts.items()}

    def overflow_report(self, x, chunk_size: int | None = None, non_finite: str = "error") -> list[dict]:
        """Per cast site: how many values fell outside their type (saturated, zeroed or
        wrapped, as the type's overflow mode says) on these events."""
        tally = OverflowTally()
        self.predict(x, chunk_size=chunk_size, non_finite=non_finite, tally=tally)
        return tally.rows()
