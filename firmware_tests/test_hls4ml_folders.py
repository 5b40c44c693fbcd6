"""`l1forge csim` on a folder hls4ml wrote the way its documentation shows (a QKeras model
with quantizer objects, hls_model.write(), no l1forge.json): the test bench is built from
the ModelGraph against the folder's own firmware, run on seeded synthetic events in
firmware-input space, and matches hls4ml's compiled model and l1forge's emulator bit for
bit. The folder is left as it was; bad events are refused in one line before any build."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from l1forge.cli import main

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def scratch_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("l1forge-csim-*")}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    import hls4ml
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu
    from tensorflow import keras

    inputs = keras.Input((6,), name="inp")
    x = QDense(5, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="fc1")(inputs)
    x = QActivation(quantized_relu(6, 2), name="relu1")(x)
    x = QDense(3, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="fc2")(x)
    model = keras.Model(inputs, x)
    rng = np.random.default_rng(5)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    config = hls4ml.utils.config_from_keras_model(model, granularity="name")
    out = tmp_path_factory.mktemp("hls4ml") / "my_prj"
    hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(out),
                                               part="xcvu9p-flga2104-2-e").write()
    return out


@pytest.fixture
def private_scratch(tmp_path, monkeypatch):
    """csim's scratch folders go to this test's own temporary folder, so the check that none
    is left over is not confused by another xdist worker's csim running at the same time."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_csim_of_a_plain_hls4ml_folder(folder, capsys, private_scratch):
    before, scratch = snapshot(folder), scratch_folders()
    assert "keras_model.keras" in before and "l1forge.json" not in before
    capsys.readouterr()
    assert main(["csim", str(folder), "--events", "300", "--seed", "4", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["events"] == 300 and result["mismatches"] == 0 and result["ok"]
    assert result["emulator"]["supported"] and result["emulator"]["mismatches"] == 0
    assert result["inputs"]["kind"] == "synthetic" and result["inputs"]["seed"] == 4
    assert [b["name"] for b in result["inputs"]["blocks"]] == ["normal", "grid", "half_lsb_ties", "edges"]
    assert snapshot(folder) == before and scratch_folders() == scratch


@pytest.mark.parametrize("events,message", [
    (np.zeros((10, 5)), r"events of shape \(10, 5\); the model expects \(events, 6\)"),
    (np.where(np.arange(60).reshape(10, 6) == 13, np.nan, 1.0), "event 2 holds NaN or infinity"),
])
def test_bad_data_refused_before_any_build(folder, tmp_path, capsys, events, message, private_scratch):
    import re

    np.save(tmp_path / "data.npy", events)
    before, scratch = snapshot(folder), scratch_folders()
    capsys.readouterr()
    assert main(["csim", str(folder), "--data", str(tmp_path / "data.npy")]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("l1forge: error:")]
    assert len(errors) == 1 and re.search(message, errors[0]) and "data.npy" in errors[0]
    assert snapshot(folder) == before and scratch_folders() == scratch
