"""The model-card schema as frozen dataclasses; every field has a default or a clear error.

Field checks live beside the fields (`_check_*`); the generic walk over mappings, with
unknown-field did-you-mean and type errors, lives in `l1forge.card.fields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from l1forge.firmware.spec import BACKENDS, IO_TYPES, MULTIPLIER_IMPLS, STRATEGIES  # noqa: F401

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PRUNING_SCHEDULES = ("constant", "polynomial")
QAT_INITS = ("random", "float")


@dataclass(frozen=True)
class QuantSpec:
    """QKeras quantizers: `bits` in total, `integer` bits left of the point (sign excluded)."""

    weight_bits: int = 6
    weight_integer: int = 0
    bias_bits: int = 6
    bias_integer: int = 0
    activation_bits: int = 6
    activation_integer: int = 0
    # Input type of the firmware: ap_fixed<input_bits, input_integer> (sign included).
    input_bits: int = 16
    input_integer: int = 6


@dataclass(frozen=True)
class LayerSpec:
    type: str
    name: str = ""
    units: int = 0
    filters: int = 0
    kernel: tuple[int, ...] = (3, 3)
    pool: tuple[int, ...] = (2, 2)
    shape: tuple[int, ...] = ()
    alpha: float = 0.25  # leaky_relu negative slope: a power of two (QKeras' requirement)
    padding: str = "same"
    # Per-layer quantizer overrides; 0 (bits) or null (integer bits) means the card's default.
    weight_bits: int = 0
    weight_integer: int | None = None
    bias_bits: int = 0
    bias_integer: int | None = None
    activation_bits: int = 0
    activation_integer: int | None = None
    # Per-layer target sparsity of a weighted layer (null: the card's pruning.sparsity).
    sparsity: float | None = None


@dataclass(frozen=True)
class ModelSpec:
    input_shape: tuple[int, ...] = (16,)
    layers: tuple[LayerSpec, ...] = ()


@dataclass(frozen=True)
class DataSpec:
    path: str | None = None
    max_events: int | None = None
    test_fraction: float = 0.2
    validation_fraction: float = 0.2


@dataclass(frozen=True)
class Family:
    """A model family's own card fields, as its task declares them (Task.model_fields and
    Task.data_fields, small dataclasses) and reads them from the card's `model:` and
    `data:` sections; None where the family declares none."""

    model: Any = None
    data: Any = None


@dataclass(frozen=True)
class TrainingSpec:
    epochs: int = 30
    batch_size: int = 1024
    learning_rate: float = 1e-3
    early_stopping_patience: int = 5
    l1_regularization: float = 1e-4
    seed: int = 42
    # learning-rate decay on a plateau: after this many epochs without a lower validation
    # loss the rate is multiplied by lr_decay_factor (0: a constant rate)
    lr_decay_patience: int = 0
    lr_decay_factor: float = 0.5
    # where quantization-aware training starts: "random" (a fresh initialization, the
    # training seed's) or "float" (the trained float twin's weights, then QAT fine-tunes)
    qat_init: str = "random"


@dataclass(frozen=True)
class PruningSpec:
    """Magnitude pruning during QAT (tensorflow-model-optimization): the smallest weights of
    every weighted layer are set to zero until `sparsity` of them are; 0 switches it off.
    `constant`: the target sparsity from `begin_epoch` on; `polynomial`: from 0 at
    `begin_epoch` to the target at `end_epoch` (null: half of training.epochs). The masks
    freeze at `end_epoch`, and early stopping only watches the epochs from there on (so the
    restored weights are fully pruned)."""

    sparsity: float = 0.0
    schedule: str = "polynomial"
    begin_epoch: int = 0
    end_epoch: int | None = None


@dataclass(frozen=True)
class TargetSpec:
    backend: str = "Vitis"
    part: str = "xcvu13p-flga2577-2-e"
    clock_ns: float = 5.0
    io_type: str = "io_parallel"
    strategy: str = "Latency"
    reuse_factor: int = 1
    latency_budget_ns: float = 1000.0
    softmax_table_size: int = 4096
    # the vendor build script's multiplier binding (`config_op mul -impl dsp|fabric`), for the
    # estimate; null: the tool's own choice
    multiplier_impl: str | None = None
    # the clock uncertainty HLS schedules with ("12.5%", or ns): written into the project
    # (hls4ml's ClockUncertainty) and read by the estimate; null: hls4ml's backend default
    # (Vitis 27%, Vivado 12.5%)
    clock_uncertainty: str | None = None


@dataclass(frozen=True)
class RtlSpec:
    """`l1forge build` of a distributed-arithmetic card also writes the project's RTL
    (`l1forge rtl`): da4ml Verilog proven in Verilator over `events` verification events,
    and with `synth` the yosys netlist figures."""

    build: bool = False
    synth: bool = True
    events: int = 10_000


@dataclass(frozen=True)
class TriggerSpec:
    rates_hz: tuple[float, ...] = (1000.0, 10000.0)


@dataclass(frozen=True)
class Card:
    name: str
    task: str = "jet_id"
    description: str = ""
    data: DataSpec = field(default_factory=DataSpec)
    model: ModelSpec = field(default_factory=ModelSpec)
    quantization: QuantSpec = field(default_factory=QuantSpec)
    training: TrainingSpec = field(default_factory=TrainingSpec)
    pruning: PruningSpec = field(default_factory=PruningSpec)
    target: TargetSpec = field(default_factory=TargetSpec)
    trigger: TriggerSpec = field(default_factory=TriggerSpec)
    rtl: RtlSpec = field(default_factory=RtlSpec)
    family: Family = field(default_factory=Family)
    source: str = ""
