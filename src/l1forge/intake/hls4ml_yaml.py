"""hls4ml configuration files: a `hls4ml convert -c` YAML, and a project's hls4ml_config.yml.

Both name the Keras model one of three ways: `KerasModel` (a whole-model file; hls4ml
writes it behind a `!keras_model` tag, or, where that fails, pickles the model into the
file: embedded_model), `KerasJson` + `KerasH5` (architecture and
weights), or `KerasH5` alone (a whole model in HDF5). Their target settings are `Part`
(`XilinxPart` in hls4ml 0.x),
`ClockPeriod`, `IOType`, `Backend`, `ProjectName` and the `HLSConfig` section; `OutputDir`
says where hls4ml wrote, never where l1forge writes.

Relative model paths are relative to where hls4ml ran. For a convert YAML that is
normally the YAML's own folder; for a project's config, written with `OutputDir` relative
to the same place, it is the project folder with OutputDir's parts taken off.
"""

from __future__ import annotations

import math

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from l1forge.errors import UserError
from l1forge.intake.embedded_model import (
    APPLY_TAG,
    OBJECT_TAGS,
    TUPLE_TAG,
    EmbeddedKerasModel,
    PickledObject,
    construct_python_apply,
    construct_python_object,
    construct_python_tuple,
    embedded_model_file,
)

CONFIG_NAME = "hls4ml_config.yml"  # what hls4ml writes into every project folder
MODEL_KEYS = ("KerasModel", "KerasJson", "KerasH5")
OTHER_FRONTENDS = ("OnnxModel", "PytorchModel")  # models hls4ml converts that l1forge does not read
# hls4ml's own copy of the model beside a project's config (1.x writes keras_model.keras, or
# .h5), read when the model the config names is missing (another machine's path)
MODEL_NAMES = ("keras_model.h5", "keras_model.keras")
IO_TYPES = ("io_parallel", "io_stream")
C_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class KerasModelPath(str):
    """The model path hls4ml writes behind its `!keras_model` tag (kept as a tag on dump)."""


class ConfigLoader(yaml.SafeLoader):
    """A SafeLoader that reads hls4ml's `!keras_model` tag as a KerasModelPath string."""


ConfigLoader.add_constructor("!keras_model",
                             lambda loader, node: KerasModelPath(loader.construct_scalar(node)))
# a model pickled into the config (embedded_model): its .keras bytes, never unpickled
ConfigLoader.add_multi_constructor(APPLY_TAG, construct_python_apply)
# hls4ml's PyTorch frontend: a pickled module (kept as a marker) and tuples (embedded_model)
for _tag in OBJECT_TAGS:
    ConfigLoader.add_multi_constructor(_tag, construct_python_object)
ConfigLoader.add_constructor(TUPLE_TAG, construct_python_tuple)


def other_frontend(config: dict[str, Any]) -> str | None:
    """The key naming a model of another hls4ml frontend (OTHER_FRONTENDS), if the config has one."""
    return next((key for key in OTHER_FRONTENDS if key in config), None)


def read_yaml(path: Path) -> dict[str, Any]:
    """An hls4ml YAML file as a dictionary (refused in one line if it is not one)."""
    path = Path(path)
    try:
        content = yaml.load(path.read_text(), Loader=ConfigLoader)
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read the file ({err}); expected an hls4ml configuration YAML") from None
    except yaml.YAMLError as err:
        raise UserError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(content, dict):
        raise UserError(f"{path}: a YAML {type(content).__name__}, not a mapping; expected an hls4ml "
                        "configuration (KerasModel or KerasJson/KerasH5, Part, HLSConfig, ...)")
    return content


@dataclass(frozen=True)
class ModelFiles:
    """Where a configuration's Keras model is: `model` is a whole model or, with `weights`,
    a JSON architecture."""

    model: Path
    weights: Path | None = None


class ModelNotFound(UserError):
    """A model file a configuration names is not where it says (nor beside it)."""


def _candidates(declared: str, bases: list[Path], local: Path | None) -> list[Path]:
    path = Path(declared)
    first = [local / path.name] if local is not None else []
    if path.is_absolute():
        return first + [path] + [base / path.name for base in bases]
    return first + [base / path for base in bases] + [base / path.name for base in bases]


def _find(declared: str, bases: list[Path], where: Path, key: str, local: Path | None) -> Path:
    candidates = list(dict.fromkeys(_candidates(declared, bases, local)))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ModelNotFound(f"{where}: {key} '{declared}' not found; looked for "
                    + ", ".join(str(c) for c in candidates))


def declared_model_files(config: dict[str, Any], bases: list[Path], where: Path,
                         local: Path | None = None) -> ModelFiles | None:
    """The model files a configuration names, searched under `bases` in order (by file name
    in `local` first: a project folder's own copy wins over a path recorded elsewhere);
    None when it names none. A JSON architecture without weights is refused."""
    declared = {key: config.get(key) for key in MODEL_KEYS}
    if isinstance(declared["KerasModel"], EmbeddedKerasModel):  # the model itself, in the config
        return ModelFiles(embedded_model_file(declared["KerasModel"], where))
    for key, value in declared.items():
        if isinstance(value, PickledObject):
            raise UserError(f"{where}: {key} is {value}; expected a file path or a model hls4ml saved")
        if value is not None and not (isinstance(value, str) and value):
            raise UserError(f"{where}: {key} is {value!r}; expected a file path")
    if declared["KerasModel"]:
        return ModelFiles(_find(declared["KerasModel"], bases, where, "KerasModel", local))
    if declared["KerasJson"]:
        if not declared["KerasH5"]:
            raise UserError(f"{where}: KerasJson without KerasH5; a JSON architecture needs its weights file")
        return ModelFiles(_find(declared["KerasJson"], bases, where, "KerasJson", local),
                          _find(declared["KerasH5"], bases, where, "KerasH5", local))
    if declared["KerasH5"]:
        return ModelFiles(_find(declared["KerasH5"], bases, where, "KerasH5", local))
    return None


def hls4ml_run_folder(project_dir: Path, output_dir: Any) -> Path | None:
    """Where hls4ml ran when it wrote `project_dir` with this OutputDir (None if unknown:
    an absolute OutputDir, or a folder renamed since)."""
    if not isinstance(output_dir, str) or not output_dir or Path(output_dir).is_absolute():
        return None
    parts = [p for p in Path(output_dir).parts if p != "."]
    project_dir = Path(project_dir).resolve()
    if not parts or project_dir.name != parts[-1] or ".." in parts:
        return None
    base = project_dir
    for _ in parts:
        base = base.parent
    return base


@dataclass(frozen=True)
class TargetSettings:
    """The target an hls4ml configuration gives (None where it is silent)."""

    part: str | None = None
    clock_ns: float | None = None
    io_type: str | None = None
    backend: str | None = None
    project_name: str | None = None
    hls_config: dict | None = None


def _text(config: dict, key: str, where: Path) -> str | None:
    value = config.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UserError(f"{where}: {key} is {value!r}; expected a non-empty string")
    return value.strip()


def _clock_ns(clock, where: Path) -> float | None:
    """ClockPeriod in ns: a number, or a number written as text (hls4ml writes '5' in the
    configs it saves, and reads it back with float())."""
    if clock is None:
        return None
    try:
        value = float(clock.strip() if isinstance(clock, str) else clock)
    except (TypeError, ValueError):
        value = None
    if isinstance(clock, bool) or value is None or not math.isfinite(value) or value <= 0:
        raise UserError(f"{where}: ClockPeriod is {clock!r}; expected a positive number of nanoseconds")
    return value


def target_settings(config: dict[str, Any], where: Path) -> TargetSettings:
    """Part, ClockPeriod, IOType, Backend, ProjectName and HLSConfig, checked."""
    clock = _clock_ns(config.get("ClockPeriod"), where)
    io_type = _text(config, "IOType", where)
    if io_type is not None and io_type not in IO_TYPES:
        raise UserError(f"{where}: IOType is '{io_type}'; expected one of {', '.join(IO_TYPES)}")
    name = _text(config, "ProjectName", where)
    if name is not None and not C_IDENTIFIER.match(name):
        raise UserError(f"{where}: ProjectName '{name}' is not a C identifier; expected letters, "
                        "digits and underscores, not starting with a digit")
    hls_config = config.get("HLSConfig")
    if hls_config is not None and not isinstance(hls_config, dict):
        raise UserError(f"{where}: HLSConfig is a {type(hls_config).__name__}; expected a mapping "
                        "(Model, LayerType, LayerName sections)")
    part = _text(config, "Part", where) or _text(config, "XilinxPart", where)  # hls4ml 0.x wrote XilinxPart
    return TargetSettings(part=part, clock_ns=clock, io_type=io_type,
                          backend=_text(config, "Backend", where), project_name=name,
                          hls_config=hls_config)


def beside_model(folder: Path) -> Path | None:
    """hls4ml's copy of the model beside a config in `folder` (MODEL_NAMES), if any."""
    for name in MODEL_NAMES:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None
