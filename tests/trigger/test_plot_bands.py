"""The curves the plots draw: exact ROC points with Clopper-Pearson bands, thinned, not smoothed."""

import numpy as np
import pytest
from scipy.stats import binomtest

from l1forge.trigger import plot_style


def test_band_points_are_counts_with_their_exact_interval():
    rng = np.random.default_rng(0)
    background, signal = rng.normal(size=5000), rng.normal(1.0, 1.0, 700)
    curve = plot_style.roc_with_band(background, signal)
    assert np.all(curve.x > 0)  # thresholds above all background are not drawn on a log axis
    for i in np.linspace(0, len(curve.x) - 1, 12).astype(int):
        assert curve.x[i] * 5000 == pytest.approx(round(curve.x[i] * 5000), abs=1e-9)  # k of 5000
        passed = int(round(curve.y[i] * 700))
        assert curve.y[i] == pytest.approx(passed / 700, abs=1e-12)  # a count, not an interpolation
        ci = binomtest(passed, 700).proportion_ci(confidence_level=0.683, method="exact")
        assert (curve.y_low[i], curve.y_high[i]) == pytest.approx((ci.low, ci.high), rel=1e-7, abs=1e-12)


def test_long_curves_are_thinned_to_a_bounded_number_of_exact_points():
    rng = np.random.default_rng(1)
    background, signal = rng.normal(size=60_000), rng.normal(0.5, 1.0, 20_000)
    curve = plot_style.roc_with_band(background, signal)
    assert len(curve.x) <= plot_style.MAX_POINTS + 1
    assert curve.x[-1] == 1.0 and curve.y[-1] == 1.0  # the loosest threshold is kept
    assert curve.x.min() == pytest.approx(1 / 60_000)  # and the strictest measurable one
    assert np.all(np.diff(curve.x) > 0)


def test_a_drawn_curve_carries_its_band_and_a_float_curve_does_not():
    plt = plot_style.pyplot()
    fig, ax = plt.subplots()
    rng = np.random.default_rng(2)
    curve = plot_style.roc_with_band(rng.normal(size=2000), rng.normal(1.0, 1.0, 400))
    plot_style.draw(ax, curve.x, curve, "tab:blue", "-", "firmware")
    plot_style.draw(ax, curve.x, curve, "tab:blue", "--", None, band=False)
    [band] = ax.collections  # one filled band, from the first curve only
    vertices = band.get_paths()[0].vertices
    assert vertices[:, 1].min() == pytest.approx(curve.y_low.min()) and vertices[:, 1].max() == pytest.approx(curve.y_high.max())
    assert len(ax.lines) == 2
    plt.close(fig)
