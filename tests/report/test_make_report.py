"""Reports of whole folders: vendor discovery, estimate, part, verdicts, bad input."""

import os
import time

import pytest

from report_fakes import DENSE16X5
from l1forge.errors import UserError
from l1forge.report import make_report
from l1forge.report.vendor import vendor_section
from report_fakes import add_reports, hls4ml_folder, jet_like


def test_vendor_only_folder(vendor_only):
    report = make_report(vendor_only)
    assert report["estimate"] is None and report["comparison"] is None
    vendor = report["vendor"]
    assert (vendor["tool"], vendor["version"], vendor["latency_cycles"], vendor["ii"]) == ("Vivado HLS", "2020.1", 10, 8)
    assert (vendor["dsp"], vendor["lut"], vendor["ff"], vendor["bram_18k"]) == (73, 2532, 7969, 0)
    assert vendor["source_file"] == "myproject_csynth.rpt"  # relative to the project
    assert vendor["post_synthesis"]["lut"] == 1526 and vendor["post_route"] is None
    assert report["part"]["name"] == "xc7z020" and report["part"]["used_percent"]["vendor"]["dsp"] == 33.18
    interval = next(c for c in report["budget"]["checks"] if c["check"] == "accepts every bunch crossing")
    assert interval["pass"] is False and interval["value_ns"] == 40.0  # II 8 at 5 ns
    assert any("no hls4ml_config.yml" in w for w in report["warnings"])


def test_estimate_and_vendor_side_by_side(tmp_path):
    project = hls4ml_folder(tmp_path / "p", part="xc7z020clg400-1")
    add_reports(project)
    report = make_report(project, graph=jet_like())
    assert report["estimate"]["tool"] == "Vivado HLS"  # the tool that wrote the vendor report
    rows = {row["figure"]: row for row in report["comparison"]}
    assert rows["dsp"]["vendor"] == 73
    assert rows["dsp"]["difference"] == report["estimate"]["dsp"] - 73
    assert rows["lut"]["relative_error"] == pytest.approx(abs(report["estimate"]["lut"] - 2532) / 2532, abs=1e-4)
    assert report["part"]["used_percent"]["estimate"]["dsp"] == pytest.approx(
        100 * report["estimate"]["dsp"] / 220, abs=0.01)


def test_latency_budget_from_the_manifest(tmp_path):
    tight = hls4ml_folder(tmp_path / "tight", manifest={"card": "jet_id", "target": {"latency_budget_ns": 10}})
    report = make_report(tight, graph=jet_like())
    assert report["project"] == "jet_id"
    verdict = next(c for c in report["budget"]["checks"] if c["check"] == "latency within the card's budget")
    assert verdict["pass"] is False and verdict["limit_ns"] == 10.0
    loose = hls4ml_folder(tmp_path / "loose", manifest={"target": {"latency_budget_ns": 1000}})
    verdict = next(c for c in make_report(loose, graph=jet_like())["budget"]["checks"]
                   if c["check"] == "latency within the card's budget")
    assert verdict["pass"] is True


def test_top_report_is_chosen_among_sub_function_reports(tmp_path):
    project = hls4ml_folder(tmp_path / "p")
    report_dir = add_reports(project)
    text = (DENSE16X5 / "myproject_csynth.rpt").read_text().replace("Report for 'myproject'", "Report for 'relu_x'")
    (report_dir / "relu_x_csynth.rpt").write_text(text.replace("|Total            |        0|     73|",
                                                               "|Total            |        0|      0|"))
    section, warnings = vendor_section(project, "myproject")
    assert section["top"] == "myproject" and warnings == []
    section, _ = vendor_section(project, None)  # unknown top: the largest report wins
    assert section["top"] == "myproject"


def test_the_tools_unnamed_summary_is_read_where_the_named_report_is_missing(tmp_path):
    # Vivado/Vitis HLS write the top's report twice: <top>_csynth.* and csynth.*; a folder
    # copied with only the second is read (the other top's summary is not)
    project = hls4ml_folder(tmp_path / "p")
    report_dir = add_reports(project)
    (report_dir / "myproject_csynth.xml").rename(report_dir / "csynth.xml")
    (report_dir / "myproject_csynth.rpt").unlink()
    section, warnings = vendor_section(project, "myproject")
    assert section["source_file"].endswith("csynth.xml") and section["dsp"] == 73 and warnings == []
    assert vendor_section(project, None)[0]["latency_cycles"] == 10
    section, warnings = vendor_section(project, "other_top")
    assert section["latency_cycles"] is None and any("none for the top function 'other_top'" in w for w in warnings)


def test_newest_of_several_solutions_wins_with_a_warning(tmp_path):
    project = hls4ml_folder(tmp_path / "p")
    add_reports(project, "solution1")
    newer = add_reports(project / "again", "solution2")
    later = time.time() + 10
    for path in newer.iterdir():
        os.utime(path, (later, later))
    section, warnings = vendor_section(project, "myproject")
    assert "solution2" in section["source_file"]
    assert any("several synthesis runs" in w for w in warnings)


def test_text_and_xml_disagreement_is_reported(tmp_path):
    project = hls4ml_folder(tmp_path / "p")
    report_dir = add_reports(project)
    xml = report_dir / "myproject_csynth.xml"
    xml.write_text(xml.read_text().replace("<DSP48E>73</DSP48E>", "<DSP48E>70</DSP48E>"))
    section, warnings = vendor_section(project, "myproject")
    assert section["dsp"] == 73 and any("disagree" in w for w in warnings)


def test_bad_folders(tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        make_report(tmp_path / "absent")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match="neither an hls4ml project"):
        make_report(empty)
    odd = hls4ml_folder(tmp_path / "odd", part="xc9z999-1")
    with pytest.raises(UserError, match="unknown FPGA part 'xc9z999-1'; known parts: .*xcvu9p"):
        make_report(odd, graph=jet_like())
    assert make_report(odd, part="xcvu9p", graph=jet_like())["part"]["name"] == "xcvu9p"
    broken = hls4ml_folder(tmp_path / "broken")
    (broken / "vivado_synth.rpt").write_text("Copyright\n| Command : report_utilization\n")
    with pytest.raises(UserError, match="vivado_synth.rpt: truncated or malformed"):
        make_report(broken, graph=jet_like())


def test_unknown_tool_version_is_read_with_a_warning(vendor_only):
    rpt = vendor_only / "myproject_csynth.rpt"
    rpt.write_text(rpt.read_text().replace("2020.1 (Build", "2031.1 (Build"))
    (vendor_only / "myproject_csynth.xml").unlink()
    report = make_report(vendor_only)
    assert report["vendor"]["version"] == "2031.1" and report["vendor"]["dsp"] == 73
    assert any("2031.1" in w and "not checked against" in w for w in report["warnings"])


CHECKED = {"date": "2026-12-06", "rows": [
    {"role": "validation", "fabric": "UltraScale+", "grade": 2, "latency_ok": True, "ii_exact": True,
     "dsp_error": 0.0, "lut_error": 0.1, "ff_error": 0.2,
     "region": {"tool": "Vivado HLS", "family": "UltraScale+", "io_type": "io_parallel", "strategy": "latency",
                "reuse": "RF 1", "clock": "clock 4-6 ns"}},
    {"role": "calibration", "fabric": "Artix-7", "grade": 1, "latency_ok": True, "ii_exact": True,
     "dsp_error": 0.0, "lut_error": 0.1, "ff_error": 0.2,
     "region": {"tool": "Vivado HLS", "family": "7-series", "io_type": "io_stream", "strategy": "latency",
                "reuse": "RF 1", "clock": "clock 4-6 ns"}}]}


@pytest.fixture
def checked(monkeypatch):
    from l1forge.report import evidence

    monkeypatch.setattr(evidence, "load", lambda: CHECKED)


@pytest.mark.parametrize("part,io_type,expected", [
    ("xcu250-figd2104-2L-e", "io_parallel", ["region Vivado HLS, UltraScale+, io_parallel", "backed by 1 report"]),
    ("xcvu13p-flga2577-2-e", "io_stream", ["no vendor report in this region", "nearest, Vivado HLS, UltraScale+:"]),
    ("xczu3eg-sbva484-1-e", "io_parallel", ["timing class UltraScale+ -1", "no reference report of it", "delays x1.20", "extrapolated"]),
    ("xc7z020clg400-1", "io_parallel", ["nearest, Vivado HLS, 7-series:"]),
    ("xc7vx690tffg1927-2", "io_parallel", ["timing class Kintex-7 -2", "no reference report of it", "delays x2.38"]),
])
def test_the_report_says_which_reports_back_the_estimate(tmp_path, checked, part, io_type, expected):
    report = make_report(hls4ml_folder(tmp_path / "p", part=part, io_type=io_type), graph=jet_like())
    range_notes = " | ".join(w for w in report["warnings"] + report["notes"] if w.startswith("estimate: "))
    for words in expected:
        assert words in range_notes
    assert range_notes.count("region") == 1  # one line on the region, always
    # a region reports back is information (a note); an extrapolated one is a warning
    region_lines = [(w, w in report["notes"]) for w in report["warnings"] + report["notes"] if "region" in w]
    assert [(line, "backed by" in line) for line, _ in region_lines] == region_lines


def test_reuse_factor_and_resource_strategy_name_their_region(tmp_path, checked):
    from report_fakes import Graph, LSB_16_6

    weights = [[11 * LSB_16_6] * 4] * 8
    folder = hls4ml_folder(tmp_path / "p")
    latency = make_report(folder, graph=Graph().input(8).dense("fc", weights, reuse_factor=4))
    assert [w for w in latency["warnings"] if "io_parallel, latency, RF 2-16" in w and "extrapolated" in w]
    resource = make_report(folder, graph=Graph().input(8).dense("fc", weights, reuse_factor=4, strategy="resource"))
    assert [w for w in resource["warnings"] if "io_parallel, resource, RF 2-16" in w and "extrapolated" in w]


def test_a_graph_the_estimator_cannot_read_keeps_the_vendor_figures(tmp_path):
    """Types the one fixed-point model refuses (here: saturation bits) are no reason to
    lose the vendor report: one 'no estimate' warning says why."""
    from hls4ml.model.types import FixedPrecisionType

    project = hls4ml_folder(tmp_path / "p", part="xc7z020clg400-1")
    add_reports(project)
    graph = jet_like()
    graph.layers[1].weights["weight"].type.precision = FixedPrecisionType(16, 6, True, "RND", "SAT", 1)
    report = make_report(project, graph=graph)
    assert report["estimate"] is None and report["vendor"]["lut"] == 2532
    reasons = [w for w in report["warnings"] if w.startswith("no estimate")]
    assert len(reasons) == 1 and "saturation bits" in reasons[0] and "fc1" in reasons[0]
    with pytest.raises(UserError, match="saturation bits"):  # without vendor figures: the error itself
        make_report(hls4ml_folder(tmp_path / "q"), graph=graph)


def test_a_part_missing_from_the_table_is_read_from_the_vendor_report(tmp_path):
    project = hls4ml_folder(tmp_path / "p", part="xc7s100-clg400-1")
    report_dir = add_reports(project)
    for path in report_dir.iterdir():
        path.write_text(path.read_text().replace("xc7z020", "xc7s100"))
    report = make_report(project, graph=jet_like())
    assert report["part"]["name"] == "xc7s100-clg400-1" and report["part"]["capacity"]["dsp"] == 220
    assert report["estimate"]["latency_cycles"] > make_report(
        hls4ml_folder(tmp_path / "q", part="xcu250-figd2104-2L-e"), graph=jet_like())["estimate"]["latency_cycles"]
    assert any("not in l1forge's table" in w and "Artix-7" in w for w in report["warnings"])
