"""The firmware's input layer: events (doubles) converted to the input type, and the checks
that keep bad events out (wrong width, NaN or infinity)."""

from __future__ import annotations

import numpy as np

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.quantize import quantize_real
from l1forge.emulate.signals import Signal, typed_signal
from l1forge.errors import UserError

NON_FINITE_POLICIES = ("error", "zero")


class InputStep:
    """`input_t in = input_t(double)` for every feature of every event."""

    kind = "Input"

    def __init__(self, name: str, shape, ftype: FixedType):
        self.name = name
        self.inputs = ()
        self.ftype = ftype
        self.output: Signal = typed_signal(name, shape, ftype, ftype.code_min, ftype.code_max)

    def quantize(self, events: np.ndarray, tally=None) -> np.ndarray:
        codes = quantize_real(events, self.ftype, tally, f"{self.name} input")
        return codes.astype(self.output.dtype, copy=False)

    def describe(self) -> str:
        return f"{self.name} (Input) -> {self.ftype} [{self.output.dtype}]"


def check_events(x, width: int, label: str, non_finite: str = "error", row_offset: int = 0) -> np.ndarray:
    """Events as a float64 (n, width) array; refuse a wrong shape, and NaN/inf unless the
    policy says what to do with them ("zero": replace them by 0)."""
    if non_finite not in NON_FINITE_POLICIES:
        raise UserError(f"non-finite policy '{non_finite}': expected one of {', '.join(NON_FINITE_POLICIES)}")
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise UserError(f"{label}: events of dtype {array.dtype}; expected numbers")
    if array.ndim == 1 and width == 1:
        array = array[:, None]
    if array.ndim < 2 or int(np.prod(array.shape[1:])) != width:
        raise UserError(f"{label}: events of shape {array.shape}; expected (events, {width})")
    array = np.asarray(array.reshape(array.shape[0], width), dtype=np.float64)
    if array.size == 0 or (np.isfinite(array.min()) and np.isfinite(array.max())):  # NaN propagates
        return array
    finite = np.isfinite(array)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        if non_finite == "error":
            raise UserError(
                f"{label}: event {row + row_offset} holds NaN or infinity; expected finite values "
                "(or choose a non-finite policy)"
            )
        array = np.where(finite, array, 0.0)
    return array
