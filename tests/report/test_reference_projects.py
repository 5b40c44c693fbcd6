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


def test_io_stream_calibration_project(reference, tmp_path):
    """The SVHN CNN report (Vivado HLS 2020.1, io_stream) fixed the dataflow rules: latency
    = slowest process + one cycle per process + start, and the process flip-flop factor."""
    pytest.importorskip("tensorflow")
    from l1forge.report.reference_cases import build_cases

    name = "calibration/vivado2020-svhn-cnn-pruned-stream"
    [folder] = build_cases(reference, tmp_path, only=(name,))
    report = make_report(folder)
    estimate, vendor = report["estimate"], report["vendor"]
    assert (vendor["latency_cycles"], vendor["ii"]) == (1044, 1028)
    assert estimate["latency_cycles"] == 1044 and estimate["ii"] == 1028
    processes = [row for row in estimate["per_layer"] if row["kind"] != "input"]
    assert max(row["latency_cycles"] for row in processes) == 1027  # the first convolution
    assert abs(estimate["ff"] - vendor["ff"]) / vendor["ff"] <= 0.05
    # an element-wise process holds one pixel's hardware: 16 channels, not 30 x 30 x 16
    relu = next(row for row in processes if row["name"] == "conv_act_0")
    assert relu["lut"] < 2000
