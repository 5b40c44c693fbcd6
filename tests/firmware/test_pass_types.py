"""Each hls4ml config pass on a small Keras model, without g++: the types and settings it
writes into hls4ml's per-layer config, and that every type it writes is a valid fixed-point
type (a misspelt one is refused here, not by g++)."""

from __future__ import annotations

import pytest

from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError
from l1forge.firmware import passes
from l1forge.firmware.config import base_config
from l1forge.firmware.spec import FirmwareSpec, input_fixed_type, parse_config_type

SPEC = FirmwareSpec(name="t", input_type=input_fixed_type(12, 5), softmax_table_size=1024)
Q6 = "quantized_bits(6,0,alpha=1)"


def _dense(units, name):
    from qkeras import QDense

    return QDense(units, kernel_quantizer=Q6, bias_quantizer="quantized_bits(8,2,alpha=1)", name=name)


def _model(*layers, shape=(16,)):
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input(shape, name="inputs")
    x = inputs
    for layer in layers:
        x = layer(x)
    return tf.keras.Model(inputs, x)


@pytest.fixture(scope="module")
def mlp():
    import tensorflow as tf
    from qkeras import QActivation

    return _model(_dense(8, "fc1"), QActivation("quantized_relu(6,2)", name="relu1"), _dense(4, "out"),
                  tf.keras.layers.Activation("softmax", name="softmax"))


def _run(config_pass, model, spec=SPEC):
    config = base_config(spec, model)
    config_pass(spec, model, config)
    for layer in config["LayerName"].values():  # every type written parses
        for key, value in layer.get("Precision", {}).items():
            if value != "auto":
                parse_config_type(value)
    return config


def test_a_misspelt_type_is_refused_before_g_plus_plus():
    for bad in ("fixd<16,6>", "fixed<16,6,RDN,SAT>", "fixed<16;6>"):
        with pytest.raises(UserError):
            parse_config_type(bad)
    with pytest.raises(UserError):
        FixedType(16, 6, True, "RDN", "SAT")
    assert parse_config_type("ufixed<18,3,RND,SAT>") == FixedType(18, 3, False, "RND", "SAT")
    assert FixedType(18, 3, False, "RND", "SAT").config_string() == "ufixed<18,3,RND,SAT>"


def test_strategy_and_reuse(mlp):
    spec = FirmwareSpec(name="t", input_type=SPEC.input_type, strategy="Resource", reuse_factor=4)
    config = _run(passes.strategy_and_reuse, mlp, spec)
    assert config["Model"]["Strategy"] == "Resource" and config["Model"]["ReuseFactor"] == 4
    assert {layer["ReuseFactor"] for layer in config["LayerName"].values()} == {4}


def test_input_type(mlp):
    layers = _run(passes.input_type, mlp)["LayerName"]
    assert layers["inputs"]["Precision"]["result"] == "fixed<12,5,RND,SAT>"


def test_softmax_tables(mlp):
    softmax = _run(passes.softmax_tables, mlp)["LayerName"]["softmax"]
    assert softmax["Implementation"] == "stable" and softmax["TableSize"] == 1024
    assert softmax["Precision"]["result"] == "ufixed<16,0,RND,SAT>"
    assert softmax["exp_table_t"] == "ap_ufixed<18,1,AP_RND,AP_SAT>"
    assert softmax["inp_norm_t"] == "ap_ufixed<14,3,AP_RND,AP_SAT>"  # 10 address bits + 4, 3 integer


def test_activation_tables():
    import tensorflow as tf

    model = _model(_dense(4, "fc1"), tf.keras.layers.Activation("sigmoid", name="sig"))
    sig = _run(passes.activation_tables, model)["LayerName"]["sig"]
    assert sig["Precision"] == {**sig["Precision"], "result": "fixed<18,8,RND,SAT>", "table": "fixed<18,8,RND,SAT>"}
    assert sig["TableSize"] == 1024


def test_batchnorm_types():
    import tensorflow as tf

    model = _model(tf.keras.layers.BatchNormalization(name="bn"), _dense(4, "fc1"))
    bn = _run(passes.batchnorm_types, model)["LayerName"]["bn"]["Precision"]
    assert bn["scale"] == "fixed<18,7,RND,SAT>" and bn["result"] == "fixed<18,8,RND,SAT>"


def test_convolution_parallelization():
    from qkeras import QConv2D

    conv = QConv2D(2, (3, 3), padding="same", kernel_quantizer=Q6, bias_quantizer=Q6, name="conv")
    model = _model(conv, shape=(6, 4, 1))
    assert _run(passes.convolution_parallelization, model)["LayerName"]["conv"]["ParallelizationFactor"] == 24
    slow = FirmwareSpec(name="t", input_type=SPEC.input_type, reuse_factor=2)
    # at a reuse factor above 1 hls4ml's own default (one pixel per cycle) is left alone
    assert _run(passes.convolution_parallelization, model, slow)["LayerName"]["conv"]["ParallelizationFactor"] == 1


def test_leaky_relu_clip():
    from qkeras import QActivation

    model = _model(_dense(8, "fc1"), QActivation("quantized_relu(6,2,negative_slope=0.25)", name="lrelu"))
    result = parse_config_type(_run(passes.leaky_relu_clip, model)["LayerName"]["fc1"]["Precision"]["result"])
    # saturates at [-2^2, 2^2) and keeps every fractional bit of the sum: input 7 + weights 6 + 4
    bound = passes._fraction_bound(SPEC, model)
    assert bound == max(7, passes.BATCHNORM_FRACTION_BITS, 4) + 6 + 4
    assert (result.integer, result.frac, result.rounding, result.overflow) == (3, bound, "TRN", "SAT")


def test_pooling_types():
    import tensorflow as tf
    from qkeras import QActivation

    model = _model(_dense(4, "phi"), QActivation("quantized_relu(6,2)", name="relu"),
                   tf.keras.layers.GlobalAveragePooling1D(name="pool"), shape=(8, 3))
    pool = _run(passes.pooling_types, model)["LayerName"]["pool"]["Precision"]
    # 8 elements: 3 more integer bits for the sum, 3 more fractional bits for the mean
    assert pool["accum"] == "fixed<13,6>" and pool["result"] == "fixed<10,3,RND,SAT>"


def test_quantized_linear_results():
    from qkeras import QActivation

    model = _model(_dense(4, "mu"), QActivation("quantized_bits(8,3,alpha=1)", name="mu_q"))
    layers = _run(passes.quantized_linear_results, model)["LayerName"]
    assert layers["mu"]["Precision"]["result"] == "fixed<8,4,RND_CONV,SAT>"
