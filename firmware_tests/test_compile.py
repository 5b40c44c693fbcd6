"""`l1forge compile` end to end (g++): a user's QKeras model through the one flow.

- `--precision exact` on a QKeras .h5: C-simulation equals hls4ml's compiled model, the
  emulator equals the C-simulation, and on inputs on the input type's grid every quantized
  layer's firmware output equals the QKeras layer's (the softmax table is the exception the
  diagnosis names);
- an hls4ml `convert -c` YAML (JSON + weights) whose HLSConfig plants a too-narrow
  accumulator, compiled as given: the diagnosis names that layer first, with its cause and a
  config change; the compiled project is then accepted by `l1forge csim` like any other.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import yaml

from l1forge.cli import main

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the C-simulation")
EVENTS = 1500


@pytest.fixture(scope="module")
def user_model(tmp_path_factory):
    import tensorflow as tf
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu

    folder = tmp_path_factory.mktemp("user")
    tf.keras.utils.set_random_seed(3)
    q = dict(kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1))
    inputs = tf.keras.Input((16,), name="inp")
    x = QActivation(quantized_relu(6, 0), name="relu1")(QDense(24, name="fc1", **q)(inputs))
    x = tf.keras.layers.Activation("softmax", name="softmax")(QDense(5, name="out", **q)(x))
    model = tf.keras.Model(inputs, x)
    model.save(folder / "tagger.h5")
    (folder / "tagger.json").write_text(model.to_json())
    model.save_weights(folder / "tagger_weights.h5")
    rng = np.random.default_rng(0)
    np.save(folder / "events.npy", np.round(rng.normal(0, 1.5, (EVENTS, 16)) * 1024) / 1024)  # on the 2^-10 grid
    np.save(folder / "labels.npy", rng.integers(0, 5, EVENTS))
    return folder


@pytest.fixture(scope="module")
def compiled_exact(user_model, tmp_path_factory):
    import contextlib
    import io

    projects = tmp_path_factory.mktemp("projects")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["compile", str(user_model / "tagger.h5"), "--precision", "exact", "--data",
                     str(user_model / "events.npy"), "--labels", str(user_model / "labels.npy"),
                     "--projects", str(projects), "--name", "tagger_exact"])
    assert code == 0
    return projects / "tagger_exact", out.getvalue()


@pytest.fixture(scope="module")
def exact_project(compiled_exact):
    return compiled_exact[0]


def test_compile_prints_the_layer_by_layer_diagnosis(compiled_exact):
    _, printed = compiled_exact
    assert "Diagnosis: firmware against Keras on" in printed
    assert all(f"\n{name} " in printed for name in ("fc1", "relu1", "out"))


def test_exact_precision_equals_qkeras_layer_by_layer(exact_project):
    content = json.loads((exact_project / "l1forge.json").read_text())
    assert content["csim"]["mismatches"] == 0 and content["csim"]["events"] == EVENTS
    assert content["emulator"]["supported"] and content["emulator"]["mismatches"] == 0
    assert content["precision"] == "exact" and content["source"]["kind"] == "keras_h5"
    assert all(len(digest) == 64 for digest in content["source"]["files"].values())
    layers = {row["name"]: row for row in content["diagnosis"]["layers"]}
    for name in ("fc1", "relu1", "out"):
        assert layers[name]["agreement"] == 1.0, layers[name]
    assert content["diagnosis"]["first_divergent_layer"] in (None, "softmax")
    assert 0 <= content["metrics"]["firmware_accuracy"] <= 1
    assert (exact_project / "report.html").read_text().count("diagnosis") > 0


def test_a_compiled_project_reruns_its_csimulation(exact_project, capsys):
    assert main(["csim", str(exact_project), "--events", "200", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mismatches"] == 0


def test_a_planted_narrow_accumulator_is_named_first(user_model, tmp_path):
    import hls4ml

    from l1forge.intake import load_source

    source = load_source(user_model / "tagger.json", user_model / "tagger_weights.h5")
    config = hls4ml.utils.config_from_keras_model(source.model, granularity="name", backend="Vitis")
    config["LayerName"]["fc1"]["Precision"]["accum"] = "fixed<12,6>"  # 6 fractional bits: truncates
    yml = tmp_path / "tagger_hls4ml.yml"
    yml.write_text(yaml.safe_dump({
        "KerasJson": str(user_model / "tagger.json"), "KerasH5": str(user_model / "tagger_weights.h5"),
        "OutputDir": "ignored", "ProjectName": "tagger_narrow", "Part": "xc7z020clg400-1",
        "ClockPeriod": 10, "IOType": "io_parallel", "Backend": "Vitis", "HLSConfig": config}))
    projects = tmp_path / "projects"
    code = main(["compile", str(yml), "--data", str(user_model / "events.npy"), "--projects", str(projects),
                 "--events", "1000"])
    assert code == 0
    content = json.loads((projects / "tagger_hls4ml" / "l1forge.json").read_text())
    assert content["target"]["part"] == "xc7z020clg400-1" and content["target"]["clock_ns"] == 10
    assert content["csim"]["mismatches"] == 0 and content["emulator"]["mismatches"] == 0
    diagnosis = content["diagnosis"]
    assert diagnosis["first_divergent_layer"] == "fc1"
    first = diagnosis["findings"][0]
    assert first["cause"]["kind"] == "accumulator_truncating", first
    assert any("fc1" in key and "accum" in key for key in first["fix"]["changes"])


def test_a_precision_scan_of_the_compiled_project(exact_project, tmp_path):
    """No retraining: the compiled model converted at two accumulator types of fc1, each
    emulated over the project's events and estimated; the narrow one agrees less with Keras."""
    out = tmp_path / "scan"
    code = main(["scan", str(exact_project), "--grid", "hls.LayerName.fc1.Precision.accum=fixed<10,4>,auto",
                 "--workers", "1", "--out", str(out), "--json"])
    assert code == 0
    content = json.loads((out / "scan.json").read_text())
    points = {p["overrides"]["hls.LayerName.fc1.Precision.accum"]: p for p in content["points"]}
    assert all(p["status"] == "done" for p in points.values()), points
    assert content["objective"] == "firmware_accuracy"  # the project has labels
    assert points["fixed<10,4>"]["keras_agreement"] < points["auto"]["keras_agreement"]
    assert points["auto"]["keras_agreement"] > 0.99  # argmax; the softmax table decides near-ties
    objective = content["objective"]
    best = max(points.values(), key=lambda p: (p[objective], -p["estimate"]["lut"], -p["estimate"]["dsp"],
                                               -p["estimate"]["latency_cycles"]))
    assert best["pareto"]  # nothing can beat the best objective at its own cost
    assert (out / "pareto.png").is_file() and (out / "scan.html").is_file()
