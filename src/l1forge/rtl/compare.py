"""The RTL's outputs against the emulator's, bit for bit.

Both sides are exact fixed-point values: the RTL's output codes times 2^-frac of their port,
the emulator's values of the same layer. Equal reals on a binary grid are equal bits, so a
value counts as a mismatch whenever the two differ at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.rtl.interface import Interface
from l1forge.rtl.packing import values_of


@dataclass(frozen=True)
class Verdict:
    mismatches: int          # output values that differ
    mismatched_events: int   # events with at least one
    first_event: int         # -1 when none


def compare(rtl_codes: np.ndarray, expected: np.ndarray, interface: Interface) -> Verdict:
    rtl = values_of(rtl_codes, list(interface.outputs))
    if rtl.shape != expected.shape:
        raise ValueError(f"RTL gives {rtl.shape} values, the emulator {expected.shape}")
    differ = rtl != expected
    events = np.flatnonzero(differ.any(axis=1))
    return Verdict(int(differ.sum()), len(events), int(events[0]) if len(events) else -1)
