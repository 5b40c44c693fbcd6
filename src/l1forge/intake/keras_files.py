"""Read a trained Keras 2 model from its files: a whole model (.h5 or .keras) or a JSON
architecture with its weights (.h5), QKeras layers and both quantizer styles included.

A whole model goes through Keras' own loader first. When tf.keras 2.14 cannot rebuild it
(QKeras quantizer objects in a `.keras` file, as hls4ml 1.3.0 saves every model it
converts), the model is rebuilt from the file's own architecture with its quantizers
revived (qkeras_objects) and the file's weights loaded into it: the same layers, the same
weights, nothing guessed. A JSON architecture is always rebuilt that way.

Every failure that comes from the file (not HDF5, truncated, a weights-only file given as
a model, an unknown layer, weights of another network) is a one-line UserError naming the
file and what was expected.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from l1forge.errors import UserError
from l1forge.intake.qkeras_objects import custom_objects, revive_quantizers

WHOLE_MODEL_H5 = (".h5", ".hdf5")
KERAS_ZIP = ".keras"
JSON = ".json"
PRUNING_WRAPPER = "PruneLowMagnitude"


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:240]


def _loading_objects(architecture: dict) -> dict[str, Any]:
    """QKeras' objects, and tfmot's pruning wrapper for a model saved mid-pruning (imported
    only then: tfmot takes seconds to import)."""
    objects = custom_objects()
    if PRUNING_WRAPPER not in json.dumps(architecture, default=str):
        return objects
    from tensorflow_model_optimization.python.core.sparsity.keras.pruning_wrapper import PruneLowMagnitude

    objects[PRUNING_WRAPPER] = PruneLowMagnitude
    return objects


def _without_pruning_wrappers(model):
    """hls4ml converts the pruned layers, not tfmot's wrappers around them."""
    if not any(type(layer).__name__ == PRUNING_WRAPPER for layer in model.layers):
        return model
    import tensorflow_model_optimization as tfmot

    return tfmot.sparsity.keras.strip_pruning(model)


def h5_architecture(path: Path, expected: str = "a Keras model saved with model.save()") -> dict | None:
    """The architecture stored in a whole-model HDF5 file (None for a weights-only file);
    refuses a file that is not HDF5 at all."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            stored = f.attrs.get("model_config")
    except OSError as err:
        raise UserError(f"{path}: not a readable HDF5 file ({_first_line(err)}); expected {expected}") from None
    if stored is None:
        return None
    return json.loads(stored.decode() if isinstance(stored, bytes) else stored)


def keras_zip_architecture(path: Path) -> dict:
    """The architecture of a tf.keras 2 `.keras` archive; refuses other files and Keras 3's."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {"config.json", "model.weights.h5"} <= names:
                raise UserError(f"{path}: a zip without config.json and model.weights.h5; expected "
                                "a Keras model saved with model.save('FILE.keras')")
            metadata = json.loads(archive.read("metadata.json")) if "metadata.json" in names else {}
            architecture = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: not a readable .keras archive ({_first_line(err)}); expected a "
                        "Keras model saved with model.save('FILE.keras')") from None
    version = str(metadata.get("keras_version", "3"))
    if int(version.split(".")[0]) >= 3:
        raise UserError(f"{path}: saved by Keras {version}; l1forge reads tf.keras 2 models "
                        "(TensorFlow 2.14): save it with tf.keras 2, as .h5 or .keras")
    return architecture


def rebuild(architecture: dict, where: Path):
    """A model from its architecture tree, QKeras quantizers revived, weights not loaded."""
    from tensorflow import keras

    if not isinstance(architecture, dict) or "class_name" not in architecture or "config" not in architecture:
        raise UserError(f"{where}: not a Keras model architecture (no class_name/config); expected "
                        "the JSON of model.to_json()")
    try:
        return keras.models.model_from_config(revive_quantizers(architecture),
                                              custom_objects=_loading_objects(architecture))
    except Exception as err:  # Keras raises many types for an architecture it cannot build
        raise UserError(f"{where}: cannot build the Keras model from its architecture "
                        f"({_first_line(err)})") from None


def load_weights(model, weights: Path, architecture_file: Path) -> None:
    """Load weights (by layer order, as Keras does) and refuse weights of another network."""
    h5_architecture(weights, "Keras weights (.h5, from model.save_weights() or model.save())")
    try:
        model.load_weights(str(weights))
    except Exception as err:  # ValueError for mismatches; others for unreadable files
        raise UserError(f"{weights}: the weights do not match the architecture in {architecture_file} "
                        f"({_first_line(err)})") from None


def _load_whole(path: Path, architecture: dict):
    """Keras' own loader; if it cannot rebuild the model, the file's architecture rebuilt
    with its quantizers revived and its weights loaded."""
    from tensorflow import keras

    try:
        return keras.models.load_model(str(path), custom_objects=_loading_objects(architecture),
                                       compile=False)
    except Exception as err:
        first_error = _first_line(err)
    try:
        model = rebuild(architecture, path)
        model.load_weights(str(path))
    except Exception:
        raise UserError(f"{path}: cannot load the Keras model ({first_error})") from None
    return model


def load_keras(path, weights=None):
    """The Keras model of `path`: .h5 or .keras whole model, or .json with `weights` (.h5)."""
    path = Path(path)
    weights = Path(weights) if weights is not None else None
    if not path.is_file():
        raise UserError(f"{path}: no such file; expected a Keras model (.h5, .keras, or .json with weights)")
    suffix = path.suffix.lower()
    if weights is not None and suffix != JSON:
        raise UserError(f"{path}: a whole model holds its own weights; weights ({weights}) go with a "
                        "JSON architecture only")
    if suffix in WHOLE_MODEL_H5:
        architecture = h5_architecture(path)
        if architecture is None:
            raise UserError(f"{path}: an HDF5 file without a model architecture (weights only?); "
                            "expected a whole model saved with model.save(), or a JSON architecture "
                            "with this file as its weights")
        model = _load_whole(path, architecture)
    elif suffix == KERAS_ZIP:
        model = _load_whole(path, keras_zip_architecture(path))
    elif suffix == JSON:
        model = _load_json(path, weights)
    else:
        raise UserError(f"{path}: unknown model file type '{path.suffix}'; expected .h5, .keras, "
                        ".json (with its weights .h5) or an hls4ml configuration .yml")
    return _without_pruning_wrappers(model)


def _load_json(path: Path, weights: Path | None):
    if weights is None:
        raise UserError(f"{path}: a Keras JSON architecture holds no weights; expected its weights "
                        "file too (--weights FILE.h5)")
    if not weights.is_file():
        raise UserError(f"{weights}: no such file; expected the weights (.h5) of {path.name}")
    try:
        architecture = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not valid JSON ({_first_line(err)}); expected a Keras "
                        "architecture written by model.to_json()") from None
    model = rebuild(architecture, path)
    load_weights(model, weights, path)
    return model
