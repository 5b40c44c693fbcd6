"""The estimator on the two real jet-tagger projects it was calibrated on (needs TensorFlow).

These pin the calibration: if a change to the model moves these figures, VALIDATION.md
and calibration.py no longer describe the code.
"""

import pytest

from l1forge.report import make_report


@pytest.mark.parametrize("project, figures", [
    ("jet-tagger-float-vivado2019", {"latency_cycles": 12, "dsp": 1491, "lut": 86550, "ff": 9887}),
    ("jet-tagger-qkeras-vivado2019", {"latency_cycles": 10, "dsp": 34, "lut": 33364, "ff": 2694}),
])
def test_calibration_projects(reference, project, figures):
    pytest.importorskip("tensorflow")
    report = make_report(reference / project)
    estimate, vendor = report["estimate"], report["vendor"]
    for key, value in figures.items():
        assert estimate[key] == pytest.approx(value, rel=0.005), key
    assert abs(estimate["latency_cycles"] - vendor["latency_cycles"]) <= 1
    for key, tolerance in (("lut", 0.05), ("ff", 0.11)):
        assert abs(estimate[key] - vendor[key]) / vendor[key] <= tolerance, key
    assert estimate["bram_18k"] == vendor["bram_18k"] == 4
    assert report["part"]["name"] == "xcu250"
