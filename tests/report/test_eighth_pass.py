"""Eighth pass: the clock uncertainty a project asks for (hls4ml's ClockUncertainty, a Tcl
`set_clock_uncertainty`) sets the logic budget of a cycle, as it does in the tools."""

import pytest
from report_fakes import hls4ml_folder, jet_like

from l1forge.errors import UserError
from l1forge.firmware.spec import FirmwareSpec, input_fixed_type
from l1forge.report.cost import Target
from l1forge.report.estimate import estimate_graph
from l1forge.report.project import clock_uncertainty_of, read_target, target_from_spec

# What hls4ml's writer puts in project.tcl and its build_prj.tcl template uses
HLS4ML_PROJECT_TCL = 'variable clock_uncertainty\nset clock_uncertainty {}\n'
HLS4ML_BUILD_TCL = "create_clock -period $clock_period -name default\n" \
                   "set_clock_uncertainty $clock_uncertainty default\n"


def target(uncertainty_ns=None):
    return Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(27, 18),
                  clock_uncertainty_ns=uncertainty_ns)


def test_budget_is_the_period_less_the_projects_uncertainty():
    # csynth of the 27% projects (Vitis HLS 2022.2 to 2025.1) reports 1.35 ns at 5 ns
    assert target().budget_ns == pytest.approx(4.375)  # the tools' default, 12.5%
    assert target(1.35).budget_ns == pytest.approx(3.65)
    assert target(0.625).budget_ns == pytest.approx(target().budget_ns)


def test_uncertainty_spellings_and_bad_values():
    assert clock_uncertainty_of("27%", 5.0, "x") == pytest.approx(1.35)
    assert clock_uncertainty_of("1.1", 5.0, "x") == pytest.approx(1.1)
    assert clock_uncertainty_of(None, 5.0, "x") is None
    with pytest.raises(UserError, match="percentage of the period"):
        clock_uncertainty_of("lots", 5.0, "hls4ml_config.yml: ClockUncertainty")
    with pytest.raises(UserError, match="less than the 5 ns period"):
        clock_uncertainty_of("120%", 5.0, "x")


def test_uncertainty_read_from_config_tcl_and_manifest(tmp_path):
    import yaml
    plain = hls4ml_folder(tmp_path / "plain")
    assert read_target(plain).clock_uncertainty_ns is None  # nothing said: the default
    asked = hls4ml_folder(tmp_path / "asked")
    config = yaml.safe_load((asked / "hls4ml_config.yml").read_text())
    (asked / "hls4ml_config.yml").write_text(yaml.safe_dump({**config, "ClockUncertainty": "27%"}))
    assert read_target(asked).clock_uncertainty_ns == pytest.approx(1.35)
    # the Tcl the project is built with wins over the config; `$clock_uncertainty` resolved
    (asked / "project.tcl").write_text(HLS4ML_PROJECT_TCL.format("0.8"))
    (asked / "build_prj.tcl").write_text(HLS4ML_BUILD_TCL)
    assert read_target(asked).clock_uncertainty_ns == pytest.approx(0.8)
    card = hls4ml_folder(tmp_path / "card", manifest={"target": {"clock_uncertainty": "20%"}})
    (card / "build_prj.tcl").write_text("set_clock_uncertainty 0.3\n")
    assert read_target(card).clock_uncertainty_ns == pytest.approx(1.0)


def test_card_spec_path_keeps_the_default(tmp_path):
    folder = hls4ml_folder(tmp_path / "fw")
    (folder / "project.tcl").write_text(HLS4ML_PROJECT_TCL.format("12.5%"))  # hls4ml's default
    (folder / "build_prj.tcl").write_text(HLS4ML_BUILD_TCL)
    spec = FirmwareSpec(name="t", input_type=input_fixed_type(16, 6))
    found = target_from_spec(spec, folder)
    assert found.clock_uncertainty_ns == pytest.approx(0.625)
    assert Target(5.0, "io_parallel", "Vitis HLS", (27, 18),
                  clock_uncertainty_ns=found.clock_uncertainty_ns).budget_ns == pytest.approx(4.375)


def test_a_larger_uncertainty_leaves_less_logic_per_cycle():
    graph = jet_like()
    default = estimate_graph(graph, 5.0, "io_parallel", "Vivado HLS", (27, 18))
    same = estimate_graph(graph, 5.0, "io_parallel", "Vivado HLS", (27, 18), clock_uncertainty_ns=0.625)
    wide = estimate_graph(graph, 5.0, "io_parallel", "Vivado HLS", (27, 18), clock_uncertainty_ns=1.35)
    assert same["latency_cycles"] == default["latency_cycles"]
    assert wide["latency_cycles"] > default["latency_cycles"]


def test_hls4ml_0x_part_key_is_read(tmp_path):
    # hls4ml 0.x wrote the part as XilinxPart (the PYNQ projects of 2019-2020); a config that
    # names it so is not partless
    import yaml
    old = hls4ml_folder(tmp_path / "old")
    config = yaml.safe_load((old / "hls4ml_config.yml").read_text())
    config.pop("Part", None)
    (old / "hls4ml_config.yml").write_text(yaml.safe_dump({**config, "XilinxPart": "xc7z020clg400-1"}))
    assert read_target(old).part == "xc7z020clg400-1"
