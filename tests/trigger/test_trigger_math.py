"""Trigger arithmetic: thresholds for an L1 rate, efficiencies, AUC, the FPR 1e-5 point."""

import numpy as np
import pytest

from l1forge import trigger
from l1forge.errors import UserError


def test_threshold_accepts_exactly_the_allowed_background():
    background = np.arange(1000, dtype=float)  # 1000 events stand for 40 MHz
    t = trigger.threshold_for_rate(background, 400e3)  # acceptance 1% -> 10 events
    assert t.accepted == 10 and t.value == 989.0
    assert t.achieved_rate_hz == pytest.approx(400e3)
    eff = trigger.efficiency(np.array([989.0, 989.5, 2000.0, 0.0]), t)
    assert (eff.passed, eff.total, eff.value) == (2, 4, 0.5)


def test_ties_at_the_threshold_never_fire_so_the_rate_is_not_exceeded():
    background = np.r_[np.zeros(990), np.full(10, 5.0)]  # ten tied top scores
    t = trigger.threshold_for_rate(background, 200e3)  # allows 5 events
    assert t.value == 5.0 and t.accepted == 0
    assert t.achieved_rate_hz <= 200e3


@pytest.mark.parametrize("rate", [0.0, -5.0, 40e6, 5e7, float("nan")])
def test_rates_outside_zero_to_40_mhz_are_refused_in_one_line(rate):
    with pytest.raises(UserError) as err:
        trigger.threshold_for_rate(np.arange(10.0), rate)
    assert "below 40 MHz" in str(err.value) and "\n" not in str(err.value)


def test_a_background_too_small_names_the_smallest_measurable_rate():
    with pytest.raises(UserError) as err:
        trigger.threshold_for_rate(np.arange(1000.0), 1000.0)
    message = str(err.value)
    assert "needs at least 40000 background events" in message
    assert "the sample has 1000" in message and "4e+04 Hz" in message


def test_efficiency_at_rate_is_none_when_unmeasurable():
    bkg = np.arange(1000.0)
    assert trigger.efficiency_at_rate(bkg, np.array([1e6]), 1000.0) is None
    assert trigger.efficiency_at_rate(bkg, np.array([1e6, 0.0]), 40e3).value == 0.5


def test_reference_point_uses_fpr_1e5_only_with_enough_background():
    rng = np.random.default_rng(0)
    signal = rng.normal(3.0, 1.0, 1000)
    small = trigger.reference_point(rng.normal(size=5000), signal)
    assert small["fpr"] == pytest.approx(2e-4) and "needs 100000 background events" in small["note"]
    large = trigger.reference_point(rng.normal(size=200_000), signal)
    assert large["fpr"] == 1e-5 and large["note"] == ""
    assert 0.0 < large["efficiency"]["value"] < small["efficiency"]["value"] < 1.0
    assert large["efficiency"]["total"] == 1000 and large["efficiency"]["method"] == "clopper-pearson"


def test_auc_of_separated_and_identical_scores():
    assert trigger.auc(np.zeros(10), np.ones(10)) == 1.0
    assert trigger.auc(np.ones(10), np.ones(10)) == pytest.approx(0.5)


def test_per_signal_metrics_layout_and_missing_processes():
    rng = np.random.default_rng(1)
    bkg = rng.normal(size=50_000)
    by_label = {0: (bkg, bkg + 0.01), 1: (bkg[:500] + 2.0, bkg[:500] + 2.01)}
    out = trigger.per_signal_metrics(["background", "ato4l", "h_tautau"], by_label, [1000, 10000])
    assert set(out) == {"ato4l"}  # h_tautau has no events here
    entry = out["ato4l"]
    assert set(entry["eff_at_rate"]) == {"1000", "10000"}
    assert entry["eff_at_rate"]["1000"]["value"] <= entry["eff_at_rate"]["10000"]["value"]
    assert entry["eff_at_rate"]["1000"]["total"] == 500
    assert entry["auc_firmware"] == pytest.approx(entry["auc_float"], abs=1e-9)
    assert trigger.per_signal_metrics(["background", "ato4l"], {1: (bkg, bkg)}, [1000]) == {}


def test_rate_table_thresholds_float_and_firmware_separately():
    bkg = np.arange(100_000, dtype=float)
    table = trigger.rate_table(["background", "ato4l"], {0: (bkg, bkg * 2), 1: (bkg, bkg * 2)}, 4000.0)
    assert table["thresholds"]["float"]["value"] == 99_989.0
    assert table["thresholds"]["firmware"]["value"] == 2 * 99_989.0
    row = table["signals"][0]
    assert row["eff_float"]["value"] == row["eff_firmware"]["value"] == pytest.approx(1e-4)
    assert row["eff_firmware"]["passed"] == 10 and row["eff_firmware"]["total"] == 100_000
