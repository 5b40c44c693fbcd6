"""How far rounding Keras's float weights into the firmware's weight types moves each
Dense layer's outputs: the usual source of the rounding that later layers carry.

hls4ml converts float weights into the weight type once, at conversion (ap_fixed<16,6>
by default: 10 fractional bits, truncated). For each earlier Dense layer l1forge applies
the difference between the Keras weights and the firmware's to the layer's own firmware
inputs; a shift larger than a quarter of the layer's tolerance is named, and the fix gives
those layers' weights four more fractional bits."""

from __future__ import annotations

import numpy as np

from l1forge.diagnose.result import Fix
from l1forge.diagnose.types import spell
from l1forge.emulate.dense import KernelStep, weights_and_bias
from l1forge.emulate.fixed import FixedType

EXTRA_FRAC = 4
NAMED_SHARE = 0.25  # of the layer's tolerance


def weight_shift(ctx) -> tuple[float, FixedType] | None:
    """Largest output change of a Dense layer from rounding its weights, on its firmware inputs."""
    step = ctx.step
    if not isinstance(step, KernelStep) or step.geometry is not None or not ctx.keras_weights:
        return None
    _, w_type, bias, b_type = weights_and_bias(ctx.node)
    kernel = np.asarray(ctx.keras_weights[0], dtype=np.float64)
    firmware_w = step.kernel.w * 2.0**-w_type.frac
    if kernel.shape != firmware_w.shape:
        return None
    delta_b = 0.0
    if len(ctx.keras_weights) > 1 and np.shape(ctx.keras_weights[1]) == np.shape(bias):
        delta_b = np.asarray(ctx.keras_weights[1], dtype=np.float64) - bias * 2.0**-b_type.frac
    shift = np.abs(ctx.firmware_input @ (kernel - firmware_w) + delta_b)
    return float(shift.max()) if shift.size else 0.0, w_type


def explain(contexts, key) -> tuple[str, Fix | None]:
    """A sentence naming the layers whose weight rounding moves them most, and the fix."""
    named = []
    for ctx in contexts:
        found = weight_shift(ctx)
        if found and found[0] > NAMED_SHARE * ctx.comparison.tolerance:
            named.append((ctx, *found))
    if not named:
        return "", None
    parts = [f"{ctx.name}'s weights in {spell(w_type)} move its outputs by up to {shift:.3g} "
             f"(tolerance {ctx.comparison.tolerance:.3g})" for ctx, shift, w_type in named]
    changes = tuple((key(ctx.name, "Precision", "weight"),
                     spell(FixedType(w_type.width + EXTRA_FRAC, w_type.integer, w_type.signed, w_type.rounding,
                                     w_type.overflow))) for ctx, _, w_type in named)
    return ("; rounding the Keras weights: " + "; ".join(parts),
            Fix(changes, f"{EXTRA_FRAC} more fractional bits for the weights of {', '.join(c.name for c, _, _ in named)}"))
