"""The project manifest `l1forge.json`: what tools and people read about a project.

Keys: card, card_sha256, card_source, task, card_content, versions, seed, preprocessing,
data, metrics, csim, emulator, target, report, build_seconds, created. Reading it is
`Project(folder).manifest(strict=...)` (l1forge.project); this module writes it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from l1forge.atomic import write_text_atomic
from l1forge.machine import cpu_description
from l1forge.project import MANIFEST, Project


def versions() -> dict[str, str]:
    found = {}
    for package in ("l1forge", "hls4ml", "tensorflow", "qkeras", "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    found["g++"] = compiler_version()
    found.update(cpu_description())
    return found


def compiler_version() -> str:
    compiler = shutil.which("g++")
    if not compiler:
        return "not found"
    out = subprocess.run([compiler, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "unknown"


def write_manifest(project_dir: Path, content: dict[str, Any]) -> Path:
    content = dict(content)
    content.setdefault("created", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    path = Path(project_dir) / MANIFEST
    write_text_atomic(path, json.dumps(content, indent=1, sort_keys=False) + "\n")
    return path


def read_manifest(project_dir: Path) -> dict[str, Any]:
    """The manifest of an l1forge project (strict: refuses a folder that is not one)."""
    return Project(project_dir).manifest(strict=True)


def update_manifest(project_dir: Path, **sections: Any) -> dict[str, Any]:
    content = read_manifest(project_dir)
    content.update(sections)
    write_manifest(project_dir, content)
    return content
