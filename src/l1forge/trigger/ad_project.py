"""Trigger figures of a built anomaly-detection project: its firmware over every stored event.

The build's post-build step (tasks/anomaly.AnomalyDetection.post_build) hands the scores
of every stored test event, background and signals, to `record_scores`: the firmware
scores are the C-simulation's (the events the build verified, then the rest), the float
scores the QAT network's with the score layers. They are cached in
PROJECT/trigger/scores.npz, keyed by the manifest's card hash, so `l1forge trigger` at
another rate runs nothing again; without the cache (an older project) `project_scores`
runs the project's own C-simulation binary over the stored events.
`evaluate_project` writes `metrics.per_signal` (at the card's rates) into the manifest and
the PNG plots into PROJECT/trigger/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import csim, manifest
from l1forge.errors import UserError
from l1forge.project import Project
from l1forge.trigger.rate_tables import per_signal_metrics, rate_table
from l1forge.trigger.rates import check_rate


@dataclass(frozen=True)
class ProjectScores:
    processes: list[str]
    labels: np.ndarray
    float_scores: np.ndarray
    firmware_scores: np.ndarray

    def by_label(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return {int(label): (self.float_scores[self.labels == label],
                             self.firmware_scores[self.labels == label])
                for label in np.unique(self.labels)}

    def events_per_process(self) -> dict[str, int]:
        return {name: int(np.sum(self.labels == i)) for i, name in enumerate(self.processes)}


def record_scores(project_dir: Path, scores: ProjectScores, rates_hz, card_sha256: str) -> dict[str, Any]:
    """Cache the scores in the project and draw the plots; returns the manifest metrics
    (`per_signal` at `rates_hz`, `trigger_events`)."""
    save_scores(Project(project_dir), scores, card_sha256)
    return trigger_figures(project_dir, scores, rates_hz)


def save_scores(project: Project, scores: ProjectScores, card_sha256: str) -> None:
    project.trigger_dir.mkdir(exist_ok=True)
    np.savez_compressed(project.scores_path, labels=scores.labels, float_scores=scores.float_scores,
                        firmware_scores=scores.firmware_scores, processes=np.array(scores.processes),
                        card_sha256=np.array(card_sha256))


def trigger_figures(project_dir: Path, scores: ProjectScores, rates_hz) -> dict[str, Any]:
    """The plots into PROJECT/trigger/, and the manifest metrics at `rates_hz`."""
    from l1forge.trigger import plots

    project = Project(project_dir)
    project.trigger_dir.mkdir(exist_ok=True)
    plots.write_all(project.trigger_dir, scores, list(rates_hz))
    return {"per_signal": per_signal_metrics(scores.processes, scores.by_label(), list(rates_hz)),
            "trigger_events": scores.events_per_process()}


def read_ad_manifest(project_dir: Path) -> dict[str, Any]:
    """The manifest of an anomaly-detection project: one whose data has background and
    signal processes."""
    content = Project(project_dir).manifest(strict=True)
    if not content.get("data", {}).get("processes"):
        raise UserError(f"{project_dir}: a '{content.get('task')}' project; trigger rates need "
                        "an anomaly-detection project (background and signal processes)")
    return content


def project_scores(project_dir: str | Path, log: Callable[[str], None] = print) -> ProjectScores:
    """Scores of every stored test event, from the cache or by running the C-simulation."""
    project = Project(project_dir)
    content = read_ad_manifest(project.folder)
    cached = _cached(project, content["card_sha256"])
    if cached is not None:
        return cached
    csim.require_compiler()
    x, y = project.test_split()
    keras_model = project.keras_model()
    graph = project.graph(keras_model)
    log(f"C-simulation of the firmware score over {len(x)} stored events")
    run = csim.run_binary(project.folder, csim.quantize_inputs(graph, x), 1)
    float_scores = keras_model.predict(np.asarray(x, dtype=np.float32), batch_size=8192, verbose=0)
    scores = ProjectScores(list(content["data"]["processes"]), np.asarray(y),
                           np.asarray(float_scores, dtype=np.float64).reshape(len(x)),
                           run.outputs[:, 0])
    save_scores(project, scores, content["card_sha256"])  # the figures are the caller's
    return scores


def _cached(project: Project, card_sha256: str) -> ProjectScores | None:
    if not project.scores_path.is_file():
        return None
    with np.load(project.scores_path) as f:
        if str(f["card_sha256"]) != card_sha256:
            return None
        return ProjectScores([str(p) for p in f["processes"]], f["labels"], f["float_scores"],
                             f["firmware_scores"])


def evaluate_project(project_dir: str | Path, log: Callable[[str], None] = print,
                     scores: ProjectScores | None = None) -> dict[str, Any]:
    """Per-signal figures at the card's rates into the manifest, and the plots; returns them.
    `scores`: the project's scores when the caller has them already."""
    project_dir = Path(project_dir)
    content = read_ad_manifest(project_dir)
    scores = scores or project_scores(project_dir, log)
    figures = trigger_figures(project_dir, scores, content["card_content"]["trigger"]["rates_hz"])
    metrics = {**content.get("metrics", {}), **figures}
    manifest.update_manifest(project_dir, metrics=metrics)
    return figures["per_signal"]


def rate_tables(project_dir: str | Path, rates_hz=None,
                log: Callable[[str], None] = print) -> tuple[str, list[dict[str, Any]]]:
    """(card name, one `rate_table` per rate) for a built AD project; rates default
    to the card's. Also records the card's figures and plots (`evaluate_project`)."""
    content = read_ad_manifest(Path(project_dir))
    rates = list(rates_hz) if rates_hz else content["card_content"]["trigger"]["rates_hz"]
    for rate in rates:
        check_rate(rate)
    scores = project_scores(project_dir, log)
    tables = [rate_table(scores.processes, scores.by_label(), rate) for rate in rates]
    evaluate_project(project_dir, log, scores)
    return content["card"], tables
