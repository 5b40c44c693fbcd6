"""A precision scan of a compiled project (`l1forge compile`): no retraining; every point is
the same trained model converted with some hls4ml configuration entries changed
(`--grid hls.Model.Precision=ap_fixed<12,4>,ap_fixed<16,6> --grid
hls.LayerName.fc1.ReuseFactor=1,4`), run through the one flow over the project's
verification events (the emulator; the C-simulation too with --csim), estimated, and ranked
by agreement with Keras (or accuracy where the project has labels) against resources."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from l1forge.errors import UserError

PREFIX = "hls."
PROJECT_FILE = "project.json"


def compile_record(project_dir: Path) -> dict[str, Any]:
    """The manifest of a compiled project (one `l1forge compile` wrote), or UserError."""
    from l1forge.project import Project

    content = Project(project_dir).manifest(strict=True)
    if "compile_options" not in content:
        raise UserError(f"{project_dir}: not a compiled project (no compile_options in its manifest); "
                        "scan a model card, or a project made by `l1forge compile`")
    return content


def check_point(point: dict[str, Any]) -> dict[str, Any]:
    """A point's overrides as dotted HLSConfig keys (`Model.Precision`, ...)."""
    bad = [key for key in point if not key.startswith(PREFIX) or len(key) == len(PREFIX)]
    if bad:
        raise UserError(f"--grid {bad[0]}: a compiled project is scanned over its hls4ml configuration; "
                        "expected keys such as hls.Model.Precision or hls.LayerName.fc1.ReuseFactor")
    return {key[len(PREFIX):]: value for key, value in point.items()}


def subject_sha256(content: dict[str, Any]) -> str:
    """What a compiled project's scan depends on: its source files and compile options."""
    blob = json.dumps({"files": content["source"]["files"], "options": content["compile_options"]},
                      sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def evaluate_compiled(scan_dir: Path, overrides: dict[str, Any], csim: bool) -> dict[str, Any]:
    """One point: convert with the point's configuration changes, verify, estimate (the
    whole estimate; the scan keeps its summary figures)."""
    import tempfile

    from l1forge import flow, intake
    from l1forge.compile import TARGET_OPTIONS, CompileOptions, figures_of, firmware_spec
    from l1forge.project import Project

    project_dir = Path(json.loads((scan_dir / PROJECT_FILE).read_text())["project"])
    content = compile_record(project_dir)
    record = content["compile_options"]
    options = CompileOptions(weights=record["weights"], precision=record["precision"],
                             hls_overrides=check_point(overrides),
                             **{key: record.get(key) for key in TARGET_OPTIONS})
    source = intake.load_source(record["source"], record["weights"])
    spec = firmware_spec(source, options, content["card"])
    x, y = Project(project_dir).test_split()
    labels = y if np.all(y >= 0) else None
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}-", dir=scan_dir) as tmp:
        folder = Path(tmp) / spec.name
        folder.mkdir()
        job = flow.Job(keras_model=source.model, spec=spec, folder=folder, x=x,
                       plan=flow.VerifyPlan(csim=csim, csim_events=len(x)),
                       figures=figures_of(source.model, x, labels, diagnosis=False), log=lambda m: None)
        result = flow.run(job)
    point = {**result.figures, "estimate": result.report["estimate"]}
    if csim:
        point["csim"] = {"events": int(len(x)), "mismatches": result.verified.csim["mismatches"],
                         "emulator_mismatches": result.verified.emulator.get("mismatches")}
    return point
