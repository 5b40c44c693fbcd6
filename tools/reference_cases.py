"""Lay out the reference reports as hls4ml project folders that `--validate` can read.

    python tools/reference_cases.py ../shared/reference/vivado_reports OUT

Only the two jet-tagger folders come with their model; the other reports describe
models whose weights were never published. They are rebuilt here with the same
architecture and hls4ml configuration and stand-in weights (named in each case), so the
comparison tests the estimator on a tool, part, reuse factor or I/O type it was not
tuned on, with weights of the same kind but not the same values:

- calibration/: the two jet-tagger projects as they are (the estimator was fitted
  here), the Vitis HLS 2024.1 run of the float tagger at RF 1 with the jet-tagger
  weights (it set the two Vitis constants: one extra cycle, 1.18 x LUTs), the
  tutorial's pruned SVHN CNN in io_stream (it set the io_stream rules), and hls4ml's
  own io_stream test (Dense 16->5 on an xc7z020 -1) with seeded Glorot-uniform weights,
  as Keras initialises them (it set the DSP post-adder cascade of slow parts);
- validation/: the other Vitis HLS 2024.1 tutorial runs (float RF 2, 75%-pruned,
  QKeras) with the jet-tagger weights and the quantized SVHN CNN in io_stream;
- older-hls4ml/: tutorial runs of 2020-2021, made by hls4ml versions that gave every
  product a DSP (3915 DSPs for 4256 products); kept to show what the estimator does not
  model.

A developer script, outside the installed package: it needs TensorFlow (it writes Keras
models); the report command itself does not.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

TUTORIAL = "tutorial-notebook-reports"
FLOAT, QKERAS = "jet-tagger-float-vivado2019", "jet-tagger-qkeras-vivado2019"


@dataclass(frozen=True)
class Case:
    name: str
    model: str  # float, pruned, qkeras or dense16x5
    report: str  # "<notebook file>#<n>" (n-th report block) or a folder of report files
    part: str
    reuse_factor: int = 1
    io_type: str = "io_parallel"
    backend: str = "Vivado"


CASES = (
    Case("calibration/vitis2024-float-rf1", "float", "2024-09-25_c6b63d37_part1_getting_started_reports.txt#0",
         "xcu250-figd2104-2L-e", backend="Vitis"),
    Case("validation/vitis2024-float-rf2", "float", "2024-09-25_c6b63d37_part2_advanced_config_reports.txt#0",
         "xcu250-figd2104-2L-e", reuse_factor=2, backend="Vitis"),
    Case("validation/vitis2024-pruned75", "pruned", "2024-09-25_c6b63d37_part3_compression_reports.txt#0",
         "xcu250-figd2104-2L-e", backend="Vitis"),
    Case("validation/vitis2024-qkeras6", "qkeras", "2024-09-25_c6b63d37_part4_quantization_reports.txt#0",
         "xcu250-figd2104-2L-e", backend="Vitis"),
    Case("calibration/vivado2020-dense16x5-stream", "dense16x5", "hls4ml-test-dense16x5/Vivado",
         "xc7z020clg400-1", io_type="io_stream"),
    Case("calibration/vivado2020-svhn-cnn-pruned-stream", "svhn-float", "tutorial-notebook-reports/cnn_svhn/pruned_cnn",
         "xcu250-figd2104-2L-e", io_type="io_stream"),
    Case("validation/vivado2020-svhn-cnn-qkeras-stream", "svhn-qkeras",
         "tutorial-notebook-reports/cnn_svhn/quantized_pruned_cnn", "xcu250-figd2104-2L-e", io_type="io_stream"),
    Case("older-hls4ml/2021-float-xczu3eg", "float", "2022-03-26_f758e558_part1_getting_started_reports.txt#0",
         "xczu3eg-sbva484-1-e"),
    Case("older-hls4ml/2021-float-rf2-xczu3eg", "float", "2022-03-26_f758e558_part2_advanced_config_reports.txt#0",
         "xczu3eg-sbva484-1-e", reuse_factor=2),
    Case("older-hls4ml/2021-pruned75-xczu3eg", "pruned", "2022-03-26_f758e558_part3_compression_reports.txt#0",
         "xczu3eg-sbva484-1-e"),
    Case("older-hls4ml/2021-qkeras6-xczu3eg", "qkeras", "2022-03-26_f758e558_part4_quantization_reports.txt#0",
         "xczu3eg-sbva484-1-e"),
    Case("older-hls4ml/2020-float-xcku115", "float", "2020-06-02_c32dd6d8_part4_quantization_reports.txt#1",
         "xcku115-flvb2104-2-i"),
    Case("older-hls4ml/2020-qkeras6-xcku115", "qkeras", "2020-06-02_c32dd6d8_part4_quantization_reports.txt#0",
         "xcku115-flvb2104-2-i"),
)


def report_blocks(text: str) -> list[str]:
    """The HLS report texts printed in a notebook extract, in order."""
    blocks = []
    for cell in re.split(r"^##### ", text, flags=re.M)[1:]:
        start = cell.find("================================================================\n== V")
        if start >= 0:
            end = cell.find("Co-simulation report", start)
            blocks.append(cell[start: end if end > 0 else len(cell)])
    return blocks


def _config(case: Case, base: dict) -> dict:
    config = {"Backend": case.backend, "ClockPeriod": 5, "IOType": case.io_type, "Part": case.part,
              "ProjectName": "myproject", "HLSConfig": dict(base)}
    model = dict(config["HLSConfig"].get("Model", {}))
    model.update({"ReuseFactor": case.reuse_factor, "Strategy": "Latency"})
    model.setdefault("Precision", "fixed<16,6>")
    config["HLSConfig"]["Model"] = model
    return config


def _models(reference: Path):
    from l1forge.firmware.loading import load_keras_model, read_config

    float_model = load_keras_model(reference / FLOAT / "keras_model.h5")
    qkeras_model = load_keras_model(reference / QKERAS / "keras_model.h5")
    configs = {"float": read_config(reference / FLOAT)["HLSConfig"],
               "qkeras": read_config(reference / QKERAS)["HLSConfig"]}
    return float_model, qkeras_model, configs


def _pruned(model, sparsity: float = 0.75):
    """Magnitude pruning per layer, as tfmot's ConstantSparsity leaves a trained model."""
    from tensorflow import keras

    pruned = keras.models.clone_model(model)
    pruned.set_weights(model.get_weights())
    for layer in pruned.layers:
        weights = layer.get_weights()
        if len(weights) == 2 and weights[0].ndim == 2:
            layer.set_weights([_magnitude_pruned(weights[0], sparsity), weights[1]])
    return pruned


def _magnitude_pruned(kernel: np.ndarray, sparsity: float) -> np.ndarray:
    """The kernel with its smallest-magnitude `sparsity` fraction set to zero."""
    threshold = np.quantile(np.abs(kernel), sparsity)
    return np.where(np.abs(kernel) < threshold, 0.0, kernel)


def _dense16x5():
    from tensorflow import keras

    model = keras.Sequential([keras.layers.Dense(
        5, input_shape=(16,), name="fc1", activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=0))])
    return model


def _svhn(quantized: bool, seed: int = 0, sparsity: float = 0.5):
    """The SVHN CNN of hls4ml-tutorial part 6 (32x32x3 -> 3 x [Conv 3x3, ReLU, MaxPool 2x2]
    with 16, 16, 24 filters -> Dense 42 -> Dense 64 -> Dense 10 -> softmax), with seeded
    LeCun-uniform stand-in weights pruned to 50% as the tutorial prunes (all but the output),
    and seeded batch-normalization statistics (gamma, beta, mean, variance drawn in ranges a
    trained network has; the identity would make every scale a near power of two).

    The float model is written as the hls4ml of its report (2021) built it, batch
    normalization folded into each layer's weights and bias; the quantized one as the
    tutorial's QKeras model: 6-bit weights, quantized_relu(6), folded convolutions, dense
    layers followed by a batch normalization (the report's `normalize` processes)."""
    from tensorflow import keras
    from tensorflow.keras import layers as kl

    def init(i):
        return keras.initializers.LecunUniform(seed=seed + i)

    if quantized:
        from qkeras import QActivation, QConv2D, QDense

        bits = "quantized_bits(6,0,alpha=1)"
        q = {"kernel_quantizer": bits, "bias_quantizer": bits}
        conv = lambda f, i: QConv2D(f, (3, 3), kernel_initializer=init(i), name=f"conv_{i}", **q)
        dense = lambda n, i, bias: QDense(n, kernel_initializer=init(10 + i), name=f"dense_{i}",
                                          use_bias=bias, **q)
        relu = lambda name: QActivation("quantized_relu(6)", name=name)
    else:
        conv = lambda f, i: kl.Conv2D(f, (3, 3), kernel_initializer=init(i), name=f"conv_{i}")
        dense = lambda n, i, bias: kl.Dense(n, kernel_initializer=init(10 + i), name=f"dense_{i}")
        relu = lambda name: kl.Activation("relu", name=name)
    x = x_in = keras.Input((32, 32, 3), name="input_1")
    for i, filters in enumerate((16, 16, 24)):
        x = kl.MaxPooling2D((2, 2), name=f"pool_{i}")(relu(f"conv_act_{i}")(conv(filters, i)(x)))
    x = kl.Flatten(name="flatten")(x)
    for i, units in enumerate((42, 64)):
        x = dense(units, i, False)(x)
        if quantized:
            x = kl.BatchNormalization(name=f"bn_dense_{i}")(x)
        x = relu(f"dense_act_{i}")(x)
    x = dense(10, 2, True)(x)
    model = keras.Model(x_in, kl.Activation("softmax", name="output_softmax")(x))
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if layer.name.startswith("bn_"):  # trained-like statistics, not the identity
            n = weights[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.uniform(-0.5, 0.5, n),
                               rng.uniform(-1.0, 1.0, n), rng.uniform(0.5, 2.0, n)])
        if layer.name.startswith(("conv_", "dense_")) and weights and layer.name != "dense_2":
            layer.set_weights([_magnitude_pruned(weights[0], sparsity)] + weights[1:])
    return model


def build_cases(reference: Path, out: Path, only: tuple[str, ...] | None = None) -> list[Path]:
    """Write every case (or the cases named in `only`) under `out`; returns their folders."""
    reference, out = Path(reference), Path(out)
    made = []
    for name in (FLOAT, QKERAS) if only is None else ():
        dest = out / "calibration" / name
        shutil.copytree(reference / name, dest, dirs_exist_ok=True)
        made.append(dest)
    float_model, qkeras_model, configs = _models(reference)
    builders = {"float": lambda: float_model, "pruned": lambda: _pruned(float_model),
                "qkeras": lambda: qkeras_model, "dense16x5": _dense16x5,
                "svhn-float": lambda: _svhn(False), "svhn-qkeras": lambda: _svhn(True)}
    models = {}
    for case in CASES if only is None else [c for c in CASES if c.name in only]:
        if case.model not in models:
            models[case.model] = builders[case.model]()
        dest = out / case.name
        report_dir = dest / "myproject_prj" / "solution1" / "syn" / "report"
        report_dir.mkdir(parents=True, exist_ok=True)
        if "#" in case.report:
            file, index = case.report.split("#")
            text = (reference / TUTORIAL / file).read_text()
            (report_dir / "myproject_csynth.rpt").write_text(report_blocks(text)[int(index)])
        else:
            for path in (reference / case.report).iterdir():
                shutil.copy(path, (report_dir if "csynth" in path.name else dest) / path.name)
        base = configs["qkeras" if case.model == "qkeras" else "float"]
        if case.model == "dense16x5":
            base = {"Model": {"Precision": "fixed<16,6>"}}
        if case.model.startswith("svhn"):  # the tutorial's settings: 16,6 default, stable softmax
            base = {"Model": {"Precision": "fixed<16,6>"},
                    "LayerName": {"output_softmax": {"Implementation": "stable"}}}
        (dest / "hls4ml_config.yml").write_text(yaml.safe_dump(_config(case, base), sort_keys=True))
        models[case.model].save(dest / "keras_model.h5")
        made.append(dest)
    return made


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for path in build_cases(Path(args[0]), Path(args[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
