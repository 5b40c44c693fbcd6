"""Bad model files: each refused with one line naming the file and what was expected."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from l1forge.errors import UserError
from l1forge.intake import load_source


def refused(path, weights=None, match=""):
    with pytest.raises(UserError, match=match) as err:
        load_source(path, weights)
    message = str(err.value)
    assert "\n" not in message and path.name in message
    return message


@pytest.mark.parametrize("form", ["h5", "keras"])
def test_truncated_model_file(saved, tmp_path, form):
    original = saved["qdense"].paths[form]
    path = tmp_path / original.name
    path.write_bytes(original.read_bytes()[: original.stat().st_size // 2])
    refused(path, match="not a readable")


def test_text_file_named_like_a_model(tmp_path):
    path = tmp_path / "model.h5"
    path.write_text("not a model")
    refused(path, match="not a readable HDF5 file.*expected a Keras model")


def test_hdf5_data_file_is_not_a_model(tmp_path):
    import h5py

    path = tmp_path / "events.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.zeros((3, 4))
    refused(path, match="without a model architecture")


def test_weights_file_given_as_the_model(saved):
    refused(saved["qdense"].paths["weights"], match="without a model architecture .*JSON architecture")


def test_json_without_weights(saved):
    refused(saved["qdense"].paths["json"], match="holds no weights; expected its weights file")


def test_weights_of_another_network(saved):
    message = refused(saved["qdense"].paths["json"], saved["qconv"].paths["weights"],
                      match="do not match the architecture")
    assert saved["qconv"].paths["weights"].name in message


def test_weights_not_hdf5(saved, tmp_path):
    path = tmp_path / "w.h5"
    path.write_text("{}")
    with pytest.raises(UserError, match="w.h5: not a readable HDF5 file.*expected Keras weights"):
        load_source(saved["qdense"].paths["json"], path)


def test_json_that_is_not_an_architecture(tmp_path, saved):
    path = tmp_path / "arch.json"
    path.write_text(json.dumps({"layers": []}))
    refused(path, saved["qdense"].paths["weights"], match="not a Keras model architecture")
    path.write_text("{ broken")
    refused(path, saved["qdense"].paths["weights"], match="not valid JSON")


def test_unknown_layer_in_architecture(saved, tmp_path):
    architecture = json.loads(saved["plain"].paths["json"].read_text())
    architecture["config"]["layers"][1]["class_name"] = "MysteryDense"
    path = tmp_path / "mystery.json"
    path.write_text(json.dumps(architecture))
    refused(path, saved["plain"].paths["weights"], match="cannot build the Keras model .*MysteryDense")


def test_keras3_archive(tmp_path, saved):
    path = tmp_path / "k3.keras"
    with zipfile.ZipFile(saved["plain"].paths["keras"]) as source, zipfile.ZipFile(path, "w") as dest:
        for name in source.namelist():
            data = source.read(name)
            dest.writestr(name, json.dumps({"keras_version": "3.5.0"}) if name == "metadata.json" else data)
    refused(path, match="saved by Keras 3.5.0; l1forge reads tf.keras 2")


def test_unknown_extension_and_missing_file(tmp_path, saved):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x01")
    refused(path, match="unknown model file type '.onnx'")
    refused(tmp_path / "absent.h5", match="no such file")
    refused(saved["qdense"].paths["h5"], saved["qdense"].paths["weights"], match="holds its own weights")
