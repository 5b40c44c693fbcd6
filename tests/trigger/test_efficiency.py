"""Clopper-Pearson efficiencies against two independent computations of the exact interval:
scipy's binomial test (root-finding on the binomial CDF, not the beta quantiles l1forge uses)
and the defining tail sums enumerated term by term in exact rational arithmetic."""

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from scipy.stats import binomtest

from l1forge.trigger.efficiency import CL, Efficiency, clopper_pearson, count_above, format_efficiency

CASES = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (2, 90_000), (22, 90_000), (0, 20_000),
         (6, 20_000), (517, 4028), (19_999, 20_000)]


@pytest.mark.parametrize("passed,total", CASES)
def test_interval_equals_scipy_exact_binomial_test(passed, total):
    reference = binomtest(passed, total).proportion_ci(confidence_level=CL, method="exact")
    interval = Efficiency(passed, total).interval
    assert interval[0] == pytest.approx(reference.low, rel=1e-7, abs=1e-12)
    assert interval[1] == pytest.approx(reference.high, rel=1e-7, abs=1e-12)


def _upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed exactly."""
    q = Fraction(p)
    return float(sum(comb(n, j) * q ** j * (1 - q) ** (n - j) for j in range(k, n + 1)))


@pytest.mark.parametrize("n", [1, 5, 17, 40])
def test_each_end_leaves_exactly_half_the_rest_of_the_probability_outside(n):
    tail = (1 - CL) / 2
    for k in range(n + 1):
        lo, hi = Efficiency(k, n).interval
        if k == 0:
            assert lo == 0.0
        else:
            assert _upper_tail(k, n, lo) == pytest.approx(tail, rel=1e-8)
        if k == n:
            assert hi == 1.0
        else:
            assert 1 - _upper_tail(k + 1, n, hi) == pytest.approx(tail, rel=1e-8)


def test_the_interval_never_undercovers():
    """Enumerate every outcome k of n = 25 events: for any true efficiency the chance that
    the interval contains it is at least 68.3% (a normal approximation fails this)."""
    n = 25
    k = np.arange(n + 1)
    lo, hi = clopper_pearson(k, np.full(n + 1, n))
    pmf_terms = np.array([float(comb(n, j)) for j in k])
    for p in np.linspace(0.001, 0.999, 997):
        pmf = pmf_terms * p ** k * (1 - p) ** (n - k)
        assert pmf[(lo <= p) & (p <= hi)].sum() >= CL - 1e-12


def test_vectorized_ends_equal_the_scalar_ones():
    passed, total = zip(*CASES)
    lo, hi = clopper_pearson(np.array(passed), np.array(total))
    for (k, n), a, b in zip(CASES, lo, hi):
        assert (a, b) == Efficiency(k, n).interval


def test_the_object_layout():
    eff = Efficiency(3, 12).as_dict()
    assert set(eff) == {"value", "passed", "total", "interval", "cl", "method"}
    assert eff["value"] == 0.25 and eff["passed"] == 3 and eff["total"] == 12
    assert eff["cl"] == 0.683 and eff["method"] == "clopper-pearson"
    assert eff["interval"][0] < 0.25 < eff["interval"][1]
    assert Efficiency(0, 0).as_dict()["value"] is None and Efficiency(0, 0).interval == (0.0, 1.0)


def test_counting_above_a_threshold_never_counts_ties():
    eff = count_above(np.array([1.0, 2.0, 2.0, 3.0]), 2.0)
    assert (eff.passed, eff.total) == (1, 4)


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        clopper_pearson(5, 4)


def test_printed_form():
    assert format_efficiency(Efficiency(1, 4).as_dict()) == "25.00% [4.22, 61.85]%"  # binomtest(1, 4): 0.0422, 0.6185
    assert format_efficiency(None) == "-"
