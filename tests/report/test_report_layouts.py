"""Report layouts beyond the usual `<top>_csynth.rpt`: Vitis HLS's one-table `csynth.rpt`,
update-release versions, unknown latencies, placed-design states and the Vivado reports
that are not a design's utilization (csynth_summary.py, csynth.py, vivado.py, vendor.py)."""

import pytest

from report_fakes import DENSE16X5
from l1forge.errors import UserError
from l1forge.report.csynth import parse_csynth_text
from l1forge.report.csynth_types import version_warning
from l1forge.report.vendor import vendor_section
from l1forge.report.vivado import parse_utilization

# The layout Vitis HLS 2020.2+ writes as syn/report/csynth.rpt, with this test's own figures.
SUMMARY = """
================================================================
== Synthesis Summary Report of 'toy_top'
================================================================
+ General Information:
    * Date:           Mon Jan  1 00:00:00 2024
    * Version:        2022.2.2 (Build 0000000 on Jan 1 2023)
    * Project:        toy_prj
    * Solution:       solution1 (Vivado IP Flow Target)
    * Product family: zynq
    * Target device:  xc7z020-clg400-1

+ Performance & Resource Estimates:

    PS: '+' for module; 'o' for loop; '*' for dataflow
    +-------------+------+------+---------+-----------+----------+---------+------+----------+---------+----+------------+------------+-----+
    |   Modules   | Issue|      | Latency |  Latency  | Iteration|         | Trip |          |         |    |            |            |     |
    |   & Loops   | Type | Slack| (cycles)|    (ns)   |  Latency | Interval| Count| Pipelined|  BRAM   | DSP|     FF     |     LUT    | URAM|
    +-------------+------+------+---------+-----------+----------+---------+------+----------+---------+----+------------+------------+-----+
    |+ toy_top    |     -|  0.12|   262673|  2.627e+06|         -|   262674|     -|        no|  3 (1%)|   7|  973 (~0%)|  1870 (3%)|    -|
    | + toy_layer |     -|  0.30|      40|    400.000|         -|       41|     -|        no|        -|   7|  500 (~0%)|  1200 (2%)|    -|
    |  o Loop     |     -|  3.00|       38|    380.000|         2|        1|    37|       yes|        -|   -|          -|           -|    -|
    +-------------+------+------+---------+-----------+----------+---------+------+----------+---------+----+------------+------------+-----+
"""


def test_vitis_one_table_summary_is_read():
    report = parse_csynth_text(SUMMARY, DENSE16X5 / "csynth.rpt")
    assert (report.tool, report.version, report.top, report.part) == ("Vitis HLS", "2022.2.2", "toy_top",
                                                                       "xc7z020-clg400-1")
    assert (report.latency_max, report.ii_max, report.clock_target_ns) == (262673, 262674, None)
    assert report.resources == {"bram_18k": 3, "dsp": 7, "ff": 973, "lut": 1870, "uram": 0}
    (layer,) = report.instances  # the loop row is not an instance
    assert (layer.instance, layer.latency_cycles, layer.ii, layer.dsp, layer.lut) == ("toy_layer", 40, 41, 7, 1200)
    assert report.warnings == ()  # 2022.2.2 is an update of a checked release


def test_summary_without_top_row_is_malformed():
    broken = SUMMARY.replace("|+ toy_top ", "|+ other   ")
    with pytest.raises(UserError, match="no row for the top function 'toy_top'"):
        parse_csynth_text(broken, DENSE16X5 / "csynth.rpt")


def test_vendor_section_takes_the_clock_from_the_xml_beside_the_summary(tmp_path):
    folder = tmp_path / "solution1" / "syn" / "report"
    folder.mkdir(parents=True)
    (folder / "csynth.rpt").write_text(SUMMARY)
    section, warnings = vendor_section(tmp_path)
    assert section["latency_cycles"] == 262673 and section["latency_ns"] is None
    assert any("names no clock target" in w for w in warnings)
    xml = (DENSE16X5 / "myproject_csynth.xml").read_text().replace("myproject", "toy_top")
    (folder / "csynth.xml").write_text(xml)
    section, warnings = vendor_section(tmp_path)
    assert section["clock_target_ns"] == 5.0 and section["latency_ns"] is not None
    assert not any("names no clock target" in w for w in warnings)


def test_update_releases_are_checked_versions_and_new_ones_are_not():
    assert version_warning("r.rpt", "Vivado HLS", "2019.2.1") == []
    assert version_warning("r.rpt", "Vitis HLS", "2025.1") == []
    assert version_warning("r.rpt", "Vitis HLS", "2030.1") != []


def test_a_latency_not_known_keeps_the_interval_columns_apart():
    text = (DENSE16X5 / "myproject_csynth.rpt").read_text()
    row = next(line for line in text.splitlines() if line.strip().startswith("|") and "|dataflow|" in
               line.replace(" ", ""))
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    unknown = "|" + "|".join(["?", "?", "?", "?", "8", "8", "dataflow"][: len(cells)]) + "|"
    report = parse_csynth_text(text.replace(row, "    " + unknown), DENSE16X5 / "myproject_csynth.rpt")
    assert report.latency_max is None and report.ii_max == 8 and report.ii_min == 8


def test_placed_states_and_file_names(tmp_path):
    text = (DENSE16X5 / "vivado_synth.rpt").read_text()
    placed = tmp_path / "design_utilization.rpt"
    placed.write_text(text.replace("Design State : Synthesized", "Design State : Fully Placed"))
    assert parse_utilization(placed).stage == "post-place"
    unnamed = tmp_path / "impl_1_full_util_placed_utilization.rpt"  # no Design State line
    unnamed.write_text(text.replace("| Design State : Synthesized\n", ""))
    assert parse_utilization(unnamed).stage == "post-place"


def test_reports_that_are_not_a_design_utilization_say_what_they_are(tmp_path):
    kernel = tmp_path / "kernel_util_routed.rpt"
    kernel.write_text("| Tool Version : Vivado v.2022.2\nAccelerator Utilization Design Information\n")
    with pytest.raises(UserError, match="accelerator .* utilization summary"):
        parse_utilization(kernel)
    slr = tmp_path / "slr_util_routed.rpt"
    slr.write_text("Command : report_utilization -slr\n+-----------+------+------+\n"
                   "| Site Type | SLR0 | SLR1 |\n+-----------+------+------+\n"
                   "| CLB LUTs  |   10 |   20 |\n+-----------+------+------+\n")
    with pytest.raises(UserError, match="per-SLR breakdown"):
        parse_utilization(slr)


def _wrapper_report(tmp_path, top_module: str):
    """The dense16x5 report turned into a wrapper's: its dense instance's module is `top_module`."""
    text = (DENSE16X5 / "myproject_csynth.rpt").read_text()
    text = text.replace("Report for 'myproject'", "Report for 'myproject_axi'")
    text = text.replace("|dense_array_array_ap_fixed_16_6_5_3_0_5u_config2_s  |", f"|{top_module}  |")
    (tmp_path / "myproject_axi_csynth.rpt").write_text(text)


def test_a_wrapper_report_gives_the_top_functions_instance(tmp_path):
    # a VivadoAccelerator folder that kept only `myproject_axi_csynth.rpt`
    _wrapper_report(tmp_path, "myproject")
    section, warnings = vendor_section(tmp_path, "myproject")
    assert section["top"] == "myproject"
    assert (section["latency_cycles"], section["ii"]) == (7, 7)
    assert (section["dsp"], section["ff"], section["lut"], section["bram_18k"]) == (73, 7860, 2134, 0)
    assert section["per_layer"] == []
    assert any("inside 'myproject_axi'" in w and "interface logic left out" in w for w in warnings)


def test_a_wrapper_without_the_top_is_not_read(tmp_path):
    _wrapper_report(tmp_path, "another_function")
    section, warnings = vendor_section(tmp_path, "myproject")
    assert section is None
    assert any("none for the top function 'myproject'" in w for w in warnings)
