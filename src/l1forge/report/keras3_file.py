"""The ModelGraph of a project whose model is a Keras 3 `.keras` file, without Keras 3.

l1forge runs hls4ml's Keras 2 frontend (TensorFlow 2.14), which cannot load a model
saved by Keras 3. Such a file is a zip of `config.json` (the architecture), `metadata.json`
(the Keras version) and `model.weights.h5` (each layer's variables, in creation order, at
`layers/<name>/vars/<i>`). That is all hls4ml needs: its Keras parser reads an
architecture dictionary and asks a reader for each weight by layer and variable name. This
module translates the Keras 3 architecture into the Keras 2 spelling the parser knows
(InputLayer `batch_shape`, inbound nodes as `[name, node, tensor]` triples, dtype
policies as names), names the stored variables, and converts the graph with the
project's own hls4ml configuration (precisions, reuse factors, strategy), so hls4ml's
optimizer passes run as they did for the project.
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from l1forge.errors import UserError

# Variable names, in the order Keras creates (and saves) them, of the layers with weights.
VARIABLES = {
    "Dense": ("kernel", "bias"), "Conv1D": ("kernel", "bias"), "Conv2D": ("kernel", "bias"),
    "DepthwiseConv1D": ("depthwise_kernel", "bias"), "DepthwiseConv2D": ("depthwise_kernel", "bias"),
    "SeparableConv1D": ("depthwise_kernel", "pointwise_kernel", "bias"),
    "SeparableConv2D": ("depthwise_kernel", "pointwise_kernel", "bias"),
    "PReLU": ("alpha",), "Embedding": ("embeddings",),
}


def is_keras3_file(path: Path) -> bool:
    """A `.keras` zip written by Keras 3 or later (metadata.json says which Keras)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if not {"config.json", "model.weights.h5"} <= names:
            return False
        if "metadata.json" not in names:
            return True  # Keras 2 always writes its metadata; a file without it is not Keras 2's
        version = str(json.loads(archive.read("metadata.json")).get("keras_version", "3"))
    return int(version.split(".")[0]) >= 3


def _tensor_sources(value) -> list[list]:
    """The `[layer, node, tensor]` of every Keras tensor in a Keras 3 call argument."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return [list(value["config"]["keras_history"][:3])]
        return [s for item in value.values() for s in _tensor_sources(item)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _tensor_sources(item)]
    return []


def _keras2_layer(layer: dict) -> dict:
    config = dict(layer["config"])
    if isinstance(config.get("dtype"), dict):  # a DTypePolicy: Keras 2 spells only its name
        config["dtype"] = config["dtype"].get("config", {}).get("name", "float32")
    if layer["class_name"] == "InputLayer" and "batch_shape" in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    translated = {"class_name": layer["class_name"], "name": config.get("name"), "config": config}
    if "inbound_nodes" in layer:
        translated["inbound_nodes"] = [
            [source + [{}] for source in _tensor_sources(node.get("args", []))]
            for node in layer["inbound_nodes"]]
    return translated


def _triples(value) -> list[list]:
    """Keras 3 writes `input_layers` as one triple for a single input, else a list of them."""
    if value and not isinstance(value[0], list):
        return [list(value)]
    return [list(v) for v in value]


def keras2_architecture(config: dict) -> dict:
    """The Keras 2 `to_json()` form of a Keras 3 `config.json`."""
    kind = config.get("class_name")
    inner = config.get("config", {})
    layers = [_keras2_layer(layer) for layer in inner.get("layers", [])]
    if kind == "Sequential":
        if layers and layers[0]["class_name"] != "InputLayer":
            shape = (inner.get("build_input_shape") or (config.get("build_config") or {}).get("input_shape")
                     or (inner["layers"][0].get("build_config") or {}).get("input_shape"))
            if shape is None:
                raise UserError("config.json: a Sequential model without an input shape; expected an "
                                "InputLayer or a build_config")
            layers.insert(0, {"class_name": "InputLayer", "name": "input_1",
                              "config": {"name": "input_1", "batch_input_shape": list(shape)}})
        return {"class_name": "Sequential", "config": {"name": inner.get("name"), "layers": layers}}
    if kind in ("Functional", "Model"):
        return {"class_name": "Functional", "config": {
            "name": inner.get("name"), "layers": layers,
            "input_layers": _triples(inner["input_layers"]), "output_layers": _triples(inner["output_layers"])}}
    raise UserError(f"config.json: model class '{kind}'; expected a Sequential or Functional model")


def snake_case(class_name: str) -> str:
    """Keras' snake-case spelling of a class name (`BatchNormalization` -> `batch_normalization`)."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def storage_names(classes: dict[str, str]) -> dict[str, str]:
    """Where Keras 3 stores each layer's variables: not under the layer's own name but
    under its class in snake case, numbered among the model's layers of that class in
    order (`dense`, `dense_1`, ...), so a layer named `output` sits at `layers/dense_2`."""
    used: dict[str, int] = {}
    names = {}
    for layer, kind in classes.items():  # the model's layer order
        base = snake_case(kind)
        names[layer] = base if base not in used else f"{base}_{used[base] + 1}"
        used[base] = used[base] + 1 if base in used else 0
    return names


class Keras3WeightReader:
    """hls4ml's weight-reader interface over a Keras 3 `model.weights.h5`."""

    def __init__(self, h5_path: Path, classes: dict[str, str], configs: dict[str, dict]):
        import h5py

        self.file = h5py.File(h5_path, "r")
        self.classes, self.configs = classes, configs
        stored: dict[str, str] = {}

        def index(name: str) -> None:  # (h5py stops visiting at the first non-None return)
            if name.endswith("/vars"):
                stored.setdefault(name.rsplit("/", 2)[-2], name)

        self.file.visit(index)
        by_class = storage_names(classes)
        # The class-numbered group when the file has it (Keras 3 saving), else a group
        # named like the layer (files whose layers kept their default names agree).
        self.groups = {layer: stored.get(by_class[layer]) or stored.get(layer) for layer in classes}
        self.groups = {layer: group for layer, group in self.groups.items() if group is not None}

    def variable_names(self, layer: str) -> tuple[str, ...]:
        kind = self.classes.get(layer, "")
        if kind == "BatchNormalization":
            config = self.configs[layer]
            return ((("gamma",) if config.get("scale", True) else ()) + (("beta",) if config.get("center", True) else ())
                    + ("moving_mean", "moving_variance"))
        names = VARIABLES.get(kind, ("kernel", "bias"))
        if "bias" in names and not self.configs.get(layer, {}).get("use_bias", True):
            names = tuple(n for n in names if n != "bias")
        return names

    def get_weights_data(self, layer_name: str, var_name: str):
        group = self.groups.get(layer_name)
        names = self.variable_names(layer_name)
        if group is None or var_name not in names:
            return None
        index = str(names.index(var_name))
        stored = self.file[group]
        return np.asarray(stored[index]) if index in stored else None


def load_keras3_graph(folder: Path, config: dict, model_file: Path):
    """The ModelGraph of `folder` (its hls4ml config already read) from a Keras 3 file."""
    from hls4ml.converters.keras_v2_to_hls import parse_keras_model
    from hls4ml.model import ModelGraph

    scratch = Path(tempfile.mkdtemp(prefix="l1forge-keras3-"))
    atexit.register(shutil.rmtree, scratch, True)
    try:
        with zipfile.ZipFile(model_file) as archive:
            architecture = keras2_architecture(json.loads(archive.read("config.json")))
            archive.extract("model.weights.h5", scratch)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as err:
        raise UserError(f"{model_file}: not a readable Keras 3 file ({err})") from None
    layers = architecture["config"]["layers"]
    reader = Keras3WeightReader(scratch / "model.weights.h5", {l["name"]: l["class_name"] for l in layers},
                                {l["name"]: l["config"] for l in layers})
    try:
        layer_list, inputs, outputs, _ = parse_keras_model(architecture, reader)
    except Exception as err:  # hls4ml raises bare Exceptions for unsupported layers
        raise UserError(f"{model_file}: hls4ml cannot parse this Keras 3 model ({str(err).splitlines()[0]})") from None
    hls_config = dict(config)
    hls_config.setdefault("Backend", "Vivado")
    hls_config["OutputDir"] = str(scratch / "hls4ml")
    for key in ("KerasModel", "KerasH5", "KerasJson", "InputData", "OutputPredictions"):
        hls_config.pop(key, None)
    return ModelGraph.from_layer_list(hls_config, layer_list, inputs, outputs)
