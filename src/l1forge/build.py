"""`l1forge build`: card -> trained model -> hls4ml project -> C-simulation -> manifest.

The project is assembled in a temporary folder beside `hls_projects/<name>` and renamed into
place only when everything, the C-simulation included, has succeeded.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import csim, firmware, manifest, report, tb_data
from l1forge.atomic import atomic_dir
from l1forge.card import Card, card_sha256, load_card
from l1forge.card.load import card_dict
from l1forge.errors import UserError
from l1forge.tasks import task_module
from l1forge.train import Trained, load_trained, train

DEFAULT_CSIM_EVENTS = 10_000


@dataclass(frozen=True)
class BuildResult:
    project_dir: Path
    manifest: dict[str, Any]


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
        content, graph = assemble(card, trained, tmp, dest, csim_events, log)
        manifest.write_manifest(tmp, content)
        log("estimating latency and resources")
        content["report"] = report.make_report(tmp, graph=graph)
        report.write_html(content["report"], tmp / "report.html")
        content["build_seconds"] = round(time.perf_counter() - start, 2)
        manifest.write_manifest(tmp, content)
    log(f"project written to {dest}")
    return BuildResult(dest, manifest.read_manifest(dest))


def check_destination(dest: Path, card: Card, force: bool) -> None:
    """Refuse to overwrite a folder that holds another card's project (unless forced)."""
    if not dest.exists() or force:
        return
    if not (dest / manifest.MANIFEST).is_file():
        raise UserError(f"{dest} exists and is not an l1forge project; move it away or use --force")
    previous = manifest.read_manifest(dest)
    same_card = previous.get("card") == card.name and previous.get("card_source") == _source(card)
    if not same_card:
        raise UserError(f"{dest} holds the project of card {previous.get('card_source')}, "
                        f"not {card.source}; use --force to replace it")


def assemble(card: Card, trained: Trained, tmp: Path, dest: Path, csim_events: int, log):
    """Convert, compile and C-simulate into `tmp`; returns (manifest content, ModelGraph)."""
    task = task_module(card)
    qat_model = trained.qat_model()
    fw_model = task.firmware_model(card, qat_model)
    log("converting with hls4ml and compiling the firmware C++ (g++)")
    graph = firmware.convert(card, fw_model, tmp)
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
    emulator_check = check_emulator(graph, verification)
    metrics = {**trained.metrics,
               **task.firmware_metrics(card, y_test, trained.info, verification.outputs, qat_outputs)}
    # Tasks whose metrics need the whole project (anomaly detection: firmware scores of every
    # stored event, efficiencies at the card's rates) provide project_metrics.
    if hasattr(task, "project_metrics"):
        metrics.update(task.project_metrics(card, trained, graph, fw_model, tmp, log))
    tb_data.write_vendor_testbench_data(tmp, verification.inputs[:1000], verification.outputs[:1000])
    firmware.relocate_config(tmp, dest, fw_model)
    shutil.copytree(trained.directory, tmp / "trained")
    t = card.target
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
        "emulator": emulator_check,
        "target": {"backend": t.backend, "part": t.part, "clock_ns": t.clock_ns,
                   "io_type": t.io_type, "strategy": t.strategy, "reuse_factor": t.reuse_factor,
                   "latency_budget_ns": t.latency_budget_ns},
    }, graph


def check_emulator(graph, verification: csim.Verification) -> dict[str, Any]:
    """Run l1forge.emulate on the C-simulated events and compare bit for bit.

    A layer the emulator does not model is recorded, not fatal: the firmware is still valid.
    """
    from l1forge import emulate

    try:
        emulator = emulate.from_graph(graph)
    except UserError as err:
        return {"supported": False, "reason": str(err)}
    start = time.perf_counter()
    outputs = np.asarray(emulator.predict(verification.inputs), dtype=np.float64)
    seconds = time.perf_counter() - start
    comparison = csim.compare(outputs.reshape(len(outputs), -1), verification.outputs)
    return {"supported": True, **comparison.as_dict(), "seconds": round(seconds, 4)}


def _source(card: Card) -> str:
    return str(Path(card.source).resolve())


def rerun_csim(project_dir: str | Path, events: int = DEFAULT_CSIM_EVENTS,
               log: Callable[[str], None] = print) -> dict[str, Any]:
    """Re-run an existing project's C-simulation on its stored test events."""
    from l1forge.hls_project import load_graph

    project_dir = Path(project_dir)
    manifest.read_manifest(project_dir)  # refuses a folder that is not an l1forge project
    split = project_dir / "trained" / "test_split.npz"
    if not split.is_file():
        raise UserError(f"{project_dir}: no trained/test_split.npz; rebuild with `l1forge build`")
    if events < 1:
        raise UserError(f"--events must be at least 1, got {events}")
    firmware.require_compiler()
    with np.load(split) as f:
        x_test = f["x_test"][:events]
    log("loading the project's ModelGraph and compiling hls4ml's reference library")
    graph = load_graph(project_dir)
    firmware.compile_graph(graph)
    if not (project_dir / csim.BINARY).is_file():
        csim.build_testbench(graph, project_dir)
    log(f"C-simulation over {len(x_test)} events")
    verification = csim.verify(graph, project_dir, x_test)
    manifest.update_manifest(project_dir, csim=verification.as_dict())
    return verification.as_dict()
