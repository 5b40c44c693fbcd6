"""An hls4ml `convert -c` YAML as SOURCE: its model keys, settings and relative paths."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import yaml
from intake_models import predict

from l1forge.errors import UserError
from l1forge.intake import load_source

HLS_CONFIG = {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 2, "Strategy": "Latency"},
              "LayerName": {"fc1": {"ReuseFactor": 4}}}


def write_yaml(folder: Path, **keys) -> Path:
    content = {"OutputDir": "/nowhere/ignored", "ProjectName": "tagger", "Part": "xcvu13p-flga2577-2-e",
               "ClockPeriod": 6.25, "IOType": "io_stream", "Backend": "Vitis", "HLSConfig": HLS_CONFIG, **keys}
    path = folder / "convert.yml"
    path.write_text(yaml.safe_dump(content))
    return path


def test_json_and_weights_relative_to_the_yaml(saved, tmp_path, monkeypatch):
    entry = saved["qdense"]
    for form in ("json", "weights"):
        (tmp_path / entry.paths[form].name).write_bytes(entry.paths[form].read_bytes())
    path = write_yaml(tmp_path, KerasJson=entry.paths["json"].name, KerasH5=entry.paths["weights"].name)
    monkeypatch.chdir(entry.paths["json"].parent.parent)  # not the YAML's folder
    source = load_source(path)
    assert source.kind == "hls4ml_yaml"
    assert (source.part, source.clock_ns, source.io_type, source.backend, source.project_name) == (
        "xcvu13p-flga2577-2-e", 6.25, "io_stream", "Vitis", "tagger")
    assert source.hls_config == HLS_CONFIG
    files = [path, tmp_path / entry.paths["json"].name, tmp_path / entry.paths["weights"].name]
    assert source.files == {str(p.resolve()): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    np.testing.assert_array_equal(predict(source.model, entry.x), predict(entry.model, entry.x))


@pytest.mark.parametrize("key,form", [("KerasModel", "keras"), ("KerasH5", "h5")])
def test_whole_model_keys(saved, tmp_path, key, form):
    entry = saved["qconv"]
    source = load_source(write_yaml(tmp_path, **{key: str(entry.paths[form])}))
    assert source.input_shape == (6, 6, 1)
    np.testing.assert_array_equal(predict(source.model, entry.x), predict(entry.model, entry.x))


def test_keras_model_tag_as_hls4ml_writes_it(saved, tmp_path):
    entry = saved["plain"]
    path = tmp_path / "config.yml"
    path.write_text(f"KerasModel: !keras_model '{entry.paths['keras']}'\nPart: xc7z020clg400-1\n")
    source = load_source(path)
    assert source.part == "xc7z020clg400-1" and source.hls_config is None and source.clock_ns is None


@pytest.mark.parametrize("keys,message", [
    ({}, "no KerasModel, KerasJson or KerasH5 key"),
    ({"KerasJson": "qdense.json"}, "KerasJson without KerasH5"),
    ({"KerasModel": "missing.h5"}, "KerasModel 'missing.h5' not found"),
    ({"OnnxModel": "m.onnx"}, "OnnxModel is not a Keras model"),
    ({"KerasModel": "qdense.h5", "ClockPeriod": "fast"}, "ClockPeriod is 'fast'; expected a positive number"),
    ({"KerasModel": "qdense.h5", "IOType": "io_serial"}, "IOType is 'io_serial'"),
    ({"KerasModel": "qdense.h5", "ProjectName": "my-model"}, "ProjectName 'my-model' is not a C identifier"),
    ({"KerasModel": "qdense.h5", "HLSConfig": ["Model"]}, "HLSConfig is a list; expected a mapping"),
])
def test_bad_yaml_refused_in_one_line(saved, tmp_path, keys, message):
    models = saved["qdense"].paths["h5"].parent
    path = tmp_path / "convert.yml"
    content = {key: (str(models / value) if key == "KerasJson" else value) for key, value in keys.items()}
    if "KerasModel" in content and content["KerasModel"] == "qdense.h5":
        content["KerasModel"] = str(models / "qdense.h5")
    path.write_text(yaml.safe_dump(content))
    with pytest.raises(UserError, match=message) as err:
        load_source(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_weights_refused_beside_a_yaml(saved, tmp_path):
    path = write_yaml(tmp_path, KerasModel=str(saved["qdense"].paths["h5"]))
    with pytest.raises(UserError, match="weights .* go with a JSON architecture only"):
        load_source(path, saved["qdense"].paths["weights"])


def test_hls4ml_0x_xilinx_part_is_the_part(tmp_path):
    from l1forge.intake.hls4ml_yaml import target_settings
    assert target_settings({"XilinxPart": "xc7z020clg400-1"}, tmp_path / "c.yml").part == "xc7z020clg400-1"
    assert target_settings({"Part": "xcvu9p-flga2104-2-e", "XilinxPart": "xc7z020clg400-1"},
                           tmp_path / "c.yml").part == "xcvu9p-flga2104-2-e"


def test_compile_reads_the_model_beside_a_config_whose_path_is_elsewhere(dense_folder, tmp_path):
    """As `l1forge report` reads project folders: the model the YAML names is missing (a path
    on the author's machine) or is not Keras (PyTorch), and hls4ml's own copy sits beside it."""
    import re
    import shutil

    from l1forge.errors import UserError
    from l1forge.intake import load_source

    folder = tmp_path / "moved"
    shutil.copytree(dense_folder, folder)
    config = folder / "hls4ml_config.yml"
    original = config.read_text()
    config.write_text(re.sub(r"^KerasModel:.*$", "KerasModel: /home/author/run7/keras_model.keras", original,
                             flags=re.M))
    source = load_source(config)
    assert (folder / "keras_model.keras").resolve() in {Path(p) for p in source.files}
    config.write_text(re.sub(r"^KerasModel:.*$", "PytorchModel: !!python/object:model.Net\n  training: false",
                             original, flags=re.M))
    assert load_source(config).model is not None
    (folder / "keras_model.keras").unlink()
    with pytest.raises(UserError, match="PytorchModel is not a Keras model"):
        load_source(config)
    config.write_text(re.sub(r"^KerasModel:.*$", "KerasModel: /home/author/run7/keras_model.keras", original,
                             flags=re.M))
    with pytest.raises(UserError, match="KerasModel '/home/author/run7/keras_model.keras' not found"):
        load_source(config)


@pytest.mark.parametrize("clock,expected", [(5, 5.0), (3.33, 3.33), ("5", 5.0), (" 6.25 ", 6.25)])
def test_clock_period_as_hls4ml_writes_it(tmp_path, clock, expected):
    """hls4ml saves ClockPeriod as text ('5') in the configs it writes; a number either way."""
    from l1forge.intake.hls4ml_yaml import target_settings
    assert target_settings({"ClockPeriod": clock}, tmp_path / "c.yml").clock_ns == expected


@pytest.mark.parametrize("clock", ["fast", "0", "-5", True, "nan", [5]])
def test_clock_period_refused(tmp_path, clock):
    from l1forge.intake.hls4ml_yaml import target_settings
    with pytest.raises(UserError, match="ClockPeriod is .*; expected a positive number of nanoseconds"):
        target_settings({"ClockPeriod": clock}, tmp_path / "c.yml")
