"""The L1 event layout: ordering, padding, thresholds, quantisation and the lepton filter."""

from __future__ import annotations

import numpy as np
import pytest

from l1forge.data import l1_objects
from l1forge.data.l1_objects import fill_event, passes_lepton_filter


def _arrays(*rows):
    return tuple(np.array(col, dtype=float) for col in zip(*rows)) if rows else \
        (np.zeros(0), np.zeros(0), np.zeros(0))


def test_layout_ordering_padding_and_thresholds():
    electrons = _arrays((10.0, 0.1, 0.2), (40.0, -0.5, 1.0), (2.0, 0.0, 0.0), (30.0, 3.5, 0.0))
    muons = _arrays(*[(5.0 + i, 0.0, 0.0) for i in range(6)])
    jets = _arrays((14.0, 0.0, 0.0), (100.0, 4.2, 0.0), (50.0, 1.0, -3.0))
    event = fill_event(electrons, muons, jets, (30.0, 40.0))
    assert event.shape == (19, 4) and event.dtype == np.float32
    assert event[0, 0] == 50.0 and event[0, 3] == 1 and event[0, 1] == 0
    # Electrons: 2 GeV below threshold, |eta| 3.5 outside; the rest pT-ordered.
    assert list(event[1:5, 0]) == [40.0, 10.0, 0.0, 0.0]
    assert list(event[1:5, 3]) == [2, 2, 0, 0]
    # Six muons above threshold: the four hardest kept.
    assert list(event[5:9, 0]) == [10.0, 9.0, 8.0, 7.0] and set(event[5:9, 3]) == {3}
    # Jets: 14 GeV below 15, |eta| 4.2 outside 4.
    assert event[9, 0] == 50.0 and event[9, 3] == 4 and not event[10:, :].any()


def test_quantisation_steps():
    pt, eta, phi = l1_objects.quantise(np.array([10.26, 10.24]), np.array([0.05, -0.02]),
                                       np.array([np.pi - 0.001, 0.1]))
    assert list(pt) == [10.5, 10.0]
    assert eta[0] == pytest.approx(l1_objects.ETA_LSB) and eta[1] == 0.0
    assert abs(phi[0]) <= np.pi and phi[1] == pytest.approx(2 * l1_objects.PHI_LSB)


def test_lepton_filter():
    none = _arrays()
    low = fill_event(_arrays((22.0, 0.0, 0.0)), none, none, (0.0, 0.0))
    high_mu = fill_event(none, _arrays((23.5, 0.0, 0.0)), none, (0.0, 0.0))
    jet_only = fill_event(none, none, _arrays((80.0, 0.0, 0.0)), (0.0, 0.0))
    assert not passes_lepton_filter(low) and passes_lepton_filter(high_mu)
    assert not passes_lepton_filter(jet_only)


def test_smearing_is_seeded_and_centred():
    pt = np.full(20000, 100.0)
    a = l1_objects.smear_jets(np.random.default_rng(1), pt, np.zeros_like(pt), np.zeros_like(pt))
    b = l1_objects.smear_jets(np.random.default_rng(1), pt, np.zeros_like(pt), np.zeros_like(pt))
    np.testing.assert_array_equal(a[0], b[0])
    expected_sigma = 100.0 * np.hypot(1.0 / 10.0, l1_objects.JET_CONSTANT)
    assert np.mean(a[0]) == pytest.approx(100.0, abs=0.5)
    assert np.std(a[0]) == pytest.approx(expected_sigma, rel=0.05)
