"""What every trigger plot shares: the HEP look (mplhep), curves with 68.3% bands, saving.

mplhep's CMS style is the look Level-1 trigger plots are read in (sans-serif, ticks inside
on all four sides, the experiment label top left); the label says "l1forge Simulation",
never an experiment's name, because these are not an experiment's results. A ROC or
efficiency curve is a step function of counts: at every threshold the signal efficiency
is k of m events, so its band is the Clopper-Pearson interval of k/m, drawn point by point.
Curves are thinned to at most MAX_POINTS thresholds, spaced evenly in log background
acceptance, so a 110,000-event ROC does not make a 10 MB PNG; the thinning keeps exact
(k, m) points, it never interpolates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from l1forge import metrics
from l1forge.trigger.efficiency import clopper_pearson

STYLE = "CMS"
LABEL = "l1forge"
COLOURS = ("black", "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")
MAX_POINTS = 1500


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mplhep

    mplhep.style.use(STYLE)
    return plt


def figure():
    plt = pyplot()
    return plt.subplots(figsize=(8, 6.5))


@dataclass(frozen=True)
class Curve:
    """A ROC as counts: background acceptance x, signal efficiency y and its band."""
    x: np.ndarray
    y: np.ndarray
    y_low: np.ndarray
    y_high: np.ndarray
    background_events: int


def roc_with_band(background: np.ndarray, signal: np.ndarray) -> Curve:
    fpr, tpr, _ = metrics.roc_curve(np.asarray(background, dtype=np.float64),
                                    np.asarray(signal, dtype=np.float64))
    # Thresholds above every background event (acceptance 0) have no place on a log axis
    # and measure nothing about the background: the curve starts at one background event.
    measured = fpr > 0
    fpr, tpr = fpr[measured], tpr[measured]
    keep = _thin(fpr)
    m = len(signal)
    passed = np.rint(tpr[keep] * m)
    low, high = clopper_pearson(passed, np.full_like(passed, m))
    return Curve(fpr[keep], tpr[keep], low, high, len(background))


def _thin(x: np.ndarray) -> np.ndarray:
    if len(x) <= MAX_POINTS:
        return np.arange(len(x))
    positive = np.maximum(x, x[x > 0].min() if np.any(x > 0) else 1.0)
    grid = np.geomspace(positive.min(), positive.max(), MAX_POINTS)
    picks = np.unique(np.clip(np.searchsorted(positive, grid), 0, len(x) - 1))
    return np.unique(np.r_[picks, len(x) - 1])


def draw(ax, x, curve: Curve, colour: str, linestyle: str, label: str | None, band: bool = True) -> None:
    """The curve as steps (a ROC only changes at thresholds) and, if asked, its band."""
    ax.step(x, curve.y, where="post", color=colour, linestyle=linestyle, linewidth=1.4, label=label)
    if band:
        ax.fill_between(x, curve.y_low, curve.y_high, step="post", color=colour, alpha=0.22, linewidth=0)


def mark_unmeasurable(ax, limit: float, text: str) -> None:
    """Grey out where the background sample cannot measure (less than one event)."""
    ax.axvspan(ax.get_xlim()[0] if ax.get_xlim()[0] < limit else limit / 10, limit, color="grey",
               alpha=0.15, linewidth=0, label=text)
    ax.axvline(limit, color="grey", linewidth=1.0)


def mark_lines(ax, positions, labels, what: str) -> None:
    """Dashed red lines at the targets (rates or working points), named in the legend
    rather than beside the lines, where they would cross the curves and the label."""
    for index, value in enumerate(positions):
        ax.axvline(value, color="tab:red", linewidth=1.0, linestyle="--",
                   label=f"{what}: {', '.join(labels)}" if index == 0 else None)


def finish(fig, ax, path: Path, xlabel: str, ylabel: str, note: str) -> Path:
    import mplhep

    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    # Inside the frame (loc 1): above it is where a secondary rate axis goes.
    mplhep.label.exp_text(exp=LABEL, text="Simulation", loc=1, ax=ax)
    # Beside the frame: with five classes and their bands no corner of a ROC is empty.
    ax.legend(fontsize=12, loc="upper left", bbox_to_anchor=(1.02, 1.0), title=note, title_fontsize=12,
              alignment="left")
    return save(fig, path)


def save(fig, path: Path) -> Path:
    from l1forge.atomic import atomic_file

    with atomic_file(Path(path)) as tmp:
        fig.savefig(tmp, dpi=100, bbox_inches="tight", format="png")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return Path(path)
