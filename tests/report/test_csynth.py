"""C-synthesis report parsing on real Vivado/Vitis HLS reports, and strictness on bad ones."""

import re

import pytest

from report_fakes import DENSE16X5
from l1forge.errors import UserError
from l1forge.report.csynth import parse_csynth_rpt, parse_csynth_text, parse_csynth_xml


def test_dense16x5_text_report_matches_hls4ml_expectations():
    report = parse_csynth_rpt(DENSE16X5 / "myproject_csynth.rpt")
    assert (report.tool, report.version, report.top) == ("Vivado HLS", "2020.1", "myproject")
    assert report.part == "xc7z020-clg400-1"
    assert (report.latency_min, report.latency_max, report.ii_min, report.ii_max) == (10, 10, 8, 8)
    assert report.clock_target_ns == 5.0 and report.clock_estimated_ns == pytest.approx(4.049)
    assert report.resources == {"bram_18k": 0, "dsp": 73, "ff": 7969, "lut": 2532, "uram": 0}
    assert report.available["dsp"] == 220 and report.available["lut"] == 53200
    assert report.pipeline_type == "dataflow"
    dense, relu = report.instances
    assert (dense.latency_cycles, dense.ii, dense.dsp, dense.ff, dense.lut) == (7, 7, 73, 7860, 2134)
    assert (relu.latency_cycles, relu.ii, relu.lut) == (2, 1, 256)
    assert report.warnings == ()


def test_xml_report_agrees_with_text_report():
    xml = parse_csynth_xml(DENSE16X5 / "myproject_csynth.xml")
    rpt = parse_csynth_rpt(DENSE16X5 / "myproject_csynth.rpt")
    assert xml.tool == "Vivado HLS"  # <DSP48E>, not Vitis' <DSP>
    assert (xml.latency_max, xml.ii_max, xml.resources) == (rpt.latency_max, rpt.ii_max, rpt.resources)
    assert xml.clock_estimated_ns == pytest.approx(4.049) and xml.top == "myproject"


def test_jet_tagger_reports(reference):
    float_report = parse_csynth_rpt(reference / "jet-tagger-float-vivado2019" / "myproject_csynth.rpt")
    assert (float_report.version, float_report.latency_max, float_report.ii_max) == ("2019.2", 13, 1)
    assert float_report.resources["dsp"] == 1450 and float_report.resources["lut"] == 84942
    assert sorted(i.dsp for i in float_report.instances) == [0, 0, 0, 0, 5, 110, 310, 468, 557][-8:]
    qkeras = parse_csynth_xml(reference / "jet-tagger-qkeras-vivado2019" / "myproject_csynth.xml")
    assert (qkeras.latency_max, qkeras.resources["dsp"], qkeras.resources["ff"]) == (9, 23, 2762)


def _blocks(path):
    return [b for b in re.split(r"^##### ", path.read_text(), flags=re.M)[1:] if "HLS Report for" in b]


def test_vitis_2024_and_vivado_2019_1_layouts(reference):
    notebooks = reference / "tutorial-notebook-reports"
    vitis = parse_csynth_text(_blocks(notebooks / "2024-09-25_c6b63d37_part4_quantization_reports.txt")[0],
                              notebooks / "part4")
    assert (vitis.tool, vitis.version, vitis.latency_max, vitis.ii_max) == ("Vitis HLS", "2024.1", 12, 1)
    assert vitis.resources == {"bram_18k": 8, "dsp": 34, "ff": 3199, "lut": 42160, "uram": 0}
    assert [i.latency_cycles for i in vitis.instances if "dense" in i.module] == [0, 1, 0, 1]
    old = parse_csynth_text(_blocks(notebooks / "2022-03-26_f758e558_vivado_flow_reports.txt")[0],
                            notebooks / "flow")
    # 2019.1 prints the clock without units and the latency without absolute times
    assert (old.version, old.clock_target_ns, old.latency_max, old.ii_max) == ("2019.1", 10.0, 51, 51)
    assert old.top == "jet_tagger_axi" and old.resources["dsp"] == 52


def test_unknown_version_is_parsed_with_a_warning(tmp_path):
    text = (DENSE16X5 / "myproject_csynth.rpt").read_text().replace("2020.1 (Build", "2031.1 (Build")
    path = tmp_path / "myproject_csynth.rpt"
    path.write_text(text)
    report = parse_csynth_rpt(path)
    assert report.resources["dsp"] == 73
    assert len(report.warnings) == 1 and "2031.1" in report.warnings[0] and str(path) in report.warnings[0]


def _cut_at(marker):
    return lambda text: text[: text.index(marker)]


def _drop_latency_table(text):
    return text[: text.index("+ Latency:")] + text[text.index("+ Detail:"):]


@pytest.mark.parametrize("damage, message", [
    (_cut_at("== Utilization Estimates"), "no 'Utilization Estimates' section"),
    (_cut_at("|Total            |"), "no utilization 'Total' row"),
    (_drop_latency_table, "no latency summary table"),
])
def test_truncated_text_report_names_the_file(tmp_path, damage, message):
    text = (DENSE16X5 / "myproject_csynth.rpt").read_text()
    path = tmp_path / "myproject_csynth.rpt"
    path.write_text(damage(text))
    with pytest.raises(UserError) as err:
        parse_csynth_rpt(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_not_a_report_and_missing_file(tmp_path):
    path = tmp_path / "x_csynth.rpt"
    path.write_text("hello\n")
    with pytest.raises(UserError, match="not a Vivado/Vitis HLS synthesis report"):
        parse_csynth_rpt(path)
    with pytest.raises(UserError, match="cannot read"):
        parse_csynth_rpt(tmp_path / "absent_csynth.rpt")


def test_truncated_and_incomplete_xml(tmp_path):
    text = (DENSE16X5 / "myproject_csynth.xml").read_text()
    cut = tmp_path / "cut_csynth.xml"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(UserError, match="malformed or truncated XML"):
        parse_csynth_xml(cut)
    no_area = tmp_path / "noarea_csynth.xml"
    no_area.write_text(re.sub(r"<AreaEstimates>.*</AreaEstimates>", "", text, flags=re.S))
    with pytest.raises(UserError, match="AreaEstimates/Resources"):
        parse_csynth_xml(no_area)
    other = tmp_path / "other_csynth.xml"
    other.write_text("<root/>")
    with pytest.raises(UserError, match="expected <profile>"):
        parse_csynth_xml(other)
