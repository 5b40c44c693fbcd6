"""The estimator on the real reference projects it was calibrated on (needs TensorFlow).

Regression snapshots: the exact figures below are what the estimator gives today on these
projects, pinned so that a change to the model that moves them is seen (VALIDATION.md and
calibration.py then have to be brought up to date). They are not accuracy claims; the
accuracy checks are the comparisons with the vendor reports beside them.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

from l1forge.report import make_report

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def tool(name: str):
    """A developer script of tools/ (outside the installed package), imported by path."""
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("project, snapshot", [
    ("jet-tagger-float-vivado2019", {"latency_cycles": 12, "dsp": 1463, "lut": 86550, "ff": 9887}),
    ("jet-tagger-qkeras-vivado2019", {"latency_cycles": 10, "dsp": 31, "lut": 32429, "ff": 2928}),
])
def test_calibration_projects(reference, project, snapshot):
    pytest.importorskip("tensorflow")
    report = make_report(reference / project)
    estimate, vendor = report["estimate"], report["vendor"]
    for key, value in snapshot.items():  # regression snapshot
        assert estimate[key] == pytest.approx(value, rel=0.005), key
    # accuracy against the vendor report
    assert abs(estimate["latency_cycles"] - vendor["latency_cycles"]) <= 1
    for key, tolerance in (("lut", 0.05), ("ff", 0.11)):
        assert abs(estimate[key] - vendor[key]) / vendor[key] <= tolerance, key
    assert estimate["bram_18k"] == vendor["bram_18k"] == 4
    assert report["part"]["name"] == "xcu250"


def test_io_stream_calibration_project(reference, tmp_path):
    """The SVHN CNN report (Vivado HLS 2020.1, io_stream) fixed the dataflow rules: latency
    = slowest pixel process + the vector processes after it + start, and the process
    flip-flop factor."""
    pytest.importorskip("tensorflow")
    name = "calibration/vivado2020-svhn-cnn-pruned-stream"
    [folder] = tool("reference_cases").build_cases(reference, tmp_path, only=(name,))
    report = make_report(folder)
    estimate, vendor = report["estimate"], report["vendor"]
    assert (vendor["latency_cycles"], vendor["ii"]) == (1044, 1028)
    # regression snapshot: 1027 + the dense chain's 17 + 1, one over the vendor's 1044
    assert estimate["latency_cycles"] == 1045 and estimate["ii"] == 1028
    processes = [row for row in estimate["per_layer"] if row["kind"] != "input"]
    assert max(row["latency_cycles"] for row in processes) == 1027  # the first convolution
    # 7% under since the pooling processes' registers are counted from module reports
    # (stream_pooling.pool2d_resources: 2,052 FF where the scaled rule gave 2,384 for a pool)
    assert abs(estimate["ff"] - vendor["ff"]) / vendor["ff"] <= 0.08
    # an element-wise process holds one pixel's hardware: 16 channels, not 30 x 30 x 16
    relu = next(row for row in processes if row["name"] == "conv_act_0")
    assert relu["lut"] < 2000


def test_calibrate_script_reproduces_the_lut_constants(reference, capsys):
    """tools/calibrate.py refits calibration.py's two LUT constants from the two reports."""
    pytest.importorskip("tensorflow")
    from l1forge.report.calibration import CALIBRATION as C

    assert tool("calibrate").main([str(reference)]) == 0
    out = capsys.readouterr().out
    assert f"lut_per_adder_bit = {C.lut_per_adder_bit:.2f}" in out
    assert f"lut_per_tree_bit  = {C.lut_per_tree_bit:.2f}" in out


def test_the_developer_scripts_are_outside_the_package():
    import l1forge.report

    package = Path(l1forge.report.__file__).parent
    assert not (package / "reference_cases.py").exists() and not (package / "calibrate.py").exists()
    assert (TOOLS / "reference_cases.py").is_file() and (TOOLS / "calibrate.py").is_file()
