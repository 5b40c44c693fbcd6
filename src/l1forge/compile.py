"""`l1forge compile`: a user's trained model (Keras/QKeras file, JSON + weights, or an hls4ml
configuration) straight into the one flow (l1forge.flow), then the per-layer diagnosis of the
firmware against Keras as its figures.

Settings are taken, in order, from the command's options, the source's own (an hls4ml YAML's
Part, ClockPeriod, IOType, Backend, HLSConfig), then l1forge's defaults. `--precision
as-given` converts with the YAML's HLSConfig, or hls4ml's `config_from_keras_model(
granularity="name")` defaults; `exact` runs l1forge's own config passes (the ones card
builds use), which pick accumulator, result and table types from the model's quantizers.
The project is written as a card build writes it: assembled in a temporary folder, renamed
into place when everything has succeeded.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np

from l1forge import flow, manifest
from l1forge.atomic import atomic_dir
from l1forge.errors import UserError
from l1forge.firmware.spec import BACKENDS, IO_TYPES, MULTIPLIER_IMPLS, STRATEGIES, FirmwareSpec, parse_config_type
from l1forge.project import Project

PRECISIONS = ("as-given", "exact")
DEFAULT_EVENTS = 10_000
DEFAULT_INPUT = "fixed<16,6>"  # hls4ml's default precision, the input type it gives a model


@dataclass(frozen=True)
class CompileOptions:
    """What the command line (or the API) asks of a compile; None: the source's or default."""

    name: str | None = None
    projects: Path = Path("hls_projects")
    weights: Path | None = None
    part: str | None = None
    clock_ns: float | None = None
    io_type: str | None = None
    backend: str | None = None
    strategy: str | None = None
    reuse_factor: int | None = None
    multiplier_impl: str | None = None  # the vendor build's `config_op mul -impl`, for the estimate
    precision: str = "as-given"
    data: Path | None = None
    dataset: str | None = None
    labels: Path | None = None
    events: int = DEFAULT_EVENTS
    seed: int = 0
    force: bool = False
    hls_overrides: dict[str, Any] = field(default_factory=dict)  # dotted HLSConfig keys (scan)


@dataclass(frozen=True)
class CompileResult:
    project_dir: Path
    manifest: dict[str, Any]


def compile_model(source_path, options: CompileOptions, log: Callable[[str], None] = print) -> CompileResult:
    """Compile SOURCE into `options.projects/<name>/`; bad input raises one UserError."""
    from l1forge import firmware, intake
    from l1forge.build import check_destination

    _check_options(options)
    name = project_name(source_path, options.name)
    dest = Path(options.projects) / name
    check_destination(dest, name, str(Path(source_path).resolve()), options.force)
    start = time.perf_counter()
    log(f"reading {source_path}")
    source = intake.load_source(source_path, options.weights)
    spec = firmware_spec(source, options, name)
    events = _events(source, spec, options)
    labels = _labels(options.labels, len(events.x)) if options.labels else None
    firmware.require_compiler()
    with atomic_dir(dest, replace=True) as tmp:
        job = flow.Job(keras_model=source.model, spec=spec, folder=tmp, x=events.x,
                       plan=flow.VerifyPlan(csim=True, csim_events=len(events.x)),
                       figures=figures_of(source.model, events.x, labels), final_dir=dest, log=log,
                       report_sections=("diagnosis",))
        result = flow.run(job)
        Project(tmp).trained_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(Project(tmp).test_split_path, x_test=events.x,
                            y_test=labels if labels is not None else np.full(len(events.x), -1))
        content = {
            "card": name, "card_source": str(Path(source_path).resolve()), "task": None,
            "source": {"kind": source.kind, "files": source.files,
                       "settings": {k: v for k, v in source.settings().items() if k != "hls_config"}},
            "precision": options.precision, "versions": manifest.versions(),
            "compile_options": options_record(source_path, options),
            "events": events.description,
            "metrics": {k: v for k, v in result.figures.items() if k != "diagnosis"},
            "diagnosis": result.figures.get("diagnosis"),
            "csim": result.verified.csim, "emulator": result.verified.emulator,
            "target": spec.target_dict(), "report": result.report,
            "build_seconds": round(time.perf_counter() - start, 2),
        }
        manifest.write_manifest(tmp, content)
    log(f"project written to {dest}")
    return CompileResult(dest, Project(dest).manifest())


TARGET_OPTIONS = ("part", "clock_ns", "io_type", "backend", "strategy", "reuse_factor", "multiplier_impl")


def options_record(source_path, options: CompileOptions) -> dict[str, Any]:
    """What a later run needs to convert the same model the same way (a precision scan)."""
    return {"source": str(Path(source_path).resolve()),
            "weights": str(Path(options.weights).resolve()) if options.weights else None,
            "precision": options.precision, **{key: getattr(options, key) for key in TARGET_OPTIONS}}


def _check_options(options: CompileOptions) -> None:
    from l1forge.report.parts import check_part

    choices = (("--io-type", options.io_type, IO_TYPES), ("--backend", options.backend, BACKENDS),
               ("--multiplier-impl", options.multiplier_impl, MULTIPLIER_IMPLS),
               ("--strategy", options.strategy, STRATEGIES), ("--precision", options.precision, PRECISIONS))
    for flag, value, allowed in choices:
        if value is not None and value not in allowed:
            raise UserError(f"{flag} '{value}': expected one of {', '.join(allowed)}")
    if options.part is not None:
        check_part(options.part)
    if options.clock_ns is not None and not 0 < options.clock_ns <= 100:
        raise UserError(f"--clock-ns {options.clock_ns:g}: expected a clock period above 0 and at most 100 ns")
    if options.reuse_factor is not None and options.reuse_factor < 1:
        raise UserError(f"--reuse-factor {options.reuse_factor}: expected at least 1")
    if options.events < 1:
        raise UserError(f"--events {options.events}: expected at least 1")
    if options.dataset is not None and options.data is None:
        raise UserError("--dataset names a dataset of --data; give --data FILE too")


def project_name(source_path, given: str | None) -> str:
    """--name, or the file name made into a C identifier; a given name that is not one is
    refused."""
    from l1forge.card.checks import check_identifier

    if given is not None:
        check_identifier("--name", "name", given)
        return given
    stem = re.sub(r"\W", "_", Path(source_path).stem)
    return stem if re.match(r"^[A-Za-z_]", stem) else f"model_{stem}"


def firmware_spec(source, options: CompileOptions, name: str) -> FirmwareSpec:
    """The target from the options, else the source's settings, else l1forge's defaults;
    the HLSConfig given (as-given) or left to l1forge's passes (exact)."""
    from l1forge.firmware.config import base_config
    from l1forge.report.parts import check_part

    defaults = FirmwareSpec(name=name, input_type=parse_config_type(DEFAULT_INPUT))
    pick = {key: next((v for v in (getattr(options, key), getattr(source, key, None)) if v is not None),
                      getattr(defaults, key))
            for key in TARGET_OPTIONS}
    check_part(pick["part"])
    spec = replace(defaults, **pick)
    config = source.hls_config or base_config(spec, source.model)
    config = _with_target(config, spec, options)
    spec = replace(spec, input_type=parse_config_type(_input_precision(config, source.model)))
    return replace(spec, given_config=config if options.precision == "as-given" else None,
                   config_overrides=tuple(sorted(options.hls_overrides.items())))


def _with_target(config: dict, spec: FirmwareSpec, options: CompileOptions) -> dict:
    """The given HLSConfig with the strategy and reuse factor options applied."""
    import copy

    config = copy.deepcopy(config)
    model = config.setdefault("Model", {})
    if options.strategy is not None or "Strategy" not in model:
        model["Strategy"] = spec.strategy
    if options.reuse_factor is not None or "ReuseFactor" not in model:
        model["ReuseFactor"] = spec.reuse_factor
        for layer in config.get("LayerName", {}).values():
            if isinstance(layer, dict) and options.reuse_factor is not None:
                layer["ReuseFactor"] = spec.reuse_factor
    return config


def _input_precision(config: dict, keras_model, name: str | None = None) -> str:
    """The precision hls4ml gives the input layer `name` (default: the model's first layer)
    under `config`."""
    layers = config.get("LayerName", {})
    if name is None:
        name = keras_model.layers[0].name if keras_model.layers else None
    entry = layers.get(name, {}) if name else {}
    precision = entry.get("Precision") if isinstance(entry, dict) else None
    if isinstance(precision, dict):
        precision = precision.get("result")
    if not precision or precision == "auto":
        precision = config.get("Model", {}).get("Precision", DEFAULT_INPUT)
        if isinstance(precision, dict):
            precision = precision.get("default", DEFAULT_INPUT)
    return str(precision)


def input_types(spec: FirmwareSpec, keras_model) -> list:
    """The firmware's type at each input: the spec's for a single input and, with `exact`,
    on every input (the config passes set it on every InputLayer); for several inputs as
    given, the YAML's (or hls4ml's default) per input layer."""
    if spec.given_config is None or len(keras_model.inputs) == 1:
        return [spec.input_type] * len(keras_model.inputs)
    return [parse_config_type(_input_precision(spec.given_config, keras_model, name))
            for name in keras_model.input_names]


def _events(source, spec: FirmwareSpec, options: CompileOptions):
    from l1forge import intake

    ports = source.ports
    if options.data is not None:
        return intake.events_from_file(options.data, source.input_shape, options.dataset, options.events, ports)
    from l1forge.intake.synthetic import keras_token_inputs

    return intake.port_synthetic_events(input_types(spec, source.model), ports, options.events, options.seed,
                                        keras_token_inputs(source.model))


def _labels(path: Path, n: int) -> np.ndarray:
    path = Path(path)
    try:
        labels = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        raise UserError(f"{path}: not a readable .npy array; expected one integer label per event") from None
    labels = np.asarray(labels)
    if labels.ndim == 2:  # one-hot
        labels = np.argmax(labels, axis=1)
    if labels.ndim != 1 or len(labels) < n:
        raise UserError(f"{path}: labels of shape {list(labels.shape)}; expected at least {n} class "
                        "indices (or one-hot rows), one per event")
    return labels[:n].astype(np.int64)


def agreement_figures(firmware_outputs, keras_outputs, labels: np.ndarray | None) -> dict[str, Any]:
    """How often the firmware's output agrees with Keras: the argmax for several outputs,
    else within 1% of the Keras output range; and the accuracies where labels were given.
    `objective` names what a precision scan ranks designs by."""
    n = len(firmware_outputs)
    fw = np.asarray(firmware_outputs, dtype=np.float64).reshape(n, -1)
    keras = np.asarray(keras_outputs[0] if isinstance(keras_outputs, (list, tuple)) else keras_outputs,
                       dtype=np.float64).reshape(n, -1)
    if fw.shape[1] > 1:
        agreement = float(np.mean(np.argmax(fw, axis=1) == np.argmax(keras, axis=1)))
    else:
        tolerance = 0.01 * max(float(np.ptp(keras)), 1e-12)
        agreement = float(np.mean(np.abs(fw - keras).max(axis=1) <= tolerance))
    out: dict[str, Any] = {"keras_agreement": agreement, "objective": "keras_agreement"}
    if labels is not None and fw.shape[1] > 1:
        out.update(firmware_accuracy=float(np.mean(np.argmax(fw, axis=1) == labels)),
                   keras_accuracy=float(np.mean(np.argmax(keras, axis=1) == labels)),
                   objective="firmware_accuracy")
    return out


def figures_of(keras_model, x: np.ndarray, labels: np.ndarray | None, diagnosis: bool = True):
    """The flow's figures for a user's model: agreement with Keras (and accuracies), and the
    per-layer diagnosis."""
    def figures(verified: flow.Verified, fw: flow.Firmware) -> dict[str, Any]:
        from l1forge import diagnose
        from l1forge.intake.ports import graph_ports, split

        out = agreement_figures(verified.firmware_outputs, verified.keras_outputs, labels)
        if diagnosis and not verified.emulator.get("supported", True):
            # the diagnosis traces the emulator layer by layer: a design it does not model
            # keeps its verified firmware and says why there is no diagnosis
            out.update(diagnosis_skipped=f"the emulator does not model this firmware: {verified.emulator['reason']}")
        elif diagnosis:
            found = diagnose.diagnose(fw.graph, keras_model, split(x, graph_ports(fw.graph)))
            out.update(diagnosis=found.as_dict())
        return out
    return figures
