"""Load the hls4ml ModelGraph of any hls4ml project folder, without touching the folder.

A project folder is what hls4ml writes: `hls4ml_config.yml` plus the Keras model it came
from. hls4ml stores the model path behind a `!keras_model` tag, absolute and often from
another machine, and its own loader knows no QKeras layers. Here the model file is resolved
as: the config's `KerasModel` path if that file exists, otherwise `keras_model.h5` or
`keras_model.keras` beside the config. The graph is converted with the project's own
HLSConfig, so hls4ml's optimizer passes run exactly as they did for the project; the
conversion's output folder is a throw-away temporary, never the project itself.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from l1forge.errors import UserError

CONFIG_NAME = "hls4ml_config.yml"
MODEL_NAMES = ("keras_model.h5", "keras_model.keras")


class KerasModelPath(str):
    """The model path hls4ml writes behind its `!keras_model` tag (kept as a tag on dump)."""


class ConfigLoader(yaml.SafeLoader):
    """A SafeLoader that reads hls4ml's `!keras_model` tag as a KerasModelPath string."""


ConfigLoader.add_constructor("!keras_model",
                             lambda loader, node: KerasModelPath(loader.construct_scalar(node)))


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


def model_path(project_dir: Path, config: dict[str, Any]) -> Path:
    """The Keras model file of a project, by the resolution order in the module docstring."""
    project_dir = Path(project_dir)
    declared = config.get("KerasModel") or config.get("KerasH5")
    candidates = []
    if isinstance(declared, str) and declared:
        candidates.append(Path(declared) if Path(declared).is_absolute() else project_dir / declared)
    candidates += [project_dir / name for name in MODEL_NAMES]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UserError(
        f"{project_dir}: the project's Keras model is missing; looked for "
        + ", ".join(str(c) for c in candidates)
    )


def load_keras_model(path: Path):
    """Load a Keras or QKeras model file (QKeras layers registered)."""
    from qkeras.utils import _add_supported_quantized_objects
    from tensorflow import keras

    custom_objects: dict[str, Any] = {}
    _add_supported_quantized_objects(custom_objects)
    try:
        return keras.models.load_model(str(path), custom_objects=custom_objects, compile=False)
    except (OSError, ValueError, TypeError) as err:
        raise UserError(f"{path}: cannot load the Keras model ({str(err).splitlines()[0]})") from None


def load_graph(project_dir: Path, keras_model=None):
    """The project's hls4ml ModelGraph after its optimizer passes (not compiled)."""
    import hls4ml

    project_dir = Path(project_dir)
    config = read_config(project_dir)
    if keras_model is None:
        keras_model = load_keras_model(model_path(project_dir, config))
    config = dict(config)
    config["KerasModel"] = keras_model
    config.setdefault("Backend", "Vivado")
    # hls4ml needs an output folder (compile() writes there); a throw-away one, removed when
    # the process ends.
    scratch = tempfile.mkdtemp(prefix="l1forge-graph-")
    atexit.register(shutil.rmtree, scratch, True)
    config["OutputDir"] = scratch
    config.pop("InputData", None)
    config.pop("OutputPredictions", None)
    return hls4ml.converters.convert_from_config(config)
