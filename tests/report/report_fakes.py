"""A stand-in for the hls4ml ModelGraph with just what the estimator reads (no TensorFlow).

The estimator reads layers through a few attributes (class_name, name, inputs, weights,
get_attr, get_output_variable, model.get_layer_output_variable), so small plain classes
are enough to drive it; the precision types and weight variables are hls4ml's own
(importing them loads no TensorFlow), because the estimator reads them through the
emulator's exact readers.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from hls4ml.model import types

DENSE16X5 = Path(__file__).resolve().parent / "data" / "hls4ml-test-dense16x5"
LSB_16_6 = 2.0 ** -10  # one step of fixed<16,6>


def FixedPrecisionType(width=16, integer=6, signed=True, rounding_mode="TRN", saturation_mode="WRAP"):
    return types.FixedPrecisionType(width, integer, signed, rounding_mode, saturation_mode)


def NamedType(precision, name="fake_t"):
    return types.NamedType(name, precision)


def Weight(data, named_type, name="w"):
    """An hls4ml WeightVariable: it iterates as the literals hls4ml writes into the firmware."""
    return types.WeightVariable(name, named_type.name, named_type.precision, np.asarray(data, dtype=np.float64))


@dataclass
class Variable:
    name: str
    shape: list
    type: NamedType


@dataclass
class Layer:
    name: str
    class_name: str
    inputs: list
    output: Variable
    attrs: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    model: object = None

    def get_attr(self, key, default=None):
        return self.attrs.get(key, default)

    def get_output_variable(self):
        return self.output

    def get_input_variable(self):
        return self.model.get_layer_output_variable(self.inputs[0])


class Graph:
    def __init__(self):
        self.layers: list[Layer] = []

    def get_layers(self):
        return list(self.layers)

    def get_layer_output_variable(self, name):
        for layer in self.layers:
            if layer.name == name:
                return layer.output
        return None

    # --- builders -------------------------------------------------------------------
    def _add(self, name, class_name, shape, precision, attrs=None, weights=None):
        inputs = [self.layers[-1].name] if self.layers else []
        layer = Layer(name=name, class_name=class_name, inputs=inputs,
                      output=Variable(f"{name}_out", list(shape), NamedType(precision)),
                      attrs={"reuse_factor": 1, "strategy": "latency", **(attrs or {})},
                      weights=weights or {}, model=self)
        self.layers.append(layer)
        return self

    def input(self, n, precision=None):
        return self._add("input", "Input", [n], precision or FixedPrecisionType())

    def dense(self, name, weights, biases=None, precision=None, weight_precision=None, **attrs):
        weights = np.asarray(weights, dtype=np.float64)
        biases = np.zeros(weights.shape[1]) if biases is None else np.asarray(biases, dtype=np.float64)
        precision = precision or FixedPrecisionType()
        wp = weight_precision or FixedPrecisionType()
        return self._add(name, "Dense", [weights.shape[1]], precision,
                         {"accum_t": NamedType(FixedPrecisionType()), **attrs},
                         {"weight": Weight(weights, NamedType(wp)), "bias": Weight(biases, NamedType(wp))})

    def conv2d(self, name, weights, out_shape, in_width, n_partitions=1, **attrs):
        weights = np.asarray(weights, dtype=np.float64)
        wp = NamedType(FixedPrecisionType())
        return self._add(name, "Conv2D", out_shape, FixedPrecisionType(),
                         {"accum_t": wp, "filt_height": weights.shape[0], "filt_width": weights.shape[1],
                          "in_width": in_width, "n_partitions": n_partitions, **attrs},
                         {"weight": Weight(weights, wp), "bias": Weight(np.zeros(weights.shape[-1]), wp)})

    def image_input(self, shape):
        return self._add("input", "Input", shape, FixedPrecisionType())

    def relu(self, name, n, precision=None):
        return self._add(name, "Activation", [n], precision or FixedPrecisionType(), {"activation": "relu"})

    def softmax(self, name, n, table_precision=None):
        table = NamedType(table_precision or FixedPrecisionType(18, 8))
        return self._add(name, "Softmax", [n], FixedPrecisionType(),
                         {"activation": "softmax", "implementation": "stable", "table_size": 1024,
                          "exp_table_t": table, "inv_table_t": table, "table_t": table})


def jet_like(seed: int = 0, sparsity: float = 0.0) -> Graph:
    """A 16-32-5 network with float-trained-like weights quantized to fixed<16,6>."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0, 0.3, (16, 32))
    w2 = rng.normal(0, 0.3, (32, 5))
    if sparsity:
        w1[np.abs(w1) < np.quantile(np.abs(w1), sparsity)] = 0.0
    return (Graph().input(16).dense("fc1", w1, rng.normal(0, 0.1, 32)).relu("relu1", 32)
            .dense("output", w2, rng.normal(0, 0.1, 5)).softmax("softmax", 5))


# --- project folders ------------------------------------------------------------------


def hls4ml_folder(path, part="xcu250-figd2104-2L-e", io_type="io_parallel", manifest=None):
    path.mkdir(parents=True, exist_ok=True)
    config = {"Backend": "Vivado", "ClockPeriod": 5, "IOType": io_type, "Part": part,
              "ProjectName": "myproject", "HLSConfig": {"Model": {"Precision": "fixed<16,6>"}}}
    (path / "hls4ml_config.yml").write_text(yaml.safe_dump(config))
    if manifest is not None:
        (path / "l1forge.json").write_text(json.dumps(manifest))
    return path


def add_reports(project, solution="solution1"):
    report_dir = project / "myproject_prj" / solution / "syn" / "report"
    report_dir.mkdir(parents=True)
    for name in ("myproject_csynth.rpt", "myproject_csynth.xml"):
        shutil.copy(DENSE16X5 / name, report_dir / name)
    shutil.copy(DENSE16X5 / "vivado_synth.rpt", project / "vivado_synth.rpt")
    return report_dir
