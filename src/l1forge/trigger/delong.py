"""AUC with its DeLong uncertainty, and the paired difference of two scores' AUCs.

The AUC is the Mann-Whitney statistic: the chance that a signal event scores above a
background event, ties counting one half. DeLong, DeLong and Clarke-Pearson (Biometrics 44,
1988) write it as the mean of per-event "structural components": for each signal event the
fraction of background events below it (V10), for each background event the fraction of
signal events above it (V01). Its variance is var(V10)/m + var(V01)/n. Two scores of the
same events (float and firmware) have paired components, so the variance of their AUC
difference is var(A) + var(B) - 2 cov(A, B): on the same events most of the statistical
noise is shared, and the difference is measured far better than either AUC alone.
The components come from mid-ranks (Sun and Xu, IEEE SPL 21, 2014): O(N log N), so the
whole 90,000-event background costs a sort, not 90,000 x 20,000 comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from l1forge.trigger.efficiency import CL


def structural_components(background: np.ndarray, signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(V10 per signal event, V01 per background event)."""
    from scipy.stats import rankdata

    bkg = np.asarray(background, dtype=np.float64)
    sig = np.asarray(signal, dtype=np.float64)
    m, n = len(sig), len(bkg)
    if m == 0 or n == 0:
        raise ValueError("an AUC needs signal and background events")
    both = rankdata(np.concatenate([sig, bkg]))
    # A signal event's rank among all, less its rank among the signal events alone, counts
    # the background events below it (ties one half); likewise for background events.
    v10 = (both[:m] - rankdata(sig)) / n
    v01 = 1.0 - (both[m:] - rankdata(bkg)) / m
    return v10, v01


def _z(cl: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + cl / 2))


@dataclass(frozen=True)
class AucEstimate:
    value: float
    stderr: float
    cl: float = CL
    method: str = "delong"

    @property
    def interval(self) -> list[float]:
        half = _z(self.cl) * self.stderr
        return [max(self.value - half, 0.0), min(self.value + half, 1.0)]

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "stderr": self.stderr, "interval": self.interval,
                "cl": self.cl, "method": self.method}


@dataclass(frozen=True)
class AucDifference:
    """AUC(b) - AUC(a) on the same events."""
    value: float
    stderr: float
    cl: float = CL

    @property
    def z(self) -> float | None:
        """Standard errors from zero; None when a nonzero difference has no spread at all
        (every event moved the same way), which JSON could only write as Infinity."""
        if self.stderr == 0.0:
            return 0.0 if self.value == 0.0 else None
        return self.value / self.stderr

    @property
    def p_value(self) -> float:
        """Two-sided chance of a difference at least this large if the AUCs were equal."""
        from scipy.stats import norm

        return 0.0 if self.z is None else float(2 * norm.sf(abs(self.z)))

    def as_dict(self) -> dict[str, Any]:
        half = _z(self.cl) * self.stderr
        return {"value": self.value, "stderr": self.stderr,
                "interval": [self.value - half, self.value + half], "cl": self.cl,
                "method": "delong-paired", "z": self.z, "p_value": self.p_value}


def delong(background: np.ndarray, signal: np.ndarray) -> AucEstimate:
    v10, v01 = structural_components(background, signal)
    variance = _variance(v10) / len(v10) + _variance(v01) / len(v01)
    return AucEstimate(float(np.mean(v10)), float(np.sqrt(variance)))


def paired_difference(background_a, signal_a, background_b, signal_b) -> AucDifference:
    """AUC of score b minus AUC of score a, both given on the same events in the same order."""
    if len(background_a) != len(background_b) or len(signal_a) != len(signal_b):
        raise ValueError("a paired AUC difference needs both scores on the same events")
    a10, a01 = structural_components(background_a, signal_a)
    b10, b01 = structural_components(background_b, signal_b)
    variance = (_difference_variance(a10, b10) / len(a10)
                + _difference_variance(a01, b01) / len(a01))
    return AucDifference(float(np.mean(b10) - np.mean(a10)), float(np.sqrt(max(variance, 0.0))))


def _variance(x: np.ndarray) -> float:
    return float(np.var(x, ddof=1)) if len(x) > 1 else 0.0


def _difference_variance(a: np.ndarray, b: np.ndarray) -> float:
    # var(b - a) of the paired components: var(a) + var(b) - 2 cov(a, b) in one pass.
    return _variance(b - a)
