"""A user's trained model as it enters l1forge: the Keras model, the firmware settings its
files give, and the sha256 of every file it was read from.

SOURCE is a Keras 2 whole model (`.h5`, or a tf.keras 2.14 `.keras`), a Keras JSON
architecture with its weights (`.h5`), or an hls4ml `convert -c` configuration (`.yml` /
`.yaml`: KerasModel, or KerasJson + KerasH5, or KerasH5; Part, ClockPeriod, IOType, Backend,
ProjectName and HLSConfig used as given; OutputDir ignored; model paths relative to the
YAML, or to the working folder as hls4ml itself reads them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from l1forge.errors import UserError
from l1forge.intake.hls4ml_yaml import (
    MODEL_NAMES,
    ModelFiles,
    ModelNotFound,
    TargetSettings,
    beside_model,
    declared_model_files,
    other_frontend,
    read_yaml,
    target_settings,
)
from l1forge.intake.keras_files import JSON, KERAS_ZIP, WHOLE_MODEL_H5, load_keras

YAML = (".yml", ".yaml")
# What SOURCE was: a whole model in HDF5, a .keras archive, JSON + weights, an hls4ml YAML.
KINDS = ("keras_h5", "keras_zip", "keras_json", "hls4ml_yaml")


@dataclass(frozen=True)
class Source:
    """A trained model and what its files say about the firmware wanted of it."""

    path: Path                      # SOURCE as given (resolved)
    kind: str                       # one of KINDS
    model: Any = field(repr=False, compare=False)  # the tf.keras Model (QKeras layers live)
    files: dict[str, str]           # every file read (resolved path) -> its sha256
    part: str | None = None
    clock_ns: float | None = None
    io_type: str | None = None
    backend: str | None = None
    project_name: str | None = None
    hls_config: dict | None = field(default=None, compare=False)  # HLSConfig as given

    @property
    def ports(self) -> list:
        """The model's inputs (ports.Port), in its order."""
        from l1forge.intake.ports import keras_ports

        return keras_ports(self.model, self.path)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one event (the model's input shape without the batch axis; several
        inputs laid end to end, ports.py)."""
        return model_input_shape(self.model, self.path)

    def settings(self) -> dict[str, Any]:
        """The settings the source files give, for the manifest (None where they are silent)."""
        return {"part": self.part, "clock_ns": self.clock_ns, "io_type": self.io_type,
                "backend": self.backend, "project_name": self.project_name,
                "hls_config": self.hls_config}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_input_shape(model, where: Path) -> tuple[int, ...]:
    """The shape of one event: the model's input shape without the batch axis, or for a
    model with several inputs one row of all their values end to end (ports.py)."""
    from l1forge.intake.ports import event_shape, keras_ports

    return event_shape(keras_ports(model, where))


def _kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in WHOLE_MODEL_H5:
        return "keras_h5"
    if suffix == KERAS_ZIP:
        return "keras_zip"
    if suffix == JSON:
        return "keras_json"
    if suffix in YAML:
        return "hls4ml_yaml"
    raise UserError(f"{path}: unknown model file type '{path.suffix}'; expected .h5, .keras, "
                    ".json (with its weights .h5) or an hls4ml configuration .yml")


def _hashes(*paths: Path | None) -> dict[str, str]:
    return {str(p): sha256_of(p) for p in paths if p is not None}


def load_source(path, weights=None) -> Source:
    """Read SOURCE (and `weights` for a JSON architecture); bad input is one UserError."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"{path}: no such file; expected a Keras model (.h5, .keras, .json with "
                        "weights) or an hls4ml configuration .yml")
    path = path.resolve()
    weights = Path(weights).expanduser().resolve() if weights is not None else None
    kind = _kind_of(path)
    if kind != "hls4ml_yaml":
        model = load_keras(path, weights)
        return Source(path, kind, model, _hashes(path, weights))
    if weights is not None:
        raise UserError(f"{path}: an hls4ml configuration names its own model files; weights "
                        f"({weights}) go with a JSON architecture only")
    return _from_yaml(path)


def _from_yaml(path: Path) -> Source:
    config = read_yaml(path)
    files = _yaml_model_files(path, config)
    if files is None:
        raise UserError(f"{path}: no KerasModel, KerasJson or KerasH5 key; expected an hls4ml "
                        "configuration naming its Keras model")
    target: TargetSettings = target_settings(config, path)  # checked before the slow load
    model = load_keras(files.model, files.weights)
    return Source(path, "hls4ml_yaml", model, _hashes(path, files.model.resolve(),
                                                       files.weights.resolve() if files.weights else None),
                  part=target.part, clock_ns=target.clock_ns, io_type=target.io_type,
                  backend=target.backend, project_name=target.project_name,
                  hls_config=target.hls_config)


def _yaml_model_files(path: Path, config: dict) -> ModelFiles | None:
    """The model a configuration names, searched beside it and in the working folder; where
    that file is missing (a path on another machine) or is not a Keras model (PyTorch,
    ONNX), hls4ml's own Keras copy beside the config (MODEL_NAMES), as `l1forge report`
    reads project folders."""
    beside = beside_model(path.parent)
    other = other_frontend(config)
    if other:
        if beside is not None:
            return ModelFiles(beside)
        raise UserError(f"{path}: {other} is not a Keras model; l1forge reads Keras/QKeras models "
                        "(KerasModel, or KerasJson with KerasH5, or " + ", ".join(MODEL_NAMES) + " beside it)")
    try:
        return declared_model_files(config, [path.parent, Path.cwd()], path)
    except ModelNotFound:
        if beside is None:
            raise
        return ModelFiles(beside)
