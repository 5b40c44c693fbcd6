"""What a threshold achieved (rate and its interval), and the bootstrap of the threshold."""

import numpy as np
import pytest
from scipy.stats import binom, binomtest

from l1forge import trigger
from l1forge.errors import UserError
from l1forge.trigger import bootstrap as boot


def test_achieved_rate_and_its_interval_are_the_background_acceptance_times_40_mhz():
    background = np.arange(90_000, dtype=float)
    t = trigger.threshold_for_rate(background, 1000.0)  # allows floor(2.25) = 2 events
    assert t.accepted == 2 and t.achieved_rate_hz == pytest.approx(40e6 * 2 / 90_000)
    ci = binomtest(2, 90_000).proportion_ci(confidence_level=0.683, method="exact")
    assert t.rate_interval_hz == pytest.approx([40e6 * ci.low, 40e6 * ci.high], rel=1e-7)
    record = t.as_dict()
    assert record["accepted"] == 2 and record["background_events"] == 90_000
    assert record["background_acceptance"]["passed"] == 2 and record["rate_interval_hz"][0] < 1000.0


def test_threshold_replicas_follow_the_exact_law_of_a_resampled_order_statistic():
    """In a replica of N draws with replacement, the (k+1)-th highest lies at or below the
    j-th highest original score (j from 0) exactly when at most k draws land among the top
    j: P = BinomialCDF(k; N, j / N). The empirical law of 4,000 replicas must match it."""
    n, k = 500, 3
    background = np.random.default_rng(0).normal(size=n)
    ordered = np.sort(background)[::-1]
    thresholds = boot.threshold_replicas(background, [k], boot.Bootstrap(4000, seed=1))[:, 0]
    assert np.all(np.isin(thresholds, background))
    positions = np.searchsorted(-ordered, -thresholds)  # j of each replica's threshold
    for j in range(k, 40):
        empirical = np.mean(positions >= j)  # threshold at or below the j-th highest
        # 4,000 replicas: a binomial proportion known to +-0.008 (1 sigma); 0.035 is 4 sigma
        assert empirical == pytest.approx(binom.cdf(k, n, j / n), abs=0.035)


def test_bootstrap_is_seeded_and_its_interval_brackets_the_nominal_threshold():
    rng = np.random.default_rng(2)
    background = rng.exponential(1.0, 20_000)
    again = boot.threshold_replicas(background, [20, 200], boot.Bootstrap(300, seed=7))
    np.testing.assert_array_equal(again, boot.threshold_replicas(background, [20, 200], boot.Bootstrap(300, seed=7)))
    assert not np.array_equal(again, boot.threshold_replicas(background, [20, 200], boot.Bootstrap(300, seed=8)))
    nominal = trigger.threshold_for_rate(background, 40e6 * 200 / 20_000).value
    lo, hi = boot.central_interval(again[:, 1])
    assert lo < nominal < hi


def test_chunked_replicas_equal_unchunked_ones(monkeypatch):
    background = np.random.default_rng(3).normal(size=1000)
    whole = boot.threshold_replicas(background, [5], boot.Bootstrap(50, seed=4))
    monkeypatch.setattr(boot, "CHUNK_DRAWS", 3000)  # three replicas per chunk
    np.testing.assert_array_equal(whole, boot.threshold_replicas(background, [5], boot.Bootstrap(50, seed=4)))


def test_fractions_above_count_strictly_above():
    fractions = boot.fractions_above(np.array([1.0, 2.0, 2.0, 3.0]), np.array([0.0, 2.0, 3.0]))
    np.testing.assert_array_equal(fractions, [1.0, 0.25, 0.0])


@pytest.mark.parametrize("replicas", [0, -5, 9, 10_001])
def test_replica_counts_outside_the_limits_are_refused_saying_why(replicas):
    with pytest.raises(UserError) as err:
        boot.check_replicas(replicas)
    message = str(err.value)
    assert "\n" not in message and "10 to 10000" in message and "percentile" in message


def test_rate_tables_gain_the_bootstrap_spread():
    rng = np.random.default_rng(5)
    bkg = rng.exponential(1.0, 40_000)
    sig = rng.exponential(3.0, 5000)
    by_label = {0: (bkg, bkg * 1.001), 1: (sig, sig * 1.001)}
    tables = [trigger.rate_table(["background", "ato4l"], by_label, rate) for rate in (4000.0, 40e3)]
    out = trigger.add_bootstrap(tables, ["background", "ato4l"], by_label, boot.Bootstrap(200, seed=0))
    assert "threshold_interval" not in tables[0]["thresholds"]["firmware"]  # inputs untouched
    for table in out:
        assert table["bootstrap"]["replicas"] == 200 and table["bootstrap"]["seed"] == 0
        for kind in ("float", "firmware"):
            lo, hi = table["thresholds"][kind]["threshold_interval"]
            assert lo <= table["thresholds"][kind]["value"] <= hi
            eff_lo, eff_hi = table["signals"][0]["efficiency_bootstrap_interval"][kind]
            assert 0 <= eff_lo <= eff_hi <= 1
    # a looser rate has more background events to set the threshold: a narrower spread
    width = [np.diff(t["thresholds"]["firmware"]["threshold_interval"])[0] for t in out]
    assert width[1] < width[0]
