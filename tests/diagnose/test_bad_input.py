"""Bad input to the diagnosis: one line naming what is wrong, as a UserError."""

from __future__ import annotations

import numpy as np
import pytest

from l1forge.diagnose import diagnose
from l1forge.errors import UserError


def test_events_of_the_wrong_width_are_refused(classifier, default_graph):
    model, x = classifier
    with pytest.raises(UserError, match=r"expected \(events, 16\)"):
        diagnose(default_graph, model, x[:, :12])


def test_events_holding_nan_are_refused_with_their_row(classifier, default_graph):
    model, x = classifier
    bad = x[:50].copy()
    bad[7, 3] = np.nan
    with pytest.raises(UserError, match="event 7 holds NaN"):
        diagnose(default_graph, model, bad)


def test_a_keras_model_that_is_not_the_converted_one_is_refused(classifier, default_graph):
    import tensorflow as tf

    model, x = classifier
    other = tf.keras.Sequential([tf.keras.Input((16,)), tf.keras.layers.Dense(5, name="unrelated")])
    with pytest.raises(UserError, match="no layer of the hls4ml model matches a Keras layer"):
        diagnose(default_graph, other, x[:50])
    wrong_input = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(5, name="fc1")])
    with pytest.raises(UserError, match="the Keras model refuses events of shape"):
        diagnose(default_graph, wrong_input, x[:50])
