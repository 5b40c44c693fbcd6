"""The small distributed-arithmetic designs whose yosys netlists calibrate and validate the
estimator's DA model (report/da_cost.py), with the committed DA cards.

Each design is a QKeras network converted by hls4ml with `Strategy: distributed_arithmetic`
(io_parallel, Vitis, xcvu13p, 5 ns) into a project folder `l1forge rtl` reads, without
compiling hls4ml's C++: varied weight widths, sparsity, dense and convolution, with and
without ReLU and batch normalization, each small enough that yosys synthesizes it in well
under a minute. `role` says which set a design belongs to: the calibration designs fix the
two constants of the model (yosys LUT per da4ml cost unit, yosys FF per register bit), the
validation designs are never used to fit them.

    python -m l1forge.rtl.calibration_set OUT_DIR [--no-synth] [--only NAME ...]

builds every design under OUT_DIR, runs `l1forge rtl` on it (300 events) and prints one
JSON line per design: the netlist, the model's da4ml cost and register bits, and the
estimate's figures over the RTL's layers.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from l1forge.project import Project

PART = "xcvu13p-flga2577-2-e"
CLOCK_NS = 5.0
EVENTS = 300


@dataclass(frozen=True)
class Design:
    name: str
    role: str  # "calibrate" or "validate"
    what: str
    input_shape: tuple[int, ...]
    input_precision: str
    build: str  # the builder below
    bits: int
    sparsity: float


DESIGNS = (
    Design("dense_w4_relu", "calibrate", "16-16-5 dense, 4-bit weights, 4-bit ReLU", (16,), "fixed<8,3>",
           "dense_relu", 4, 0.0),
    Design("dense_w8_sparse", "calibrate", "8-12-4 dense, 8-bit weights, 60% zero, 8-bit ReLU", (8,),
           "fixed<10,4>", "dense_relu", 8, 0.6),
    Design("conv1d_relu", "calibrate", "Conv1D 10x2 -> 3 filters (k=3), ReLU, Dense 3; 6-bit", (10, 2),
           "fixed<8,3>", "conv1d", 6, 0.0),
    Design("bn_dense_relu", "validate", "BatchNorm on 8 inputs, 8-10-3 dense, ReLU; 6-bit", (8,),
           "fixed<9,4>", "bn_dense", 6, 0.0),
    Design("conv2d_relu", "validate", "Conv2D 5x5x1 -> 2 filters (3x3), ReLU, Dense 2; 5-bit", (5, 5, 1),
           "fixed<7,2>", "conv2d", 5, 0.2),
    Design("dense_w6_linear", "validate", "12-8-4 dense, 6-bit weights, 30% zero, no activation", (12,),
           "fixed<8,3>", "dense_linear", 6, 0.3),
)
CARDS = (("jet_id_compact", "calibrate"), ("ad_vae_compact", "validate"))


def _model(design: Design):
    from qkeras import QActivation, QConv1D, QConv2D, QDense, quantized_bits, quantized_relu
    from tensorflow import keras

    quant = dict(kernel_quantizer=quantized_bits(design.bits, 0, alpha=1),
                 bias_quantizer=quantized_bits(design.bits, 0, alpha=1))
    relu = quantized_relu(design.bits, 0)
    inputs = keras.Input(design.input_shape, name="inputs")
    if design.build in ("dense_relu", "dense_linear"):
        hidden = {"dense_w4_relu": 16, "dense_w8_sparse": 12, "dense_w6_linear": 8}[design.name]
        outputs = {"dense_w4_relu": 5, "dense_w8_sparse": 4, "dense_w6_linear": 4}[design.name]
        x = QDense(hidden, name="fc1", **quant)(inputs)
        if design.build == "dense_relu":
            x = QActivation(relu, name="relu1")(x)
        x = QDense(outputs, name="out", **quant)(x)
    elif design.build == "bn_dense":
        x = keras.layers.BatchNormalization(name="input_bn")(inputs)
        x = QDense(10, name="fc1", **quant)(x)
        x = QActivation(relu, name="relu1")(x)
        x = QDense(3, name="out", **quant)(x)
    elif design.build == "conv1d":
        x = QConv1D(3, 3, name="conv1", **quant)(inputs)
        x = QActivation(relu, name="relu1")(x)
        x = keras.layers.Flatten(name="flat")(x)
        x = QDense(3, name="out", **quant)(x)
    elif design.build == "conv2d":
        x = QConv2D(2, (3, 3), name="conv1", **quant)(inputs)
        x = QActivation(relu, name="relu1")(x)
        x = keras.layers.Flatten(name="flat")(x)
        x = QDense(2, name="out", **quant)(x)
    else:
        raise ValueError(design.build)
    model = keras.Model(inputs, x)
    rng = np.random.default_rng(sum(map(ord, design.name)))
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        if layer.name == "input_bn":  # gamma, beta, moving mean, moving variance
            n = weights[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 2.0, n), rng.normal(0, 0.3, n), rng.normal(0, 0.5, n),
                               rng.uniform(0.5, 3.0, n)])
            continue
        new = [rng.normal(0, 0.4, size=w.shape) for w in weights]
        new[0] = np.where(rng.random(new[0].shape) < design.sparsity, 0.0, new[0])
        layer.set_weights(new)
    return model


def write_design(design: Design, folder: Path) -> Path:
    """The hls4ml DA project of `design` with the manifest and test split `l1forge rtl` reads."""
    import hls4ml

    from l1forge.firmware.convert import relocate_config
    from l1forge.firmware.da4ml_warmup import ensure_compiled

    model = _model(design)
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    config["Model"]["Strategy"] = "distributed_arithmetic"
    config["LayerName"]["inputs"]["Precision"] = {"result": design.input_precision}
    for layer in model.layers:  # hls4ml's io_parallel DA convolution computes every pixel at once
        if "Conv" in type(layer).__name__:
            config["LayerName"][layer.name]["ParallelizationFactor"] = int(np.prod(layer.output_shape[1:-1]))
    ensure_compiled()
    graph = hls4ml.converters.convert_from_keras_model(
        model, hls_config=config, backend="Vitis", output_dir=str(folder), part=PART,
        io_type="io_parallel", clock_period=CLOCK_NS)
    graph.write()
    relocate_config(folder, folder, model)
    project = Project(folder)
    project.test_split_path.parent.mkdir()
    x_test = np.random.default_rng(3).normal(0, 1.5, size=(200, *design.input_shape))
    np.savez(project.test_split_path, x_test=x_test, y_test=np.zeros(len(x_test)))
    manifest = {"card": design.name, "target": {"backend": "Vitis", "part": PART, "clock_ns": CLOCK_NS,
                                                "io_type": "io_parallel", "strategy": "distributed_arithmetic"}}
    project.manifest_path.write_text(json.dumps(manifest))
    return folder


def model_of(project: Path):
    """The estimator's DA design model of a project (l1forge.rtl.da_model)."""
    from l1forge.emulate.graph import from_graph
    from l1forge.report.build import project_graph
    from l1forge.rtl.da_model import levels_per_cycle, model_design

    graph = project_graph(project)
    clock = json.loads(Project(project).manifest_path.read_text())["target"]["clock_ns"]
    return model_design(from_graph(graph), levels_per_cycle(float(clock)))


def fit(rows: list[dict]) -> dict[str, float]:
    """The model's two netlist constants from the calibration designs: yosys LUTs per unit of
    da4ml cost and yosys flip-flops per register bit, each the mean ratio over the designs
    (every design counts alike). A least-squares split of the LUT constant between the DA
    kernels and the other operations was tried on the same four designs and gave a negative
    constant for the latter: four designs do not determine two LUT constants."""
    chosen = [row for row in rows if row["role"] == "calibrate" and row.get("yosys_lut")]
    if not chosen:
        raise ValueError("no calibration design with a netlist")
    lut = sum(row["yosys_lut"] / row["model_cost"] for row in chosen) / len(chosen)
    ff = sum(row["yosys_ff"] / row["model_reg_bits"] for row in chosen) / len(chosen)
    return {"lut_per_da4ml_cost": round(lut, 3), "ff_per_register_bit": round(ff, 3)}


def figures(project: Path, role: str) -> dict:
    """Netlist, da4ml model and the estimate over the RTL's layers, for one project."""
    from l1forge.report.build import make_report

    manifest = json.loads(Project(project).manifest_path.read_text())
    rtl = manifest.get("rtl") or {}
    model = model_of(project)
    report = make_report(project)
    rows = {row["figure"]: row for row in report.get("netlist_comparison") or []}
    netlist = rtl.get("netlist") or {}
    return {"design": project.name, "role": role, "mismatches": rtl.get("mismatches"), "events": rtl.get("events"),
            "da4ml_cost": rtl.get("da4ml_cost"), "da4ml_reg_bits": rtl.get("da4ml_reg_bits"),
            "latency_cycles": rtl.get("latency_cycles"), "yosys_lut": netlist.get("lut"),
            "yosys_ff": netlist.get("ff"), "yosys_seconds": netlist.get("seconds"),
            "estimate_lut": (rows.get("lut") or {}).get("estimate"), "estimate_ff": (rows.get("ff") or {}).get("estimate"),
            "estimate_latency": (report.get("estimate") or {}).get("latency_cycles"),
            "model_cost": round(model.total_cost, 1), "model_kernel_cost": round(model.total_kernel_cost, 1),
            "model_reg_bits": model.total_reg_bits,
            "model_stages": model.stages}


def main(argv: list[str] | None = None) -> int:
    from l1forge.rtl.flow import write_rtl

    parser = argparse.ArgumentParser(prog="python -m l1forge.rtl.calibration_set")
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-synth", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--cards", type=Path, default=None, help="folder of the built DA cards (hls_projects)")
    parser.add_argument("--figures-only", action="store_true", help="re-read built designs, run nothing")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for design in DESIGNS:
        if args.only and design.name not in args.only:
            continue
        folder = args.out / design.name
        if not args.figures_only:
            if not Project(folder).manifest_path.is_file():
                write_design(design, folder)
            write_rtl(folder, events=EVENTS, synth=not args.no_synth, log=lambda m: print(m, file=sys.stderr))
        rows.append(figures(folder, design.role))
        print(json.dumps(rows[-1]), flush=True)
    for card, role in CARDS if args.cards else ():
        if args.only and card not in args.only:
            continue
        rows.append(figures(args.cards / card, role))
        print(json.dumps(rows[-1]), flush=True)
    if any(row["role"] == "calibrate" and row.get("yosys_lut") for row in rows):
        print(json.dumps({"fit": fit(rows)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
