"""The Python API: what each CLI command does, as a function that returns plain values.

    from l1forge import api, emulate

    result = api.build("l1models/jet_id.yaml")         # train if needed, convert, C-simulate
    result.manifest["metrics"]["firmware_accuracy"]
    em = emulate.load(result.project_dir)               # bit-accurate emulator
    figures = api.report(result.project_dir)            # as `l1forge report --json`
    figures = api.trigger("hls_projects/ad_vae", [1e3, 1e4])  # as `l1forge trigger --json`

Bad input raises `l1forge.UserError` with the same one-line message the CLI prints.
Nothing here imports TensorFlow until a function that needs it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from l1forge.card import Card
from l1forge.tasks import load_card as _load_card

Log = Callable[[str], None]


def load_card(path: str | Path, overrides: dict[str, Any] | None = None) -> Card:
    """A model card, validated; `overrides` maps dotted fields to values ({"training.epochs": 5})."""
    return _load_card(path, overrides)


def train(card_path: str | Path, projects_root: str | Path = "hls_projects",
          overrides: dict[str, Any] | None = None, log: Log = print):
    """Train the card's float baseline and QAT model (`l1forge train`); returns the trained set."""
    from l1forge.tasks.training import train as _train

    return _train(_load_card(card_path, overrides), Path(projects_root), log=log)


def build(card_path: str | Path, projects_root: str | Path = "hls_projects",
          overrides: dict[str, Any] | None = None, csim_events: int = 10_000,
          force: bool = False, log: Log = print):
    """`l1forge build`: returns BuildResult(project_dir, manifest); `result.ok` is the verdict
    (no C-simulation or emulator mismatch), `result.mismatches` the counts."""
    from l1forge.build import build_project

    return build_project(card_path, projects_root, force=force, overrides=overrides,
                         csim_events=csim_events, log=log)


def csim(project_dir: str | Path, events: int = 10_000, log: Log = print) -> dict[str, Any]:
    """`l1forge csim`: re-run the project's C-simulation; returns events, mismatches, seconds."""
    from l1forge.csim import rerun

    return rerun(project_dir, events=events, log=log)


def report(project_dir: str | Path, part: str | None = None,
           html: str | Path | None = None) -> dict[str, Any]:
    """`l1forge report`: estimate, vendor figures, part use and budget verdicts."""
    from l1forge.report import make_report, write_html

    figures = make_report(project_dir, part=part)
    if html is not None:
        write_html(figures, html)
    return figures


def trigger(project_dir: str | Path, rates_hz: list[float] | None = None,
            background_efficiencies: list[float] | None = None, classes: list[str] | None = None,
            bootstrap: int | None = None, seed: int = 0, log: Log = print) -> dict[str, Any]:
    """`l1forge trigger --json`: for anomaly detection {"kind", "card", "tables"} (one table
    per L1 rate, default the card's); for jet tagging {"kind", "card", "studies", ...} at
    the background efficiencies (default 10% and 1%). Every efficiency carries its counts
    and Clopper-Pearson interval; `bootstrap` replicas add the threshold's own spread. The
    figures also go into the manifest, the plots into PROJECT/trigger/."""
    from l1forge.trigger.study import run

    return run(project_dir, rates_hz, background_efficiencies, classes, bootstrap, seed, log)
