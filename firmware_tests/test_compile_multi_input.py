"""`l1forge compile` and `l1forge csim` on a model with two inputs (g++): a QKeras
Conv2D branch on an image beside a scalar input, concatenated, as the smart-pixel
classifiers are built. The events are laid end to end (intake/ports.py): the test bench
reads each input's slice of a row; hls4ml's predict, the emulator and Keras get one array
per input. Each input's synthetic values come from its own type."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import numpy as np
import pytest
import yaml

from l1forge.cli import main

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed for the C-simulation")
EVENTS = 600
WIDTH = 6 * 5 * 1 + 2  # the image's 30 values, then the 2 scalars


@pytest.fixture(scope="module")
def two_inputs(tmp_path_factory):
    import tensorflow as tf
    from qkeras import QActivation, QConv2D, QDense, quantized_bits, quantized_relu

    folder = tmp_path_factory.mktemp("two_inputs")
    tf.keras.utils.set_random_seed(5)
    q = dict(kernel_quantizer=quantized_bits(8, 1, alpha=1), bias_quantizer=quantized_bits(8, 1, alpha=1))
    image = tf.keras.Input((6, 5, 1), name="cluster")
    scalars = tf.keras.Input((2,), name="scalars")
    x = QActivation(quantized_relu(8, 2), name="conv_relu")(QConv2D(3, (3, 3), name="conv", **q)(image))
    x = tf.keras.layers.Flatten(name="flat")(x)
    x = tf.keras.layers.Concatenate(name="join")([x, scalars])
    x = QActivation(quantized_relu(8, 2), name="fc_relu")(QDense(6, name="fc", **q)(x))
    out = QDense(1, name="out", **q)(x)
    model = tf.keras.Model([image, scalars], out)
    model.save(folder / "pixels.h5")
    config = {"Backend": "Vitis", "Part": "xcvu13p-flga2577-2-e", "ClockPeriod": 5, "IOType": "io_parallel",
              "KerasModel": "pixels.h5", "OutputDir": "pixels_prj", "ProjectName": "myproject",
              "HLSConfig": {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"},
                            "LayerName": {"scalars": {"Precision": {"result": "ap_fixed<10,4>"}}}}}
    (folder / "hls4ml_config.yml").write_text(yaml.safe_dump(config))
    return folder


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def compiled(two_inputs, tmp_path_factory):
    projects = tmp_path_factory.mktemp("projects")
    code, out, err = run(["compile", str(two_inputs / "hls4ml_config.yml"), "--events", str(EVENTS),
                          "--projects", str(projects), "--name", "pixels"])
    assert code == 0, err
    return projects / "pixels", out


def test_two_inputs_compile_bit_exact_with_each_inputs_type(compiled):
    project, out = compiled
    m = json.loads((project / "l1forge.json").read_text())
    assert m["csim"]["events"] == EVENTS and m["csim"]["mismatches"] == 0
    assert m["emulator"]["supported"] and m["emulator"]["events"] == EVENTS and m["emulator"]["mismatches"] == 0
    events = m["events"]
    assert [entry["name"] for entry in events["inputs"]] == ["cluster", "scalars"]
    assert events["input_type"][1].startswith("ap_fixed<10,4") and events["input_type"][0].startswith("ap_fixed<16,6")
    x = np.load(project / "trained" / "test_split.npz")["x_test"]
    assert x.shape == (EVENTS, WIDTH)
    # on the rows of values each type holds exactly, the scalars' slice stays within
    # ap_fixed<10,4> (+-8) while the image's spans ap_fixed<16,6> (+-32)
    start, stop = next(block["rows"] for block in events["blocks"] if block["name"] == "grid")
    assert np.abs(x[start:stop, 30:]).max() <= 8 < np.abs(x[start:stop, :30]).max()
    diagnosis = m["diagnosis"]
    names = [row["name"] for row in diagnosis["layers"]]
    assert "cluster" in names and "scalars" in names and "join" in names
    assert "Diagnosis" in out


def test_csim_of_the_project_and_of_the_folder(compiled, two_inputs, tmp_path):
    project, _ = compiled
    code, out, err = run(["csim", str(project), "--events", "200"])
    assert code == 0 and "0 mismatches" in out, err
    # the folder, on events given as one array per input (named as the inputs, in another order)
    x = np.load(project / "trained" / "test_split.npz")["x_test"]
    np.savez(tmp_path / "events.npz", scalars=x[:, 30:], cluster=x[:, :30].reshape(len(x), 6, 5, 1))
    folder = tmp_path / "folder"
    shutil.copytree(two_inputs, folder)
    code, out, err = run(["csim", str(folder), "--events", "200", "--data", str(tmp_path / "events.npz")])
    assert code == 0 and "0 mismatches vs hls4ml predict" in out and "emulator: 200 events, 0 mismatches" in out, err
    assert "events.npz [cluster, scalars])" in out, out


def test_events_of_the_wrong_width_are_one_line(two_inputs, tmp_path):
    np.save(tmp_path / "short.npy", np.zeros((10, WIDTH - 1)))
    code, out, err = run(["compile", str(two_inputs / "hls4ml_config.yml"), "--data", str(tmp_path / "short.npy"),
                          "--projects", str(tmp_path / "projects"), "--name", "narrow"])
    errors = [line for line in err.splitlines() if "error" in line]
    assert code == 2 and len(errors) == 1 and f"(events, {WIDTH})" in errors[0]
    assert "2 inputs' values laid end to end, cluster [6, 5, 1] + scalars [2]" in errors[0]
    assert not (tmp_path / "projects" / "narrow").exists()


def test_emulate_reads_one_dataset_per_input_or_rows(compiled, tmp_path):
    """`l1forge emulate` on the compiled two-input project: one HDF5 dataset per input (named
    as the inputs) and end-to-end rows give the same scores, those of the emulator's predict."""
    import h5py

    from l1forge import emulate
    from l1forge.emulate.streaming import input_ports
    from l1forge.intake.ports import split

    project, _ = compiled
    x = np.load(project / "trained" / "test_split.npz")["x_test"]
    np.save(tmp_path / "rows.npy", x)
    with h5py.File(tmp_path / "each.h5", "w") as f:
        f["scalars"], f["cluster"] = x[:, 30:], x[:, :30].reshape(len(x), 6, 5, 1)
    for name in ("rows.npy", "each.h5"):
        code, out, err = run(["emulate", str(project), "--in", str(tmp_path / name),
                              "--out", str(tmp_path / f"{name}.scores.h5")])
        assert code == 0, err
    emulator = emulate.load(project)
    want = emulator.predict(split(x, input_ports(emulator)))
    for name in ("rows.npy", "each.h5"):
        with h5py.File(tmp_path / f"{name}.scores.h5") as f:
            assert np.array_equal(f["scores"][...], want)
