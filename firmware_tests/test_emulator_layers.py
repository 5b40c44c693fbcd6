"""Every emulated layer family against hls4ml's compiled firmware (g++), bit for bit.

Each test builds a small (Q)Keras model, converts it with hls4ml (io_parallel), emulates it,
compiles the firmware library and compares `predict` on random events plus crafted edges:
values at and beyond the input type's range, ties on the input LSB, zeros. Layer types are
set per layer to cover the rounding and overflow modes, saturating accumulators (emulated in
the firmware's summation order), rounded products, and the lookup tables.
"""

from __future__ import annotations


import bit_exact
import numpy as np
import pytest


hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from qkeras import QActivation, QConv2D, QDense, quantized_bits, quantized_relu  # noqa: E402
from tensorflow.keras import layers as kl  # noqa: E402

from l1forge import emulate  # noqa: E402

EVENTS = 20_000


def edge_events(shape, lsb, limit, seed):
    return bit_exact.edge_events(shape, lsb, limit, seed, EVENTS)


def compare(model, config, x, tmp_path):
    graph = hls4ml.converters.convert_from_keras_model(
        model, hls_config=config, output_dir=str(tmp_path / "prj"), backend="Vitis", io_type="io_parallel")
    emulator = emulate.from_graph(graph)
    ours = emulator.predict(x)
    graph.compile()
    theirs = graph.predict(np.ascontiguousarray(x))
    ours = ours if isinstance(ours, list) else [ours]
    theirs = theirs if isinstance(theirs, list) else [theirs]
    assert len(ours) == len(theirs)
    for index, (a, b) in enumerate(zip(ours, theirs)):
        b = np.asarray(b).reshape(a.shape)
        bad = np.flatnonzero(np.any((a != b).reshape(len(a), -1), axis=1))
        assert bad.size == 0, f"output {index}: {bad.size} events differ, first {bad[:5]}: {a[bad[:2]]} vs {b[bad[:2]]}"
    return emulator


def config_for(model):
    return hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")


def test_quantized_mlp_with_softmax(tmp_path):
    tf.random.set_seed(1)
    inp = kl.Input((16,), name="inp")
    x = inp
    for i, units in enumerate([64, 32, 32]):
        x = QDense(units, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
                   bias_initializer="glorot_uniform", name=f"fc{i}")(x)
        x = QActivation(quantized_relu(6), name=f"relu{i}")(x)
    x = QDense(5, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1),
               name="out")(x)
    model = tf.keras.Model(inp, kl.Activation("softmax", name="softmax")(x))
    config = config_for(model)
    config["LayerName"]["inp"]["Precision"]["result"] = "ap_fixed<16,6,AP_RND,AP_SAT>"
    config["LayerName"]["softmax"].update(TableSize=4096, inp_norm_t="ap_ufixed<16,3,AP_RND,AP_SAT>")
    emulator = compare(model, config, edge_events((16,), 2**-10, 32.0, 1), tmp_path)
    assert emulator.steps[0].kernel.rescalable  # the dense -> relu pair takes the fast path


def test_rounding_overflow_modes_and_tables(tmp_path):
    tf.random.set_seed(2)
    inp = kl.Input((10,), name="inp")
    x = kl.Dense(12, name="d1", bias_initializer="glorot_uniform")(inp)
    x = kl.LeakyReLU(0.3, name="lrelu")(x)
    x = kl.Dense(12, name="d2", bias_initializer="glorot_uniform")(x)
    x = kl.BatchNormalization(name="bn")(x)
    x = kl.Activation("sigmoid", name="sig")(x)
    x = kl.Dense(8, name="d3")(x)
    x = kl.Activation("tanh", name="tanh")(x)
    x = QDense(6, kernel_quantizer=quantized_bits(8, 1, alpha=1), bias_quantizer=quantized_bits(8, 1, alpha=1), name="q4")(x)
    x = kl.Dense(5, name="d5")(x)
    model = tf.keras.Model(inp, kl.Activation("softmax", name="sm")(x))
    bn = model.get_layer("bn")
    rng = np.random.default_rng(0)
    bn.set_weights([rng.uniform(0.5, 2, 12), rng.uniform(-1, 1, 12), rng.uniform(-1, 1, 12), rng.uniform(0.5, 3, 12)])
    config = config_for(model)
    layers = config["LayerName"]
    layers["inp"]["Precision"]["result"] = "ap_fixed<12,4,AP_RND_CONV,AP_SAT>"
    layers["d1"]["Precision"] = {"weight": "ap_fixed<10,2,AP_RND>", "bias": "ap_fixed<10,2>",
                                 "accum": "ap_fixed<14,5,AP_TRN,AP_SAT>", "result": "ap_fixed<12,4,AP_RND,AP_SAT_SYM>"}
    layers["lrelu"]["Precision"] = {"result": "ap_fixed<10,3,AP_RND_ZERO,AP_SAT>", "param": "ap_fixed<8,1>"}
    layers["d2"]["Precision"] = {"weight": "ap_fixed<8,2>", "bias": "ap_fixed<8,2>",
                                 "accum": "ap_fixed<16,6,AP_RND_INF,AP_WRAP>", "result": "ap_fixed<12,5,AP_RND_MIN_INF,AP_SAT_ZERO>"}
    layers["bn"]["Precision"] = {"scale": "ap_fixed<10,3>", "bias": "ap_fixed<10,3>", "result": "ap_fixed<12,5,AP_TRN_ZERO,AP_SAT>"}
    layers["sig"].update(Precision={"result": "ap_ufixed<10,1,AP_RND,AP_SAT>", "table": "ap_fixed<18,2>"}, table_size=512)
    layers["d3"]["Precision"] = {"weight": "ap_fixed<8,2>", "bias": "ap_fixed<8,2>", "accum": "ap_fixed<20,8>",
                                 "result": "ap_fixed<14,4,AP_RND_CONV,AP_WRAP>"}
    layers["tanh"].update(Precision={"result": "ap_fixed<10,2,AP_RND,AP_SAT>", "table": "ap_fixed<16,2,AP_RND,AP_SAT>"},
                          table_size=2048)
    layers["d5"]["Precision"] = {"weight": "ap_fixed<8,3>", "bias": "ap_fixed<8,3>", "accum": "ap_fixed<16,6>",
                                 "result": "ap_fixed<16,6>"}
    layers["sm"]["Implementation"] = "latency"
    emulator = compare(model, config, edge_events((10,), 2**-8, 8.0, 2), tmp_path)
    kernels = {step.name: step.kernel for step in emulator.steps if hasattr(step, "kernel")}
    assert not kernels["d1"].fast  # products round and the accumulator saturates: firmware order


def test_convolutions_pooling_padding_upsampling(tmp_path):
    tf.random.set_seed(3)
    inp = kl.Input((19, 3, 1), name="inp")
    x = QConv2D(4, (3, 3), padding="same", kernel_quantizer=quantized_bits(6, 0, alpha=1),
                bias_quantizer=quantized_bits(6, 0, alpha=1), bias_initializer="glorot_uniform", name="c1")(inp)
    x = kl.BatchNormalization(name="bn1")(x)
    x = QActivation(quantized_relu(6, 2), name="r1")(x)
    x = kl.ZeroPadding2D(((1, 0), (0, 1)), name="zp")(x)
    x = kl.AveragePooling2D((2, 2), name="ap")(x)
    x = kl.Conv2D(3, (2, 2), name="c2")(x)
    x = kl.ReLU(name="r2")(x)
    x = kl.MaxPooling2D((2, 1), padding="same", name="mp")(x)
    x = kl.Flatten(name="fl")(x)
    x = kl.Dense(12, name="d1")(x)
    x = kl.Reshape((3, 2, 2), name="rs")(x)
    x = kl.UpSampling2D((2, 2), name="up")(x)
    x = kl.Conv2D(2, (3, 3), name="c3")(x)
    model = tf.keras.Model(inp, kl.Flatten(name="fl2")(x))
    rng = np.random.default_rng(1)
    model.get_layer("bn1").set_weights([rng.uniform(0.5, 2, 4), rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4),
                                        rng.uniform(0.5, 3, 4)])
    config = config_for(model)
    config["LayerName"]["ap"]["Precision"] = {"accum": "ap_fixed<10,4,AP_RND,AP_SAT>", "result": "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"}
    config["LayerName"]["mp"]["Precision"] = {"accum": "ap_fixed<10,4>", "result": "ap_fixed<10,4>"}
    compare(model, config, edge_events((19, 3, 1), 2**-10, 32.0, 3), tmp_path)


def test_conv1d_global_pooling_merges_and_several_outputs(tmp_path):
    tf.random.set_seed(5)
    inp = kl.Input((8, 4), name="inp")
    c = kl.Conv1D(3, 3, padding="same", name="c1")(inp)
    c = kl.ZeroPadding1D((1, 2), name="zp1")(c)
    p = kl.MaxPooling1D(2, name="mp1")(c)
    q = kl.AveragePooling1D(3, strides=2, padding="same", name="ap1")(c)
    g1, g2 = kl.GlobalAveragePooling1D(name="gap")(c), kl.GlobalMaxPooling1D(name="gmp")(c)
    a = kl.Dense(6, name="da")(kl.Flatten(name="f1")(p))
    b = kl.Dense(6, name="db")(kl.Flatten(name="f2")(q))
    s1, s2 = kl.Add(name="add")([a, b]), kl.Subtract(name="sub")([a, b])
    s3, s4 = kl.Multiply(name="mul")([a, b]), kl.Average(name="avg")([a, b])
    cat = kl.Concatenate(name="cat")([kl.Maximum(name="max")([s1, s2]), kl.Minimum(name="min")([s3, s4])])
    out1 = kl.Dense(4, name="o1")(cat)
    out2 = kl.Dense(3, name="o2")(kl.Concatenate(name="cat2")([g1, g2]))
    model = tf.keras.Model(inp, [out1, out2, kl.Flatten(name="fu")(kl.UpSampling1D(2, name="up1")(p))])
    config = config_for(model)
    precisions = {"add": "ap_fixed<10,3,AP_RND,AP_SAT>", "sub": "ap_fixed<14,5,AP_RND_ZERO,AP_SAT_SYM>",
                  "mul": "ap_fixed<12,4,AP_RND_CONV,AP_WRAP>", "avg": "ap_fixed<9,2,AP_RND,AP_SAT>",
                  "max": "ap_fixed<12,4>", "min": "ap_fixed<12,4,AP_RND_INF,AP_SAT_ZERO>", "cat": "ap_fixed<12,4>"}
    for name, result in precisions.items():
        config["LayerName"][name]["Precision"] = {"result": result}
    for name in ("da", "db"):
        config["LayerName"][name]["Precision"] = {"result": "ap_fixed<16,6>", "accum": "ap_fixed<24,8>"}
    config["LayerName"]["gap"]["Precision"] = {"accum": "ap_fixed<12,5>", "result": "ap_fixed<10,4,AP_RND>"}
    compare(model, config, edge_events((8, 4), 2**-10, 32.0, 6), tmp_path)


def test_elu_and_saturating_relu(tmp_path):
    tf.random.set_seed(7)
    inp = kl.Input((6,), name="inp")
    a = kl.Dense(6, name="d1")(inp)
    both = kl.Concatenate(name="cat0")([kl.ELU(alpha=1.0, name="elu")(a), kl.Activation("elu", name="elu2")(a)])
    model = tf.keras.Model(inp, kl.Concatenate(name="cat")([both, kl.ReLU(max_value=1.0, name="relu1")(a)]))
    config = config_for(model)
    layers = config["LayerName"]
    layers["elu"].update(Precision={"result": "fixed<18,2,RND,SAT>"}, TableSize=1024)
    layers["relu1"]["Precision"] = {"result": "ufixed<1,1,RND,SAT>"}
    layers["d1"]["Precision"] = {"result": "fixed<16,5,RND,SAT>"}
    for name in ("cat", "cat0"):
        layers[name]["Precision"] = {"result": "fixed<20,6>"}
    compare(model, config, edge_events((6,), 2**-10, 32.0, 8), tmp_path)


def test_trace_equals_hls4ml_trace(tmp_path):
    tf.random.set_seed(9)
    inp = kl.Input((8, 2), name="inp")
    x = kl.Conv1D(3, 3, name="c1")(inp)
    x = QActivation(quantized_relu(6, 1), name="r1")(x)
    x = kl.Flatten(name="fl")(x)
    x = QDense(4, kernel_quantizer=quantized_bits(6, 0, alpha=1), bias_quantizer=quantized_bits(6, 0, alpha=1), name="d1")(x)
    model = tf.keras.Model(inp, kl.Activation("sigmoid", name="sig")(x))
    config = config_for(model)
    for layer in config["LayerName"].values():
        layer["Trace"] = True
    graph = hls4ml.converters.convert_from_keras_model(
        model, hls_config=config, output_dir=str(tmp_path / "prj"), backend="Vitis", io_type="io_parallel")
    emulator = emulate.from_graph(graph)
    x = edge_events((8, 2), 2**-10, 32.0, 10)[:3000]
    graph.compile()
    _, theirs = graph.trace(np.ascontiguousarray(x))
    ours = emulator.trace(x)
    assert set(theirs) <= set(ours) and len(theirs) >= 4
    for name, values in theirs.items():
        assert np.array_equal(ours[name].reshape(values.shape), values), name
