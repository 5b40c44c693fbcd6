"""Anomaly-detection trigger figures: per signal, efficiencies at L1 rates and AUCs.

Firmware and float scores are thresholded separately, each at the requested rate: the
question is what each would trigger on, not whether their values agree (the C-simulation
proves the firmware; these figures show what its fixed-point score costs in physics).
Every efficiency is an `Efficiency` (counts and Clopper-Pearson interval), every AUC
carries its DeLong error, and the firmware-minus-float AUC is measured paired on the same
events. `scores_by_label` maps a process index (0 = background) to (float, firmware) scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from l1forge import metrics
from l1forge.card.checks import BUNCH_CROSSING_HZ
from l1forge.trigger import delong as auc_stats
from l1forge.trigger import bootstrap as boot
from l1forge.trigger.rates import (allowed_events, efficiency, efficiency_at_rate, smallest_measurable_rate_hz,
                                   threshold_for_rate)

REFERENCE_FPR = 1e-5  # the paper's working point (400 Hz at 40 MHz)
KINDS = ("float", "firmware")


def auc(background_scores: np.ndarray, signal_scores: np.ndarray) -> float:
    return metrics.auc(np.asarray(background_scores, dtype=np.float64),
                       np.asarray(signal_scores, dtype=np.float64))


def auc_figures(bkg_float, sig_float, bkg_fw, sig_fw) -> dict[str, Any]:
    """DeLong AUCs of both scores and their paired difference (firmware minus float)."""
    return {"float": auc_stats.delong(bkg_float, sig_float).as_dict(),
            "firmware": auc_stats.delong(bkg_fw, sig_fw).as_dict(),
            "firmware_minus_float": auc_stats.paired_difference(bkg_float, sig_float, bkg_fw, sig_fw).as_dict()}


def reference_point(background: np.ndarray, signal: np.ndarray) -> dict[str, Any]:
    """Efficiency at FPR 1e-5 when measurable; otherwise at the smallest measurable FPR."""
    n = len(background)
    fpr = REFERENCE_FPR if n * REFERENCE_FPR >= 1 else 1.0 / n
    eff = efficiency(signal, threshold_for_rate(background, fpr * BUNCH_CROSSING_HZ))
    note = "" if fpr == REFERENCE_FPR else (
        f"FPR 1e-5 needs 100000 background events, the sample has {n}; "
        f"efficiency given at the smallest measurable FPR {fpr:.3g}")
    return {"fpr": fpr, "efficiency": eff.as_dict(), "note": note}


def rate_key(rate_hz: float) -> str:
    return f"{rate_hz:g}"


def _at_rates(background, signal, rates_hz) -> dict[str, dict | None]:
    out = {}
    for rate in rates_hz:
        eff = efficiency_at_rate(background, signal, rate)
        out[rate_key(rate)] = None if eff is None else eff.as_dict()
    return out


def per_signal_metrics(processes: list[str], scores_by_label: dict, rates_hz) -> dict[str, dict]:
    """{signal: {auc_float, auc_firmware, auc, eff_at_rate: {rate: efficiency}, ...}} for the
    manifest; an unmeasurable rate's efficiency is None. Signals without events, or no
    background at all, are left out."""
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
            "auc": auc_figures(bkg_float, sig_float, bkg_fw, sig_fw),
            "eff_at_rate": _at_rates(bkg_fw, sig_fw, rates_hz),
            "eff_at_rate_float": _at_rates(bkg_float, sig_float, rates_hz),
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
                     "auc": auc_figures(bkg_float, sig_float, bkg_fw, sig_fw),
                     "eff_float": efficiency(sig_float, thresholds["float"]).as_dict(),
                     "eff_firmware": efficiency(sig_fw, thresholds["firmware"]).as_dict(),
                     "reference_firmware": reference_point(bkg_fw, sig_fw)})
    return {
        "rate_hz": rate_hz,
        "background_events": int(len(bkg_fw)),
        "smallest_measurable_rate_hz": smallest_measurable_rate_hz(len(bkg_fw)),
        "thresholds": {kind: t.as_dict() for kind, t in thresholds.items()},
        "signals": rows,
    }


def add_bootstrap(tables: list[dict[str, Any]], processes: list[str], scores_by_label: dict,
                  bootstrap: boot.Bootstrap) -> list[dict[str, Any]]:
    """`tables` (one per rate, from `rate_table`) with the threshold's bootstrap spread:
    `threshold_interval` per kind and `efficiency_bootstrap_interval` per signal and kind."""
    n = len(scores_by_label[0][0])
    allowed = [allowed_events(t["rate_hz"] / BUNCH_CROSSING_HZ, n) for t in tables]
    out = [_copy_for_bootstrap(t, bootstrap) for t in tables]
    # KINDS is the order of the (float, firmware) pairs in scores_by_label; both kinds draw
    # the same replicas (one seed), so their spreads are paired like their thresholds.
    for index, kind in enumerate(KINDS):
        replicas = boot.threshold_replicas(scores_by_label[0][index], allowed, bootstrap)
        for column, table in enumerate(out):
            table["thresholds"][kind]["threshold_interval"] = boot.central_interval(replicas[:, column])
            for row in table["signals"]:
                label = processes.index(row["signal"])
                fractions = boot.fractions_above(scores_by_label[label][index], replicas[:, column])
                row["efficiency_bootstrap_interval"][kind] = boot.central_interval(fractions)
    return out


def _copy_for_bootstrap(table: dict[str, Any], bootstrap: boot.Bootstrap) -> dict[str, Any]:
    """A copy deep enough that filling in the spreads leaves the caller's table as it was."""
    return dict(table, bootstrap=bootstrap.as_dict(),
                thresholds={kind: dict(t) for kind, t in table["thresholds"].items()},
                signals=[dict(row, efficiency_bootstrap_interval={}) for row in table["signals"]])
