"""The committed default samples: sizes, class balance and the physics checks of issue 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from l1forge.cli import main
from l1forge.data import (CONSTITUENT_FEATURES, JET_CLASSES, JET_FEATURES, L1_SIGNALS,
                          default_jets_path, default_l1_paths, load_jets, load_l1_objects)

MASS = JET_FEATURES.index("mass_mmdt")
MULTIPLICITY = JET_FEATURES.index("multiplicity")
COL = {name: i for i, name in enumerate(CONSTITUENT_FEATURES)}


@pytest.fixture(scope="module")
def jets():
    return load_jets()


@pytest.fixture(scope="module")
def background():
    return load_l1_objects(process="background")


def _peak(masses, lo=0.0, hi=300.0, width=4.0):
    counts, edges = np.histogram(masses, bins=np.arange(lo, hi + width, width))
    return 0.5 * (edges[np.argmax(counts)] + edges[np.argmax(counts) + 1])


def _by_class(jets, name):
    return jets.features[jets.labels == JET_CLASSES.index(name)]


def test_committed_data_fits_the_budget():
    paths = [default_jets_path()] + list(default_l1_paths().values())
    assert sum(p.stat().st_size for p in paths) <= 60 * 1024 * 1024


def test_jets_size_and_balance(jets):
    assert len(jets) >= 100_000
    fractions = np.bincount(jets.labels, minlength=5) / len(jets)
    assert np.all((fractions >= 0.15) & (fractions <= 0.25)), fractions
    assert jets.provenance["counts"] == {c: int(np.sum(jets.labels == i))
                                         for i, c in enumerate(JET_CLASSES)}


@pytest.mark.parametrize("name,expected,window", [("w", 80.4, 8.0), ("z", 91.2, 8.0),
                                                  ("t", 172.5, 15.0)])
def test_boson_and_top_mass_peaks(jets, name, expected, window):
    assert abs(_peak(_by_class(jets, name)[:, MASS]) - expected) < window


def test_qcd_jets_sit_lower(jets):
    w_peak = _peak(_by_class(jets, "w")[:, MASS])
    for name in ("g", "q"):
        assert np.median(_by_class(jets, name)[:, MASS]) < 0.8 * w_peak


def test_gluons_carry_more_particles_than_quarks(jets):
    gluon = _by_class(jets, "g")[:, MULTIPLICITY].mean()
    quark = _by_class(jets, "q")[:, MULTIPLICITY].mean()
    assert gluon > 1.2 * quark


def test_jets_carry_their_32_hardest_constituents(jets):
    table = jets.constituents
    assert table.shape == (len(jets), 32, len(CONSTITUENT_FEATURES))
    assert jets.constituent_names == CONSTITUENT_FEATURES
    pt_rel = table[:, :, COL["pt_rel"]]
    assert (np.diff(pt_rel, axis=1) <= 0).all()  # hardest first, padding last
    # A stored particle has exactly one PF class flag; padding rows are all zero.
    flags = table[:, :, COL["is_charged_hadron"]:COL["is_photon"] + 1]
    real = flags.sum(axis=2) == 1
    assert ((flags.sum(axis=2) == 0) | real).all() and not table[~real].any()
    assert (real[:, :-1] >= real[:, 1:]).all()
    # The same jets as the HLF features: every jet stores min(multiplicity, 32) particles.
    np.testing.assert_array_equal(real.sum(axis=1),
                                  np.minimum(jets.features[:, MULTIPLICITY], 32))
    assert (np.abs(table[:, :, COL["delta_phi"]]) <= np.pi).all()


def test_constituent_physics(jets):
    """Charged particles carry about 60% of a jet's pT at L1 (about 2/3 of hadrons are
    charged; photons from pi0 most of the rest); top jets spread wider than quark jets."""
    table = jets.constituents
    pt_rel = table[:, :, COL["pt_rel"]]
    charged = np.abs(table[:, :, COL["charge"]]) > 0
    charged_share = (pt_rel * charged).sum() / pt_rel.sum()
    assert 0.5 < charged_share < 0.75, charged_share
    width = (pt_rel * table[:, :, COL["delta_r"]]).sum(axis=1) / pt_rel.sum(axis=1)
    top, quark = (np.median(width[jets.labels == JET_CLASSES.index(c)]) for c in ("t", "q"))
    assert top > 1.5 * quark, (top, quark)


def test_l1_sample_sizes(background):
    assert len(background) >= 200_000
    for signal in L1_SIGNALS:
        assert len(load_l1_objects(process=signal)) >= 20_000


def test_every_event_passes_the_lepton_filter(background):
    leptons = background.particles[:, 1:9, 0]
    assert (leptons > 23.0).any(axis=1).all()


def test_ato4l_events_hold_three_or_more_leptons():
    particles = load_l1_objects(process="ato4l").particles
    n_leptons = (particles[:, 1:9, 0] > 0).sum(axis=1)
    assert np.mean(n_leptons >= 3) > 0.5


def test_hplus_carries_more_met_than_background(background):
    hplus = load_l1_objects(process="hplus_taunu").particles
    assert hplus[:, 0, 0].mean() > 1.2 * background.particles[:, 0, 0].mean()


def test_info_reports_every_default(capsys):
    assert main(["data", "info", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [r["format"] for r in reports] == ["jets-hlf"] + ["l1-objects"] * 5
    assert all({"path", "format", "events", "counts"} <= set(r) for r in reports)
    assert reports[0]["events"] >= 100_000 and reports[1]["events"] >= 200_000
    assert sum(reports[1]["counts"].values()) == reports[1]["events"]
    assert all(r["events"] >= 20_000 for r in reports[2:])
