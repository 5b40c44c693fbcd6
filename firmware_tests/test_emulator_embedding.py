"""Embedding against hls4ml's compiled firmware (g++), bit for bit: table rows read by
integer tokens and by values between them (the firmware's index is the floor of
data x n_out), cast to a rounding, saturating result type; values outside the table are
refused with their event, since the firmware's read is undefined there."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to compile the firmware")

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from tensorflow.keras import layers as kl  # noqa: E402

from l1forge import emulate  # noqa: E402
from l1forge.errors import UserError  # noqa: E402

VOCAB, WIDTH, TOKENS = 12, 4, 6


@pytest.fixture(scope="module")
def embedding_graph(tmp_path_factory):
    tf.keras.utils.set_random_seed(3)
    inp = tf.keras.Input((TOKENS,), name="tokens")
    x = kl.Embedding(VOCAB, WIDTH, embeddings_initializer=tf.keras.initializers.RandomUniform(-3, 3), name="emb")(inp)
    x = kl.Dense(3, name="fc")(kl.Flatten(name="flat")(x))
    model = tf.keras.Model(inp, x)
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    config["LayerName"]["emb"]["Precision"] = {"embeddings": "ap_fixed<12,3>", "result": "ap_fixed<6,2,AP_RND,AP_SAT>"}
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, backend="Vivado",
                                                       output_dir=str(tmp_path_factory.mktemp("emb") / "prj"))
    graph.compile()
    return graph


def test_embedding_equals_compiled_firmware(embedding_graph):
    rng = np.random.default_rng(5)
    x = rng.integers(0, VOCAB, (4000, TOKENS)).astype(np.float64)
    x[:1000] += np.floor(rng.uniform(0, 1, (1000, TOKENS)) * 1024) / 1024 * (x[:1000] < VOCAB - 1)
    x[1000:1100] = VOCAB - 1  # the last row
    ours = emulate.from_graph(embedding_graph).predict(x)
    theirs = np.asarray(embedding_graph.predict(np.ascontiguousarray(x))).reshape(ours.shape)
    assert np.array_equal(ours, theirs), f"{int(np.any(ours != theirs, axis=1).sum())} events differ"
    # the result type saturates and rounds on this table: the cast is exercised
    flat = emulate.from_graph(embedding_graph).trace(x[:200])["emb"]
    assert flat.max() == 2 - 2**-4 and flat.min() == -2


@pytest.mark.parametrize("value", [VOCAB, -1, VOCAB - 0.5])
def test_reads_outside_the_table_are_refused(embedding_graph, value):
    x = np.zeros((3, TOKENS))
    x[2, 4] = value
    with pytest.raises(UserError, match=r"layer 'emb' \(Embedding\): event 2 reads the embedding table with .* "
                                        r"\(input 4\), outside its rows 0..11"):
        emulate.from_graph(embedding_graph).predict(x)
