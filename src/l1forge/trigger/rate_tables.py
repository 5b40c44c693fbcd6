"""Trigger figures of an anomaly score: thresholds for an L1 rate, efficiencies, ROC and AUC.

The background sample stands for the 40 MHz stream of bunch crossings: a threshold
accepting a fraction `a` of background events fires at rate 40 MHz x a. A rate R asks for
a = R / 40 MHz; with N background events the threshold is the (k+1)-th highest background
score, k = floor(a N), and an event fires when its score is strictly above it (ties with the
threshold never fire, so the achieved rate, reported beside the target, is never above it).
k = 0 means the sample cannot measure the rate: the smallest measurable rate is 40 MHz / N.

Firmware and float scores are thresholded separately, each at the requested rate: the
question is what each would trigger on, not whether their values agree (the C-simulation
proves the firmware; these figures show what its fixed-point score costs in physics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from l1forge import metrics
from l1forge.card.checks import BUNCH_CROSSING_HZ
from l1forge.errors import UserError

REFERENCE_FPR = 1e-5  # the paper's working point (400 Hz at 40 MHz)


@dataclass(frozen=True)
class Threshold:
    rate_hz: float           # requested
    value: float             # fire when score > value
    accepted: int            # background events above it
    background_events: int

    @property
    def achieved_rate_hz(self) -> float:
        return BUNCH_CROSSING_HZ * self.accepted / self.background_events


def check_rate(rate_hz: float, where: str = "--rate-hz") -> float:
    if not np.isfinite(rate_hz) or not 0 < rate_hz < BUNCH_CROSSING_HZ:
        raise UserError(f"{where}: expected an L1 rate above 0 and below 40 MHz (the bunch-crossing "
                        f"rate), got {rate_hz:g} Hz")
    return float(rate_hz)


def smallest_measurable_rate_hz(background_events: int) -> float:
    return BUNCH_CROSSING_HZ / max(background_events, 1)


def threshold_for_rate(background_scores: np.ndarray, rate_hz: float) -> Threshold:
    """The score threshold giving at most `rate_hz` on the background (see module doc)."""
    check_rate(rate_hz)
    scores = np.sort(np.asarray(background_scores, dtype=np.float64))[::-1]
    n = len(scores)
    allowed = int(np.floor(rate_hz / BUNCH_CROSSING_HZ * n + 1e-9))
    if allowed < 1:
        raise UserError(f"a rate of {rate_hz:g} Hz needs at least {int(np.ceil(BUNCH_CROSSING_HZ / rate_hz))} "
                        f"background events, the sample has {n}: the smallest measurable rate is "
                        f"{smallest_measurable_rate_hz(n):.4g} Hz")
    value = float(scores[allowed])
    return Threshold(rate_hz, value, int(np.sum(scores > value)), n)


def efficiency(signal_scores: np.ndarray, threshold: Threshold) -> float:
    return float(np.mean(np.asarray(signal_scores, dtype=np.float64) > threshold.value))


def auc(background_scores: np.ndarray, signal_scores: np.ndarray) -> float:
    return metrics.auc(np.asarray(background_scores, dtype=np.float64),
                       np.asarray(signal_scores, dtype=np.float64))


def efficiency_at_rate(background: np.ndarray, signal: np.ndarray, rate_hz: float) -> float | None:
    """Signal efficiency at `rate_hz`, or None when the background cannot measure that rate."""
    if rate_hz * len(background) < BUNCH_CROSSING_HZ - 1e-6:
        return None
    return efficiency(signal, threshold_for_rate(background, rate_hz))


def reference_point(background: np.ndarray, signal: np.ndarray) -> dict[str, Any]:
    """Efficiency at FPR 1e-5 when measurable; otherwise at the smallest measurable FPR."""
    n = len(background)
    fpr = REFERENCE_FPR if n * REFERENCE_FPR >= 1 else 1.0 / n
    eff = efficiency(signal, threshold_for_rate(background, fpr * BUNCH_CROSSING_HZ))
    note = "" if fpr == REFERENCE_FPR else (
        f"FPR 1e-5 needs 100000 background events, the sample has {n}; "
        f"efficiency given at the smallest measurable FPR {fpr:.3g}")
    return {"fpr": fpr, "efficiency": eff, "note": note}


def rate_key(rate_hz: float) -> str:
    return f"{rate_hz:g}"


def per_signal_metrics(processes: list[str], scores_by_label: dict, rates_hz) -> dict[str, dict]:
    """{signal: {auc_float, auc_firmware, eff_at_rate: {rate: eff}, eff_at_rate_float, ...}}.

    `scores_by_label` maps a process index (0 = background) to (float scores, firmware
    scores); signals without events there, or no background at all, are left out.
    """
    if 0 not in scores_by_label or len(scores_by_label[0][0]) == 0:
        return {}
    bkg_float, bkg_fw = scores_by_label[0]
    out = {}
    for label, name in enumerate(processes[1:], start=1):
        if label not in scores_by_label or len(scores_by_label[label][0]) == 0:
            continue
        sig_float, sig_fw = scores_by_label[label]
        out[name] = {
            "auc_float": auc(bkg_float, sig_float),
            "auc_firmware": auc(bkg_fw, sig_fw),
            "eff_at_rate": {rate_key(r): efficiency_at_rate(bkg_fw, sig_fw, r) for r in rates_hz},
            "eff_at_rate_float": {rate_key(r): efficiency_at_rate(bkg_float, sig_float, r)
                                  for r in rates_hz},
            "reference_firmware": reference_point(bkg_fw, sig_fw),
            "signal_events": int(len(sig_fw)),
        }
    return out


def rate_table(processes: list[str], scores_by_label: dict, rate_hz: float) -> dict[str, Any]:
    """Everything `l1forge trigger` prints for one rate (raises on an unmeasurable rate)."""
    bkg_float, bkg_fw = scores_by_label[0]
    thresholds = {"float": threshold_for_rate(bkg_float, rate_hz),
                  "firmware": threshold_for_rate(bkg_fw, rate_hz)}
    rows = []
    for label, name in enumerate(processes[1:], start=1):
        if label not in scores_by_label:
            continue
        sig_float, sig_fw = scores_by_label[label]
        rows.append({"signal": name, "events": int(len(sig_fw)),
                     "auc_float": auc(bkg_float, sig_float), "auc_firmware": auc(bkg_fw, sig_fw),
                     "eff_float": efficiency(sig_float, thresholds["float"]),
                     "eff_firmware": efficiency(sig_fw, thresholds["firmware"]),
                     "reference_firmware": reference_point(bkg_fw, sig_fw)})
    return {
        "rate_hz": rate_hz,
        "background_events": int(len(bkg_fw)),
        "smallest_measurable_rate_hz": smallest_measurable_rate_hz(len(bkg_fw)),
        "thresholds": {kind: {"value": t.value, "accepted": t.accepted,
                              "achieved_rate_hz": t.achieved_rate_hz} for kind, t in thresholds.items()},
        "signals": rows,
    }
