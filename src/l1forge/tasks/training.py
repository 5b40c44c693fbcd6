"""The train stage: quantization-aware training of a card's network, with its float baseline,
stored by the hash of the card's training sections (a task's own business: the family
prepares the data, builds and fits the networks).

Artifacts go to `<projects_root>/.trained/<name>-<hash16>/` (hash of the data, model,
quantization and training sections: changing only the firmware target reuses them) (written atomically):
`qat_model.h5`, `float_model.h5`, `test_split.npz` (the held-out test events in firmware
input space, with labels), `training.json` (preprocessing, metrics, histories, data info).
The same card and seed give the same weights: seeds are set and TensorFlow's ops run
deterministically.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from l1forge.atomic import atomic_dir
from l1forge.card.schema import Card
from l1forge.card.load import training_sha256
from l1forge.firmware.loading import load_keras_model
from l1forge.card_specs import network_spec
from l1forge.models.pruning import is_pruned, sparsity_record
from l1forge.project import TEST_SPLIT

TRAINING_JSON = "training.json"
QAT_MODEL = "qat_model.h5"
FLOAT_MODEL = "float_model.h5"


@dataclass(frozen=True)
class Trained:
    directory: Path
    training_sha256: str
    preprocessing: dict[str, Any]
    metrics: dict[str, Any]
    info: dict[str, Any]

    def qat_model(self):
        return load_keras_model(self.directory / QAT_MODEL)

    def float_model(self):
        return load_keras_model(self.directory / FLOAT_MODEL)

    def test_split(self) -> tuple[np.ndarray, np.ndarray]:
        with np.load(self.directory / TEST_SPLIT) as f:
            return f["x_test"], f["y_test"]


def trained_dir(card: Card, projects_root: Path) -> Path:
    return Path(projects_root) / ".trained" / f"{card.name}-{training_sha256(card)[:16]}"


def load_trained(card: Card, projects_root: Path) -> Trained | None:
    directory = trained_dir(card, projects_root)
    if not (directory / TRAINING_JSON).is_file():
        return None
    record = json.loads((directory / TRAINING_JSON).read_text())
    return Trained(directory, record["training_sha256"], record["preprocessing"], record["metrics"],
                   record["info"])


def train(card: Card, projects_root: Path, log=print) -> Trained:
    """Train float baseline and QAT model for `card`; return the stored result."""
    import tensorflow as tf

    from l1forge.tasks import task_for

    tf.config.experimental.enable_op_determinism()
    task = task_for(card)
    start = time.perf_counter()
    log(f"loading data for {card.name}")
    split = task.prepare(card)
    log(f"training float baseline ({len(split.x_train)} training events)")
    float_model, float_history = task.fit(card, split, quantized=False)
    init = float_model if card.training.qat_init == "float" else None
    log("training the quantization-aware (QKeras) model"
        + (", from the float baseline's weights" if init is not None else ""))
    qat_model, qat_history = task.fit(card, split, quantized=True, start=init)
    metrics = task.evaluate(card, split, float_model, qat_model)
    if is_pruned(network_spec(card)):  # achieved sparsity per weighted layer of the QAT model
        metrics["sparsity"] = sparsity_record(network_spec(card), qat_model)
    record = {
        "card": card.name,
        "training_sha256": training_sha256(card),
        "seed": card.training.seed,
        "preprocessing": split.preprocessing,
        "metrics": metrics,
        "info": split.info,
        "history": {"float": float_history, "qat": qat_history},
        "seconds": round(time.perf_counter() - start, 2),
    }
    with atomic_dir(trained_dir(card, projects_root), replace=True) as tmp:
        float_model.save(tmp / FLOAT_MODEL)
        qat_model.save(tmp / QAT_MODEL)
        np.savez_compressed(tmp / TEST_SPLIT, x_test=split.x_test, y_test=split.y_test)
        (tmp / TRAINING_JSON).write_text(json.dumps(record, indent=1, default=_json_default))
    trained = load_trained(card, projects_root)
    assert trained is not None
    return trained


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
