"""The reference sets laid out for `--validate` (reference_sets.py), and a guard on the
estimator's figures over three of them, so that a change that makes them worse fails here.

The bounds are the figures VALIDATION.md reports (2026-12-06) plus a margin; they hold
the estimate to what it reaches, they are not the issue's goals.
"""

import pytest

from l1forge.errors import UserError
from l1forge.report import reference_sets
from l1forge.report.validate import validate

JET = "argykokk-mlp-estimator_jet_tagging__"
GUARDED = {  # set: (role, latency cycles off at most, DSP, LUT, FF relative errors at most)
    f"{JET}DSP_reuse2": ("validation", 3, 0.15, 0.45, 0.25),
    "thifjj-iris_mlp4-8-8-3-pynqz2-vitis2025": ("validation", 3, 0.05, 0.20, 0.65),
    "argykokk-mlp-estimator_Breast_cancer__LUT_reuse100": ("calibration", 3, 0.0, 0.15, 0.15),
    # distinct multiplies and the capped layer's tail: II 22 (the output layer, 42 distinct
    # multiplies on 2 multipliers); 24 before those rules. LUT 0.35 since the fourteenth
    # pass builds the fabric-bound softmax's multiplies (its instance 8,744 against 8,327):
    # the 29% left is fc1's shared fabric multipliers at RF 100 (35,244 against 25,643),
    # which the missing softmax LUTs had hidden
    "argykokk-mlp-estimator_ARRYTHMIA__LUT_reuse100": ("calibration", 3, 0.0, 0.35, 0.30),
}


def test_forced_binding_is_read_from_sources_text():
    text = "Multiplier implementation: the author's build_prj.tcl adds `config_op mul -impl fabric` (last ...)"
    assert reference_sets.forced_binding(text) == "fabric"
    assert reference_sets.forced_binding("no binding here") is None


def test_lay_out_refuses_unknown_sets_and_existing_folders(tmp_path):
    with pytest.raises(UserError, match="unknown reference set"):
        reference_sets.lay_out(tmp_path, tmp_path / "out", ["no-such-set"])
    with pytest.raises(UserError, match="no reference set folder"):
        reference_sets.lay_out(tmp_path, tmp_path / "out", [f"{JET}DSP_reuse2"])
    (tmp_path / "exists").mkdir()
    with pytest.raises(UserError, match="already exists"):
        reference_sets.lay_out(tmp_path, tmp_path / "exists", [])


def test_guarded_sets_stay_within_their_bounds(reference, tmp_path):
    """Needs ../shared/reference/vivado_reports (the `reference` fixture skips without it)."""
    out = tmp_path / "sets"
    roles = reference_sets.lay_out(reference, out, list(GUARDED))
    assert sorted(roles["validation"] + roles["calibration"]) == sorted(GUARDED)
    tcl = out / "calibration" / "argykokk-mlp-estimator_Breast_cancer__LUT_reuse100" / "build_prj.tcl"
    assert "config_op mul -impl fabric" in tcl.read_text()
    rows = {}
    for role in ("validation", "calibration"):
        result = validate(out / role)
        assert not result["skipped"], result["skipped"]
        rows.update({row["project"]: row for row in result["rows"]})
    for name, (role, cycles, dsp, lut, ff) in GUARDED.items():
        row = rows[name]
        assert reference_sets.SETS[name] == role
        assert abs(row["latency_diff"]) <= cycles, (name, row["latency_estimate"], row["latency_vendor"])
        assert row["ii_estimate"] == row["ii_vendor"], name
        for key, bound in (("dsp", dsp), ("lut", lut), ("ff", ff)):
            assert row[f"{key}_error"] <= bound, (name, key, row[f"{key}_estimate"], row[f"{key}_vendor"])
