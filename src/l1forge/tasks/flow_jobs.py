"""A card's run of the one flow (l1forge.flow): the job `l1forge build` and each point of
`l1forge scan` hand over, with the family's figures. The family decides what the figures
are; the flow decides how the firmware outputs are obtained and checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from l1forge import manifest
from l1forge.card.load import card_dict, card_sha256
from l1forge.card_specs import firmware_spec
from l1forge.flow import Firmware, Job, Verified, VerifyPlan
from l1forge.tasks import BuildContext, task_for

if TYPE_CHECKING:
    from l1forge.card.schema import Card
    from l1forge.tasks.training import Trained


def card_job(card: Card, trained: Trained, folder: Path, *, csim_events: int | None,
             final_dir: Path | None, scan: bool = False, log: Callable[[str], None] = print) -> Job:
    """The flow job of a trained card: its firmware model and target, the stored test events.

    `csim_events`: events C-simulated against hls4ml's predict (None: no C-simulation, the
    emulator gives the firmware outputs of every test event). `final_dir`: the project is
    kept there, and the family's post-build figures are made. `scan`: the family's scan
    objective is added to the figures."""
    task = task_for(card)
    keras_model = task.firmware_model(card, trained.qat_model())
    x_test, y_test = trained.test_split()
    plan = VerifyPlan(csim=csim_events is not None, csim_events=csim_events or 0,
                      every_event=task.every_event and final_dir is not None)

    def figures(verified: Verified, fw: Firmware) -> dict[str, Any]:
        n = verified.checked or len(verified.firmware_outputs)
        keras = _head(verified.keras_outputs, n)
        metrics = task.firmware_metrics(card, y_test, trained.info, verified.firmware_outputs[:n], keras)
        if scan:
            metrics.update(task.scan_objective(card, y_test, trained.info, verified.firmware_outputs,
                                               verified.keras_outputs))
        if final_dir is not None:
            context = BuildContext(fw.folder, x_test, y_test, trained.info, verified.firmware_outputs,
                                   verified.keras_outputs, card_sha256(card), log)
            metrics.update(task.post_build(card, context) or {})
        return metrics

    return Job(keras_model=keras_model, spec=firmware_spec(card), folder=folder, x=x_test, plan=plan,
               passes=task.config_passes(card), figures=figures, final_dir=final_dir, log=log)


def _head(outputs, n: int):
    if isinstance(outputs, (list, tuple)):
        return [np.asarray(o)[:n] for o in outputs]
    return np.asarray(outputs)[:n]


def card_source(card: Card) -> str:
    return str(Path(card.source).resolve())


def card_manifest(card: Card, trained: Trained) -> dict[str, Any]:
    """The manifest sections that say where a card build came from."""
    return {
        "card": card.name,
        "card_sha256": card_sha256(card),
        "card_source": card_source(card),
        "task": card.task,
        "card_content": card_dict(card),
        "versions": manifest.versions(),
        "seed": card.training.seed,
        "preprocessing": trained.preprocessing,
        "data": {k: v for k, v in trained.info.items() if k != "provenance"},
    }
