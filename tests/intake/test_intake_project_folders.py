"""Any hls4ml project folder works in `l1forge report` and `l1forge emulate` (no g++
needed): one hls4ml 1.3.0 writes from a QKeras model with quantizer objects
(keras_model.keras), and one converted from a JSON architecture + weights (KerasJson /
KerasH5 in its hls4ml_config.yml, relative to where hls4ml ran). The folders are never
modified."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from l1forge import emulate
from l1forge.cli import main
from l1forge.firmware.loading import load_graph
from l1forge.intake import synthetic_events
from l1forge.intake.synthetic import input_type


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def json_folder(saved, tmp_path_factory) -> Path:
    """hls4ml's KerasJson/KerasH5 route, run from a folder of its own (as `hls4ml convert`)."""
    import os

    from hls4ml.converters import keras_v2_to_hls
    from hls4ml.utils import config_from_keras_model

    run = tmp_path_factory.mktemp("run")
    entry = saved["qdense"]
    shutil.copy(entry.paths["json"], run / "arch.json")
    shutil.copy(entry.paths["weights"], run / "weights.h5")
    config = {"KerasJson": "arch.json", "KerasH5": "weights.h5", "OutputDir": "out/json_prj",
              "ProjectName": "jsonproj", "Part": "xcvu9p-flga2104-2-e", "Backend": "Vivado",
              "ClockPeriod": 5, "IOType": "io_parallel",
              "HLSConfig": config_from_keras_model(entry.model, granularity="name")}
    cwd = os.getcwd()
    os.chdir(run)
    try:
        keras_v2_to_hls(config).write()
    finally:
        os.chdir(cwd)
    return run / "out" / "json_prj"


def test_quantizer_object_folder_emulates_as_converted(saved, dense_folder, tmp_path):
    before = snapshot(dense_folder)
    assert "keras_model.keras" in before and "l1forge.json" not in before
    x = saved["qdense"].x
    folder_emulator = emulate.load(dense_folder)
    import hls4ml

    config = hls4ml.utils.config_from_keras_model(saved["qdense"].model, granularity="name")
    direct = hls4ml.converters.convert_from_keras_model(saved["qdense"].model, hls_config=config,
                                                        output_dir=str(tmp_path / "direct"),
                                                        part="xcvu9p-flga2104-2-e")
    np.testing.assert_array_equal(folder_emulator.predict(x), emulate.from_graph(direct).predict(x))
    assert snapshot(dense_folder) == before


def test_report_and_emulate_cli_on_folders(dense_folder, json_folder, tmp_path, capsys):
    assert "KerasJson" in yaml.safe_load((json_folder / "hls4ml_config.yml").read_text())
    graph = load_graph(dense_folder)
    events = synthetic_events(input_type(graph), (8,), 64, seed=3).x
    np.save(tmp_path / "events.npy", events)
    outputs = {}
    for name, folder in (("objects", dense_folder), ("json", json_folder)):
        before = snapshot(folder)
        capsys.readouterr()
        assert main(["report", str(folder), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["estimate"]["latency_cycles"] >= 1 and report["part"]["name"] == "xcvu9p"
        out = tmp_path / f"{name}.h5"
        assert main(["emulate", str(folder), "--in", str(tmp_path / "events.npy"), "--out", str(out)]) == 0
        with h5py.File(out) as f:
            outputs[name] = f["scores"][()]
        assert snapshot(folder) == before
    # Same network and hls4ml configuration by either route: the same firmware outputs.
    np.testing.assert_array_equal(outputs["objects"], outputs["json"])
    np.testing.assert_array_equal(outputs["objects"], emulate.from_graph(graph).predict(events))


def test_broken_folders_refused_in_one_line(dense_folder, tmp_path, capsys):
    folder = tmp_path / "broken"
    shutil.copytree(dense_folder, folder)
    config = folder / "hls4ml_config.yml"
    config.write_text(config.read_text().replace(str(dense_folder), "elsewhere"))  # a copy's own model
    model = folder / "keras_model.keras"
    model.write_bytes(model.read_bytes()[:200])
    capsys.readouterr()
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err.strip()
    assert "keras_model.keras: not a readable .keras archive" in error and "\n" not in error
    model.unlink()
    assert main(["emulate", str(folder), "--in", "x.npy", "--out", str(tmp_path / "o.h5")]) == 2
    error = capsys.readouterr().err
    assert "KerasModel 'elsewhere/keras_model.keras' not found" in error and "keras_model.h5" in error
    assert not (tmp_path / "o.h5").exists()


def test_an_older_hls4ml_config_converts_and_a_refused_one_is_one_line(dense_folder, tmp_path, capsys):
    """hls4ml 0.x/1.0 configs (an obsolete backend, ConvImplementation: Pointwise) convert,
    with a warning each; a config hls4ml itself refuses is one line and exit 2, not a
    traceback, and the JSON on stdout stays JSON (hls4ml's prints go to stderr)."""
    folder = tmp_path / "older"
    shutil.copytree(dense_folder, folder)
    config = folder / "hls4ml_config.yml"
    text = config.read_text().replace(str(dense_folder), str(folder))
    config.write_text(text.replace("Backend: Vivado", "Backend: Pynq")
                      .replace("    relu1:\n", "    relu1:\n      ConvImplementation: Pointwise\n"))
    capsys.readouterr()
    assert main(["report", str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["estimate"]["latency_cycles"] >= 1
    assert any("'Pynq' is not an hls4ml backend" in w for w in report["warnings"])
    assert any(w.startswith("LayerName.relu1: ConvImplementation 'Pointwise'") for w in report["warnings"])
    config.write_text(text.replace("default: fixed<16,6>", "default: fixed<16,6"))
    assert main(["report", str(folder)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{folder}: hls4ml 1.3.0 cannot convert this project" in error
