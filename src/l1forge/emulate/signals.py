"""What the planner knows about every tensor flowing between layers, and the step interface.

The emulator keeps each tensor as a numpy array of shape (events, size), flattened in the
firmware's channels-last order. A `Signal` records its declared type, the static bounds of
its codes, and how its array stores them: values `code * 2**(scale - frac)` in `dtype`.
Most signals store plain codes (scale == frac). A Dense feeding a rounding activation may
instead store its result pre-scaled onto the activation's grid, saving a multiplication.

Integer-valued floats are exact below 2**24 (float32) and 2**53 (float64). The planner picks,
per layer, the narrowest dtype whose exact range holds every intermediate value with a bit
to spare (ties at rounding add half an LSB), and int64 when no float dtype does. Past
62 bits the input, Dense layers (not convolutions, not distributed arithmetic) and linear
and relu activations keep exact Python integers in numpy object arrays (`wide_dtype`,
`as_objects`, wide.py); every other step refuses such values (`TooWide`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import OverflowTally, symmetric_min
from l1forge.errors import UserError

F32_EXACT = 1 << 23
F64_EXACT = 1 << 52
I64_EXACT = 1 << 62
WIDE = np.dtype(object)  # exact Python integers: codes past 62 bits


class TooWide(UserError):
    """Values need more than 62 bits where the emulator has no exact Python-integer path."""


@dataclass(frozen=True)
class Signal:
    """A tensor between layers: name, per-event shape, type, code bounds and storage."""

    name: str
    shape: tuple[int, ...]
    ftype: FixedType
    lo: int
    hi: int
    dtype: np.dtype
    scale: int

    @property
    def size(self) -> int:
        return int(np.prod(self.shape)) if self.shape else 1

    @property
    def magnitude(self) -> int:
        return max(abs(self.lo), abs(self.hi))

    def real(self, array: np.ndarray) -> np.ndarray:
        """Real values (float64) of an array stored as this signal says."""
        return array.astype(np.float64) * 2.0**-self.scale + 0.0

    def codes(self, array: np.ndarray) -> np.ndarray:
        """Plain codes of this signal as int64."""
        if self.scale == self.ftype.frac:
            return array.astype(np.int64)
        return (array.astype(np.float64) * 2.0 ** (self.ftype.frac - self.scale)).astype(np.int64)


def exact_dtype(magnitude: int) -> np.dtype:
    """Narrowest dtype holding every integer up to `magnitude` exactly, with a bit to spare."""
    if magnitude < F32_EXACT:
        return np.dtype(np.float32)
    if magnitude < F64_EXACT:
        return np.dtype(np.float64)
    if magnitude < I64_EXACT:
        return np.dtype(np.int64)
    raise TooWide(f"values up to 2^{magnitude.bit_length()} need more than 62 bits; such wide types are "
                  "emulated only for Dense (not convolutions, not distributed arithmetic) and linear/relu")


def wide_dtype(magnitude: int) -> np.dtype:
    """exact_dtype, or object (exact Python integers) past 62 bits."""
    return exact_dtype(magnitude) if magnitude < I64_EXACT else WIDE


def as_objects(codes: np.ndarray) -> np.ndarray:
    """Integer codes (held exactly in a float or integer array) as Python integers."""
    if codes.dtype == WIDE:
        return codes
    if codes.dtype.kind == "f":
        codes = codes.astype(np.int64)
    return codes.astype(object)


def stored(codes: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """`codes` in `dtype` (floats and int64 become Python integers for an object dtype)."""
    if codes.dtype == dtype:
        return codes
    return as_objects(codes) if dtype == WIDE else codes.astype(dtype)


def type_magnitude(ftype: FixedType) -> int:
    return max(abs(ftype.code_min), ftype.code_max)


def cast_bounds(lo: int, hi: int, src_frac: int, dst: FixedType) -> tuple[int, int, bool]:
    """Bounds of codes after assigning [lo, hi] (on grid src_frac) to `dst`, and whether
    any value may overflow (so the overflow mode must run)."""
    shift = dst.frac - src_frac
    if shift >= 0:
        new_lo, new_hi = lo << shift, hi << shift
    else:
        # Any rounding mode lands between floor and floor + 1 of the exact quotient.
        new_lo, new_hi = lo >> -shift, (hi >> -shift) + 1
    overflow = new_lo < symmetric_min(dst) or new_hi > dst.code_max
    if overflow:
        if dst.overflow in ("SAT", "SAT_SYM"):
            new_lo = min(max(new_lo, symmetric_min(dst)), dst.code_max)
            new_hi = max(min(new_hi, dst.code_max), symmetric_min(dst))
        else:
            new_lo, new_hi = symmetric_min(dst), dst.code_max
            new_lo = min(new_lo, 0)
    return new_lo, new_hi, overflow


def typed_signal(name: str, shape, ftype: FixedType, lo: int, hi: int) -> Signal:
    """A signal holding plain codes in the narrowest exact dtype for its bounds."""
    magnitude = max(abs(lo), abs(hi), type_magnitude(ftype))
    return Signal(name, tuple(shape), ftype, lo, hi, exact_dtype(magnitude), ftype.frac)


class Step:
    """One firmware layer: reads the arrays of its input signals, returns its output array."""

    name: str
    kind: str
    inputs: tuple[str, ...]
    output: Signal

    def run(self, arrays: list[np.ndarray], tally: OverflowTally | None) -> np.ndarray:
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.name} ({self.kind}) -> {self.output.ftype} [{self.output.dtype}]"
