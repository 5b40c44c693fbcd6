"""`l1forge report` on an hls4ml folder whose model was saved by Keras 3 (which l1forge's
Keras 2 cannot load): the vendor figures always, the estimate from the file's
architecture and weights where hls4ml can parse them.

The `.keras` files are written here as Keras 3 writes them (a zip of config.json,
metadata.json and model.weights.h5 with each layer's variables at
layers/<name>/vars/<i>), with zipfile and h5py: Keras 3 is never installed beside hls4ml.
"""

import json
import shutil
import zipfile

import h5py
import numpy as np
import pytest
import yaml

from l1forge.cli import main
from l1forge.report import make_report
from l1forge.report.keras3_file import is_keras3_file, keras2_architecture
from report_fakes import DENSE16X5

POLICY = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
GLOROT = {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
          "registered_name": None}


def dense_config(name, units, activation, inbound=None):
    layer = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": name, "trainable": True, "dtype": POLICY, "units": units,
                        "activation": activation, "use_bias": True, "kernel_initializer": GLOROT,
                        "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                             "config": {}, "registered_name": None},
                        "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
                        "bias_constraint": None},
             "build_config": {"input_shape": [None, 16]}}
    if inbound is not None:
        layer["name"] = name
        layer["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
            "shape": [None, 16], "dtype": "float32", "keras_history": [inbound, 0, 0]}}], "kwargs": {}}]
    return layer


def input_config(functional=False):
    layer = {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 16], "dtype": "float32", "sparse": False, "name": "inputs"}}
    if functional:
        layer.update(name="inputs", inbound_nodes=[])
    return layer


def write_keras3(path, config, weights):
    """A Keras 3 `.keras` file: `weights` maps layer names to their variables in order."""
    h5 = path.parent / "model.weights.h5"
    with h5py.File(h5, "w") as store:
        store.create_group("vars")
        for layer, variables in weights.items():
            group = store.create_group(f"layers/{layer}/vars")
            for i, value in enumerate(variables):
                group.create_dataset(str(i), data=np.asarray(value, dtype=np.float32))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.6.0", "date_saved": "2024-10-01@12:00:00"}))
        archive.writestr("config.json", json.dumps(config))
        archive.write(h5, "model.weights.h5")
    h5.unlink()


def project(tmp_path, config, weights):
    """The Dense 16->5 test's vendor reports beside a Keras 3 model and its hls4ml config."""
    folder = tmp_path / "prj"
    shutil.copytree(DENSE16X5, folder)
    write_keras3(folder / "keras_model.keras", config, weights)
    hls = {"Backend": "Vivado", "ClockPeriod": 5, "IOType": "io_stream", "Part": "xc7z020clg400-1",
           "ProjectName": "myproject", "KerasModel": "/elsewhere/keras_model.keras",
           "HLSConfig": {"Model": {"Precision": "fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"}}}
    (folder / "hls4ml_config.yml").write_text(yaml.safe_dump(hls))
    return folder


def sequential():
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "trainable": True, "dtype": POLICY,
                       "layers": [input_config(), dense_config("fc1", 5, "relu")]}}


def kernel():
    return np.random.default_rng(0).uniform(-0.5, 0.5, (16, 5))


def test_a_keras3_model_is_estimated_from_its_file(tmp_path, capsys):
    pytest.importorskip("hls4ml.converters")
    folder = project(tmp_path, sequential(), {"fc1": [kernel(), np.zeros(5)]})
    assert is_keras3_file(folder / "keras_model.keras")
    assert main(["report", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["vendor"]["dsp"] == 73 and report["vendor"]["latency_cycles"] == 10
    estimate = report["estimate"]
    assert [row["name"] for row in estimate["per_layer"]][:2] == ["inputs", "fc1"]
    fc1 = next(row for row in estimate["per_layer"] if row["name"] == "fc1")
    assert 0 < fc1["dsp"] <= 80  # 80 products of 16-bit inputs and fixed<16,6> weights
    assert not [w for w in report["warnings"] if w.startswith("no estimate")]


def test_the_estimate_reads_the_files_weights(tmp_path):
    pytest.importorskip("hls4ml.converters")
    dense = make_report(project(tmp_path / "a", sequential(), {"fc1": [kernel(), np.zeros(5)]}))
    halved = kernel()
    halved[:8] = 0.0  # half the products pruned
    pruned = make_report(project(tmp_path / "b", sequential(), {"fc1": [halved, np.zeros(5)]}))
    assert pruned["estimate"]["dsp"] < dense["estimate"]["dsp"]


def test_functional_keras3_models_translate():
    functional = {"module": "keras.src.models.functional", "class_name": "Functional",
                  "config": {"name": "model", "trainable": True,
                             "layers": [input_config(True), dense_config("fc1", 5, "relu", inbound="inputs")],
                             "input_layers": [["inputs", 0, 0]], "output_layers": ["fc1", 0, 0]}}
    arch = keras2_architecture(functional)
    assert arch["class_name"] == "Functional"
    assert arch["config"]["input_layers"] == [["inputs", 0, 0]] and arch["config"]["output_layers"] == [["fc1", 0, 0]]
    inputs, fc1 = arch["config"]["layers"]
    assert inputs["config"]["batch_input_shape"] == [None, 16] and fc1["config"]["dtype"] == "float32"
    assert fc1["inbound_nodes"] == [[["inputs", 0, 0, {}]]]


def test_vendor_figures_survive_a_model_that_cannot_be_read(tmp_path, capsys):
    config = sequential()
    config["config"]["layers"][1]["class_name"] = "MultiHeadAttention"
    folder = project(tmp_path, config, {"fc1": [kernel(), np.zeros(5)]})
    assert main(["report", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["estimate"] is None and report["vendor"]["lut"] == 2532
    reasons = [w for w in report["warnings"] if w.startswith("no estimate")]
    assert len(reasons) == 1 and "MultiHeadAttention" in reasons[0] and "keras_model.keras" in reasons[0]
    assert main(["report", str(folder)]) == 0  # the text summary too
    out = capsys.readouterr()
    assert "2,532" in out.out and "no estimate" in out.out + out.err


def test_a_functional_keras3_model_with_batch_normalization_is_estimated(tmp_path):
    pytest.importorskip("hls4ml.converters")

    def tensor(name):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": [None, 5], "dtype": "float32", "keras_history": [name, 0, 0]}}

    bn = {"module": "keras.layers", "class_name": "BatchNormalization", "registered_name": None, "name": "bn",
          "config": {"name": "bn", "dtype": POLICY, "axis": -1, "momentum": 0.99, "epsilon": 0.001,
                     "center": True, "scale": True},
          "inbound_nodes": [{"args": [tensor("fc1")], "kwargs": {"training": False}}]}
    softmax = {"module": "keras.layers", "class_name": "Activation", "registered_name": None, "name": "out",
               "config": {"name": "out", "dtype": POLICY, "activation": "softmax"},
               "inbound_nodes": [{"args": [tensor("bn")], "kwargs": {}}]}
    config = {"module": "keras.src.models.functional", "class_name": "Functional",
              "config": {"name": "m", "trainable": True,
                         "layers": [input_config(True), dense_config("fc1", 5, "linear", inbound="inputs"), bn, softmax],
                         "input_layers": [["inputs", 0, 0]], "output_layers": [["out", 0, 0]]}}
    statistics = [np.full(5, 1.3), np.full(5, 0.1), np.zeros(5), np.full(5, 2.0)]  # gamma, beta, mean, var
    report = make_report(project(tmp_path, config, {"fc1": [kernel(), np.zeros(5)], "bn": statistics}))
    kinds = [(row["name"], row["kind"]) for row in report["estimate"]["per_layer"]]
    assert ("bn", "batchnorm") in kinds and ("out", "softmax") in kinds
    assert not [w for w in report["warnings"] if w.startswith("no estimate")]


def test_storage_names_number_layers_by_class_not_by_name():
    from l1forge.report.keras3_file import storage_names

    classes = {"input_layer": "InputLayer", "dense_8": "Dense", "dense_8_2": "Dense", "output": "Dense",
               "bn": "BatchNormalization"}
    assert storage_names(classes) == {"input_layer": "input_layer", "dense_8": "dense", "dense_8_2": "dense_1",
                                      "output": "dense_2", "bn": "batch_normalization"}


def test_keras_313_iris_file_from_the_reference_folder(reference, tmp_path):
    """A real Keras 3.13 file whose layers are not named like their stored groups (the
    Iris MLP: dense_8, dense_8_2, output stored at layers/dense, dense_1, dense_2)."""
    source = reference / "thifjj-iris_mlp4-8-8-3-pynqz2-vitis2025"
    dest = tmp_path / "iris"
    shutil.copytree(source, dest)
    report = make_report(dest)
    assert not any(w.startswith("no estimate") for w in report["warnings"])
    # 4-8-8-3, ap_fixed<16,6>: the report's 110 DSPs are 4*8 + 8*8 + 8*3 products less those
    # the weights make shifts
    assert report["estimate"]["dsp"] > 50 and report["estimate"]["per_layer"][-1]["class"].startswith("Softmax")
