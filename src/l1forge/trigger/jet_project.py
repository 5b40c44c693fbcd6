"""Trigger figures of a built jet-ID project: float, QAT and firmware over the whole test split.

The firmware outputs come from the bit-exact emulator (`l1forge.emulate.load`), which the
build proved equal to the project's C-simulation (the manifest's `emulator` section), so the
whole stored test split is covered without running the C++ once per study. The float and
QAT outputs come from PROJECT/trained/ (float_model.h5, qat_model.h5) on the same events.
All three are cached in PROJECT/trigger/jet_outputs.npz, keyed by the manifest's card hash,
so another working point or bootstrap needs no TensorFlow. `study` writes
`metrics.tagging_working_points` (the default working points) into the manifest and the PNG
plots into PROJECT/trigger/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import manifest
from l1forge.errors import UserError
from l1forge.project import Project
from l1forge.trigger import bootstrap as boot
from l1forge.trigger import working_points

OUTPUTS_FILE = "jet_outputs.npz"


@dataclass(frozen=True)
class JetOutputs:
    class_names: list[str]
    labels: np.ndarray
    outputs: dict[str, np.ndarray]  # model ("float", "qat", "firmware") -> (events, classes)


def read_jet_manifest(project_dir: Path) -> dict[str, Any]:
    content = manifest.read_manifest(project_dir)
    if not content.get("data", {}).get("class_names"):
        raise UserError(f"{project_dir}: a '{content.get('task')}' project without jet classes; "
                        "tagging working points need a jet-ID project")
    return content


def project_outputs(project_dir: Path, content: dict[str, Any], log: Callable[[str], None] = print) -> JetOutputs:
    project = Project(project_dir)
    cached = _cached(project, content["card_sha256"])
    if cached is not None:
        return cached
    x, labels = project.test_split()
    from l1forge import emulate
    from l1forge.atomic import atomic_file
    from l1forge.firmware.loading import load_keras_model

    log(f"float, QAT and emulated firmware outputs over {len(x)} stored test jets")
    outputs = {}
    for model in ("float", "qat"):
        keras_model = load_keras_model(project.trained_dir / f"{model}_model.h5")
        outputs[model] = np.asarray(keras_model.predict(x, batch_size=8192, verbose=0), dtype=np.float64)
    outputs["firmware"] = np.asarray(emulate.load(project_dir).predict(x), dtype=np.float64)
    names = list(content["data"]["class_names"])
    project.trigger_dir.mkdir(exist_ok=True)
    with atomic_file(project.trigger_dir / OUTPUTS_FILE) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, labels=labels, class_names=np.array(names),
                            card_sha256=np.array(content["card_sha256"]), **outputs)
    return JetOutputs(names, np.asarray(labels), outputs)


def _cached(project: Project, card_sha256: str) -> JetOutputs | None:
    path = project.trigger_dir / OUTPUTS_FILE
    if not path.is_file():
        return None
    with np.load(path) as f:
        if str(f["card_sha256"]) != card_sha256:
            return None
        return JetOutputs([str(c) for c in f["class_names"]], f["labels"],
                          {model: f[model] for model in working_points.MODELS})


def study(project_dir: str | Path, background_efficiencies=None, classes: list[str] | None = None,
          bootstrap: boot.Bootstrap | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """The working points asked for, every study or `classes`' only. Bad input (an efficiency
    outside (0, 1), a class the project lacks) is refused before any work. Like the AD
    project's `per_signal` at the card's rates, the manifest and the plots always hold the
    default working points of every study, whatever was asked, so they read the same on
    every project."""
    from l1forge.trigger import jet_plots

    project_dir = Path(project_dir)
    content = read_jet_manifest(project_dir)
    defaults = list(working_points.DEFAULT_BACKGROUND_EFFICIENCIES)
    efficiencies = [working_points.check_background_efficiency(e) for e in (background_efficiencies or defaults)]
    working_points.studies(list(content["data"]["class_names"]), classes)  # refuses unknown classes
    jets = project_outputs(project_dir, content, log)
    requested = _figures(jets, content, efficiencies, classes, bootstrap)
    recorded = requested if (efficiencies, classes, bootstrap) == (defaults, None, None) else \
        _figures(jets, content, defaults, None, None)
    recorded["plots"] = [str(p) for p in jet_plots.write_all(Project(project_dir).trigger_dir, jets, recorded)]
    metrics = dict(content.get("metrics", {}))
    metrics["tagging_working_points"] = recorded
    manifest.update_manifest(project_dir, metrics=metrics)
    return {"card": content["card"], **requested, "plots": recorded["plots"]}


def _figures(jets: JetOutputs, content: dict[str, Any], efficiencies, classes, bootstrap) -> dict[str, Any]:
    figures = working_points.jet_figures(jets.class_names, jets.outputs, jets.labels, efficiencies,
                                         classes, bootstrap)
    figures["firmware_outputs"] = {"source": "l1forge.emulate",
                                   "emulator_vs_csim_at_build": content.get("emulator", {})}
    return figures
