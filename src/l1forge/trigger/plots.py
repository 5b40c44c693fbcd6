"""PNG plots of an anomaly score: distributions per process, ROC curves, efficiency vs rate.

Firmware scores are drawn solid and float (QAT) scores dashed, one colour per process.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from l1forge import metrics
from l1forge.card.checks import BUNCH_CROSSING_HZ

COLOURS = ("black", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_all(folder: Path, scores, rates_hz) -> list[Path]:
    """Write the three plots of `scores` (a trigger_project.ProjectScores) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_label = scores.by_label()
    return [score_distributions(folder / "score_distributions.png", scores.processes, by_label),
            roc_curves(folder / "roc.png", scores.processes, by_label, rates_hz),
            efficiency_vs_rate(folder / "efficiency_vs_rate.png", scores.processes, by_label, rates_hz)]


def score_distributions(path: Path, processes, by_label) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    everything = np.concatenate([fw for _, fw in by_label.values()])
    top = np.quantile(everything, 0.999) if len(everything) else 1.0
    bins = np.linspace(0.0, max(top, 1e-9), 80)
    for label, (float_scores, fw_scores) in sorted(by_label.items()):
        colour = COLOURS[label % len(COLOURS)]
        ax.hist(np.clip(fw_scores, 0, bins[-1]), bins=bins, density=True, histtype="step",
                color=colour, label=f"{processes[label]} (firmware)")
        ax.hist(np.clip(float_scores, 0, bins[-1]), bins=bins, density=True, histtype="step",
                color=colour, linestyle="--")
    ax.set_yscale("log")
    return _finish(fig, ax, path, "anomaly score (last bin: overflow)", "events (normalized)",
                   "score per process: firmware solid, float dashed")


def _signal_rocs(by_label):
    """(label, is_firmware, fpr, tpr) for every signal: firmware curve first, then float."""
    bkg_float, bkg_fw = by_label[0]
    for label, (float_scores, fw_scores) in sorted(by_label.items()):
        if label == 0:
            continue
        for firmware, bkg, sig in ((True, bkg_fw, fw_scores), (False, bkg_float, float_scores)):
            fpr, tpr, _ = metrics.roc_curve(bkg, sig)
            yield label, firmware, fpr, tpr


def roc_curves(path: Path, processes, by_label, rates_hz) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    bkg_fw = by_label[0][1]
    for label, firmware, fpr, tpr in _signal_rocs(by_label):
        name = f"{processes[label]} (AUC {metrics.auc(bkg_fw, by_label[label][1]):.3f})" if firmware else None
        ax.plot(fpr[1:], tpr[1:], color=COLOURS[label % len(COLOURS)],
                linestyle="-" if firmware else "--", label=name)
    _mark_rates(ax, [rate / BUNCH_CROSSING_HZ for rate in rates_hz])
    ax.set_xlim(1.0 / max(len(bkg_fw), 1), 1.0)
    return _finish(fig, ax, path, "background acceptance (FPR); dotted: the card's L1 rates",
                   "signal efficiency (TPR)", "ROC: firmware solid, float dashed")


def efficiency_vs_rate(path: Path, processes, by_label, rates_hz) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    n = max(len(by_label[0][1]), 1)
    for label, firmware, fpr, tpr in _signal_rocs(by_label):
        keep = fpr >= 1.0 / n
        ax.step(fpr[keep] * BUNCH_CROSSING_HZ, tpr[keep], where="post",
                color=COLOURS[label % len(COLOURS)], linestyle="-" if firmware else "--",
                label=processes[label] if firmware else None)
    _mark_rates(ax, rates_hz)
    return _finish(fig, ax, path, "L1 rate (Hz) = 40 MHz x background acceptance",
                   "signal efficiency", "efficiency vs rate: firmware solid, float dashed")


def _mark_rates(ax, positions) -> None:
    """Dotted lines at the card's rates on a logarithmic x axis."""
    for x in positions:
        ax.axvline(x, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")


def _finish(fig, ax, path: Path, xlabel: str, ylabel: str, title: str) -> Path:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _save(fig, path)


def _save(fig, path: Path) -> Path:
    from l1forge.atomic import atomic_file

    with atomic_file(Path(path)) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format="png")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return Path(path)
