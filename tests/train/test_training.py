"""QAT training on a tiny CSV in the public OpenML form: artifacts, determinism, data errors."""

import numpy as np
import pytest

from l1forge.tasks import load_card
from l1forge.data import JET_CLASSES, JET_FEATURES
from l1forge.errors import UserError
from l1forge.tasks.training import load_trained, train

CARD = """\
name: tiny_tagger
data: {{path: {path}, test_fraction: 0.25, validation_fraction: 0.25}}
model:
  input_shape: [16]
  layers:
    - {{type: dense, units: 8}}
    - {{type: relu}}
    - {{type: dense, units: 5}}
    - {{type: softmax}}
training: {{epochs: 2, batch_size: 64, early_stopping_patience: 0, seed: 7}}
"""


def write_jets_csv(path, n=400, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 5, n)
    centers = rng.normal(size=(5, 16)) * 2
    x = centers[labels] + rng.normal(size=(n, 16))
    header = ",".join(JET_FEATURES) + ",class"
    rows = [",".join(f"{v:.6g}" for v in row) + f",{JET_CLASSES[k]}" for row, k in zip(x, labels)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


@pytest.fixture()
def card_file(tmp_path):
    write_jets_csv(tmp_path / "jets.csv")
    path = tmp_path / "tiny.yaml"
    path.write_text(CARD.format(path=tmp_path / "jets.csv"))
    return path


def test_training_stores_artifacts_and_is_reproducible(tmp_path, card_file):
    card = load_card(card_file)
    first = train(card, tmp_path / "a", log=lambda m: None)
    second = train(card, tmp_path / "b", log=lambda m: None)
    for name in ("qat_model.h5", "float_model.h5", "test_split.npz", "training.json"):
        assert (first.directory / name).is_file()
    assert load_trained(card, tmp_path / "a").directory == first.directory
    x_test, y_test = first.test_split()
    assert x_test.shape == (100, 16) and y_test.shape == (100,)
    # Standardization constants come from the training split and are part of the contract.
    assert len(first.preprocessing["mean"]) == 16
    m1, m2 = first.qat_model(), second.qat_model()
    for w1, w2 in zip(m1.get_weights(), m2.get_weights()):
        assert np.array_equal(w1, w2)
    assert first.metrics == second.metrics
    assert 0 <= first.metrics["qat_accuracy"] <= 1


def test_a_data_file_of_the_wrong_width_is_refused(tmp_path, card_file):
    card = load_card(card_file, {"model.input_shape": [12]})
    with pytest.raises(UserError, match="expects model.input_shape"):
        train(card, tmp_path, log=lambda m: None)


def _losses(trained):
    import json

    history = json.loads((trained.directory / "training.json").read_text())["history"]
    return history["float"]["loss"], history["qat"]["loss"]


def test_qat_from_the_float_baseline_starts_where_the_float_training_ended(tmp_path, card_file):
    """training.qat_init: float through train(): the log says so, and the QAT run's first
    epoch is already near the float run's last, where a random start repeats its first."""
    overrides = {"training.qat_init": "float", "training.epochs": 3, "training.learning_rate": 0.01}
    lines = []
    warm = train(load_card(card_file, overrides), tmp_path / "w", log=lines.append)
    assert any("from the float baseline's weights" in line for line in lines)
    cold = train(load_card(card_file, {**overrides, "training.qat_init": "random"}), tmp_path / "r",
                 log=lambda m: None)
    float_loss, warm_loss = _losses(warm)
    _, cold_loss = _losses(cold)
    assert float_loss[-1] < 0.8 * float_loss[0], "the float run learns in three epochs"
    assert warm_loss[0] < 0.5 * (float_loss[0] + float_loss[-1]) < cold_loss[0]
