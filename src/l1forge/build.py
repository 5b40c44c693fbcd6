"""`l1forge build`: card -> trained model -> hls4ml project -> C-simulation -> report -> manifest.

The stages run in one direction: train (or reuse the trained model), convert and compile,
C-simulate the test events against hls4ml's compiled predict, the task's firmware metrics,
the latency/resource report (the target handed over in memory), the task's post-build
step (which reuses the events already C-simulated), and one emulator check against every
C-simulated event. The project is assembled in a temporary folder beside
`hls_projects/<name>` and renamed into place only when all of that has succeeded.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import csim, firmware, manifest, report
from l1forge.atomic import atomic_dir
from l1forge.card import Card, card_sha256, load_card
from l1forge.card.load import card_dict
from l1forge.errors import UserError
from l1forge.firmware.testbench_data import write_vendor_testbench_data
from l1forge.project import Project
from l1forge.report.project import card_target, target_from_card
from l1forge.tasks import BuildContext, task_for
from l1forge.train import Trained, load_trained, train

DEFAULT_CSIM_EVENTS = csim.DEFAULT_EVENTS
VENDOR_TB_EVENTS = 1000


@dataclass(frozen=True)
class BuildResult:
    project_dir: Path
    manifest: dict[str, Any]

    @property
    def mismatches(self) -> dict[str, int]:
        """Values that differ: C-simulation vs hls4ml predict, emulator vs C-simulation."""
        return verdict(self.manifest)

    @property
    def ok(self) -> bool:
        """The build's verdict: the firmware computes what hls4ml's model and the emulator do."""
        return not any(self.mismatches.values())


def verdict(content: dict[str, Any]) -> dict[str, int]:
    emulator = content.get("emulator", {})
    return {"csim_vs_hls4ml": int(content["csim"]["mismatches"]),
            "emulator_vs_csim": int(emulator.get("mismatches") or 0) if emulator.get("supported") else 0}


def build_project(card_path: str | Path, projects_root: str | Path = "hls_projects",
                  force: bool = False, overrides: dict[str, Any] | None = None,
                  csim_events: int = DEFAULT_CSIM_EVENTS, log: Callable[[str], None] = print
                  ) -> BuildResult:
    card = load_card(card_path, overrides)
    projects_root = Path(projects_root)
    dest = projects_root / card.name
    check_destination(dest, card, force)
    if csim_events < 1:
        raise UserError(f"--events must be at least 1, got {csim_events}")
    firmware.require_compiler()
    start = time.perf_counter()
    trained = load_trained(card, projects_root)
    if trained is None:
        log(f"no trained model for this card's hash; training {card.name}")
        trained = train(card, projects_root, log=log)
    else:
        log(f"using trained model {trained.directory}")
    with atomic_dir(dest, replace=True) as tmp:
        content = assemble(card, trained, tmp, dest, csim_events, log)
        content["build_seconds"] = round(time.perf_counter() - start, 2)
        manifest.write_manifest(tmp, content)
    log(f"project written to {dest}")
    return BuildResult(dest, Project(dest).manifest())


def check_destination(dest: Path, card: Card, force: bool) -> None:
    """Refuse to overwrite a folder that holds another card's project (unless forced)."""
    if not dest.exists() or force:
        return
    project = Project(dest)
    if not project.manifest_path.is_file():
        raise UserError(f"{dest} exists and is not an l1forge project; move it away or use --force")
    previous = project.manifest()
    same_card = previous.get("card") == card.name and previous.get("card_source") == _source(card)
    if not same_card:
        raise UserError(f"{dest} holds the project of card {previous.get('card_source')}, "
                        f"not {card.source}; use --force to replace it")


def assemble(card: Card, trained: Trained, tmp: Path, dest: Path, csim_events: int, log) -> dict[str, Any]:
    """Convert, compile, C-simulate, report and post-build into `tmp`; returns the manifest."""
    task = task_for(card)
    fw_model = task.firmware_model(card, trained.qat_model())
    log("converting with hls4ml and compiling the firmware C++ (g++)")
    graph = firmware.convert(card, fw_model, tmp, task.config_passes(card))
    # hls4ml's compile() writes the project again (it deletes and re-copies firmware/ap_types),
    # so the test bench may only start compiling once it has returned. The QAT model's
    # predictions run while g++ builds the test bench.
    firmware.compile_graph(graph)
    pending = csim.start_testbench_build(graph, tmp)
    x_test, y_test = trained.test_split()
    n = min(csim_events, len(x_test))
    qat_outputs = np.asarray(fw_model.predict(x_test[:n], batch_size=4096, verbose=0))
    csim.finish_testbench_build(pending, tmp)
    log(f"C-simulation over {n} test events")
    verification = csim.verify(graph, tmp, x_test[:n])
    if verification.comparison.mismatches:
        log(f"WARNING: {verification.comparison.mismatches} C-simulation values differ from hls4ml predict")
    metrics = {**trained.metrics,
               **task.firmware_metrics(card, y_test, trained.info, verification.outputs, qat_outputs)}
    write_vendor_testbench_data(tmp, verification.inputs[:VENDOR_TB_EVENTS],
                                verification.outputs[:VENDOR_TB_EVENTS])
    firmware.relocate_config(tmp, dest, fw_model)
    shutil.copytree(trained.directory, Project(tmp).trained_dir)
    log("estimating latency and resources")
    figures = report.make_report(tmp, graph=graph, target=target_from_card(card, tmp))
    report.write_html(figures, tmp / "report.html")
    context = BuildContext(tmp, graph, fw_model, x_test, y_test, trained.info, verification.outputs,
                           qat_outputs, card_sha256(card), log)
    post = task.post_build(card, context)
    csim_outputs = verification.outputs
    if post:
        metrics.update(post.metrics)
        csim_outputs = post.csim_outputs
    log(f"emulator against the C-simulation over {len(csim_outputs)} events")
    emulator = csim.emulator_check(graph, x_test[:len(csim_outputs)], csim_outputs)
    return {
        "card": card.name,
        "card_sha256": card_sha256(card),
        "card_source": _source(card),
        "task": card.task,
        "card_content": card_dict(card),
        "versions": manifest.versions(),
        "seed": card.training.seed,
        "preprocessing": trained.preprocessing,
        "data": {k: v for k, v in trained.info.items() if k != "provenance"},
        "metrics": metrics,
        "csim": verification.as_dict(),
        "emulator": emulator,
        "target": card_target(card),
        "report": figures,
    }


def _source(card: Card) -> str:
    return str(Path(card.source).resolve())
