"""Load the hls4ml ModelGraph of any hls4ml project folder, without touching the folder.

A project folder is what hls4ml writes: `hls4ml_config.yml` plus the Keras model it came
from, named by the config as `KerasModel` (hls4ml 1.3 saves `keras_model.keras` behind a
`!keras_model` tag), `KerasJson` + `KerasH5` (a project converted from an architecture and
its weights) or `KerasH5` alone. Those paths are relative to wherever hls4ml ran, or
absolute and often from another machine. Each is looked for by its file name in the
project folder first (a copied folder reads its own model, not the original's), then as
declared: where hls4ml ran (the project folder with the config's relative OutputDir taken
off) or absolute; a model not found there falls back to `keras_model.h5` or
`keras_model.keras` beside the config. The model is read by l1forge.intake (QKeras layers,
quantizer objects of either style). The graph is converted with the project's own
HLSConfig, so hls4ml's optimizer passes run exactly as they did for the project; the
conversion's output folder is a throw-away temporary, never the project itself.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from l1forge.errors import UserError
from l1forge.intake.hls4ml_yaml import (
    CONFIG_NAME,
    MODEL_KEYS,
    OTHER_FRONTENDS,
    ConfigLoader,
    MODEL_NAMES,
    KerasModelPath,
    ModelFiles,
    beside_model,
    declared_model_files,
    hls4ml_run_folder,
    other_frontend,
)

__all__ = ["CONFIG_NAME", "ConfigLoader", "KerasModelPath", "load_graph", "load_keras_model",
           "model_files", "model_path", "project_keras_model", "read_config"]


def read_config(project_dir: Path) -> dict[str, Any]:
    path = Path(project_dir) / CONFIG_NAME
    if not path.is_file():
        raise UserError(f"{project_dir}: no {CONFIG_NAME}; expected an hls4ml project folder")
    try:
        config = yaml.load(path.read_text(), Loader=ConfigLoader)
    except yaml.YAMLError as err:
        raise UserError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(config, dict) or "HLSConfig" not in config:
        raise UserError(f"{path}: no HLSConfig section; expected a config written by hls4ml")
    return config


def model_files(project_dir: Path, config: dict[str, Any]) -> ModelFiles:
    """The Keras model files of a project, by the resolution order in the module docstring."""
    project_dir = Path(project_dir)
    bases = [base for base in (hls4ml_run_folder(project_dir, config.get("OutputDir")), project_dir)
             if base is not None]
    try:
        declared = declared_model_files(config, bases, project_dir / CONFIG_NAME, local=project_dir)
        not_found = None
    except UserError as err:
        declared, not_found = None, err
    if declared is not None:
        return declared
    found = beside_model(project_dir)
    if found is not None:
        return ModelFiles(found)
    beside = [project_dir / name for name in MODEL_NAMES]
    if not_found is not None:
        raise UserError(f"{not_found}; nor " + ", ".join(str(c) for c in beside))
    other = other_frontend(config)
    if other:
        raise UserError(f"{project_dir}: its {other} is not a Keras model; l1forge reads Keras/QKeras models "
                        f"({', '.join(MODEL_KEYS)} in {CONFIG_NAME}, or " + ", ".join(MODEL_NAMES) + " beside it)")
    raise UserError(f"{project_dir}: the project's Keras model is missing: no {', '.join(MODEL_KEYS)} "
                    f"in {CONFIG_NAME}, and no " + ", ".join(str(c) for c in beside))


def model_path(project_dir: Path, config: dict[str, Any]) -> Path:
    """The project's model file (its architecture file, for a JSON + weights project)."""
    return model_files(project_dir, config).model


def load_keras_model(path: Path, weights: Path | None = None):
    """Load a Keras or QKeras model file (.h5, .keras), or a JSON architecture with weights."""
    from l1forge.intake.keras_files import load_keras

    return load_keras(path, weights)


def project_keras_model(project_dir: Path, config: dict[str, Any] | None = None):
    """The Keras model an hls4ml project folder was converted from."""
    config = read_config(project_dir) if config is None else config
    files = model_files(project_dir, config)
    return load_keras_model(files.model, files.weights)


def _conv1d_output_widths(keras_model) -> dict[str, int]:
    """Output width of each layer with a (batch, width, channels) output (legacy_config)."""
    widths = {}
    for layer in getattr(keras_model, "layers", []):
        try:
            shape = tuple(layer.output_shape)
        except (AttributeError, RuntimeError, ValueError, TypeError):
            continue
        if len(shape) == 3 and isinstance(shape[1], int):
            widths[layer.name] = shape[1]
    return widths


def load_graph(project_dir: Path, keras_model=None, notes: list[str] | None = None):
    """The project's hls4ml ModelGraph after its optimizer passes (not compiled).

    A config from an older hls4ml is made convertible first (legacy_config); what that
    changed is appended to `notes`. hls4ml's own printing goes to stderr (stdout may carry
    JSON), and a conversion hls4ml refuses is a UserError naming the project.
    """
    import hls4ml

    from l1forge.firmware.da4ml_warmup import before_conversion
    from l1forge.firmware.legacy_config import convertible_config

    project_dir = Path(project_dir)
    config = read_config(project_dir)
    if keras_model is None:
        keras_model = project_keras_model(project_dir, config)
    config, changed = convertible_config(config, _conv1d_output_widths(keras_model))
    if notes is not None:
        notes.extend(changed)
    for key in MODEL_KEYS + OTHER_FRONTENDS:  # the Keras model read above is the one converted
        config.pop(key, None)
    config["KerasModel"] = keras_model
    config.setdefault("Backend", "Vivado")
    # hls4ml needs an output folder (compile() writes there); a throw-away one, removed when
    # the process ends.
    scratch = tempfile.mkdtemp(prefix="l1forge-graph-")
    atexit.register(shutil.rmtree, scratch, True)
    config["OutputDir"] = scratch
    config.pop("InputData", None)
    config.pop("OutputPredictions", None)
    before_conversion(config.get("HLSConfig", {}))
    try:
        with contextlib.redirect_stdout(sys.stderr):
            return hls4ml.converters.convert_from_config(config)
    except Exception as err:  # noqa: BLE001 - hls4ml's refusal of someone else's project
        message = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise UserError(f"{project_dir}: hls4ml {hls4ml.__version__} cannot convert this project "
                        f"({type(err).__name__}: {message}); expected a config and model it "
                        "accepts") from err
