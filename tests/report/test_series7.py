"""Vitis HLS on 7-series parts (series7.py), the forced multiplier binding, the part-fit
verdict and the warnings for designs HLS will not build as estimated."""

import json

import numpy as np
import pytest

import l1forge.firmware.loading
from l1forge.cli import main
from l1forge.errors import UserError
from l1forge.report import series7
from l1forge.report.build_limits import hls_limit_warnings, unroll_warnings
from l1forge.report.compare import part_fit
from l1forge.report.cost import Target
from l1forge.report.estimate import estimate_graph
from l1forge.report.parts import find_part
from l1forge.report.project import multiplier_impl_of, read_target, tcl_multiplier_impl
from l1forge.report.timing import delay_scale
from report_fakes import FixedPrecisionType, Graph, hls4ml_folder, jet_like

XC7Z007S_2 = delay_scale("Artix-7", 2)


def vitis7(clock_ns, grade_scale=XC7Z007S_2, impl=None):
    return Target(clock_ns=clock_ns, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(25, 18),
                  delay_scale=grade_scale, family="7-series", multiplier_impl=impl)


def test_rules_apply_to_vitis_on_7_series_io_parallel_only():
    assert series7.applies(vitis7(5.0))
    assert not series7.applies(Target(5.0, "io_parallel", "Vivado HLS", (25, 18), XC7Z007S_2, "7-series"))
    assert not series7.applies(Target(5.0, "io_stream", "Vitis HLS", (25, 18), XC7Z007S_2, "7-series"))
    assert not series7.applies(Target(5.0, "io_parallel", "Vitis HLS", (27, 18), 1.0, "UltraScale+"))


def test_dense_cycles_follow_the_calibration_reports():
    # xc7z007s -2 at 5 ns (Breast_cancer: trees of 4, 3, 1 levels took 3, 2, 1 cycles)
    assert [series7.dense_cycles(levels, True, vitis7(5.0)) for levels in (4, 3, 1)] == [3, 2, 1]
    # at 3.33 ns (ARRYTHMIA fc1, 8 levels: 9 cycles on DSPs, 8 in LUTs)
    assert series7.dense_cycles(8, True, vitis7(3.33)) == 9
    assert series7.dense_cycles(8, False, vitis7(3.33)) == 8
    # a -1 part at 5 ns has the narrow cycle (the Iris report: 3 levels, 4 cycles)
    assert series7.dense_cycles(3, True, vitis7(5.0, delay_scale("Artix-7", 1))) == 4


def test_a_dsp_dense_fed_unsigned_values_takes_a_cycle_more_in_a_narrow_cycle():
    # 3.33 ns: the jet tagger's fc2 (6 levels after pruning) fed by a ReLU took 8 cycles on
    # DSPs, its signed-input fc1 (5 levels) 6; CARDIO's output layer (2 levels) 4
    assert series7.dense_cycles(6, True, vitis7(3.33), unsigned_input=True) == 8
    assert series7.dense_cycles(5, True, vitis7(3.33), unsigned_input=False) == 6
    assert series7.dense_cycles(2, True, vitis7(3.33), unsigned_input=True) == 4
    # not in LUTs, nor in a wide cycle (HAR's and Breast_cancer's ReLU-fed layers at 5 ns)
    assert series7.dense_cycles(6, False, vitis7(3.33), unsigned_input=True) == 6
    assert series7.dense_cycles(4, True, vitis7(5.0), unsigned_input=True) == 3


def test_shared_dsp_pipeline_depends_on_the_cap_and_the_cycle():
    # a single shared DSP: four cycles (Breast_cancer at 5 ns, CARDIO at 3.33 ns, RF 100)
    assert series7.shared_dsp_cycles(1, vitis7(5.0)) == series7.shared_dsp_cycles(1, vitis7(3.33)) == 4
    # several: two at 3.33 ns (ARRYTHMIA, the jet tagger), none at 5 ns (HAR)
    assert series7.shared_dsp_cycles(2, vitis7(3.33)) == 2 and series7.shared_dsp_cycles(41, vitis7(5.0)) == 0
    # Breast_cancer's fc1 at RF 100 (DSP): 10 x 5 products on one DSP, II 31 in its report
    assert series7.shared_interval(25, 1, 100, terms=11, dsp_bound=True, target=vitis7(5.0)) == 31


def test_a_softmax_forced_into_fabric_builds_its_multiplies_in_luts():
    from l1forge.report.activation_cost import fabric_softmax_lut
    from report_fakes import Layer, NamedType

    layer = Layer("softmax", "Softmax", [], None, attrs={"exp_table_t": NamedType(FixedPrecisionType(18, 8)),
                                                         "inv_table_t": NamedType(FixedPrecisionType(18, 4))})
    # 366 LUTs a value more than the DSP-bound twin (ARRYTHMIA, HAR, Breast_cancer)
    assert fabric_softmax_lut(layer, 16) == pytest.approx(16 * 366, rel=0.01)


def test_softmax_and_relu_cycles():
    assert series7.softmax_cycles(2, vitis7(5.0), True) == 8  # Breast_cancer
    assert series7.softmax_cycles(16, vitis7(3.33), True) == 20  # ARRYTHMIA
    assert series7.softmax_cycles(2, vitis7(5.0), False) == 6
    assert series7.relu_cycles(vitis7(5.0)) == 0 and series7.relu_cycles(vitis7(3.33)) == 1


def test_shared_interval_binds_only_past_the_cap_and_never_past_rf():
    assert series7.shared_interval(46, 46, 2) is None
    # ARRYTHMIA output at RF 100, 42 distinct multiplies on 2 DSPs, 3 adder levels: II 24
    assert series7.shared_interval(42, 2, 100, terms=7, dsp_bound=True) == 24
    assert series7.shared_interval(42, 2, 100, terms=7) == 22  # the same in LUTs: II 22
    assert series7.shared_interval(1000, 2, 100) == 100


def test_estimate_on_a_7_series_part_sums_registered_layers():
    graph = jet_like()
    common = dict(clock_ns=3.33, io_type="io_parallel", dsp_shape=(25, 18), delay_scale=XC7Z007S_2)
    vitis = estimate_graph(graph, tool="Vitis HLS", family="7-series", **common)
    vivado = estimate_graph(graph, tool="Vivado HLS", family="7-series", **common)
    rows = [row for row in vitis["per_layer"] if row["kind"] != "input"]
    assert vitis["latency_cycles"] == sum(row["latency_cycles"] for row in rows)
    assert all(row["latency_cycles"] >= 1 for row in rows)
    assert vitis["latency_cycles"] != vivado["latency_cycles"]


def test_forced_binding_moves_products_between_dsp_and_fabric():
    rng = np.random.default_rng(3)
    narrow = FixedPrecisionType(8, 2)
    graph = (Graph().input(16, narrow).dense("fc1", rng.normal(0, 0.5, (16, 8)), weight_precision=narrow)
             .relu("relu1", 8))
    common = dict(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(25, 18),
                  delay_scale=XC7Z007S_2, family="7-series")
    own, dsp, fabric = (estimate_graph(graph, multiplier_impl=impl, **common) for impl in (None, "dsp", "fabric"))
    assert own["dsp"] == 0  # 8-bit inputs: the tools build the products in LUTs
    assert dsp["dsp"] > 0 and dsp["lut"] < fabric["lut"]
    assert fabric["dsp"] == 0 and dsp["multiplier_impl"] == "dsp"


def test_tcl_binding_both_spellings_last_wins_and_unknown_warns(tmp_path):
    assert tcl_multiplier_impl(tmp_path) == (None, [])
    (tmp_path / "build_prj.tcl").write_text("config_op mul -impl dsp\n# config_op mul -impl fabric\n")
    assert tcl_multiplier_impl(tmp_path) == ("dsp", [])
    (tmp_path / "script.tcl").write_text("config_op -impl fabric mul\n")
    assert tcl_multiplier_impl(tmp_path) == ("fabric", [])
    (tmp_path / "script.tcl").write_text("config_op mul -impl dsp48\n")
    impl, warnings = tcl_multiplier_impl(tmp_path)
    assert impl is None and "not modelled" in warnings[0]
    (tmp_path / "script.tcl").write_text("config_op add -impl fabric\n")
    assert tcl_multiplier_impl(tmp_path) == ("dsp", [])


def test_binding_from_manifest_wins_and_bad_value_is_a_user_error(tmp_path):
    project = hls4ml_folder(tmp_path / "p", manifest={"target": {"multiplier_impl": "fabric"}})
    (project / "build_prj.tcl").write_text("config_op mul -impl dsp\n")
    assert read_target(project).multiplier_impl == "fabric"
    with pytest.raises(UserError, match="expected dsp or fabric"):
        multiplier_impl_of("lut", "card")


def test_part_fit_verdict():
    part = find_part("xc7z007s-clg225-2")
    assert part_fit(part, {"lut": 14_400, "ff": 10, "dsp": 66, "bram_18k": 0}, None)["verdict"] == "pass"
    fit = part_fit(part, {"lut": 28_800, "ff": 10, "dsp": 67, "bram_18k": 0}, None)
    assert fit["verdict"] == "fail" and set(fit["over_percent"]) == {"lut", "dsp"}
    assert part_fit(part, None, {"lut": 1, "ff": 1, "dsp": 1, "bram_18k": 1})["source"] == "vendor HLS"
    assert part_fit(part, None, None) is None


def test_unroll_limit_warning_names_the_layer():
    rng = np.random.default_rng(0)
    small = Graph().input(64).dense("fc1", rng.normal(0, 1, (64, 64)))
    big = Graph().input(561).dense("fc1", rng.normal(0, 1, (561, 20)), reuse_factor=100)
    assert unroll_warnings(small) == []
    (warning,) = unroll_warnings(big)
    assert "fc1" in warning and "11,220" in warning and "reuse factor 100" in warning
    assert "will not build" in warning
    (chained,) = [w for w in hls_limit_warnings(big, "7-series", 5.0, None, "io_parallel", "Vitis HLS")
                  if "fc1" in w]
    assert "summed in a chain" in chained  # Vitis HLS on 7-series: what the estimate models there
    assert any("clock will not be met" in w for w in hls_limit_warnings(small, "7-series", 5.0, "fabric"))
    assert hls_limit_warnings(small, "UltraScale+", 5.0, "fabric") == []


def test_a_dense_over_the_unroll_limit_sums_in_a_chain():
    # HAR's fc1: 495 terms on its widest output, 192 cycles at 5 ns (xc7z007s -2)
    assert series7.chain_cycles(495, vitis7(5.0)) == 192
    assert series7.chain_cycles(129, vitis7(5.0)) == 50  # the held-out mnist fc1 took 48
    assert series7.chain_cycles(495, vitis7(3.33)) > 192  # less logic a cycle, more cycles
    rng = np.random.default_rng(0)
    big = Graph().input(561).dense("fc1", rng.normal(0, 1, (561, 20)))
    small = Graph().input(64).dense("fc1", rng.normal(0, 1, (64, 20)))
    fc1 = [layer for layer in estimate_graph(big, 5.0, "io_parallel", "Vitis HLS", (25, 18), XC7Z007S_2,
                                             "7-series")["per_layer"] if layer["name"] == "fc1"][0]
    assert fc1["latency_cycles"] >= series7.chain_cycles(561, vitis7(5.0))
    tree = [layer for layer in estimate_graph(small, 5.0, "io_parallel", "Vitis HLS", (25, 18), XC7Z007S_2,
                                              "7-series")["per_layer"] if layer["name"] == "fc1"][0]
    assert tree["latency_cycles"] < 10
    # capped at RF 100, it still runs once per chain (the held-out mnist fc1: 48 cycles, II 49,
    # its multiplies issued in 9)
    mnist = Graph().input(196).dense("fc1", rng.normal(0, 1, (196, 56)), reuse_factor=100)
    fc1 = [layer for layer in estimate_graph(mnist, 5.0, "io_parallel", "Vitis HLS", (25, 18), XC7Z007S_2,
                                             "7-series")["per_layer"] if layer["name"] == "fc1"][0]
    assert fc1["ii"] == fc1["latency_cycles"] + 1 > series7.chain_cycles(150, vitis7(5.0))  # the last layer: no register


def test_cli_multiplier_impl_and_fit_in_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(l1forge.firmware.loading, "load_graph", lambda folder, **_: jet_like())
    project = hls4ml_folder(tmp_path / "p", part="xc7z020clg400-1")
    assert main(["report", str(project), "--json", "--multiplier-impl", "fabric"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["estimate"]["dsp"] == 0 and report["estimate"]["multiplier_impl"] == "fabric"
    assert report["fits_part"]["verdict"] in ("pass", "fail")
    assert main(["report", str(project)]) == 0
    assert "fits the part:" in capsys.readouterr().out
    assert main(["report", "--validate", str(tmp_path), "--multiplier-impl", "dsp"]) == 2
    assert "not both" in capsys.readouterr().err


def test_latency_goal_is_two_cycles_or_ten_percent():
    from l1forge.report.validate import latency_within_goal

    assert latency_within_goal({"latency_diff": -2, "latency_vendor": 5})
    assert not latency_within_goal({"latency_diff": 3, "latency_vendor": 20})
    assert latency_within_goal({"latency_diff": -6, "latency_vendor": 161})
    assert not latency_within_goal({"latency_diff": 17, "latency_vendor": 161})
