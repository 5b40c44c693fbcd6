"""The project manifest `l1forge.json`: what tools and people read about a project.

Keys: card, card_sha256, card_source, task, versions, seed, preprocessing, metrics, csim,
target, report (when the report stage is available), created.
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
from l1forge.errors import UserError

MANIFEST = "l1forge.json"


def versions() -> dict[str, str]:
    found = {}
    for package in ("l1forge", "hls4ml", "tensorflow", "qkeras", "numpy"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    found["g++"] = compiler_version()
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
    path = Path(project_dir) / MANIFEST
    if not path.is_file():
        raise UserError(f"{project_dir}: no {MANIFEST}; expected a project built by `l1forge build`")
    try:
        content = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise UserError(f"{path}: not valid JSON ({err.msg} at line {err.lineno})") from None
    if not isinstance(content, dict) or "card" not in content:
        raise UserError(f"{path}: not an l1forge manifest (no 'card' key)")
    return content


def update_manifest(project_dir: Path, **sections: Any) -> dict[str, Any]:
    content = read_manifest(project_dir)
    content.update(sections)
    write_manifest(project_dir, content)
    return content
