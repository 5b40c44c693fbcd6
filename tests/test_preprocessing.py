"""The l1_pt_shift preprocessing: (N, 19, 4) L1 objects -> (N, 57) firmware inputs."""

import numpy as np
import pytest

from l1forge import preprocessing
from l1forge.errors import UserError


def test_rows_flatten_as_pt_eta_phi_with_pt_shifted():
    events = np.zeros((2, 19, 4), dtype=np.float32)
    events[0, 0] = (40.0, 0.0, 1.5, 1)        # MET
    events[0, 9] = (100.5, -2.0, -3.0, 4)     # leading jet
    x = preprocessing.apply({"kind": "l1_pt_shift", "shift": 2}, events)
    assert x.shape == (2, 57)
    assert x[0, :3].tolist() == [10.0, 0.0, 1.5]
    assert x[0, 27:30].tolist() == [100.5 / 4, -2.0, -3.0]
    assert not x[1].any()  # padding stays all zero (the scores mask on it)


def test_shift_zero_is_the_identity_on_pt_and_the_input_is_untouched():
    events = np.random.default_rng(0).uniform(0, 50, (3, 19, 4)).astype(np.float32)
    before = events.copy()
    x = preprocessing.apply({"kind": "l1_pt_shift", "shift": 0}, events)
    np.testing.assert_array_equal(x.reshape(3, 19, 3), events[:, :, :3])
    np.testing.assert_array_equal(events, before)


def test_flat_events_are_refused_in_one_line():
    with pytest.raises(UserError) as err:
        preprocessing.apply({"kind": "l1_pt_shift", "shift": 1}, np.zeros((4, 57)))
    assert "expects L1 objects (N, 19, 4)" in str(err.value)
