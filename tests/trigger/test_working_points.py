"""Jet-ID working points: which jets each study compares, and the counts at each point."""

import numpy as np
import pytest
from scipy.stats import binomtest

from l1forge.errors import UserError
from l1forge.trigger import bootstrap as boot
from l1forge.trigger import working_points as wp

from jet_fakes import CLASSES, fake_outputs


def test_the_studies_are_one_vs_rest_then_top_and_w_against_g_plus_q():
    names = [s.name for s in wp.studies(CLASSES)]
    assert names == ["g_vs_rest", "q_vs_rest", "w_vs_rest", "z_vs_rest", "t_vs_rest", "t_vs_qcd", "w_vs_qcd"]
    by_name = {s.name: s for s in wp.studies(CLASSES)}
    assert by_name["t_vs_qcd"].background == (0, 1) and by_name["t_vs_qcd"].signal == 4
    assert by_name["z_vs_rest"].background == (0, 1, 2, 4)
    assert [s.name for s in wp.studies(CLASSES, ["T"])] == ["t_vs_rest", "t_vs_qcd"]
    assert [s.name for s in wp.studies(["a", "b"])] == ["a_vs_rest", "b_vs_rest"]  # no QCD classes


def test_a_class_the_project_does_not_have_is_refused_naming_its_classes():
    with pytest.raises(UserError) as err:
        wp.studies(CLASSES, ["top"])
    assert "no class 'top'" in str(err.value) and "g, q, w, z, t" in str(err.value)


@pytest.mark.parametrize("value", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_background_efficiencies_outside_zero_one_are_refused(value):
    with pytest.raises(UserError) as err:
        wp.check_background_efficiency(value)
    assert "strictly between 0 and 1" in str(err.value)


def test_working_point_counts_equal_a_direct_count_on_the_study_jets():
    labels, outputs = fake_outputs()
    figures = wp.jet_figures(CLASSES, outputs, labels, [0.1, 0.01])
    top_qcd = next(s for s in figures["studies"] if s["name"] == "t_vs_qcd")
    qcd = np.isin(labels, [0, 1])
    assert top_qcd["background_events"] == qcd.sum() and top_qcd["signal_events"] == (labels == 4).sum()
    for model, score in outputs.items():
        for point in top_qcd["models"][model]["working_points"]:
            cut = point["threshold"]
            background, signal = point["background_efficiency"], point["signal_efficiency"]
            assert background["passed"] == np.sum(score[qcd, 4] > cut)
            assert signal["passed"] == np.sum(score[labels == 4, 4] > cut)
            # at most floor(e N) background jets pass, and the threshold is a background score
            assert background["passed"] <= int(point["background_efficiency_target"] * background["total"])
            assert cut in score[qcd, 4]
            ci = binomtest(signal["passed"], signal["total"]).proportion_ci(confidence_level=0.683, method="exact")
            assert signal["interval"] == pytest.approx([ci.low, ci.high], rel=1e-7)


def test_float_outputs_reach_the_target_and_coarse_firmware_outputs_may_fall_short():
    labels, outputs = fake_outputs()
    figures = wp.jet_figures(CLASSES, outputs, labels, [0.01])
    g = figures["studies"][0]
    float_point = g["models"]["float"]["working_points"][0]
    n = float_point["background_efficiency"]["total"]
    assert float_point["background_efficiency"]["passed"] == int(0.01 * n)  # distinct scores: exact
    fw_point = g["models"]["firmware"]["working_points"][0]
    assert fw_point["background_efficiency"]["passed"] <= int(0.01 * n)  # ties never pass


def test_auc_differences_are_paired_and_named():
    labels, outputs = fake_outputs()
    study = wp.jet_figures(CLASSES, outputs, labels, [0.1], ["w"])["studies"][0]
    diffs = study["auc_differences"]
    assert set(diffs) == {"firmware_minus_float", "firmware_minus_qat", "qat_minus_float"}
    auc = {m: study["models"][m]["auc"]["value"] for m in wp.MODELS}
    assert diffs["firmware_minus_float"]["value"] == pytest.approx(auc["firmware"] - auc["float"], abs=1e-12)
    # tiny QAT noise: its paired error is far below either AUC's own error
    assert diffs["qat_minus_float"]["stderr"] < 0.2 * study["models"]["float"]["auc"]["stderr"]


def test_an_unmeasurable_working_point_says_so():
    labels, outputs = fake_outputs(n=500)
    point = wp.jet_figures(CLASSES, outputs, labels, [1e-4], ["t"])["studies"][0]["models"]["firmware"]["working_points"][0]
    assert point["measurable"] is False and "needs at least 10000 background jets" in point["note"]


def test_bootstrap_adds_threshold_and_efficiency_spreads():
    labels, outputs = fake_outputs()
    figures = wp.jet_figures(CLASSES, outputs, labels, [0.1, 0.01], ["t"], boot.Bootstrap(100, seed=3))
    assert figures["bootstrap"]["replicas"] == 100
    for study in figures["studies"]:
        for model in wp.MODELS:
            for point in study["models"][model]["working_points"]:
                lo, hi = point["threshold_interval"]
                assert lo <= hi and 0 <= point["efficiency_bootstrap_interval"][0] <= 1
