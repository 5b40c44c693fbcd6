"""Events of a model with several inputs (intake/ports.py): laid end to end in the
ModelGraph's input order, split per input, each input's synthetic values from its own type."""

from types import SimpleNamespace

import numpy as np
import pytest

from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError
from l1forge.intake import port_synthetic_events, split, synthetic_events
from l1forge.intake.ports import Port, describe, event_shape, keras_inputs

IMAGE, SCALARS = Port("cluster", (3, 2, 1)), Port("scalars", (2,))


def test_events_lay_every_input_end_to_end_and_split_back():
    ports = [IMAGE, SCALARS]
    assert event_shape(ports) == (8,) and event_shape([IMAGE]) == (3, 2, 1)
    x = np.arange(5 * 8, dtype=np.float64).reshape(5, 8)
    image, scalars = split(x, ports)
    assert image.shape == (5, 3, 2, 1) and scalars.shape == (5, 2)
    assert np.array_equal(image.reshape(5, -1), x[:, :6]) and np.array_equal(scalars, x[:, 6:])
    one = np.zeros((4, 3, 2, 1))
    assert split(one, [IMAGE]) is one  # a single input passes through
    with pytest.raises(UserError, match="events of 7 values each; the model's 2 inputs take 8 \\(6 \\+ 2\\)"):
        split(np.zeros((5, 7)), ports)
    assert describe(ports) == "its 2 inputs' values laid end to end, cluster [3, 2, 1] + scalars [2]"
    assert describe([IMAGE]) is None


def test_each_input_draws_from_its_own_type_on_the_same_blocks():
    wide, narrow = FixedType(16, 6), FixedType(10, 4)
    events = port_synthetic_events([wide, narrow], [IMAGE, SCALARS], 200, seed=3)
    assert events.x.shape == (200, 8)
    d = events.description
    assert d["input_type"] == [str(wide), str(narrow)] and [p["name"] for p in d["inputs"]] == ["cluster", "scalars"]
    start, stop = next(block["rows"] for block in d["blocks"] if block["name"] == "grid")
    grid = events.x[start:stop]
    assert np.abs(grid[:, 6:]).max() <= 8 < np.abs(grid[:, :6]).max()  # +-8 against +-32
    # the inputs are drawn with different seeds, and one input is synthetic_events itself
    assert np.array_equal(events.x[:, :6], synthetic_events(wide, IMAGE.shape, 200, 3).x.reshape(200, -1))
    single = port_synthetic_events([wide], [IMAGE], 50, seed=1)
    assert single.x.shape == (50, 3, 2, 1) and single.description["input_type"] == str(wide)


def test_keras_gets_its_inputs_by_name_in_its_own_order():
    x = np.arange(3 * 8, dtype=np.float64).reshape(3, 8)
    model = SimpleNamespace(input_names=["scalars", "cluster"],
                            inputs=[SimpleNamespace(shape=(None, 2)), SimpleNamespace(shape=(None, 3, 2, 1))])
    scalars, image = keras_inputs(x, [IMAGE, SCALARS], model)
    assert np.array_equal(scalars, x[:, 6:]) and image.shape == (3, 3, 2, 1)
    assert keras_inputs(x[:, :6], [IMAGE], model) is not None
