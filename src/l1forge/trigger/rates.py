"""Thresholds for an L1 rate or a background efficiency, and what they achieve.

The background sample stands for the 40 MHz stream of bunch crossings: a threshold
accepting a fraction `a` of background events fires at rate 40 MHz x a. An acceptance `a`
allows k = floor(a N) of the N background events; the threshold is the (k+1)-th highest
background score and an event fires when its score is strictly above it (ties with the
threshold never fire, so the achieved acceptance is never above the target). k = 0 means
the sample cannot measure the target: the smallest measurable rate is 40 MHz / N.

What a threshold achieved is a measured background efficiency like any other: the accepted
events, the achieved rate, and the rate's 68.3% Clopper-Pearson interval (the interval on
the acceptance times 40 MHz), which says how well N background events pin the rate down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from l1forge.card.checks import BUNCH_CROSSING_HZ
from l1forge.errors import UserError
from l1forge.trigger.efficiency import Efficiency, count_above


@dataclass(frozen=True)
class Threshold:
    rate_hz: float           # requested
    value: float             # fire when score > value
    accepted: int            # background events above it
    background_events: int

    @property
    def background_acceptance(self) -> Efficiency:
        return Efficiency(self.accepted, self.background_events)

    @property
    def achieved_rate_hz(self) -> float:
        return BUNCH_CROSSING_HZ * self.accepted / self.background_events

    @property
    def rate_interval_hz(self) -> list[float]:
        return [BUNCH_CROSSING_HZ * end for end in self.background_acceptance.interval]

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "accepted": self.accepted,
                "background_events": self.background_events,
                "achieved_rate_hz": self.achieved_rate_hz, "rate_interval_hz": self.rate_interval_hz,
                "background_acceptance": self.background_acceptance.as_dict()}


def check_rate(rate_hz: float, where: str = "--rate-hz") -> float:
    if not np.isfinite(rate_hz) or not 0 < rate_hz < BUNCH_CROSSING_HZ:
        raise UserError(f"{where}: expected an L1 rate above 0 and below 40 MHz (the bunch-crossing "
                        f"rate), got {rate_hz:g} Hz")
    return float(rate_hz)


def smallest_measurable_rate_hz(background_events: int) -> float:
    return BUNCH_CROSSING_HZ / max(background_events, 1)


def allowed_events(acceptance: float, background_events: int) -> int:
    """k = floor(a N); the 1e-9 keeps a = 0.01 of N = 1000 at 10 despite binary rounding."""
    return int(np.floor(acceptance * background_events + 1e-9))


def threshold_at(sorted_descending: np.ndarray, allowed: int) -> float:
    """The (allowed+1)-th highest score: at most `allowed` events lie strictly above it."""
    return float(sorted_descending[allowed])


def threshold_for_rate(background_scores: np.ndarray, rate_hz: float) -> Threshold:
    """The score threshold giving at most `rate_hz` on the background (see module doc)."""
    check_rate(rate_hz)
    scores = np.sort(np.asarray(background_scores, dtype=np.float64))[::-1]
    n = len(scores)
    allowed = allowed_events(rate_hz / BUNCH_CROSSING_HZ, n)
    if allowed < 1:
        raise UserError(f"a rate of {rate_hz:g} Hz needs at least {int(np.ceil(BUNCH_CROSSING_HZ / rate_hz))} "
                        f"background events, the sample has {n}: the smallest measurable rate is "
                        f"{smallest_measurable_rate_hz(n):.4g} Hz")
    value = threshold_at(scores, allowed)
    return Threshold(rate_hz, value, int(np.sum(scores > value)), n)


def is_measurable(rate_hz: float, background_events: int) -> bool:
    return rate_hz * background_events >= BUNCH_CROSSING_HZ - 1e-6


def efficiency(signal_scores: np.ndarray, threshold: Threshold) -> Efficiency:
    return count_above(np.asarray(signal_scores, dtype=np.float64), threshold.value)


def efficiency_at_rate(background: np.ndarray, signal: np.ndarray, rate_hz: float) -> Efficiency | None:
    """Signal efficiency at `rate_hz`, or None when the background cannot measure that rate."""
    if not is_measurable(rate_hz, len(background)):
        return None
    return efficiency(signal, threshold_for_rate(background, rate_hz))
