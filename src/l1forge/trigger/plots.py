"""PNG plots of an anomaly score: distributions per process, ROC curves, efficiency vs rate.

Firmware curves are drawn solid with their 68.3% Clopper-Pearson band, float (QAT) curves
dashed (their band is as wide and would hide the firmware one), one colour per process.
The target rates are dashed red lines, named in the legend; the range the background
sample cannot measure (below 40 MHz / N, one background event) is greyed out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from l1forge.card.checks import BUNCH_CROSSING_HZ
from l1forge.trigger import plot_style as style

KHZ = 1e3


def write_all(folder: Path, scores, rates_hz) -> list[Path]:
    """Write the three plots of `scores` (a trigger.ad_project.ProjectScores) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_label = scores.by_label()
    return [score_distributions(folder / "score_distributions.png", scores.processes, by_label),
            roc_curves(folder / "roc.png", scores.processes, by_label, rates_hz),
            efficiency_vs_rate(folder / "efficiency_vs_rate.png", scores.processes, by_label, rates_hz)]


def score_distributions(path: Path, processes, by_label) -> Path:
    fig, ax = style.figure()
    everything = np.concatenate([fw for _, fw in by_label.values()])
    top = np.quantile(everything, 0.999) if len(everything) else 1.0
    bins = np.linspace(0.0, max(top, 1e-9), 80)
    for label, (float_scores, fw_scores) in sorted(by_label.items()):
        colour = style.COLOURS[label % len(style.COLOURS)]
        ax.hist(np.clip(fw_scores, 0, bins[-1]), bins=bins, density=True, histtype="step",
                color=colour, label=f"{processes[label]} (firmware)")
        ax.hist(np.clip(float_scores, 0, bins[-1]), bins=bins, density=True, histtype="step",
                color=colour, linestyle="--")
    ax.set_yscale("log")
    return style.finish(fig, ax, path, "anomaly score (last bin: overflow)", "events (normalized)",
                        "firmware solid, float dashed")


def _signal_curves(by_label):
    """(label, firmware curve, float curve) for every signal."""
    bkg_float, bkg_fw = by_label[0]
    for label, (float_scores, fw_scores) in sorted(by_label.items()):
        if label != 0:
            yield (label, style.roc_with_band(bkg_fw, fw_scores),
                   style.roc_with_band(bkg_float, float_scores))


def roc_curves(path: Path, processes, by_label, rates_hz) -> Path:
    from l1forge.trigger.delong import delong

    fig, ax = style.figure()
    bkg_fw = by_label[0][1]
    n = max(len(bkg_fw), 1)
    for label, firmware, float_curve in _signal_curves(by_label):
        colour = style.COLOURS[label % len(style.COLOURS)]
        area = delong(bkg_fw, by_label[label][1])
        style.draw(ax, firmware.x, firmware, colour, "-",
                   f"{processes[label]} (AUC {area.value:.4f} $\\pm$ {area.stderr:.4f})")
        style.draw(ax, float_curve.x, float_curve, colour, "--", None, band=False)
    ax.set_xscale("log")
    ax.set_xlim(0.5 / n, 1.0)
    style.mark_unmeasurable(ax, 1.0 / n, "below 1 background event")
    style.mark_lines(ax, [r / BUNCH_CROSSING_HZ for r in rates_hz], [f"{r / KHZ:g} kHz" for r in rates_hz], "target rates")
    top = ax.secondary_xaxis("top", functions=(lambda a: a * BUNCH_CROSSING_HZ / KHZ,
                                               lambda r: r * KHZ / BUNCH_CROSSING_HZ))
    top.set_xlabel("L1 rate (kHz)")
    return style.finish(fig, ax, path, "background acceptance", "signal efficiency",
                        "firmware solid (68.3% band)\nfloat dashed")


def efficiency_vs_rate(path: Path, processes, by_label, rates_hz) -> Path:
    fig, ax = style.figure()
    n = max(len(by_label[0][1]), 1)
    to_khz = BUNCH_CROSSING_HZ / KHZ
    for label, firmware, float_curve in _signal_curves(by_label):
        colour = style.COLOURS[label % len(style.COLOURS)]
        style.draw(ax, firmware.x * to_khz, firmware, colour, "-", processes[label])
        style.draw(ax, float_curve.x * to_khz, float_curve, colour, "--", None, band=False)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(0.5 * to_khz / n, to_khz)
    style.mark_unmeasurable(ax, to_khz / n, f"below {to_khz / n:.3g} kHz: under 1 background event")
    style.mark_lines(ax, [r / KHZ for r in rates_hz], [f"{r / KHZ:g} kHz" for r in rates_hz], "target rates")
    return style.finish(fig, ax, path, "L1 rate (kHz) = 40 MHz x background acceptance",
                        "signal efficiency", "firmware solid (68.3% band)\nfloat dashed")
