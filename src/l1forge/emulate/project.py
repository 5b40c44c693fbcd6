"""Emulators of projects on disk: any hls4ml project folder, plus l1forge's manifest."""

from __future__ import annotations

import json
from pathlib import Path

from l1forge.emulate.emulator import Emulator
from l1forge.emulate.graph import from_graph
from l1forge.errors import UserError

MANIFEST_NAME = "l1forge.json"
CONFIG_NAME = "hls4ml_config.yml"


def read_manifest(project_dir: Path) -> dict:
    """The project's l1forge.json, or {} for a plain hls4ml project."""
    path = Path(project_dir) / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: not readable JSON ({err}); expected the manifest l1forge wrote") from None
    if not isinstance(manifest, dict):
        raise UserError(f"{path}: expected a JSON object")
    return manifest


def load(project_dir) -> Emulator:
    """Emulator of the hls4ml project in `project_dir` (the folder is never modified)."""
    from l1forge.hls_project import load_graph

    project_dir = Path(project_dir)
    if not project_dir.is_dir():
        raise UserError(f"{project_dir}: no such folder; expected an l1forge or hls4ml project")
    if not (project_dir / CONFIG_NAME).is_file():
        raise UserError(f"{project_dir}: no {CONFIG_NAME}; expected an l1forge or hls4ml project folder")
    manifest = read_manifest(project_dir)
    try:
        graph = load_graph(project_dir)
    except TypeError as err:  # Keras cannot rebuild some saved models (e.g. QKeras in .keras files)
        raise UserError(f"{project_dir}: cannot load the project's Keras model ({err})") from None
    return from_graph(graph, manifest=manifest)
