"""Two jet taggers on the same test jets: accuracies and their paired differences.

`l1forge trigger PROJECT --against OTHER` asks whether one tagger (OTHER, such as the Deep
Sets firmware) is more accurate than another (PROJECT, such as the HLF MLP in float) on the
very same jets. Both projects must have been built from the same file, with the same seed,
fractions and event count, so that their stored test splits hold the same jets in the same
order; the labels are compared jet by jet to make sure. Each tagger's float, QAT and firmware
outputs come from `jet_project.project_outputs` (the firmware by the bit-exact emulator).

On the same jets the two accuracies are correlated, so the standard error of their
difference is the paired one: with d_i = correct_other_i - correct_project_i in {-1, 0, 1},
stderr = std(d) / sqrt(n), far smaller than the two binomial errors added in quadrature when
the taggers mostly agree. It counts the test jets' statistical spread only; a retraining
with another seed moves an accuracy too (docs/results/deep_sets.md: the tagger across seeds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge.errors import UserError
from l1forge.trigger.jet_project import project_outputs, read_jet_manifest
from l1forge.trigger.working_points import MODELS


def paired_difference(correct_project: np.ndarray, correct_other: np.ndarray) -> dict[str, Any]:
    """Accuracy of `other` minus that of `project` on the same events, with its paired error."""
    d = np.asarray(correct_other, dtype=np.float64) - np.asarray(correct_project, dtype=np.float64)
    n = len(d)
    stderr = float(np.std(d, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
    value = float(d.mean())
    return {"value": value, "stderr": stderr, "z": value / stderr if stderr > 0 else None,
            "only_project_right": int((d < 0).sum()), "only_other_right": int((d > 0).sum())}


def _sample_key(content: dict[str, Any]) -> tuple:
    card = content.get("card_content", {})
    data, training = card.get("data", {}), card.get("training", {})
    return (content.get("data", {}).get("path"), data.get("max_events"), data.get("test_fraction"),
            data.get("validation_fraction"), training.get("seed"))


def compare(project_dir: str | Path, other_dir: str | Path,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    project_dir, other_dir = Path(project_dir), Path(other_dir)
    contents = [read_jet_manifest(project_dir), read_jet_manifest(other_dir)]
    keys = [_sample_key(c) for c in contents]
    if keys[0] != keys[1]:
        fields = "(file, max_events, test_fraction, validation_fraction, seed)"
        raise UserError(f"--against {other_dir}: its test jets come from {keys[1]} {fields}, "
                        f"{project_dir}'s from {keys[0]}; expected two projects built on the same jets")
    jets = [project_outputs(d, c, log) for d, c in zip((project_dir, other_dir), contents)]
    if jets[0].class_names != jets[1].class_names:
        raise UserError(f"--against {other_dir}: classes {jets[1].class_names}, {project_dir} has "
                        f"{jets[0].class_names}; expected the same classes")
    if len(jets[0].labels) != len(jets[1].labels) or not np.array_equal(jets[0].labels, jets[1].labels):
        raise UserError(f"--against {other_dir}: its {len(jets[1].labels)} stored test jets are not "
                        f"{project_dir}'s {len(jets[0].labels)} (labels differ); expected two projects "
                        f"built on the same jets")
    labels = jets[0].labels
    correct = [{m: np.argmax(j.outputs[m], axis=1) == labels for m in MODELS} for j in jets]
    accuracy = [{m: float(c[m].mean()) for m in MODELS} for c in correct]
    differences = [{"project_model": a, "other_model": b, **paired_difference(correct[0][a], correct[1][b])}
                   for b in MODELS for a in MODELS]
    return {"project": contents[0]["card"], "other": contents[1]["card"], "events": int(len(labels)),
            "accuracy": {"project": accuracy[0], "other": accuracy[1]}, "differences": differences}
