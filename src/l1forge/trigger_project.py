"""Trigger figures of a built anomaly-detection project: its firmware over every stored event.

The project's own C-simulation binary (what `l1forge build` compiled and verified) runs
over all stored test events, background and signals, on the quantized firmware inputs; the
float scores come from the Keras model the project was converted from (the QAT network
with the score layers). Both are cached in `PROJECT/trigger/scores.npz`, keyed by the
manifest's card hash, so `l1forge trigger` at another rate does not rerun them.
`evaluate_project` writes `metrics.per_signal` (at the card's rates) into the manifest and
the PNG plots into `PROJECT/trigger/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import csim, manifest, trigger
from l1forge.errors import UserError

TRIGGER_DIR = "trigger"
SCORES_FILE = "scores.npz"
AD_TASKS = ("autoencoder", "vae")


@dataclass(frozen=True)
class ProjectScores:
    processes: list[str]
    labels: np.ndarray
    float_scores: np.ndarray
    firmware_scores: np.ndarray
    # l1forge.emulate against the C-simulation on the same events: {"events", "mismatches"}
    # or {"not_emulated": why} when the emulator does not support a layer of the project.
    emulator: dict = field(default_factory=dict)

    def by_label(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        return {int(label): (self.float_scores[self.labels == label],
                             self.firmware_scores[self.labels == label])
                for label in np.unique(self.labels)}


def firmware_scores(graph, project_dir: Path, x: np.ndarray, keras_model) -> tuple[np.ndarray, np.ndarray]:
    """(float, firmware) scores of events `x` through a compiled project's C-simulation."""
    xq = csim.quantize_inputs(graph, x)
    run = csim.run_binary(project_dir, xq, 1)
    float_scores = np.asarray(keras_model.predict(np.asarray(x, dtype=np.float32), batch_size=8192,
                                                  verbose=0), dtype=np.float64)
    return float_scores.reshape(len(x)), run.outputs[:, 0]


def emulator_check(graph, x: np.ndarray, fw_scores: np.ndarray) -> dict[str, Any]:
    """l1forge.emulate on the same events, compared bit for bit with the C-simulation."""
    from l1forge import emulate

    try:
        emulated = np.asarray(emulate.from_graph(graph).predict(x), dtype=np.float64)
    except UserError as err:
        return {"events": 0, "mismatches": None, "not_emulated": str(err)}
    differ = emulated.reshape(len(x), -1)[:, 0] != fw_scores
    return {"events": int(len(x)), "mismatches": int(differ.sum())}


def score_events(project_dir: Path, processes: list[str], x: np.ndarray, y: np.ndarray,
                 graph, keras_model, card_sha256: str) -> ProjectScores:
    float_scores, fw_scores = firmware_scores(graph, project_dir, x, keras_model)
    emulator = emulator_check(graph, x, fw_scores)
    out = Path(project_dir) / TRIGGER_DIR
    out.mkdir(exist_ok=True)
    np.savez_compressed(out / SCORES_FILE, labels=y, float_scores=float_scores,
                        firmware_scores=fw_scores, processes=np.array(processes),
                        card_sha256=np.array(card_sha256), emulator=np.array(json.dumps(emulator)))
    return ProjectScores(list(processes), np.asarray(y), float_scores, fw_scores, emulator)


def read_ad_manifest(project_dir: Path) -> dict[str, Any]:
    content = manifest.read_manifest(project_dir)
    if content.get("task") not in AD_TASKS:
        raise UserError(f"{project_dir}: a '{content.get('task')}' project; trigger figures need "
                        "an anomaly-detection project (task autoencoder or vae)")
    return content


def project_scores(project_dir: str | Path, log: Callable[[str], None] = print) -> ProjectScores:
    """Scores of every stored test event, from the cache or by running the C-simulation."""
    project_dir = Path(project_dir)
    content = read_ad_manifest(project_dir)
    cached = _cached(project_dir, content["card_sha256"])
    if cached is not None:
        return cached
    from l1forge.firmware import require_compiler
    from l1forge.hls_project import load_graph, load_keras_model, model_path, read_config

    require_compiler()
    split = project_dir / "trained" / "test_split.npz"
    if not split.is_file():
        raise UserError(f"{project_dir}: no trained/test_split.npz; rebuild with `l1forge build`")
    with np.load(split) as f:
        x, y = f["x_test"], f["y_test"]
    keras_model = load_keras_model(model_path(project_dir, read_config(project_dir)))
    graph = load_graph(project_dir, keras_model)
    log(f"C-simulation of the firmware score over {len(x)} stored events")
    return score_events(project_dir, content["data"]["processes"], x, y, graph, keras_model,
                        content["card_sha256"])


def _cached(project_dir: Path, card_sha256: str) -> ProjectScores | None:
    path = project_dir / TRIGGER_DIR / SCORES_FILE
    if not path.is_file():
        return None
    with np.load(path) as f:
        if str(f["card_sha256"]) != card_sha256:
            return None
        emulator = json.loads(str(f["emulator"])) if "emulator" in f else {}
        return ProjectScores([str(p) for p in f["processes"]], f["labels"], f["float_scores"],
                             f["firmware_scores"], emulator)


def evaluate_project(project_dir: str | Path, log: Callable[[str], None] = print,
                     scores: ProjectScores | None = None) -> dict[str, Any]:
    """Per-signal figures at the card's rates into the manifest, and the plots; returns them.
    `scores`: the project's scores when the caller has them already."""
    from l1forge.trigger import plots as trigger_plots

    project_dir = Path(project_dir)
    content = read_ad_manifest(project_dir)
    scores = scores or project_scores(project_dir, log)
    rates = content["card_content"]["trigger"]["rates_hz"]
    per_signal = trigger.per_signal_metrics(scores.processes, scores.by_label(), rates)
    trigger_plots.write_all(project_dir / TRIGGER_DIR, scores, rates)
    metrics = dict(content.get("metrics", {}))
    metrics["per_signal"] = per_signal
    metrics["trigger_events"] = {name: int(np.sum(scores.labels == i))
                                 for i, name in enumerate(scores.processes)}
    metrics["emulator_vs_csim"] = scores.emulator
    manifest.update_manifest(project_dir, metrics=metrics)
    return per_signal


def rate_tables(project_dir: str | Path, rates_hz=None,
                log: Callable[[str], None] = print) -> tuple[str, list[dict[str, Any]]]:
    """(card name, one `trigger.rate_table` per rate) for a built AD project; rates default
    to the card's. Also records the card's figures and plots (`evaluate_project`)."""
    content = read_ad_manifest(Path(project_dir))
    rates = list(rates_hz) if rates_hz else content["card_content"]["trigger"]["rates_hz"]
    for rate in rates:
        trigger.check_rate(rate)
    scores = project_scores(project_dir, log)
    tables = [trigger.rate_table(scores.processes, scores.by_label(), rate) for rate in rates]
    evaluate_project(project_dir, log, scores)
    return content["card"], tables
