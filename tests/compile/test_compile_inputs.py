"""`l1forge compile` refuses bad input in one line, exit status 2, before any conversion,
and leaves nothing in the projects folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from l1forge.cli import main


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """A small QKeras MLP as a whole .h5, and as JSON + weights."""
    import tensorflow as tf
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu

    folder = tmp_path_factory.mktemp("models")
    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input((8,), name="inp")
    x = QDense(8, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="fc1")(inputs)
    x = QActivation(quantized_relu(6, 0), name="relu1")(x)
    x = QDense(3, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="out")(x)
    model = tf.keras.Model(inputs, x)
    model.save(folder / "mlp.h5")
    (folder / "mlp.json").write_text(model.to_json())
    model.save_weights(folder / "mlp_weights.h5")
    return folder


def _refused(capsys, projects, *argv) -> str:
    code = main(["compile", *map(str, argv), "--projects", str(projects)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("l1forge: error: ")]
    assert len(errors) == 1 and err.splitlines()[-1] == errors[0], err  # progress lines come before
    assert not projects.exists() or list(projects.iterdir()) == []
    return errors[0]


def test_a_name_that_is_not_a_c_identifier(model_files, tmp_path, capsys):
    err = _refused(capsys, tmp_path / "p", model_files / "mlp.h5", "--name", "2fast")
    assert "C identifier" in err and "2fast" in err


def test_unknown_options_and_parts(model_files, tmp_path, capsys):
    assert "io_parallel" in _refused(capsys, tmp_path / "p", model_files / "mlp.h5", "--io-type", "io_serial")
    assert "exact" in _refused(capsys, tmp_path / "p", model_files / "mlp.h5", "--precision", "best")
    assert "nosuchpart" in _refused(capsys, tmp_path / "p", model_files / "mlp.h5", "--part",
                                    "xcvu13p-nosuchpart-9-z")


def test_files_that_are_not_a_model(model_files, tmp_path, capsys):
    truncated = tmp_path / "cut.h5"
    truncated.write_bytes((model_files / "mlp.h5").read_bytes()[:2000])
    assert str(truncated) in _refused(capsys, tmp_path / "p", truncated)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert ".h5" in _refused(capsys, tmp_path / "p", text)
    assert "weights" in _refused(capsys, tmp_path / "p", model_files / "mlp.json")


def test_weights_that_do_not_match_the_architecture(model_files, tmp_path, capsys):
    import tensorflow as tf

    other = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(4, name="fc1")])
    other.save_weights(tmp_path / "other.h5")
    _refused(capsys, tmp_path / "p", model_files / "mlp.json", "--weights", tmp_path / "other.h5")


def test_events_of_the_wrong_shape_or_with_nan(model_files, tmp_path, capsys):
    np.save(tmp_path / "wide.npy", np.zeros((10, 9)))
    assert "wide.npy" in _refused(capsys, tmp_path / "p", model_files / "mlp.h5", "--data", tmp_path / "wide.npy")
    bad = np.zeros((10, 8))
    bad[3, 2] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    assert "nan.npy" in _refused(capsys, tmp_path / "p", model_files / "mlp.h5", "--data", tmp_path / "nan.npy")


def test_a_yaml_without_its_model_keys(tmp_path, capsys):
    config = tmp_path / "config.yml"
    config.write_text(json.dumps({"OutputDir": "x", "ProjectName": "p", "Part": "xcvu13p-flga2577-2-e"}))
    assert "KerasModel" in _refused(capsys, tmp_path / "p", config)


def test_a_destination_holding_another_project_is_kept(model_files, tmp_path, capsys):
    projects = tmp_path / "p"
    (projects / "mlp").mkdir(parents=True)
    (projects / "mlp" / "keep.txt").write_text("mine")
    code = main(["compile", str(model_files / "mlp.h5"), "--projects", str(projects)])
    assert code == 2 and "not an l1forge project" in capsys.readouterr().err
    assert (projects / "mlp" / "keep.txt").read_text() == "mine"
