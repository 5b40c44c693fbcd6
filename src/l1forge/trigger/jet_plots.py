"""PNG ROC plots of a jet tagger: every class against the rest, and top and W against QCD.

Axes as in the anomaly-detection ROC (background efficiency on a log axis, signal efficiency
up), so a working point reads the same way as a rate. Firmware (emulated) curves are solid
with their 68.3% Clopper-Pearson band, QAT dotted and float dashed; the working points are
dashed red lines (named in the legend); below one background jet of the study with the fewest is greyed out.
"""

from __future__ import annotations

from pathlib import Path

from l1forge.trigger import plot_style as style
from l1forge.trigger import working_points

LINESTYLES = {"firmware": "-", "qat": ":", "float": "--"}


def write_all(folder: Path, jets, figures: dict) -> list[Path]:
    """One plot per group of studies present in `figures` (from working_points.jet_figures)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_name = {s.name: s for s in working_points.studies(jets.class_names)}
    groups = {"roc_one_vs_rest.png": [s for s in figures["studies"] if s["name"].endswith("_vs_rest")],
              "roc_vs_qcd.png": [s for s in figures["studies"] if s["name"].endswith("_vs_qcd")]}
    return [roc_plot(folder / name, jets, [by_name[s["name"]] for s in chosen], figures)
            for name, chosen in groups.items() if chosen]


def roc_plot(path: Path, jets, studies, figures: dict) -> Path:
    fig, ax = style.figure()
    fewest = min(len(working_points.split_scores(jets.outputs["firmware"], jets.labels, s)[0])
                 for s in studies)
    aucs = {s["name"]: s["models"]["firmware"]["auc"] for s in figures["studies"]}
    for index, study in enumerate(studies):
        colour = style.COLOURS[(index + 1) % len(style.COLOURS)]
        for model, linestyle in LINESTYLES.items():
            background, signal = working_points.split_scores(jets.outputs[model], jets.labels, study)
            curve = style.roc_with_band(background, signal)
            area = aucs[study.name]
            label = (f"{study.name.replace('_', ' ')} (firmware AUC {area['value']:.4f} $\\pm$ {area['stderr']:.4f})"
                     if model == "firmware" else None)
            style.draw(ax, curve.x, curve, colour, linestyle, label, band=model == "firmware")
    ax.set_xscale("log")
    ax.set_xlim(0.5 / fewest, 1.0)
    ax.set_ylim(0.0, 1.02)
    style.mark_unmeasurable(ax, 1.0 / fewest, "below 1 background jet")
    targets = figures["background_efficiencies"]
    style.mark_lines(ax, targets, [f"{100 * e:g}%" for e in targets], "working points")
    return style.finish(fig, ax, path, "background efficiency", "signal efficiency",
                        f"{len(jets.labels):,} test jets\nfirmware solid (68.3% band)\nQAT dotted, float dashed")

