"""Jet-ID working points: a tagger's signal efficiency at a fixed background efficiency.

At Level 1 a tagger's working point plays the part of a rate: the cut on its output is set
so that a fixed fraction of background jets pass (10% and 1% by default). Each "study" is
one signal class against a background: every class against the rest, and the usual
top-vs-QCD and W-vs-QCD, where QCD is the gluon and light-quark jets (g + q) and the other
classes are left out. The discriminant is the signal class's softmax output, as the
firmware would cut on it. For each of the float, QAT and firmware outputs of the same jets:
the ROC's AUC with its DeLong error, and per working point the threshold (set by the rule of
`rates`: at most floor(e N) background jets strictly above it), the background efficiency it
achieved and the signal efficiency, both as counts with Clopper-Pearson intervals. The AUC
differences between the models are paired on the same jets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from l1forge.errors import UserError
from l1forge.trigger import delong as auc_stats
from l1forge.trigger import bootstrap as boot
from l1forge.trigger.efficiency import count_above
from l1forge.trigger.rates import allowed_events, threshold_at

DEFAULT_BACKGROUND_EFFICIENCIES = (0.1, 0.01)
MODELS = ("float", "qat", "firmware")
QCD = ("g", "q")
VERSUS_QCD = ("t", "w")  # top-vs-QCD and W-vs-QCD
DIFFERENCES = (("firmware", "float"), ("firmware", "qat"), ("qat", "float"))


@dataclass(frozen=True)
class Study:
    name: str                    # "t_vs_rest", "t_vs_qcd"
    signal: int                  # class index
    background: tuple[int, ...]  # class indices


def check_background_efficiency(value: float, where: str = "--background-efficiency") -> float:
    if not np.isfinite(value) or not 0.0 < value < 1.0:
        raise UserError(f"{where}: expected a background efficiency strictly between 0 and 1 "
                        f"(0.01 is 1%), got {value:g}")
    return float(value)


def class_index(class_names: list[str], name: str, where: str = "--class") -> int:
    lowered = [c.lower() for c in class_names]
    if name.lower() not in lowered:
        raise UserError(f"{where}: the project has no class '{name}'; its classes are "
                        + ", ".join(class_names))
    return lowered.index(name.lower())


def studies(class_names: list[str], classes: list[str] | None = None) -> list[Study]:
    """Every class against the rest, then top and W against QCD when the project has those
    classes; `classes` keeps only the studies whose signal is one of them."""
    everyone = tuple(range(len(class_names)))
    out = [Study(f"{name}_vs_rest", k, tuple(j for j in everyone if j != k))
           for k, name in enumerate(class_names)]
    lowered = [c.lower() for c in class_names]
    if all(q in lowered for q in QCD):
        qcd = tuple(lowered.index(q) for q in QCD)
        out += [Study(f"{class_names[lowered.index(s)]}_vs_qcd", lowered.index(s), qcd)
                for s in VERSUS_QCD if s in lowered]
    if classes is not None:
        keep = {class_index(class_names, name) for name in classes}
        out = [s for s in out if s.signal in keep]
    return out


def split_scores(outputs: np.ndarray, labels: np.ndarray, study: Study) -> tuple[np.ndarray, np.ndarray]:
    """(background scores, signal scores) of the study's discriminant."""
    score = np.asarray(outputs, dtype=np.float64)[:, study.signal]
    return score[np.isin(labels, study.background)], score[labels == study.signal]


def working_point(background: np.ndarray, signal: np.ndarray, efficiency: float) -> dict[str, Any]:
    n = len(background)
    allowed = allowed_events(efficiency, n)
    if allowed < 1:
        return {"background_efficiency_target": efficiency, "measurable": False,
                "note": f"needs at least {int(np.ceil(1 / efficiency))} background jets, the study has {n}"}
    value = threshold_at(np.sort(background)[::-1], allowed)
    return {"background_efficiency_target": efficiency, "measurable": True, "threshold": value,
            "background_efficiency": count_above(background, value).as_dict(),
            "signal_efficiency": count_above(signal, value).as_dict()}


def _bootstrap_points(points, background, signal, bootstrap: boot.Bootstrap) -> None:
    """Add `threshold_interval` and `efficiency_bootstrap_interval` to the measurable points."""
    measurable = [p for p in points if p["measurable"]]
    if not measurable:
        return
    allowed = [allowed_events(p["background_efficiency_target"], len(background)) for p in measurable]
    replicas = boot.threshold_replicas(background, allowed, bootstrap)
    for column, point in enumerate(measurable):
        point["threshold_interval"] = boot.central_interval(replicas[:, column])
        point["efficiency_bootstrap_interval"] = boot.central_interval(
            boot.fractions_above(signal, replicas[:, column]))


def study_figures(study: Study, class_names: list[str], outputs: dict[str, np.ndarray], labels: np.ndarray,
                  efficiencies, bootstrap: boot.Bootstrap | None = None) -> dict[str, Any]:
    """AUCs, working points and paired AUC differences of one study for every model."""
    scores = {model: split_scores(outputs[model], labels, study) for model in MODELS}
    models = {}
    for model, (background, signal) in scores.items():
        points = [working_point(background, signal, e) for e in efficiencies]
        if bootstrap is not None:
            _bootstrap_points(points, background, signal, bootstrap)
        models[model] = {"auc": auc_stats.delong(background, signal).as_dict(), "working_points": points}
    differences = {f"{b}_minus_{a}": auc_stats.paired_difference(*scores[a], *scores[b]).as_dict()
                   for b, a in DIFFERENCES}
    background, signal = scores["firmware"]
    return {"name": study.name, "signal": class_names[study.signal],
            "background": [class_names[k] for k in study.background],
            "signal_events": int(len(signal)), "background_events": int(len(background)),
            "models": models, "auc_differences": differences}


def jet_figures(class_names: list[str], outputs: dict[str, np.ndarray], labels: np.ndarray,
                efficiencies=DEFAULT_BACKGROUND_EFFICIENCIES, classes: list[str] | None = None,
                bootstrap: boot.Bootstrap | None = None) -> dict[str, Any]:
    efficiencies = [check_background_efficiency(e) for e in efficiencies]
    chosen = studies(class_names, classes)
    return {"events": int(len(labels)), "background_efficiencies": efficiencies,
            "discriminant": "the signal class's softmax output",
            "bootstrap": None if bootstrap is None else bootstrap.as_dict(),
            "studies": [study_figures(s, class_names, outputs, labels, efficiencies, bootstrap)
                        for s in chosen]}
