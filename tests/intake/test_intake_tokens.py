"""Synthetic events for an input an Embedding reads are token ids inside its table (any other
value makes the firmware read undefined memory, and Keras refuse the event); Keras's
refusal of an event reaches the user as one line."""

from __future__ import annotations

import numpy as np
import pytest

from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError
from l1forge.intake.ports import Port
from l1forge.intake.synthetic import keras_token_inputs, port_synthetic_events

tf = pytest.importorskip("tensorflow")


def token_model():
    tokens = tf.keras.Input((6,), name="tok")
    scalars = tf.keras.Input((2,), name="met")
    x = tf.keras.layers.Flatten()(tf.keras.layers.Embedding(12, 3, name="emb")(tokens))
    x = tf.keras.layers.Concatenate()([x, scalars])
    return tf.keras.Model([tokens, scalars], tf.keras.layers.Dense(2)(x))


def test_token_inputs_are_found_and_drawn_inside_the_table():
    model = token_model()
    assert keras_token_inputs(model) == {"tok": 12}
    ports = [Port("tok", (6,)), Port("met", (2,))]
    events = port_synthetic_events([FixedType(16, 6)] * 2, ports, 500, seed=3, tokens=keras_token_inputs(model))
    tokens, scalars = events.x[:, :6], events.x[:, 6:]
    assert tokens.min() >= 0 and tokens.max() <= 11 and np.array_equal(tokens, np.round(tokens))
    assert len(np.unique(tokens)) == 12 and scalars.min() < 0  # the other input keeps its type's draws
    assert events.description["tokens"] == {"tok": 12}
    single = port_synthetic_events([FixedType(16, 6)], [Port("tok", (6,))], 200, tokens={"tok": 5})
    assert single.x.min() >= 0 and single.x.max() <= 4


def test_keras_refusing_an_event_is_one_line():
    from l1forge.flow import _predict

    class Graph:  # the ModelGraph's ports, as intake.ports reads them
        @staticmethod
        def get_input_variables():
            from types import SimpleNamespace
            return [SimpleNamespace(name="tok", shape=[6]), SimpleNamespace(name="met", shape=[2])]

    x = np.zeros((4, 8))
    x[2, 1] = 40  # a token past the table's 12 rows
    with pytest.raises(UserError, match="Keras cannot run the model on these events: .*40") as err:
        _predict(token_model(), Graph(), x)
    assert "\n" not in str(err.value)
