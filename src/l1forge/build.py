"""`l1forge build`: a card -> its trained model -> the one flow (l1forge.flow) -> a project.

Train (or reuse the trained model stored by the card's training hash), then run the card's
flow job (tasks/flow_jobs.py: firmware, verified, report, the family's figures) inside a
temporary folder beside `hls_projects/<name>`, add what a kept project carries (the trained
model, the vendor test-bench data, the manifest), and rename it into place only when all of
that has succeeded.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from l1forge import csim, firmware, flow, manifest
from l1forge.atomic import atomic_dir
from l1forge.errors import UserError
from l1forge.firmware.testbench_data import write_vendor_testbench_data
from l1forge.project import Project
from l1forge.tasks import load_card
from l1forge.tasks.flow_jobs import card_job, card_manifest, card_source
from l1forge.tasks.training import load_trained, train

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
    check_destination(dest, card.name, card_source(card), force)
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
        result = flow.run(card_job(card, trained, tmp, csim_events=csim_events, final_dir=dest, log=log))
        write_vendor_testbench_data(tmp, result.verified.inputs[:VENDOR_TB_EVENTS],
                                    result.verified.firmware_outputs[:VENDOR_TB_EVENTS])
        shutil.copytree(trained.directory, Project(tmp).trained_dir)
        content = {**card_manifest(card, trained), **flow_manifest(result, trained.metrics)}
        content["build_seconds"] = round(time.perf_counter() - start, 2)
        manifest.write_manifest(tmp, content)
    log(f"project written to {dest}")
    if card.rtl.build:  # the card asks for the RTL too: written into the finished project
        from l1forge.rtl import write_rtl

        write_rtl(dest, events=card.rtl.events, synth=card.rtl.synth, log=log)
    return BuildResult(dest, Project(dest).manifest())


def check_destination(dest: Path, name: str, source: str, force: bool) -> None:
    """Refuse to overwrite a folder that holds another source's project (unless forced)."""
    if not dest.exists() or force:
        return
    project = Project(dest)
    if not project.manifest_path.is_file():
        raise UserError(f"{dest} exists and is not an l1forge project; move it away or use --force")
    previous = project.manifest()
    if previous.get("card") != name or previous.get("card_source") != source:
        raise UserError(f"{dest} holds the project of card {previous.get('card_source')}, "
                        f"not {source}; use --force to replace it")


def flow_manifest(result: flow.FlowResult, metrics: dict[str, Any]) -> dict[str, Any]:
    """The manifest sections every flow run fills: metrics (the given ones, then the
    family's figures), the C-simulation, the emulator check, the target and the report."""
    return {"metrics": {**metrics, **result.figures}, "csim": result.verified.csim,
            "emulator": result.verified.emulator, "target": result.spec.target_dict(),
            "report": result.report}
