"""The diagnosis stage: firmware against Keras, layer by layer, on the verification events.

    from l1forge.diagnose import diagnose
    found = diagnose(model_graph, keras_model, x)       # x: firmware inputs (events, ...)
    found.first_divergent_layer, found.cause, found.fix, found.as_dict()

Firmware values are the bit-accurate emulator's trace of the ModelGraph; Keras values come
from the model itself (mapping.py says which Keras tensor each graph layer computes).
With `reconvert` (changes -> ModelGraph, see reconvert.py) the proposed fix is applied,
the model converted and emulated again, and the agreement measured after it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from l1forge import emulate
from l1forge.diagnose import exact
from l1forge.diagnose.causes import LayerContext, explain
from l1forge.diagnose.compare import compare, overflow_fractions
from l1forge.diagnose.keras_values import is_quantized, keras_outputs, keras_values
from l1forge.diagnose.mapping import keras_only, map_layers
from l1forge.diagnose.result import AGREEMENT_THRESHOLD, Diagnosis, Finding, Fix, LayerDiagnosis

MAX_FINDINGS = 4
CARRIED = ("upstream_rounding", "unexplained")  # later layers with these only repeat the first finding
from l1forge.emulate.activations import CastStep
from l1forge.emulate.dense import KernelStep
from l1forge.emulate.inputs import InputStep
from l1forge.errors import UserError


def _unbounded(step, node, firmware_input, keras):
    """The value before the result type's range applies, where l1forge can compute it."""
    if isinstance(step, InputStep):
        return keras
    if isinstance(step, KernelStep):
        wide = exact.exact_accumulator(step, node)
        return None if wide is None else exact.kernel_output(step, node, firmware_input, wide, wide)
    if isinstance(step, CastStep):
        return exact.exact_activation("relu" if step.relu else "linear", firmware_input)
    return None


def _keras_weights(keras_model, counterpart, node):
    """The weights of the Keras layer a Dense/Conv graph layer stands for (same name only)."""
    if counterpart.keras_layer != node.name or node.class_name not in ("Dense", "Conv1D", "Conv2D"):
        return None
    return tuple(keras_model.get_layer(node.name).get_weights())


def _row(node, step, counterpart, note, quantized=False, comparison=None) -> LayerDiagnosis:
    ftype = step.output.ftype if step is not None else None
    saturated = wrapped = None
    if comparison is not None:
        saturated, wrapped = overflow_fractions(comparison, ftype)
    return LayerDiagnosis(
        node.name, node.class_name, str(ftype) if ftype else "", counterpart.keras_layer if counterpart else None,
        note, quantized, comparison.agreement if comparison else None,
        comparison.max_lsb_error if comparison else None, saturated, wrapped,
        comparison.tolerance if comparison else None)


def _argmax_agreement(firmware, keras) -> float:
    return float(np.mean(firmware.reshape(len(firmware), -1).argmax(axis=1) == keras.reshape(len(keras), -1).argmax(axis=1)))


def _is_classifier(graph, keras_model) -> bool:
    last = list(graph.get_layers())[-1]
    activation = getattr(keras_model.layers[-1], "activation", None)
    return last.class_name == "Softmax" or getattr(activation, "__name__", "") == "softmax"


def _first_output(values):
    return values[0] if isinstance(values, list) else values


def diagnose(graph, keras_model, x, *, emulator=None, classifier: bool | None = None, reconvert=None) -> Diagnosis:
    """Diagnose the firmware of `graph` against `keras_model` on events `x` (firmware-input
    space: what the Keras model takes). `emulator`: an already planned emulator of `graph`.
    `classifier`: report the argmax agreement (default: when the model ends in a softmax).
    `reconvert`: a callable taking {dotted config key: value} and returning the ModelGraph
    converted with those changes, to measure the fix."""
    emulator = emulator or emulate.from_graph(graph)
    trace = emulator.trace(x)
    steps = {step.name: step for step in [*emulator.input_steps, *emulator.steps]}
    step_of_signal = {step.output.name: step.name for step in steps.values()}
    mapping = map_layers(graph, keras_model)
    keras = keras_values(keras_model, x, mapping)
    rows, contexts = [], {}
    for node in graph.get_layers():
        step, counterpart = steps.get(node.name), mapping[node.name]
        if step is None:
            rows.append(_row(node, None, counterpart, "copies a stream; computes nothing"))
            continue
        if counterpart.kind == "none" or node.name not in keras:
            rows.append(_row(node, step, counterpart, counterpart.note))
            continue
        firmware, reference = trace[step.name].reshape(len(trace[step.name]), -1), keras[node.name]
        if firmware.shape != reference.shape:
            rows.append(_row(node, step, counterpart, f"{counterpart.note}; not compared: firmware has "
                                                      f"{firmware.shape[1]} values, Keras {reference.shape[1]}"))
            continue
        source = step_of_signal.get(step.inputs[0]) if step.inputs else None
        firmware_input = trace[source].reshape(len(firmware), -1) if source else None
        quantized = is_quantized(keras_model, counterpart)
        unbounded = _unbounded(step, node, firmware_input, reference)
        comparison = compare(firmware, reference, step.output.ftype, quantized, unbounded)
        rows.append(_row(node, step, counterpart, counterpart.note, quantized, comparison))
        contexts[node.name] = LayerContext(node.name, node, step, firmware, firmware_input, reference, comparison,
                                           quantized, unbounded, _keras_weights(keras_model, counterpart, node))
    if not any(name for name in contexts if mapping[name].kind != "input"):
        raise UserError("no layer of the hls4ml model matches a Keras layer by name; expected the Keras model "
                        "the firmware was converted from")
    classifier = _is_classifier(graph, keras_model) if classifier is None else classifier
    keras_out = keras_outputs(keras_model, x)[0] if classifier else None
    argmax = _argmax_agreement(_first_output(emulator.predict(x)), keras_out) if classifier else None
    findings = _findings(rows, contexts, reconvert, x, keras_out)
    combined = None
    if reconvert is not None and sum(1 for f in findings if f.fix and f.fix.changes) > 1:
        changes = tuple(change for f in findings if f.fix for change in f.fix.changes)
        last = [row.name for row in rows if row.name in contexts][-1]
        combined = _measure_fix(Fix(changes, "every fix above, together; agreement measured at the last layer, "
                                    f"{last}"), last, contexts[last], reconvert, x, keras_out)
    events = len(next(iter(trace.values())))
    return Diagnosis(events, tuple(rows), tuple(findings), argmax, keras_only(mapping, keras_model), combined)


def _findings(rows, contexts, reconvert, x, keras_out) -> list[Finding]:
    """The first divergent layer, then each later divergent layer with a cause of its own
    (found on its own firmware inputs, so not merely carried from the first)."""
    names = list(contexts)  # in graph order
    findings: list[Finding] = []
    for row in rows:
        if row.agreement is None or row.agreement >= AGREEMENT_THRESHOLD or len(findings) >= MAX_FINDINGS:
            continue
        cause, fix = explain(contexts[row.name], [contexts[name] for name in names[:names.index(row.name)]])
        if findings and cause.kind in CARRIED:
            continue
        if fix is not None and reconvert is not None and fix.changes:
            fix = _measure_fix(fix, row.name, contexts[row.name], reconvert, x, keras_out)
        findings.append(Finding(row.name, cause, fix))
    return findings


def _measure_fix(fix, layer, context, reconvert, x, keras_out):
    """Convert again with the fix, emulate, and measure the layer's agreement (and the argmax)."""
    fixed = emulate.from_graph(reconvert(dict(fix.changes)))
    trace = fixed.trace(x)
    if layer not in trace:
        return fix
    step = next(s for s in [*fixed.input_steps, *fixed.steps] if s.name == layer)
    after = compare(trace[layer], context.keras, step.output.ftype, context.quantized).agreement
    argmax = None if keras_out is None else _argmax_agreement(_first_output(fixed.predict(x)), keras_out)
    return dataclasses.replace(fix, agreement_after=after, argmax_agreement_after=argmax)
