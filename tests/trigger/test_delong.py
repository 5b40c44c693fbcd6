"""DeLong AUC errors against the definition computed pair by pair, and against a bootstrap."""

import numpy as np
import pytest

from l1forge import metrics
from l1forge.trigger.delong import delong, paired_difference, structural_components


def _pairwise(background, signal):
    """psi(signal_i, background_j): 1 above, 1/2 tied, 0 below; every pair enumerated."""
    return (signal[:, None] > background[None, :]) + 0.5 * (signal[:, None] == background[None, :])


def _samples(seed, n_bkg=300, n_sig=200, ties=True):
    rng = np.random.default_rng(seed)
    bkg, sig = rng.normal(0.0, 1.0, n_bkg), rng.normal(0.8, 1.2, n_sig)
    if ties:  # fixed-point scores tie often; a quarter-step grid makes them tie here too
        bkg, sig = np.round(bkg * 4) / 4, np.round(sig * 4) / 4
    return bkg, sig


@pytest.mark.parametrize("ties", [True, False])
def test_components_and_variance_equal_the_pairwise_definition(ties):
    bkg, sig = _samples(1, ties=ties)
    psi = _pairwise(bkg, sig)
    v10, v01 = structural_components(bkg, sig)
    np.testing.assert_allclose(v10, psi.mean(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(v01, psi.mean(axis=0), rtol=0, atol=1e-12)
    variance = np.var(psi.mean(axis=1), ddof=1) / len(sig) + np.var(psi.mean(axis=0), ddof=1) / len(bkg)
    result = delong(bkg, sig)
    assert result.value == pytest.approx(psi.mean(), abs=1e-12)
    assert result.value == pytest.approx(metrics.auc(bkg, sig), abs=1e-12)  # the trapezoid AUC
    assert result.stderr == pytest.approx(np.sqrt(variance), rel=1e-10)


def test_paired_difference_equals_the_pairwise_covariance_formula():
    bkg_a, sig_a = _samples(2)
    rng = np.random.default_rng(3)
    bkg_b, sig_b = bkg_a + rng.normal(0, 0.3, len(bkg_a)), sig_a + rng.normal(0, 0.3, len(sig_a))
    psi_a, psi_b = _pairwise(bkg_a, sig_a), _pairwise(bkg_b, sig_b)
    s10 = np.cov(psi_a.mean(axis=1), psi_b.mean(axis=1))  # DeLong's S10 and S01 matrices
    s01 = np.cov(psi_a.mean(axis=0), psi_b.mean(axis=0))
    s = s10 / len(sig_a) + s01 / len(bkg_a)
    diff = paired_difference(bkg_a, sig_a, bkg_b, sig_b)
    assert diff.value == pytest.approx(psi_b.mean() - psi_a.mean(), abs=1e-12)
    assert diff.stderr == pytest.approx(np.sqrt(s[0, 0] + s[1, 1] - 2 * s[0, 1]), rel=1e-10)


def test_the_error_agrees_with_a_bootstrap_of_the_events():
    bkg, sig = _samples(4, n_bkg=2000, n_sig=800)
    rng = np.random.default_rng(5)
    replicas = [metrics.auc(rng.choice(bkg, len(bkg)), rng.choice(sig, len(sig))) for _ in range(400)]
    # 400 replicas estimate a standard deviation to about 4%; 15% leaves room for that.
    assert delong(bkg, sig).stderr == pytest.approx(np.std(replicas, ddof=1), rel=0.15)


def test_pairing_removes_the_shared_noise():
    bkg, sig = _samples(6, n_bkg=3000, n_sig=1000, ties=False)
    rng = np.random.default_rng(7)
    diff = paired_difference(bkg, sig, bkg + rng.normal(0, 0.01, len(bkg)), sig + rng.normal(0, 0.01, len(sig)))
    assert diff.stderr < 0.1 * delong(bkg, sig).stderr
    same = paired_difference(bkg, sig, bkg, sig)
    assert same.value == 0.0 and same.stderr == 0.0 and same.as_dict()["p_value"] == 1.0


def test_a_shift_far_beyond_the_error_is_significant_and_one_within_it_is_not():
    bkg, sig = _samples(8, n_bkg=4000, n_sig=2000, ties=False)
    better = paired_difference(bkg, sig, bkg, sig + 0.3)
    assert better.value > 0 and better.z > 5 and better.p_value < 1e-6
    rng = np.random.default_rng(9)
    noise = paired_difference(bkg, sig, bkg + rng.normal(0, 1e-3, len(bkg)), sig)
    assert abs(noise.z) < 4


def test_interval_is_value_plus_minus_one_sigma_and_the_layout():
    result = delong(*_samples(10)).as_dict()
    assert set(result) == {"value", "stderr", "interval", "cl", "method"}
    lo, hi = result["interval"]
    # z for a central 68.3% is 1.0005, so the ends lie one standard error away
    assert (hi - lo) / 2 == pytest.approx(result["stderr"] * 1.0005, rel=1e-3)
    assert result["method"] == "delong" and result["cl"] == 0.683


def test_a_difference_without_spread_has_no_z_rather_than_an_infinite_one():
    bkg, sig = np.arange(10.0), np.arange(5.0, 15.0)
    # every signal event moved above every background event: AUC 0.775 -> 1, no spread left
    diff = paired_difference(bkg, sig, bkg, sig + 100.0)
    assert diff.value > 0 and diff.stderr > 0  # the first score's components still vary
    lifted = paired_difference(bkg, sig + 100.0, bkg, sig + 200.0)
    assert lifted.value == 0.0 and lifted.z == 0.0
    from l1forge.trigger.delong import AucDifference

    flat = AucDifference(0.01, 0.0).as_dict()
    assert flat["z"] is None and flat["p_value"] == 0.0


def test_paired_difference_needs_the_same_events():
    with pytest.raises(ValueError):
        paired_difference(np.zeros(3), np.ones(2), np.zeros(4), np.ones(2))
