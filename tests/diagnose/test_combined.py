"""A convolutional classifier with two planted faults: the diagnosis names both (the
narrow accumulator first, the softmax after it on its own inputs), and all fixes together,
converted and emulated again, restore agreement with Keras."""

from __future__ import annotations

import json

import numpy as np
import pytest
from diagnose_models import convert

from l1forge.diagnose import diagnose, hls4ml_reconverter, render_text


@pytest.fixture(scope="module")
def found():
    import tensorflow as tf

    tf.keras.utils.set_random_seed(1)
    inputs = tf.keras.Input((8, 8, 2), name="img")
    hidden = tf.keras.layers.Conv2D(4, 3, activation="relu", name="c1")(inputs)
    hidden = tf.keras.layers.MaxPooling2D(2, name="p1")(hidden)
    hidden = tf.keras.layers.Flatten(name="flat")(hidden)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(3, activation="softmax", name="d")(hidden))
    graph = convert(model, c1={"Precision": {"accum": "ap_fixed<8,2>"}})
    x = np.random.default_rng(0).normal(size=(300, 8, 8, 2))
    return diagnose(graph, model, x, reconvert=hls4ml_reconverter(model, graph))


def test_two_faults_are_both_named_and_fixed_together(found):
    assert [(f.layer, f.cause.kind) for f in found.findings] == [("c1", "accumulator_truncating"),
                                                                  ("d_softmax", "table_input_range")]
    assert found.findings[0].fix.agreement_after >= 0.99
    combined = found.combined_fix
    assert len(combined.changes) == 3
    assert combined.agreement_after >= 0.99 and combined.argmax_agreement_after >= 0.99
    assert found.argmax_agreement < 0.5
    assert "all fixes together:" in render_text(found)
    assert found.as_dict()["combined_fix"]["argmax_agreement_after"] == combined.argmax_agreement_after


def test_the_diagnosis_reads_back_from_its_dict_and_renders_the_same(found):
    """A manifest keeps `diagnosis` as a dict; `l1forge compile` renders it from there."""
    from l1forge.diagnose import Diagnosis

    again = Diagnosis.from_dict(json.loads(json.dumps(found.as_dict())))
    assert again == found
    assert render_text(again) == render_text(found)
