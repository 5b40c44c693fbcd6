"""Per-layer agreement of firmware values with reference values, event by event.

An event agrees at a layer when every one of the layer's outputs is within the tolerance:
one result LSB for a quantized (QKeras) counterpart or the input layer, otherwise 1% of the
Keras output's range over all events (never below one LSB, which no firmware can beat).
A value is outside the result type when the unbounded value (exact where l1forge computes
it, Keras's otherwise) lies beyond the type's range; the fraction of events with any such
value is reported as saturated or wrapped, as the type's overflow mode says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import symmetric_min

FLOAT_TOLERANCE = 0.01  # of the Keras output's range
SLACK = 1e-6  # relative: Keras computes in float32


@dataclass(frozen=True)
class Comparison:
    agreement: float
    agrees: np.ndarray  # (events,) bool
    max_lsb_error: float
    outside: np.ndarray  # (events,) bool: some unbounded value beyond the result type
    tolerance: float


def type_range(ftype: FixedType) -> tuple[float, float]:
    return symmetric_min(ftype) * ftype.lsb, ftype.code_max * ftype.lsb


def tolerance_for(keras: np.ndarray, ftype: FixedType, quantized: bool) -> float:
    if quantized or keras.size == 0:
        return ftype.lsb
    return max(FLOAT_TOLERANCE * float(keras.max() - keras.min()), ftype.lsb)


def outside_range(values: np.ndarray, ftype: FixedType) -> np.ndarray:
    lo, hi = type_range(ftype)
    return ((values < lo) | (values > hi)).reshape(len(values), -1).any(axis=1)


def compare(firmware: np.ndarray, keras: np.ndarray, ftype: FixedType, quantized: bool,
            unbounded: np.ndarray | None = None) -> Comparison:
    firmware = firmware.reshape(len(firmware), -1)
    keras = keras.reshape(len(keras), -1)
    tolerance = tolerance_for(keras, ftype, quantized)
    if firmware.shape != keras.shape:
        raise ValueError(f"firmware {firmware.shape} and Keras {keras.shape} values differ in shape")
    difference = np.abs(firmware - keras)
    worst = difference.max(axis=1) if difference.shape[1] else np.zeros(len(difference))
    agrees = worst <= tolerance * (1 + SLACK)
    max_lsb = float(worst.max() / ftype.lsb) if len(worst) else 0.0
    reference = keras if unbounded is None else unbounded
    return Comparison(float(agrees.mean()) if len(agrees) else 1.0, agrees, max_lsb,
                      outside_range(reference, ftype), tolerance)


def overflow_fractions(comparison: Comparison, ftype: FixedType) -> tuple[float, float]:
    """(saturated, wrapped): the fraction of events with a value beyond the result type."""
    fraction = float(comparison.outside.mean()) if len(comparison.outside) else 0.0
    return (0.0, fraction) if ftype.overflow == "WRAP" else (fraction, 0.0)
