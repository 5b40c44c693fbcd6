"""Classification metrics in numpy (no scikit-learn dependency): ROC, AUC, accuracy."""

from __future__ import annotations

import numpy as np


def roc_curve(scores_negative: np.ndarray, scores_positive: np.ndarray):
    """False- and true-positive rates for every threshold, from strictest to loosest.

    Ties are grouped so the curve steps once per distinct score (no order artefacts).
    """
    scores = np.concatenate([scores_negative, scores_positive]).astype(np.float64)
    is_pos = np.concatenate([np.zeros(len(scores_negative)), np.ones(len(scores_positive))])
    order = np.argsort(-scores, kind="mergesort")
    scores, is_pos = scores[order], is_pos[order]
    last_of_group = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    tp = np.cumsum(is_pos)[last_of_group]
    fp = np.cumsum(1 - is_pos)[last_of_group]
    fpr = np.r_[0.0, fp / max(len(scores_negative), 1)]
    tpr = np.r_[0.0, tp / max(len(scores_positive), 1)]
    return fpr, tpr, scores[last_of_group]


def auc(scores_negative: np.ndarray, scores_positive: np.ndarray) -> float:
    """Area under the ROC curve (trapezoids, so ties count one half)."""
    fpr, tpr, _ = roc_curve(scores_negative, scores_positive)
    return float(np.trapz(tpr, fpr))


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def per_class_auc(probabilities: np.ndarray, labels: np.ndarray, class_names) -> dict[str, float]:
    """One-vs-rest AUC of each class's output."""
    result = {}
    for k, name in enumerate(class_names):
        score = probabilities[:, k]
        result[name] = auc(score[labels != k], score[labels == k])
    return result
