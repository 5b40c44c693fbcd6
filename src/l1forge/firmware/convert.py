"""Conversion and compilation: the trained Keras model to an hls4ml ModelGraph and project.

The compiled library must work wherever the project is later moved: hls4ml's C-simulation
code would otherwise read its weights at run time from text files under an absolute
WEIGHTS_DIR (the temporary folder the project was assembled in). With `WriteWeightsTxt`
off the weights are compiled in from the headers in firmware/weights/, which are also what
vendor synthesis reads, so the library and the synthesised design hold the same constants.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import yaml

from l1forge.errors import UserError
from l1forge.firmware.config import ConfigPass, hls_config
from l1forge.firmware.loading import CONFIG_NAME, ConfigLoader, KerasModelPath

if TYPE_CHECKING:
    from l1forge.firmware.spec import FirmwareSpec

KERAS_MODEL_H5 = "keras_model.h5"


def convert(spec: FirmwareSpec, keras_model, output_dir: Path, task_passes: Iterable[ConfigPass] = ()):
    """Convert to an hls4ml ModelGraph whose output folder is `output_dir` (not yet written)."""
    import hls4ml

    from l1forge.firmware.da4ml_warmup import before_conversion

    config = hls_config(spec, keras_model, task_passes)
    before_conversion(config)
    # the clock uncertainty the card asks for; else hls4ml's backend default
    extra = {} if spec.clock_uncertainty is None else {"clock_uncertainty": str(spec.clock_uncertainty)}
    return hls4ml.converters.convert_from_keras_model(
        keras_model,
        hls_config=config,
        output_dir=str(output_dir),
        project_name=spec.name,
        backend=spec.backend,
        part=spec.part,
        clock_period=spec.clock_ns,
        io_type=spec.io_type,
        write_weights_txt=False,  # weights compiled in: the library works wherever it is moved
        **extra,
    )


def require_compiler() -> str:
    """Path of g++ (or $CXX); a missing compiler is a user-facing error, not a traceback."""
    compiler = os.environ.get("CXX", "g++")
    found = shutil.which(compiler)
    if not found:
        raise UserError(f"C++ compiler '{compiler}' not found on PATH; l1forge needs g++ "
                        "(e.g. apt-get install g++) to compile the firmware for C-simulation")
    return found


def compile_graph(graph) -> None:
    """Write the project and build hls4ml's shared library (enables graph.predict)."""
    require_compiler()
    try:
        graph.compile()
    except Exception as err:  # hls4ml reports build failures as bare Exceptions
        raise UserError(f"{graph.config.get_output_dir()}: firmware C++ failed to compile "
                        f"({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None


def relocate_config(built_dir: Path, final_dir: Path, keras_model) -> None:
    """hls4ml records its output folder and model path in hls4ml_config.yml; the project is
    built in a temporary folder and renamed, so point those entries at the final folder.

    hls4ml 1.3 saves the model as `keras_model.keras`, a format QKeras layers do not load
    back from under TensorFlow 2.14; the model is also saved as HDF5, which they do, and
    the config points at that file."""
    built_dir, final_dir = Path(built_dir), Path(final_dir).resolve()
    keras_model.save(built_dir / KERAS_MODEL_H5)
    path = built_dir / CONFIG_NAME
    config = yaml.load(path.read_text(), Loader=ConfigLoader)
    config["OutputDir"] = str(final_dir)
    config["KerasModel"] = KerasModelPath(str(final_dir / KERAS_MODEL_H5))
    path.write_text(yaml.dump(config, Dumper=ConfigDumper, sort_keys=False))


class ConfigDumper(yaml.SafeDumper):
    """Writes hls4ml_config.yml back with its `!keras_model` tag, as hls4ml wrote it."""


ConfigDumper.add_representer(
    KerasModelPath, lambda dumper, value: dumper.represent_scalar("!keras_model", str(value)))
