"""A sigmoid table planted too small: named as the table's resolution, and the table size
the diagnosis proposes, converted and emulated again, restores agreement."""

from __future__ import annotations

import numpy as np
from diagnose_models import convert

from l1forge.diagnose import diagnose, hls4ml_reconverter


def test_a_coarse_sigmoid_table_is_named_with_the_table_size_needed():
    import tensorflow as tf

    tf.keras.utils.set_random_seed(2)
    inputs = tf.keras.Input((8,), name="in")
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(4, activation="sigmoid", name="d")(inputs))
    model.set_weights([np.round(w * 1024) / 1024 for w in model.get_weights()])
    graph = convert(model, d_sigmoid={"TableSize": 32})
    x = np.random.default_rng(3).normal(size=(400, 8))
    found = diagnose(graph, model, x, reconvert=hls4ml_reconverter(model, graph))
    assert found.first_divergent_layer == "d_sigmoid"
    assert found.cause.kind == "table_resolution" and "32 entries" in found.cause.detail
    (key, value), = found.fix.changes
    assert key == "HLSConfig.LayerName.d_sigmoid.TableSize" and int(value) > 32
    assert found.fix.agreement_after >= 0.99
