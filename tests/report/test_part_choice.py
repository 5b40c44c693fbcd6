"""Like with like: the vendor report's part where the config names another, the vendor
latency at the clock the tool reaches, and a vendor figure of 0 counted in the errors
(report/part_choice.py, compare.relative_error)."""

import pytest
from report_fakes import add_reports, hls4ml_folder, jet_like

from l1forge.report import make_report
from l1forge.report.compare import relative_error
from l1forge.report.part_choice import achieved_clock, estimate_part, same_part


def test_the_estimate_is_made_for_the_vendor_reports_part(tmp_path):
    project = hls4ml_folder(tmp_path / "p", part="xcu250-figd2104-2L-e")  # the report is for an xc7z020
    add_reports(project)
    report = make_report(project, graph=jet_like())
    assert report["part"]["name"] == "xc7z020" and report["part"]["family"] == "7-series"
    assert [w for w in report["warnings"] if "is not the part the vendor report" in w] == [
        "the hls4ml config's part xcu250-figd2104-2L-e is not the part the vendor report was synthesised for "
        "(xc7z020-clg400-1): estimated for xc7z020-clg400-1, to compare like with like (pass --part to choose)"]
    # --part still decides, and the same part written otherwise is no disagreement
    assert make_report(project, part="xcu250-figd2104-2L-e", graph=jet_like())["part"]["name"] == "xcu250"
    same = make_report(add_reports(hls4ml_folder(tmp_path / "q", part="xc7z020clg400-1")).parents[3],
                       graph=jet_like())
    assert not any("is not the part" in w for w in same["warnings"])


def test_estimate_part_rules():
    vendor = {"part": "xc7z020-clg400-1"}
    assert estimate_part("xcvu9p-flga2104-2-e", "xcu250-figd2104-2L-e", vendor)[0] == "xcvu9p-flga2104-2-e"
    assert estimate_part(None, "xcu250-figd2104-2L-e", vendor)[0] == "xc7z020-clg400-1"
    assert estimate_part(None, None, vendor) == ("xc7z020-clg400-1", [])
    assert estimate_part(None, "xcu250-figd2104-2L-e", None) == ("xcu250-figd2104-2L-e", [])
    assert same_part("XC7Z020CLG400-1", "xc7z020-clg400-1") and not same_part("xc7z020clg400-1", "xc7z020clg400-2")


def test_vendor_latency_is_taken_at_the_clock_the_tool_reaches(tmp_path):
    project = hls4ml_folder(tmp_path / "p", part="xc7z020clg400-1")
    report_dir = add_reports(project)
    for name in ("myproject_csynth.rpt", "myproject_csynth.xml"):
        path = report_dir / name
        path.write_text(path.read_text().replace("4.049", "6.250"))
    report = make_report(project, graph=jet_like())
    vendor = report["vendor"]
    assert (vendor["clock_target_ns"], vendor["clock_estimated_ns"], vendor["clock_achieved_ns"]) == (5.0, 6.25, 6.25)
    assert vendor["latency_ns"] == 10 * 6.25
    assert sum("estimated clock 6.25 ns exceeds the target 5 ns" in w for w in report["warnings"]) == 1
    interval = next(c for c in report["budget"]["checks"]
                    if c["check"] == "accepts every bunch crossing" and c["source"].startswith("vendor"))
    assert interval["value_ns"] == 8 * 6.25
    assert achieved_clock(5.0, 4.049) == (5.0, [])  # timing met: the target


def test_a_vendor_zero_with_a_nonzero_estimate_counts_as_a_full_miss():
    assert relative_error(6, 0) == 1.0
    assert relative_error(0, 0) == 0.0
    assert relative_error(None, 0) is None
    assert relative_error(12, 10) == pytest.approx(0.2)
