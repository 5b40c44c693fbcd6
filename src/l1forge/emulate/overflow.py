"""The ap_fixed overflow modes on arrays of codes, and the tally behind `--overflow-report`.

A code outside [code_min, code_max] of the target type is handled as the type says:
AP_WRAP keeps the low `width` bits (two's complement), AP_SAT clamps to the nearest end,
AP_SAT_ZERO replaces it by zero, AP_SAT_SYM clamps to +-code_max (symmetric range, so
the most negative code is never produced by a signed type).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from l1forge.emulate.fastops import clamp
from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError


@dataclass
class OverflowTally:
    """Counts, per cast site ("layer: what"), the values that fell outside their type."""

    counts: dict[str, list] = field(default_factory=dict)  # site -> [overflowed, seen, mode]

    def add(self, site: str, overflowed: int, seen: int, mode: str) -> None:
        entry = self.counts.setdefault(site, [0, 0, mode])
        entry[0] += int(overflowed)
        entry[1] += int(seen)

    def rows(self) -> list[dict]:
        return [
            {"site": site, "mode": mode, "overflowed": n, "values": seen, "fraction": (n / seen if seen else 0.0)}
            for site, (n, seen, mode) in self.counts.items()
        ]


def symmetric_min(ftype: FixedType) -> int:
    """Lowest code the overflow mode can produce (AP_SAT_SYM stops at -code_max)."""
    if ftype.overflow == "SAT_SYM" and ftype.signed:
        return -ftype.code_max
    return ftype.code_min


def apply_overflow(codes: np.ndarray, ftype: FixedType, tally: OverflowTally | None = None, site: str = "") -> np.ndarray:
    """Bring integer-valued `codes` (float, int64 or Python integers) into `ftype`'s range, in place if possible."""
    lo, hi = symmetric_min(ftype), ftype.code_max
    if codes.dtype.kind == "i" and ftype.width >= 64:
        if lo < 0 or not (codes < 0).any():  # every int64 is inside a signed type this wide
            if tally is not None:
                tally.add(site, 0, codes.size, ftype.overflow)
            return codes
        raise UserError(f"type {ftype}: negative values into an unsigned type of 64 bits or more are not emulated")
    if tally is not None:
        outside = np.count_nonzero((codes < lo) | (codes > hi))
        tally.add(site, outside, codes.size, ftype.overflow)
    if ftype.overflow in ("SAT", "SAT_SYM"):
        return clamp(codes, lo, hi)
    if ftype.overflow == "SAT_ZERO":
        codes[(codes < lo) | (codes > hi)] = 0
        return codes
    return wrap(codes, ftype)


def wrap(codes: np.ndarray, ftype: FixedType) -> np.ndarray:
    """Keep the low `width` bits of each code, read as ftype's signed or unsigned integer."""
    lo = ftype.code_min
    if codes.dtype.kind == "O":  # Python integers: any width
        return ((codes - lo) & ((1 << ftype.width) - 1)) + lo
    if codes.dtype.kind == "i":
        mask = np.int64((1 << ftype.width) - 1) if ftype.width < 64 else np.int64(-1)
        codes -= lo
        codes &= mask
        codes += lo
        return codes
    # Float path: nothing to do in the common case where every code is already in range.
    if codes.size == 0 or (codes.min() >= lo and codes.max() <= ftype.code_max):
        return codes
    period = float(1 << ftype.width)
    turns = (codes - lo) * (1.0 / period)
    np.floor(turns, out=turns)
    turns *= period
    codes -= turns
    return codes
