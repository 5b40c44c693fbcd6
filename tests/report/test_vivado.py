"""Vivado utilization and timing-summary parsing."""

import pytest

from report_fakes import DENSE16X5
from l1forge.errors import UserError
from l1forge.report.vivado import parse_timing_summary, parse_utilization

# The layout of `report_timing_summary` (Vivado 2019-2023), with this test's own figures.
TIMING = """\
Copyright 1986-2022 Xilinx, Inc. All Rights Reserved.
------------------------------------------------------------------------------------
| Tool Version      : Vivado v.2022.2 (lin64) Build 3671981 Fri Oct 14 04:59:54 MDT 2022
| Date              : Mon Jan  1 00:00:00 2024
| Command           : report_timing_summary -file myproject_timing_summary_routed.rpt
| Design            : myproject
| Device            : xcvu9p-flga2104
------------------------------------------------------------------------------------

Timing Summary Report

------------------------------------------------------------------------------------------------
| Design Timing Summary
| ---------------------
------------------------------------------------------------------------------------------------

    WNS(ns)      TNS(ns)  TNS Failing Endpoints  TNS Total Endpoints      WHS(ns)      THS(ns)  THS Failing Endpoints  THS Total Endpoints     WPWS(ns)     TPWS(ns)  TPWS Failing Endpoints  TPWS Total Endpoints
    -------      -------  ---------------------  -------------------      -------      -------  ---------------------  -------------------     --------     --------  ----------------------  --------------------
{wns}        {tns}                      3                 8123        0.021        0.000                      0                 8123        1.958        0.000                       0                  4100


------------------------------------------------------------------------------------------------
| Clock Summary
| -------------
------------------------------------------------------------------------------------------------

Clock   Waveform(ns)       Period(ns)      Frequency(MHz)
-----   ------------       ----------      --------------
ap_clk  {{0.000 1.563}}      3.125           320.000
"""


def test_post_synthesis_utilization_of_hls4ml_test():
    report = parse_utilization(DENSE16X5 / "vivado_synth.rpt")
    assert report.stage == "post-synthesis" and report.version == "2020.1"
    assert report.used == {"lut": 1526, "ff": 2428, "bram_18k": 0, "dsp": 66}
    assert report.available["bram_18k"] == 280  # 140 36 Kb tiles
    assert report.device == "7z020clg400-1" and report.warnings == ()


def test_ultrascale_rows_and_bram_tiles(reference):
    report = parse_utilization(reference / "tutorial-notebook-reports" / "cnn_svhn" / "pruned_cnn" / "vivado_synth.rpt")
    assert report.used["lut"] == 123948 and report.used["ff"] == 43435
    assert report.used["bram_18k"] == 84 and report.used["dsp"] == 5386 and report.used["uram"] == 0


def test_routed_stage_from_design_state(tmp_path):
    text = (DENSE16X5 / "vivado_synth.rpt").read_text().replace("Design State : Synthesized",
                                                                "Design State : Routed")
    path = tmp_path / "impl_util.rpt"
    path.write_text(text)
    assert parse_utilization(path).stage == "post-route"


def test_truncated_utilization_names_the_file(tmp_path):
    text = (DENSE16X5 / "vivado_synth.rpt").read_text()
    path = tmp_path / "vivado_synth.rpt"
    path.write_text(text[: text.index("| Slice LUTs*")])
    with pytest.raises(UserError) as err:
        parse_utilization(path)
    assert str(path) in str(err.value) and "Slice LUTs" in str(err.value)
    other = tmp_path / "notes_utilization.rpt"
    other.write_text("nothing to see\n")
    with pytest.raises(UserError, match="not a Vivado utilization report"):
        parse_utilization(other)


def test_timing_summary_slack_and_period(tmp_path):
    path = tmp_path / "myproject_timing_summary_routed.rpt"
    path.write_text(TIMING.format(wns="-0.215", tns="-0.530"))
    report = parse_timing_summary(path)
    assert (report.wns_ns, report.tns_ns, report.whs_ns) == (-0.215, -0.530, 0.021)
    assert report.clock_period_ns == 3.125 and report.stage == "post-route"
    assert report.met is False and report.version == "2022.2" and report.warnings == ()
    path.write_text(TIMING.format(wns="0.412", tns="0.000"))
    assert parse_timing_summary(path).met is True


def test_timing_summary_without_values_is_malformed(tmp_path):
    path = tmp_path / "timing_summary.rpt"
    path.write_text(TIMING.split("    -------")[0])
    with pytest.raises(UserError, match="no WNS/TNS/WHS values"):
        parse_timing_summary(path)
    path.write_text("Timing Summary Report\n")
    with pytest.raises(UserError, match="no 'Design Timing Summary'"):
        parse_timing_summary(path)


def test_unknown_vivado_version_warns(tmp_path):
    path = tmp_path / "x_timing_summary.rpt"
    path.write_text(TIMING.format(wns="0.1", tns="0.0").replace("v.2022.2", "v.2031.1"))
    report = parse_timing_summary(path)
    assert report.wns_ns == 0.1 and "2031.1" in report.warnings[0]
