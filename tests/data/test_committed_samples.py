"""The committed default samples: sizes, class balance and the physics checks of issue 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from l1forge.cli import main
from l1forge.data import (JET_CLASSES, JET_FEATURES, L1_SIGNALS, default_jets_path,
                          default_l1_paths, load_jets, load_l1_objects)

MASS = JET_FEATURES.index("mass_mmdt")
MULTIPLICITY = JET_FEATURES.index("multiplicity")


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
