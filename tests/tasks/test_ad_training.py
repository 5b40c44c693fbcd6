"""Training on tiny synthetic samples, and the Keras score models the firmware is built from."""

import numpy as np
import pytest

from l1forge.card_specs import firmware_spec, latent_spec, network_spec
from l1forge.tasks import load_card
from l1forge.tasks import anomaly, task_for

from l1_synthetic import CARDS

TINY = {"training.epochs": 2, "training.batch_size": 256, "training.early_stopping_patience": 0}


@pytest.fixture(scope="module")
def trained_ae(tmp_path_factory, l1_folder):
    from l1forge.tasks.training import train

    card = load_card(CARDS["ad_dense_ae"], {"data.path": str(l1_folder), **TINY})
    return card, train(card, tmp_path_factory.mktemp("projects"), log=lambda _: None)


def test_training_stores_models_metrics_and_the_evaluation_events(trained_ae):
    card, trained = trained_ae
    metrics = trained.metrics
    assert set(metrics["auc_qat"]) == set(card.family.data.signals) == set(metrics["auc_baseline"])
    assert all(0.0 <= v <= 1.0 for v in metrics["auc_qat"].values())
    x_test, y_test = trained.test_split()
    assert x_test.shape == (len(y_test), 57)
    assert int((y_test == 0).sum()) == metrics["test_background_events"] == 675  # 45% of 1500
    assert trained.info["test_events"]["hplus_taunu"] == 200


def test_firmware_model_of_the_ae_computes_the_masked_mse(trained_ae):
    card, trained = trained_ae
    qat = trained.qat_model()
    x, _ = trained.test_split()
    firmware_model = task_for(card).firmware_model(card, qat)
    assert firmware_model.output_shape == (None, 1)
    got = firmware_model.predict(x[:500], verbose=0)[:, 0]
    want = anomaly.ae_score(x[:500], qat.predict(x[:500], verbose=0))
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("score", ["kl", "mu2"])
def test_firmware_model_of_the_vae_computes_its_score_from_the_encoder(l1_folder, score):
    from l1forge.models.autoencoder import build_vae

    card = load_card(CARDS["ad_vae"], {"data.path": str(l1_folder), "model.vae_score": score})
    network = build_vae(network_spec(card), latent_spec(card), quantized=True).network
    x = task_for(card).prepare(card).x_test[:400]
    mu, log_var, _ = network.predict(x, verbose=0)
    assert (log_var <= 0).all()  # the posterior is never wider than the prior
    firmware_model = task_for(card).firmware_model(card, network)
    assert not any("output" in layer.name or layer.name.startswith("dec") for layer in firmware_model.layers)
    got = firmware_model.predict(x, verbose=0)[:, 0]
    np.testing.assert_allclose(got, anomaly.vae_score(score, mu, log_var), rtol=1e-5, atol=1e-5)


def test_vae_training_runs_and_scores(l1_folder, tmp_path):
    from l1forge.tasks.training import train

    card = load_card(CARDS["ad_vae"], {"data.path": str(l1_folder), "data.signals": ["ato4l"], **TINY})
    trained = train(card, tmp_path, log=lambda _: None)
    assert set(trained.metrics["auc_qat"]) == {"ato4l"}
    assert trained.metrics["background_mean_score_qat"] >= 0.0


def test_hls_config_gives_the_score_layers_their_types(trained_ae):
    from l1forge.firmware import hls_config
    from l1forge.firmware.passes import BATCHNORM_TYPES
    from l1forge.tasks.anomaly_scores import score_precisions

    card, trained = trained_ae
    task = task_for(card)
    config = hls_config(firmware_spec(card), task.firmware_model(card, trained.qat_model()), task.config_passes(card))
    layers = config["LayerName"]
    expected = score_precisions(firmware_spec(card).input_type)
    for name in ("score_mask_scale", "score_mask", "score_diff", "score_square", "score_sum", "score_mean"):
        assert layers[name]["Precision"]["result"] == expected[name]["result"].config_string()
    assert layers["score_mean_linear"]["Precision"]["result"] == expected["score_mean"]["result"].config_string()
    assert layers["input_bn"]["Precision"]["result"] == BATCHNORM_TYPES["result"].config_string()
