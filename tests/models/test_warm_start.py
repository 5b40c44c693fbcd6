"""training.qat_init: float: the QAT network starts from its trained float twin, layer by
layer by name, through pruning wrappers, for the jet tagger and for the VAE's shared parts."""

from pathlib import Path

import numpy as np
import pytest

from l1forge.card_specs import latent_spec, network_spec
from l1forge.tasks import load_card
from l1forge.errors import UserError
from l1forge.models.pruning import pruning_session
from l1forge.models.warm_start import start_from
from l1forge.tasks import task_for
from l1forge.tasks.base import Split

REPO = Path(__file__).resolve().parents[2]
LAYERS = [{"type": "batchnorm", "name": "bn"},
          {"type": "dense", "name": "fc1", "units": 16, "sparsity": 0.5},
          {"type": "relu", "name": "relu1"},
          {"type": "dense", "name": "out", "units": 5},
          {"type": "softmax", "name": "softmax"}]


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _jet_card(**overrides):
    return load_card(REPO / "l1models" / "jet_id.yaml",
                     {"model.layers": LAYERS, "training.epochs": 2, "training.batch_size": 64,
                      "pruning.end_epoch": 1, **overrides})


def _split(n=512, features=16, classes=5):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = rng.integers(0, classes, n)
    return Split(x, y, x[:64], y[:64], x[:64], y[:64], preprocessing={}, info={})


def _inner(model):
    return {getattr(layer, "layer", layer).name: getattr(layer, "layer", layer) for layer in model.layers}


def test_the_qat_network_holds_the_float_weights_inside_its_pruning_wrappers(tf):
    card = _jet_card()
    task = task_for(card)
    float_model, _ = task.fit(card, _split(), quantized=False)
    with pruning_session(network_spec(card), 512) as session:
        qat = task.build_network(card, True)
    assert session.wrappers, "fc1 is pruned, so the QAT network has a wrapper"
    assert start_from(qat, float_model) == 3  # bn, fc1, out
    layers = _inner(qat)
    for twin in float_model.layers:
        for got, want in zip(layers[twin.name].get_weights(), twin.get_weights()):
            np.testing.assert_array_equal(got, want)
    # the float twin's pruned zeros came along: half of fc1's kernel is zero before QAT
    assert np.mean(layers["fc1"].get_weights()[0] == 0) == pytest.approx(0.5, abs=1 / 256)


def test_a_fresh_qat_network_differs_from_the_float_one_so_the_copy_is_what_matches(tf):
    card = _jet_card()
    task = task_for(card)
    float_model, _ = task.fit(card, _split(), quantized=False)
    fresh = task.build_network(card, True)
    kernel = _inner(fresh)["fc1"].get_weights()[0]
    assert not np.array_equal(kernel, _inner(float_model)["fc1"].get_weights()[0])


def test_the_vae_starts_every_shared_layer_and_head_from_the_float_twin(tf):
    card = load_card(REPO / "l1models" / "ad_vae_compact.yaml",
                     {"training.epochs": 1, "training.batch_size": 256, "pruning.end_epoch": 1,
                      "training.qat_init": "float"})
    task = task_for(card)
    x = np.random.default_rng(0).normal(size=(512, 57)).astype(np.float32)
    split = Split(x, np.zeros(512), x[:64], np.zeros(64), x[:64], np.zeros(64), preprocessing={}, info={})
    float_model, _ = task.fit(card, split, quantized=False)
    from l1forge.models.autoencoder import build_vae

    with pruning_session(network_spec(card), 512):
        parts = build_vae(network_spec(card), latent_spec(card), True)
    # input_bn, enc1, enc1_bn, enc2, enc2_bn, z_mean_dense, z_log_var_head, dec1, dec2, output
    assert start_from(parts.network, float_model) == 10
    # one QAT epoch from there, through the task's own fit
    _, history = task.fit(card, split, quantized=True, start=float_model)
    assert len(history["loss"]) == 1 and np.isfinite(history["loss"][0])


def test_a_float_model_of_another_shape_is_refused(tf):
    card = _jet_card()
    task = task_for(card)
    wider = _jet_card(**{"model.layers": [dict(layer, units=32) if layer["name"] == "fc1" else layer
                                          for layer in LAYERS]})
    float_model, _ = task.fit(wider, _split(), quantized=False)
    with pytest.raises(ValueError, match="fc1"):
        start_from(task.build_network(card, True), float_model)


def test_qat_init_must_be_random_or_float():
    with pytest.raises(UserError) as err:
        _jet_card(**{"training.qat_init": "floats"})
    assert "'training.qat_init'" in str(err.value) and "one of random, float" in str(err.value)
