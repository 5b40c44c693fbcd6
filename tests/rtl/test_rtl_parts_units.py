"""Synthesis by part without yosys: the count-weighted sum of the parts' netlists, the cut's
duplicate input register left out of `ff`, the label, and the refusals (no per-item part,
an unknown layer, a part reading from before the cut, --no-synth or --gate-level)."""

import json
import math
from types import SimpleNamespace

import pytest

from l1forge.cli import main
from l1forge.errors import UserError
from l1forge.rtl import parts


def _netlist(lut, ff, carry, cells):
    return {"yosys_version": "Yosys 0.70", "family": "xcup", "lut": lut, "ff": ff, "carry": carry, "dsp": 0,
            "bram": 0.0, "srl": 0, "lutram": 0, "seconds": 2.5,
            "lut_by_size": {"LUT1": 0, "LUT2": lut - 1, "LUT3": 1, "LUT4": 0, "LUT5": 0, "LUT6": 0}, "cells": cells}


def test_the_sum_counts_each_part_by_its_copies_and_leaves_the_duplicate_register_out():
    per_item = {"name": "ds_per_item", "count": 32, "da4ml_cost": 100.0, "da4ml_reg_bits": 50,
                "input_register_bits": 0, "netlist": _netlist(90, 40, 20, {"LUT2": 89, "LUT3": 1, "FDRE": 40})}
    rest = {"name": "ds_rest", "count": 1, "da4ml_cost": 700.0, "da4ml_reg_bits": 300,
            "input_register_bits": 192, "netlist": _netlist(600, 400, 150, {"LUT2": 599, "LUT3": 1, "FDRE": 400})}
    total = parts.combine([per_item, rest], "yosys, by part (32 x phi + pool..rho)")
    assert total["method"] == "by part" and total["label"] == "yosys, by part (32 x phi + pool..rho)"
    assert total["lut"] == 32 * 90 + 600 and total["carry"] == 32 * 20 + 150
    assert total["ff_sum"] == 32 * 40 + 400 and total["ff"] == 32 * 40 + 400 - 192
    assert total["lut_by_size"]["LUT2"] == 32 * 89 + 599 and total["lut_by_size"]["LUT3"] == 33
    assert total["lut"] == sum(total["lut_by_size"].values())
    assert total["cells"]["FDRE"] == total["ff_sum"]
    assert total["da4ml_cost_parts"] == 32 * 100 + 700 and total["da4ml_reg_bits_parts"] == 32 * 50 + 300 - 192
    assert total["seconds"] == 5.0 and total["parts"] == [per_item, rest]


def _step(name, inputs, output, shape=(5,)):
    return SimpleNamespace(name=name, kind="Dense", inputs=inputs, output=SimpleNamespace(name=output, shape=shape))


def _emulator(input_shape, steps):
    first = SimpleNamespace(name="inputs", output=SimpleNamespace(name="inputs", shape=input_shape,
                                                                  size=math.prod(input_shape)))
    return SimpleNamespace(input_steps=[first], steps=steps)


def test_a_design_without_a_per_item_part_is_refused_naming_its_first_layer():
    emulator = _emulator((16,), [_step("fc1", ("inputs",), "fc1"), _step("out", ("fc1",), "out")])
    with pytest.raises(UserError, match=r"per-item part.*'fc1' \(Dense\)"):
        parts.per_item_split(emulator, "top")


def test_a_split_after_an_unknown_or_last_layer_is_refused():
    emulator = _emulator((16,), [_step("fc1", ("inputs",), "fc1"), _step("out", ("fc1",), "out")])
    with pytest.raises(UserError, match="no such layer.*fc1, out"):
        parts.split_after(emulator, "fc9", "top")
    with pytest.raises(UserError, match="nothing follows"):
        parts.split_after(emulator, "out", "top")
    split = parts.split_after(emulator, "fc1", "top")
    assert [p.name for p in split.parts] == ["top_head", "top_tail"] and split.parts[1].reads == "fc1"


def test_a_part_reading_from_before_the_cut_is_refused():
    steps = [_step("a", ("inputs",), "a"), _step("b", ("a",), "b"), _step("add", ("b", "a"), "add")]
    with pytest.raises(UserError, match="'add' reads 'a' from before the cut after 'b'"):
        parts.split_after(_emulator((16,), steps), "b", "top")


@pytest.mark.parametrize("flags", [["--no-synth"], ["--gate-level"]])
def test_by_part_needs_the_synthesis_and_no_gate_level_check(tmp_path, capsys, flags):
    project = tmp_path / "p"
    project.mkdir()
    (project / "l1forge.json").write_text(json.dumps({
        "card": "tiny_ds", "target": {"backend": "Vitis", "part": "xcvu13p-flga2577-2-e", "clock_ns": 5.0,
                                      "io_type": "io_parallel", "strategy": "distributed_arithmetic"}}))
    assert main(["rtl", str(project), "--synth-by-part", *flags]) == 2
    err = capsys.readouterr().err
    assert "by part" in err and len(err.strip().splitlines()) == 1
    assert not (project / "rtl").exists()


def test_the_report_labels_a_by_part_netlist_as_such():
    from l1forge.report.netlist import netlist_label

    whole = {"yosys_version": "Yosys 0.70", "family": "xcup", "outputs_of": "output", "left_out": ["softmax"]}
    assert "by part" not in netlist_label(whole)
    label = netlist_label({**whole, "method": "by part", "label": "yosys, by part (32 x phi1..phi2_act + pool..output)"})
    assert label.endswith("yosys, by part (32 x phi1..phi2_act + pool..output), not one flattened run")


def test_the_whole_designs_registers_replace_the_parts_flip_flops():
    netlist = {"ff": 900, "lut": 5000, "seconds": 10.0}
    registers = {"ff": 700, "srl": 3, "seconds": 4.0, "yosys": "synth_xilinx -run begin:map_luts"}
    total = parts.with_whole_registers(netlist, registers)
    assert total["ff"] == 700 and total["ff_parts"] == 900 and total["whole_registers"] == registers
    assert total["lut"] == 5000 and total["seconds"] == 14.0
