"""A project whose hls4ml_config.yml holds the model itself, pickled by PyYAML as Keras 2
pickles a model (embedded_model): `l1forge report` and `emulate` read the model from the
config's bytes without unpickling, and refuse other Python objects in one line."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from l1forge.cli import main
from l1forge.firmware.loading import project_keras_model, read_config
from l1forge.intake.embedded_model import EmbeddedKerasModel

TAG = "!!python/object/apply:tf_keras.src.saving.pickle_utils.deserialize_model_from_bytecode"


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def embed(folder: Path, data: bytes, tag: str = TAG) -> None:
    """Write `data` as the config's KerasModel the way PyYAML dumps a pickled model."""
    lines = "".join(f"  {line}\n" for line in base64.encodebytes(data).decode().splitlines())
    config = folder / "hls4ml_config.yml"
    text = re.sub(r"^KerasModel:.*$", lambda _: f"KerasModel: {tag}\n- !!binary |\n{lines.rstrip()}",
                  config.read_text(), flags=re.M)
    assert tag in text
    config.write_text(text)


@pytest.fixture()
def embedded_folder(saved, dense_folder, tmp_path) -> Path:
    folder = tmp_path / "embedded_prj"
    shutil.copytree(dense_folder, folder)
    (folder / "keras_model.keras").unlink()  # the config is the only place the model is
    embed(folder, saved["qdense"].paths["keras"].read_bytes())
    return folder


def test_the_model_pickled_into_the_config_is_read_from_its_bytes(saved, embedded_folder, capsys):
    config = read_config(embedded_folder)
    assert isinstance(config["KerasModel"], EmbeddedKerasModel)
    model = project_keras_model(embedded_folder, config)
    for got, want in zip(model.get_weights(), saved["qdense"].model.get_weights()):
        np.testing.assert_array_equal(got, want)
    before = snapshot(embedded_folder)
    assert main(["report", str(embedded_folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["estimate"]["latency_cycles"] >= 1
    assert snapshot(embedded_folder) == before


def test_other_pickled_objects_and_bad_bytes_are_refused_in_one_line(dense_folder, embedded_folder, tmp_path,
                                                                    capsys):
    shutil.copy(dense_folder / "hls4ml_config.yml", embedded_folder / "hls4ml_config.yml")
    embed(embedded_folder, b"PK not really a zip")
    original = (embedded_folder / "hls4ml_config.yml").read_text()
    assert main(["report", str(embedded_folder)]) == 2
    error = capsys.readouterr().err.strip()
    assert "not a Keras zip archive" in error and "\n" not in error

    (embedded_folder / "hls4ml_config.yml").write_text(original.replace(TAG, "!!python/object/apply:os.system"))
    out = tmp_path / "o.h5"
    np.save(tmp_path / "x.npy", np.zeros((2, 8)))
    assert main(["emulate", str(embedded_folder), "--in", str(tmp_path / "x.npy"), "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert "pickled Python object" in error and "os.system" in error and "\n" not in error
    assert not out.exists()


def test_a_pytorch_frontend_config_says_what_is_not_supported(dense_folder, tmp_path, capsys):
    # hls4ml's PyTorch frontend writes its module pickled and its input shape as a tuple
    folder = tmp_path / "torch_prj"
    shutil.copytree(dense_folder, folder)
    config = folder / "hls4ml_config.yml"
    text = re.sub(r"^KerasModel:.*$", "PytorchModel: !!python/object:model.Net\n  training: false\n"
                  "InputShape: !!python/tuple\n- 8", config.read_text(), flags=re.M)
    config.write_text(text)
    assert read_config(folder)["InputShape"] == (8,)
    # a Keras model beside the config is read, the tuple is data
    assert main(["report", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["estimate"]["latency_cycles"] >= 1
    (folder / "keras_model.keras").unlink()
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err.strip()
    assert "its PytorchModel is not a Keras model" in error and "\n" not in error
    # named as the Keras model, a pickled object is refused as such
    config.write_text(text.replace("PytorchModel:", "KerasModel:"))
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err.strip()
    assert "KerasModel is a pickled Python object (tag:yaml.org,2002:python/object:model.Net)" in error
