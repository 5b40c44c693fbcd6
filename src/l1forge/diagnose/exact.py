"""What a layer would output on the firmware's own inputs with exact arithmetic, or with
other types: the counterfactuals that tell a layer's own error from what it inherits.

Dense and convolution layers rerun the emulator's own multiply-accumulate (MacKernel) with
the layer's weights and another accumulator or result type; the other layers are computed
in float64 from their firmware inputs."""

from __future__ import annotations

import numpy as np

from l1forge.emulate.dense import KernelStep, weights_and_bias
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.kernel import MacKernel
from l1forge.diagnose.types import integer_bits
from l1forge.errors import UserError

CHUNK = 1024
MAX_EXACT_WIDTH = 60  # the emulator keeps codes exact up to 62 bits


def kernel_output(step: KernelStep, node, x_real: np.ndarray, accum: FixedType, result: FixedType) -> np.ndarray:
    """The layer's result (real values, (events, outputs)) with accumulator `accum` and
    result type `result`, on firmware inputs `x_real`; the firmware's Latency order."""
    _, w_type, bias, b_type = weights_and_bias(node)
    kernel = MacKernel(step.name, step.kernel.w, w_type, bias, b_type, accum, result, step.kernel.x, ordered=True)
    signal = kernel.output_signal("counterfactual", step.output.shape)
    x_stored = x_real.reshape(len(x_real), -1) * 2.0**step.kernel.x.scale
    parts = [signal.real(kernel.run(x_stored[i:i + CHUNK], None, step.name, step.geometry)).reshape(
        min(CHUNK, len(x_stored) - i), -1) for i in range(0, len(x_stored), CHUNK)]
    return np.concatenate(parts) if parts else np.zeros((0, step.output.size))


def exact_accumulator(step: KernelStep, node) -> FixedType | None:
    """A type holding every product and sum of this layer exactly (None if over 60 bits)."""
    _, w_type, _, b_type = weights_and_bias(node)
    frac = max(step.kernel.prod_frac, b_type.frac)
    x = step.kernel.x
    largest_x = max(abs(x.lo), abs(x.hi)) * 2.0**-x.ftype.frac
    columns = np.abs(step.kernel.w).sum(axis=0) * 2.0**-w_type.frac if step.kernel.w.size else np.zeros(1)
    _, _, bias, _ = weights_and_bias(node)
    bound = float(columns.max()) * largest_x + float(np.abs(bias).max(initial=0)) * 2.0**-b_type.frac
    integer = integer_bits(bound) + 1
    if integer + frac > MAX_EXACT_WIDTH:
        return None
    return FixedType(integer + frac, integer)


def exact_kernel(step: KernelStep, node, x_real: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(unbounded sums, firmware result with an ideal accumulator) on firmware inputs."""
    wide = exact_accumulator(step, node)
    if wide is None:
        return None, None
    try:
        return kernel_output(step, node, x_real, wide, wide), kernel_output(step, node, x_real, wide, step.output.ftype)
    except UserError:
        return None, None


def softmax_slices(values: np.ndarray, n_outer: int, n_slice: int, n_inner: int) -> np.ndarray:
    """(events, n) -> (events * n_outer * n_inner, n_slice): the axis softmax normalizes over."""
    shaped = values.reshape(-1, n_outer, n_slice, n_inner).transpose(0, 1, 3, 2)
    return shaped.reshape(-1, n_slice)


def exact_softmax(x_real: np.ndarray, n_outer: int, n_slice: int, n_inner: int) -> np.ndarray:
    events = len(x_real)
    z = softmax_slices(x_real, n_outer, n_slice, n_inner)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    s = e / e.sum(axis=1, keepdims=True)
    return s.reshape(events, n_outer, n_inner, n_slice).transpose(0, 1, 3, 2).reshape(events, -1)


def exact_activation(function: str, x_real: np.ndarray) -> np.ndarray | None:
    if function == "relu":
        return np.maximum(x_real, 0.0)
    if function == "linear":
        return x_real.copy()
    if function == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x_real))
    if function == "tanh":
        return np.tanh(x_real)
    return None
