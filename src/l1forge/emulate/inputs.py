"""The firmware's input layer: events (doubles) converted to the input type, and the checks
that keep bad events out (wrong width, NaN or infinity)."""

from __future__ import annotations

import numpy as np

from l1forge.emulate.compiled import FUSED_ROUNDING, float_cast
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.fused_cast import plan_cast, usable
from l1forge.emulate.quantize import quantize_real
from l1forge.emulate.signals import WIDE, Signal
from l1forge.emulate.wide import quantize_wide, wide_signal
from l1forge.errors import UserError

NON_FINITE_POLICIES = ("error", "zero")


class InputStep:
    """`input_t in = input_t(double)` for every feature of every event."""

    kind = "Input"

    def __init__(self, name: str, shape, ftype: FixedType):
        self.name = name
        self.inputs = ()
        self.ftype = ftype
        # codes past 62 bits (ap_fixed<64,32>) as Python integers (wide.py)
        self.output: Signal = wide_signal(name, shape, ftype, ftype.code_min, ftype.code_max)
        # a saturating ap_fixed: scale, round and clamp in one compiled pass (anything beyond
        # the range saturates whatever rounding did to it), for events whose codes stay
        # below 2^52 (the pass's wrap step, a no-op for them, would move larger ones)
        self.fused = ftype.overflow in ("SAT", "SAT_SYM") and not ftype.is_int and ftype.rounding in FUSED_ROUNDING \
            and self.output.dtype != WIDE
        # that pass with its modes as constants, writing the stored dtype (fused_cast.py;
        # None: numba off, float_cast's loop runs, then a conversion)
        self.plan = plan_cast(False, 0, ftype.frac + 1, ftype, True) if self.fused else None

    def quantize(self, events: np.ndarray, tally=None, value_range=None) -> np.ndarray:
        if self.output.dtype == WIDE:
            return quantize_wide(events, self.ftype, tally, f"{self.name} input")
        if self.fused and tally is None and value_range is not None \
                and max(-value_range[0], value_range[1]) * 2.0**self.ftype.frac < 2.0**52:
            if self.plan is not None and usable(events) and events.dtype.char == "d":
                return self.plan(events, None, self.output.dtype)
            codes = float_cast(events, 2.0**self.ftype.frac, self.ftype.rounding, self.ftype)
            if codes is not None:
                return codes.astype(self.output.dtype, copy=False)
        codes = quantize_real(events, self.ftype, tally, f"{self.name} input", value_range)
        return codes.astype(self.output.dtype, copy=False)

    def describe(self) -> str:
        return f"{self.name} (Input) -> {self.ftype} [{self.output.dtype}]"


def check_shape(x, width: int, label: str) -> np.ndarray:
    """Events as a float64 (n, width) array (no copy when they already are); refuse a wrong
    shape or a non-numeric array."""
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise UserError(f"{label}: events of dtype {array.dtype}; expected numbers")
    if array.ndim == 1 and width == 1:
        array = array[:, None]
    if array.ndim < 2 or int(np.prod(array.shape[1:])) != width:
        raise UserError(f"{label}: events of shape {array.shape}; expected (events, {width})")
    return np.asarray(array.reshape(array.shape[0], width), dtype=np.float64)


def check_finite(array: np.ndarray, label: str, non_finite: str,
                 row_offset: int = 0) -> tuple[np.ndarray, tuple[float, float] | None]:
    """Refuse events holding NaN or infinity (their row is named), or replace those values
    by 0 when the policy is "zero". Cheap when all is finite: two reductions, whose result
    (the events' min and max) is returned for the quantization to reuse."""
    if array.size == 0:
        return array, None
    smallest, largest = float(array.min()), float(array.max())  # NaN propagates
    if np.isfinite(smallest) and np.isfinite(largest):
        return array, (smallest, largest)
    finite = np.isfinite(array)
    if non_finite == "error":
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise UserError(
            f"{label}: event {row + row_offset} holds NaN or infinity; expected finite values "
            "(or choose a non-finite policy)"
        )
    return np.where(finite, array, 0.0), None


def check_policy(non_finite: str) -> None:
    if non_finite not in NON_FINITE_POLICIES:
        raise UserError(f"non-finite policy '{non_finite}': expected one of {', '.join(NON_FINITE_POLICIES)}")
