"""The yardstick beside the emulator: a plain float32 numpy chain of the same layer shapes.

It is what a physicist would write to run "the same network" in float, with no fixed point:
per layer, Dense and distributed-arithmetic layers as `x @ W + b`, convolutions as one small
matrix product per filter tap over shifted views of the padded image, ReLU as `maximum`,
batch normalization as `x * s + b`, sigmoid/tanh/ELU with numpy's functions, softmax as exp
over its sum, pooling and the layers that move values as the same gathers. It runs on the
same chunks of events as the emulator (its `chunk_size`: 1,024 to 8,192 events by the
widest layer; BLAS on one thread), so the ratio compares the arithmetic, not the memory
traffic of whole-file arrays or of different chunk sizes. Weights are random
(speed does not depend on them); the outputs are not compared with anything.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate.fastops import one_blas_thread

CHUNK = 1024


def _dense(n_in: int, n_out: int, rng):
    w = rng.normal(0, 0.3, (n_in, n_out)).astype(np.float32)
    b = rng.normal(0, 0.1, n_out).astype(np.float32)

    def run(arrays):
        y = arrays[0].reshape(len(arrays[0]), -1) @ w
        y += b
        return y
    return run


def _conv(geometry, n_out: int, rng):
    w = rng.normal(0, 0.3, (geometry.f_h * geometry.f_w, geometry.chans, n_out)).astype(np.float32)
    b = rng.normal(0, 0.1, n_out).astype(np.float32)

    def run(arrays):
        acc = None
        for tap, rows in geometry.tap_rows(arrays[0]):
            term = rows @ w[tap]
            acc = term if acc is None else np.add(acc, term, out=acc)
        acc += b
        return acc.reshape(len(arrays[0]), -1)
    return run


def _elementwise(step, size: int, rng):
    kind = step.kind.lower()
    if "relu" in kind and "leaky" not in kind:
        return lambda arrays: np.maximum(arrays[0], np.float32(0))
    if "leaky" in kind:
        return lambda arrays: np.where(arrays[0] > 0, arrays[0], arrays[0] * np.float32(0.3))
    if "sigmoid" in kind:
        return lambda arrays: np.float32(1) / (np.float32(1) + np.exp(-arrays[0]))
    if "tanh" in kind:
        return lambda arrays: np.tanh(arrays[0])
    if "elu" in kind:
        return lambda arrays: np.where(arrays[0] > 0, arrays[0], np.expm1(arrays[0]))
    if "softmax" in kind:
        def softmax(arrays):
            e = np.exp(arrays[0] - arrays[0].max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return softmax
    if "batchnorm" in kind.replace("_", "").replace("normalization", "norm"):
        s, b = rng.normal(1, 0.1, size).astype(np.float32), rng.normal(0, 0.1, size).astype(np.float32)

        def batchnorm(arrays):
            y = arrays[0] * s
            y += b
            return y
        return batchnorm
    if "merge" in kind:
        op = kind.split(":")[-1]
        return {"multiply": lambda a: a[0] * a[1], "subtract": lambda a: a[0] - a[1]}.get(op, lambda a: a[0] + a[1])
    if kind == "concatenate":
        return lambda arrays: np.concatenate([a.reshape(len(a), -1) for a in arrays], axis=1)
    return lambda arrays: arrays[0] if arrays[0].shape[1] == size else arrays[0][:, :size]  # linear, quantize


def _step_function(step, rng):
    from l1forge.emulate.dense import DAStep, KernelStep
    from l1forge.emulate.pooling import PoolingStep
    from l1forge.emulate.reshaping import GatherStep

    out_size = step.output.size
    geometry = getattr(step, "geometry", None)
    if isinstance(step, (KernelStep, DAStep)):
        n_out = out_size if geometry is None else out_size // geometry.pixels
        if geometry is not None:
            return _conv(geometry, n_out, rng)
        n_in = step.kernel.w.shape[0] if isinstance(step, KernelStep) else step.program.n_in
        return _dense(n_in, n_out, rng)
    if isinstance(step, PoolingStep):
        taps, n_chan, average = step.taps, step.n_chan, step.op == "average"

        def pool(arrays):
            pixels = arrays[0].reshape(len(arrays[0]), -1, n_chan)
            windows = pixels[:, np.where(taps < 0, 0, taps), :]
            y = windows.mean(axis=2) if average else windows.max(axis=2)
            return y.reshape(len(y), -1)
        return pool
    if isinstance(step, GatherStep):
        index = step.index
        return (lambda arrays: arrays[0]) if index is None else (lambda arrays: arrays[0][:, np.where(index < 0, 0, index)])
    return _elementwise(step, out_size, rng)


class FloatChain:
    """float32 numpy of the emulator's layer shapes: `predict(x)` on (events, inputs...)."""

    def __init__(self, emulator, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.inputs = [s.output.name for s in emulator.input_steps]
        self.layers = [(step.output.name, tuple(step.inputs), _step_function(step, rng)) for step in emulator.steps]
        self.outputs = list(emulator.outputs)
        self.chunk = getattr(emulator, "chunk_size", CHUNK)  # the emulator's own chunks

    def _chunk(self, x: np.ndarray) -> np.ndarray:
        arrays = {self.inputs[0]: x.reshape(len(x), -1).astype(np.float32)}
        for name, inputs, function in self.layers:
            arrays[name] = function([arrays[i] for i in inputs])
        return arrays[self.outputs[0]]

    def predict(self, x: np.ndarray) -> np.ndarray:
        parts = []
        with one_blas_thread():
            for start in range(0, len(x), self.chunk):
                parts.append(self._chunk(x[start : start + self.chunk]))
        return np.concatenate(parts)
