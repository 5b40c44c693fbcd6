"""Efficiencies as counts with their exact binomial (Clopper-Pearson) interval.

An efficiency measured as k passing events out of n is a binomial proportion. Its central
interval at confidence `cl` is [lo, hi] with P(X >= k | lo) = P(X <= k | hi) = (1 - cl) / 2,
whose closed form is a pair of beta quantiles; at k = 0 (k = n) the lower (upper) end is 0
(1) and the other end still uses (1 - cl) / 2, as ROOT's TEfficiency does by default. This
is the interval a trigger group quotes: it never undercovers, which matters most exactly
where L1 studies live, at a few background events above threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

CL = 0.683
METHOD = "clopper-pearson"


def clopper_pearson(passed, total, cl: float = CL) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) ends of the central interval; vectorized over `passed` and `total`."""
    from scipy.stats import beta

    k = np.asarray(passed, dtype=np.float64)
    n = np.asarray(total, dtype=np.float64)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError(f"passed must lie in [0, total], got {passed} of {total}")
    tail = (1.0 - cl) / 2.0
    # beta.ppf is undefined at a shape parameter of 0; those ends are 0 and 1 exactly.
    lower = np.where(k > 0, beta.ppf(tail, np.maximum(k, 1), n - k + 1), 0.0)
    upper = np.where(k < n, beta.ppf(1.0 - tail, k + 1, np.maximum(n - k, 1)), 1.0)
    return lower, upper


@dataclass(frozen=True)
class Efficiency:
    passed: int
    total: int
    cl: float = CL

    @property
    def value(self) -> float | None:
        return self.passed / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float]:
        if self.total == 0:
            return (0.0, 1.0)  # no events measure nothing
        lower, upper = clopper_pearson(self.passed, self.total, self.cl)
        return (float(lower), float(upper))

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "passed": int(self.passed), "total": int(self.total),
                "interval": list(self.interval), "cl": self.cl, "method": METHOD}


def count_above(scores: np.ndarray, threshold: float) -> Efficiency:
    """The fraction of `scores` strictly above `threshold` (ties never pass)."""
    scores = np.asarray(scores)
    return Efficiency(int(np.count_nonzero(scores > threshold)), int(len(scores)))


def format_efficiency(eff: dict[str, Any] | None, digits: int = 2) -> str:
    """'0.17% [0.12, 0.23]%' for a printed table; '-' when there is no efficiency."""
    if eff is None or eff["value"] is None:
        return "-"
    lo, hi = eff["interval"]
    return f"{100 * eff['value']:.{digits}f}% [{100 * lo:.{digits}f}, {100 * hi:.{digits}f}]%"
