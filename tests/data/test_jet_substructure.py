"""The numpy energy-correlation features against brute-force sums and known limits."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from l1forge.data.jet_substructure import (groomed_features, jet_features, pairwise_angles,
                                           zlogz)
from l1forge.data.schema import JET_FEATURES


@pytest.fixture
def jet():
    rng = np.random.default_rng(3)
    n = 9
    return rng.exponential(20.0, n), rng.normal(0, 0.3, n), rng.normal(1.0, 0.3, n)


def _brute(pt, rap, phi, beta):
    z = pt / pt.sum()
    r = pairwise_angles(rap, phi)
    e2 = sum(z[i] * z[j] * r[i, j] ** beta for i, j in itertools.combinations(range(len(z)), 2))
    e3 = {1: 0.0, 2: 0.0, 3: 0.0}
    for i, j, k in itertools.combinations(range(len(z)), 3):
        angles = sorted([r[i, j] ** beta, r[i, k] ** beta, r[j, k] ** beta])
        weight = z[i] * z[j] * z[k]
        e3[1] += weight * angles[0]
        e3[2] += weight * angles[0] * angles[1]
        e3[3] += weight * angles[0] * angles[1] * angles[2]
    return e2, e3


@pytest.mark.parametrize("beta", [1, 2])
def test_ratios_match_brute_force(jet, beta):
    values = groomed_features(*jet)
    e2, e3 = _brute(*jet, beta)
    assert values[f"c1_b{beta}_mmdt"] == pytest.approx(e2, rel=1e-9)
    assert values[f"c2_b{beta}_mmdt"] == pytest.approx(e3[3] / e2**2, rel=1e-9)
    assert values[f"d2_b{beta}_mmdt"] == pytest.approx(e3[3] / e2**3, rel=1e-9)
    assert values[f"m2_b{beta}_mmdt"] == pytest.approx(e3[1] / e2, rel=1e-9)
    assert values[f"n2_b{beta}_mmdt"] == pytest.approx(e3[2] / e2**2, rel=1e-9)


def test_generalised_d2_and_beta_zero(jet):
    values = groomed_features(*jet)
    e2_1, e3_1 = _brute(*jet, 1)
    e2_2, _ = _brute(*jet, 2)
    assert values["d2_a1_b1_mmdt"] == pytest.approx(e3_1[3] / e2_1**3, rel=1e-9)
    assert values["d2_a1_b2_mmdt"] == pytest.approx(e3_1[3] / e2_2**1.5, rel=1e-9)
    z = jet[0] / jet[0].sum()
    assert values["c1_b0_mmdt"] == pytest.approx((1 - np.sum(z**2)) / 2, rel=1e-9)


def test_two_prong_limits():
    # Two particles: no triplet, so every three-point ratio is 0; e2 = z1 z2 R^beta.
    pt, rap, phi = np.array([60.0, 40.0]), np.array([0.0, 0.3]), np.array([0.0, 0.4])
    values = groomed_features(pt, rap, phi)
    assert values["c1_b1_mmdt"] == pytest.approx(0.6 * 0.4 * 0.5)
    assert values["c1_b2_mmdt"] == pytest.approx(0.6 * 0.4 * 0.25)
    for name in ("c2_b1_mmdt", "d2_b2_mmdt", "m2_b1_mmdt", "n2_b2_mmdt"):
        assert values[name] == 0.0


def test_phi_wraps_around():
    angles = pairwise_angles(np.zeros(2), np.array([np.pi - 0.05, -np.pi + 0.05]))
    assert angles[0, 1] == pytest.approx(0.1)


def test_feature_vector_order_and_ungroomed_parts(jet):
    full_pt = np.array([50.0, 30.0, 20.0, 0.5])
    row = jet_features(full_pt, jet, 81.5)
    assert row.dtype == np.float32 and row.shape == (16,)
    assert row[JET_FEATURES.index("multiplicity")] == 4
    assert row[JET_FEATURES.index("mass_mmdt")] == pytest.approx(81.5)
    assert row[JET_FEATURES.index("zlogz")] == pytest.approx(zlogz(full_pt))
    assert zlogz(np.array([1.0])) == 0.0


def test_reduced_set_feeds_only_the_min_angle_sums(jet):
    exact = groomed_features(*jet)
    assert groomed_features(*jet, reduced=jet) == exact
    # Merge the two closest particles: M2/N2 change, every other feature stays exact.
    pt, rap, phi = jet
    angles = pairwise_angles(rap, phi) + np.eye(len(pt)) * 1e9
    a, b = np.unravel_index(np.argmin(angles), angles.shape)
    keep = [i for i in range(len(pt)) if i not in (a, b)]
    merged_pt = pt[a] + pt[b]
    merged = (np.append(pt[keep], merged_pt),
              np.append(rap[keep], (pt[a] * rap[a] + pt[b] * rap[b]) / merged_pt),
              np.append(phi[keep], (pt[a] * phi[a] + pt[b] * phi[b]) / merged_pt))
    approx = groomed_features(*jet, reduced=merged)
    for name, value in exact.items():
        if name.startswith(("m2", "n2")):
            assert approx[name] != value
        else:
            assert approx[name] == value
