"""Emulators of projects on disk: any hls4ml project folder, plus l1forge's manifest."""

from __future__ import annotations

from l1forge.emulate.emulator import Emulator
from l1forge.emulate.graph import from_graph
from l1forge.errors import UserError
from l1forge.project import HLS_CONFIG, Project


def load(project_dir) -> Emulator:
    """Emulator of the hls4ml project in `project_dir` (the folder is never modified)."""
    project = Project(project_dir)
    if not project.folder.is_dir():
        raise UserError(f"{project.folder}: no such folder; expected an l1forge or hls4ml project")
    if not project.has_config():
        raise UserError(f"{project.folder}: no {HLS_CONFIG}; expected an l1forge or hls4ml project folder")
    manifest = project.manifest(strict=False)
    try:
        graph = project.graph()
    except TypeError as err:  # Keras cannot rebuild some saved models (e.g. QKeras in .keras files)
        raise UserError(f"{project.folder}: cannot load the project's Keras model ({err})") from None
    return from_graph(graph, manifest=manifest)
