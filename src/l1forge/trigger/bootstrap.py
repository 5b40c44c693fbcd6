"""The spread a threshold itself brings: re-derived on bootstrap replicas of the background.

A threshold for 1 kHz set on 90,000 background events rests on the 3rd highest of them; a
different background sample of the same size would put it elsewhere, and every signal
efficiency moves with it. The Clopper-Pearson interval of an efficiency covers the signal
sample's own binomial spread at a fixed threshold; this covers the threshold's. Each
replica draws N background events with replacement from the N there are, sets the
threshold by the same rule (the (k+1)-th highest, k = floor(a N)), and the signal
efficiencies are counted at it on the fixed signal sample. The central 68.3% of the
replicas' values is reported. Float and firmware scores use the same replicas (the same
events drawn), so their spreads are paired as their thresholds are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.errors import UserError
from l1forge.trigger.efficiency import CL

MIN_REPLICAS = 10
# At 10,000 replicas each end of a 68.3% percentile interval is already placed to about
# +-0.4 percentile points (sqrt(0.16 x 0.84 / 10,000)); more replicas only cost time,
# which grows as replicas x background events.
MAX_REPLICAS = 10_000
CHUNK_DRAWS = 4_000_000  # indices drawn at once: bounds memory to ~32 MB whatever N is


@dataclass(frozen=True)
class Bootstrap:
    replicas: int
    seed: int = 0

    def as_dict(self) -> dict:
        return {"replicas": self.replicas, "seed": self.seed, "cl": CL, "method": "percentile"}


def check_replicas(replicas: int, where: str = "--bootstrap") -> int:
    if not MIN_REPLICAS <= replicas <= MAX_REPLICAS:
        raise UserError(
            f"{where}: expected {MIN_REPLICAS} to {MAX_REPLICAS} bootstrap replicas, got {replicas}: fewer "
            f"cannot place the ends of a 68.3% interval (the 16th and 84th percentiles), and at "
            f"{MAX_REPLICAS} those ends are already fixed to +-0.4 percentile points while the time "
            "grows as replicas x background events")
    return int(replicas)


def threshold_replicas(background: np.ndarray, allowed: list[int], bootstrap: Bootstrap) -> np.ndarray:
    """(replicas, len(allowed)) thresholds: per replica, the (k+1)-th highest drawn score."""
    ordered = np.sort(np.asarray(background, dtype=np.float64))[::-1]
    n = len(ordered)
    rng = np.random.default_rng(bootstrap.seed)
    per_chunk = max(1, CHUNK_DRAWS // max(n, 1))
    out = np.empty((bootstrap.replicas, len(allowed)))
    for start in range(0, bootstrap.replicas, per_chunk):
        rows = min(per_chunk, bootstrap.replicas - start)
        # Positions in the descending order: the (k+1)-th smallest drawn position is the
        # replica's (k+1)-th highest score, ties included, without sorting any scores.
        drawn = np.partition(rng.integers(0, n, size=(rows, n)), allowed, axis=1)
        out[start:start + rows] = ordered[drawn[:, allowed]]
    return out


def fractions_above(signal: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Fraction of `signal` strictly above each threshold."""
    ascending = np.sort(np.asarray(signal, dtype=np.float64))
    return (len(ascending) - np.searchsorted(ascending, thresholds, side="right")) / max(len(ascending), 1)


def central_interval(values: np.ndarray, cl: float = CL) -> list[float]:
    tail = (1.0 - cl) / 2.0
    lo, hi = np.quantile(np.asarray(values, dtype=np.float64), [tail, 1.0 - tail])
    return [float(lo), float(hi)]
