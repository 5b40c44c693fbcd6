"""The per-constituent features of generated jets (no Pythia needed: plain arrays)."""

from __future__ import annotations

import numpy as np

from l1forge.data import CONSTITUENT_FEATURES
from l1forge.data.jet_constituents import PF_CLASSES, constituent_table

COL = {name: i for i, name in enumerate(CONSTITUENT_FEATURES)}
JET = {"pt": 1000.0, "e": 1200.0, "eta": 0.5, "phi": 3.0}


def _particles(**overrides):
    base = {"pt": np.array([10.0, 300.0, 1.0, 50.0]), "e": np.array([12.0, 330.0, 1.5, 60.0]),
            "eta": np.array([0.6, 0.4, 2.6, 0.5]), "phi": np.array([-3.1, 2.9, 3.0, 3.2]),
            "pid": np.array([22, 211, -211, 11]), "charge": np.array([0.0, 1.0, -1.0, -1.0])}
    base.update(overrides)
    return base


def test_hardest_first_relative_to_the_axis_and_zero_padded():
    table = constituent_table(JET, _particles(), 6)
    assert table.shape == (6, len(CONSTITUENT_FEATURES)) and table.dtype == np.float32
    np.testing.assert_allclose(table[:4, COL["pt_rel"]], [0.3, 0.05, 0.01, 0.001], rtol=1e-6)
    np.testing.assert_allclose(table[:4, COL["e_rel"]], [0.275, 0.05, 0.01, 0.00125], rtol=1e-6)
    np.testing.assert_allclose(table[:4, COL["delta_eta"]], [-0.1, 0.0, 0.1, 2.1], atol=1e-6)
    # phi wraps: -3.1 - 3.0 is 0.183 across the -pi/pi boundary, not -6.1
    np.testing.assert_allclose(table[:4, COL["delta_phi"]],
                               [-0.1, 0.2, 2 * np.pi - 6.1, 0.0], atol=1e-6)
    np.testing.assert_allclose(table[:4, COL["delta_r"]],
                               np.hypot(table[:4, COL["delta_eta"]], table[:4, COL["delta_phi"]]))
    assert not table[4:].any()


def test_count_below_the_multiplicity_keeps_the_hardest():
    table = constituent_table(JET, _particles(), 2)
    np.testing.assert_allclose(table[:, COL["pt_rel"]], [0.3, 0.05], rtol=1e-6)


def test_l1_particle_flow_classes_and_charge():
    table = constituent_table(JET, _particles(), 4)
    flags = table[:, COL["is_charged_hadron"]:COL["is_photon"] + 1]
    assert flags.shape[1] == len(PF_CLASSES) and (flags.sum(axis=1) == 1).all()
    classes = [PF_CLASSES[i] for i in flags.argmax(axis=1)]
    # 300 GeV pi+ tracked; 50 GeV electron tracked; photon; 1 GeV pi- below the L1 track
    # threshold (and outside |eta| < 2.4): a neutral hadron without charge.
    assert classes == ["charged_hadron", "electron", "photon", "neutral_hadron"]
    np.testing.assert_array_equal(table[:, COL["charge"]], [1.0, -1.0, 0.0, 0.0])


def test_untracked_electron_is_a_photon_and_muon_a_neutral_hadron():
    particles = _particles(pid=np.array([211, 11, 13, 13]), eta=np.array([0.6, 2.5, 0.4, 0.5]),
                           charge=np.array([1.0, -1.0, -1.0, -1.0]))
    table = constituent_table(JET, particles, 4)
    flags = table[:, COL["is_charged_hadron"]:COL["is_photon"] + 1]
    classes = [PF_CLASSES[i] for i in flags.argmax(axis=1)]
    # by pT: electron at |eta| 2.5 (300 GeV, no L1 track), muon (50), pi+ (10), muon (1 GeV)
    assert classes == ["photon", "muon", "charged_hadron", "neutral_hadron"]
    np.testing.assert_array_equal(table[:, COL["charge"]], [0.0, -1.0, 1.0, 0.0])
