"""A Keras model written into hls4ml_config.yml itself, as a pickled object.

hls4ml dumps its configuration with PyYAML and asks it to write the `KerasModel` entry as
a `!keras_model` path. Where that representer does not match the model's class (a model
built with tf_keras, the Keras 2 package, while `keras` is Keras 3), PyYAML falls back to
the model's own pickling: the entry becomes

    KerasModel: !!python/object/apply:tf_keras.src.saving.pickle_utils.deserialize_model_from_bytecode
    - !!binary |
      UEsDBBQAAAAIA...

whose one argument is the model saved in the Keras zip format (`.keras`). l1forge never
unpickles: it takes the bytes, checks that they are a zip archive, and reads them as the
`.keras` file they are (keras_files), from a throw-away folder. Any other object applied
by a Python function is refused in one line.

hls4ml's PyTorch frontend writes its model the same way (`PytorchModel:
!!python/object:model.Net` and the module's state) and its `InputShape` as a
`!!python/tuple`. A tuple is data and is read as one; a pickled object is kept as a
`PickledObject` naming its class, never built, so such a config reaches the check that
says what is not supported (a PyTorch model) instead of failing on a YAML tag.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import yaml

from l1forge.errors import UserError

APPLY_TAG = "tag:yaml.org,2002:python/object/apply:"
OBJECT_TAGS = ("tag:yaml.org,2002:python/object:", "tag:yaml.org,2002:python/object/new:")
TUPLE_TAG = "tag:yaml.org,2002:python/tuple"
# Keras 2's pickling of a model (keras.src.saving.pickle_utils in tf.keras 2.13+, and the
# same module under tf_keras)
BYTECODE_LOADER = "pickle_utils.deserialize_model_from_bytecode"
FILE_NAME = "keras_model.keras"


@dataclass(frozen=True)
class EmbeddedKerasModel:
    """The `.keras` bytes of a model pickled into a config, and the tag that held them."""

    data: bytes
    tag: str

    def __repr__(self) -> str:  # the bytes are no use in a message
        return f"<Keras model embedded in the config ({len(self.data):,} bytes, {self.tag})>"


@dataclass(frozen=True)
class PickledObject:
    """A Python object pickled into a config (`!!python/object:CLASS`), not built."""

    tag: str

    def __str__(self) -> str:
        return f"a pickled Python object ({self.tag})"


def construct_python_object(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> PickledObject:
    """The YAML constructor for `!!python/object:` / `object/new:` tags: a marker, never the object."""
    prefix = OBJECT_TAGS[1] if node.tag.startswith(OBJECT_TAGS[1]) else OBJECT_TAGS[0]
    return PickledObject(prefix + suffix)


def construct_python_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> tuple:
    return tuple(loader.construct_sequence(node, deep=True))


def construct_python_apply(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> EmbeddedKerasModel:
    """The YAML constructor for `!!python/object/apply:` tags (SafeLoader knows none)."""
    tag = APPLY_TAG + suffix
    if not suffix.endswith(BYTECODE_LOADER) or not isinstance(node, yaml.SequenceNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"a pickled Python object ({tag}), which l1forge does not unpickle; expected "
            "plain values and a `!keras_model` path", node.start_mark)
    args = loader.construct_sequence(node, deep=True)
    if len(args) != 1 or not isinstance(args[0], bytes):
        raise yaml.constructor.ConstructorError(
            None, None, f"{tag} with {len(args)} argument(s); expected one !!binary model", node.start_mark)
    return EmbeddedKerasModel(args[0], tag)


def embedded_model_file(model: EmbeddedKerasModel, where: Path) -> Path:
    """The embedded model as a `.keras` file in a throw-away folder (removed at exit),
    written once per process however often the config's model is looked up."""
    try:
        with zipfile.ZipFile(BytesIO(model.data)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise UserError(f"{where}: KerasModel holds {len(model.data):,} bytes that are not a Keras zip "
                        "archive; expected a model saved in the .keras format") from None
    if "config.json" not in names:
        raise UserError(f"{where}: KerasModel's embedded archive has no config.json; expected a model "
                        "saved in the .keras format")
    return _written(model)


@functools.lru_cache(maxsize=None)
def _written(model: EmbeddedKerasModel) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="l1forge-embedded-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / FILE_NAME
    path.write_bytes(model.data)
    return path
