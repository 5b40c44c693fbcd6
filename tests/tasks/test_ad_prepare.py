"""Data for anomaly detection: background split, signals kept whole, bad inputs in one line."""

import numpy as np
import pytest

from l1forge.tasks import load_card
from l1forge.cli import main
from l1forge.errors import UserError
from l1forge.tasks import task_for
from l1forge.tasks.autoencoder import Autoencoder

from l1_synthetic import CARDS


def test_background_split_and_signals_for_evaluation(l1_folder):
    card = load_card(CARDS["ad_dense_ae"], {"data.path": str(l1_folder)})
    assert isinstance(task_for(card), Autoencoder)
    split = task_for(card).prepare(card)
    assert split.preprocessing == {"kind": "l1_pt_shift", "shift": 3}
    assert split.x_train.shape[1] == 57 and split.x_train.dtype == np.float32
    assert len(split.x_train) + len(split.x_val) + int((split.y_test == 0).sum()) == 1500
    assert not split.y_train.any() and not split.y_val.any()
    info = split.info
    assert info["processes"] == ["background", "ato4l", "leptoquark", "h_tautau", "hplus_taunu"]
    assert info["test_events"]["ato4l"] == 200
    # background first, then each signal in card order: the build's C-simulation starts on background
    labels = split.y_test
    assert (np.diff(labels) >= 0).all() and labels[0] == 0 and set(labels) == {0, 1, 2, 3, 4}


def test_max_events_caps_background_and_signals(l1_folder):
    card = load_card(CARDS["ad_vae"], {"data.path": str(l1_folder), "data.max_events": 500,
                                       "data.signals": ["leptoquark"]})
    split = task_for(card).prepare(card)
    assert split.info["events"] == 500
    assert split.info["test_events"] == {"background": 225, "leptoquark": 200}  # 45% of 500


def test_a_signal_missing_from_the_sample(tmp_path, l1_folder):
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "l1_background.h5").write_bytes((l1_folder / "l1_background.h5").read_bytes())
    card = load_card(CARDS["ad_dense_ae"], {"data.path": str(folder)})
    with pytest.raises(UserError) as err:
        task_for(card).prepare(card)
    assert "signal 'ato4l' is missing from the sample" in str(err.value)


def test_data_path_must_be_a_folder(l1_folder):
    card = load_card(CARDS["ad_cnn_ae"], {"data.path": str(l1_folder / "l1_background.h5")})
    with pytest.raises(UserError) as err:
        task_for(card).prepare(card)
    assert "'data.path': expected a folder holding l1_background.h5" in str(err.value)


@pytest.mark.parametrize("override, expected", [
    ({"data.signals": ["ato4l", "higgs"]}, "'data.signals[1]': expected one of ato4l"),
    ({"data.signals": []}, "'data.signals': expected at least one signal"),
    ({"data.signals": ["ato4l", "ato4l"]}, "each signal once"),
    ({"model.encoder_layers": 14}, "'model.encoder_layers': expected the number of encoder layers"),
    ({"model.latent_dim": 0}, "'model.latent_dim'"),
    ({"model.beta": 0}, "'model.beta': expected a positive weight"),
])
def test_bad_anomaly_cards_exit_2_in_one_line(tmp_path, capsys, override, expected):
    (key, value), = override.items()
    flag = f"{key}={value if not isinstance(value, list) else '[' + ','.join(value) + ']'}"
    code = main(["train", str(CARDS["ad_vae"]), "--projects", str(tmp_path), "--set", flag])
    err = capsys.readouterr().err.strip()
    assert code == 2 and expected in err and len(err.splitlines()) == 1
    assert not any(tmp_path.iterdir())
