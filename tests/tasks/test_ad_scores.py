"""Float anomaly scores and the constants of the firmware score layers (no TensorFlow)."""

import numpy as np
import pytest

from l1forge.card_specs import firmware_spec
from l1forge.tasks import anomaly_scores as firmware_scores
from l1forge.tasks import load_card
from l1forge.tasks.anomaly import ae_score, object_mask, vae_score

from l1_synthetic import CARDS


def event_with_objects(n_objects):
    x = np.zeros((1, 57))
    for i in range(n_objects):
        x[0, 3 * i:3 * i + 3] = (5.0 + i, 0.5, -1.0)
    return x


def test_padded_objects_do_not_count_in_the_ae_score():
    x = event_with_objects(2)
    reconstruction = np.full((1, 57), 0.25)
    assert object_mask(x)[0].tolist() == [1.0] * 6 + [0.0] * 51
    expected = np.sum((x[0, :6] - 0.25) ** 2) / 57
    assert ae_score(x, reconstruction)[0] == pytest.approx(expected)
    # an object with eta = phi = 0 but pT > 0 is real: all three inputs count
    x[0, 6] = 3.0
    assert object_mask(x)[0, 6:9].tolist() == [1.0, 1.0, 1.0]


def test_vae_scores():
    mu = np.array([[1.0, -2.0, 0.0]])
    log_var = np.array([[0.0, -1.0, -3.0]])
    assert vae_score("mu2", mu, log_var)[0] == 5.0
    kl = 0.5 * (1 + 4 + 0 + (np.exp(-1) + 1 - 1) + (np.exp(-3) + 3 - 1))
    assert vae_score("kl", mu, log_var)[0] == pytest.approx(kl)
    assert vae_score("kl", np.zeros((1, 3)), np.zeros((1, 3)))[0] == 0.0


def test_mask_weights_copy_each_objects_pt_times_the_input_lsb():
    kernel = firmware_scores.object_mask_weights(57, 7)
    assert kernel.shape == (57, 57)
    assert np.count_nonzero(kernel) == 57
    assert kernel[0, 0] == kernel[0, 2] == kernel[54, 56] == 128.0
    assert not kernel[1].any() and not kernel[2].any()  # eta and phi never open the mask


def test_mean_weight_is_on_the_firmware_weight_grid():
    w = firmware_scores.mean_weight(57)
    assert w == pytest.approx(1 / 57, rel=1e-5)
    assert (w * 2**firmware_scores.MEAN_WEIGHT_FRACTION_BITS).is_integer()


def test_score_types_follow_the_cards_input_type():
    card = load_card(CARDS["ad_dense_ae"], {"quantization.input_integer": 7})
    types = firmware_scores.score_precisions(firmware_spec(card).input_type)
    spelled = {name: {k: v.config_string() for k, v in entry.items() if hasattr(v, "config_string")}
               for name, entry in types.items()}
    assert spelled["score_mask_scale"]["weight"] == "ufixed<1,10>"  # 2^9 = 1 / input LSB
    assert spelled["score_diff"]["result"] == "fixed<16,8,RND,SAT>"
    assert spelled["score_square"]["result"] == "ufixed<22,14,RND,SAT>"
    assert spelled["score_mask"]["result"] == "ufixed<1,1,RND,SAT>"
    assert spelled["score_sum"]["result"] == "ufixed<28,20>"  # exact: 57 squares need 6 more bits


def test_configs_get_the_score_types_and_the_dense_linear_companions():
    card = load_card(CARDS["ad_vae"])
    config = {"LayerName": {"score_var_minus_one": {"Precision": {"result": "auto"}},
                            "score_kl": {"Precision": {"result": "auto"}},
                            "score_kl_linear": {"Precision": {"result": "auto"}},
                            "enc1": {"Precision": {"result": "auto"}}}}

    firmware_scores.score_types(firmware_spec(card), None, config)
    layers = config["LayerName"]
    assert layers["score_kl"]["Precision"]["weight"] == "ufixed<1,0>"  # 0.5 exactly
    assert layers["score_kl_linear"]["Precision"]["result"] == layers["score_kl"]["Precision"]["result"]
    assert layers["enc1"]["Precision"] == {"result": "auto"}
    # hls4ml reads the ELU table's type and size at the layer level, not from Precision
    elu = layers["score_var_minus_one"]
    assert elu["table_t"] == "ap_fixed<18,1,AP_RND,AP_SAT>" and elu["TableSize"] == 8192
    assert "table_t" not in elu["Precision"]
