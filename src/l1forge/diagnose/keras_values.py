"""Keras's value for every graph layer's counterpart, on the verification events: one
multi-output tf.keras Model for layer outputs, and a linear copy of a layer (its weights,
its activation removed) for the values before a built-in activation."""

from __future__ import annotations

import numpy as np

from l1forge.diagnose.mapping import Counterpart
from l1forge.errors import UserError

BATCH = 1024


def _event_list(x) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float32) for a in x] if isinstance(x, (list, tuple)) else [np.asarray(x, np.float32)]


def _linear_copy(layer):
    """The same layer with `activation="linear"` and the same weights."""
    config = dict(layer.get_config(), activation="linear", name=f"{layer.name}_linear_copy")
    try:
        copy = type(layer).from_config(config)
        copy.build(layer.input_shape)
        copy.set_weights(layer.get_weights())
    except (TypeError, ValueError) as error:
        raise UserError(f"Keras layer '{layer.name}' ({type(layer).__name__}): cannot compute its value before "
                        f"its activation ({error}); expected a layer whose config takes activation='linear'") from error
    return copy


def run_batched(model, events: list[np.ndarray]) -> list[np.ndarray]:
    """The model called directly (no predict loop to set up) on batches of events."""
    import tensorflow as tf

    parts: list[list[np.ndarray]] = []
    for start in range(0, len(events[0]), BATCH):
        batch = [e[start:start + BATCH] for e in events]
        try:
            out = model(batch if len(batch) > 1 else batch[0], training=False)
        except (ValueError, TypeError, tf.errors.InvalidArgumentError) as error:
            shapes = ", ".join(str(list(e.shape[1:])) for e in events)
            raise UserError(f"the Keras model refuses events of shape {shapes} "
                            f"({str(error).splitlines()[0][:160]}); expected the model the firmware was converted from") from None
        out = out if isinstance(out, (list, tuple)) else [out]
        parts.append([np.asarray(o) for o in out])
    return [np.concatenate(column) for column in zip(*parts)]


def keras_outputs(keras_model, x) -> list[np.ndarray]:
    return run_batched(keras_model, _event_list(x))


def keras_values(keras_model, x, mapping: dict[str, Counterpart]) -> dict[str, np.ndarray]:
    """Graph layer name -> Keras value of its counterpart, shape (events, features), float64."""
    import tensorflow as tf

    events = _event_list(x)
    wanted, tensors = [], []
    for name, counterpart in mapping.items():
        if counterpart.kind == "output":
            wanted.append((name, "output"))
            tensors.append(keras_model.get_layer(counterpart.keras_layer).output)
        elif counterpart.kind == "pre_activation":
            wanted.append((name, "pre_activation"))
            tensors.append(keras_model.get_layer(counterpart.keras_layer).input)
    values: dict[str, np.ndarray] = {}
    if tensors:
        computed = run_batched(tf.keras.Model(keras_model.inputs, tensors), events)
        for (name, kind), value in zip(wanted, computed):
            if kind == "pre_activation":
                copy = _linear_copy(keras_model.get_layer(mapping[name].keras_layer))
                value = np.concatenate([np.asarray(copy(value[i:i + BATCH])) for i in range(0, len(value), BATCH)])
            values[name] = np.asarray(value, dtype=np.float64).reshape(len(value), -1)
    for name, counterpart in mapping.items():
        if counterpart.kind == "input":
            if counterpart.index >= len(events):
                raise UserError(f"input layer '{name}': the Keras model has {len(events)} inputs")
            values[name] = events[counterpart.index].astype(np.float64).reshape(len(events[0]), -1)
    return values


def is_quantized(keras_model, counterpart: Counterpart) -> bool:
    """A QKeras layer: its firmware counterpart should match it within one result LSB."""
    if counterpart.kind in ("input", "none") or counterpart.keras_layer is None:
        return counterpart.kind == "input"
    layer = keras_model.get_layer(counterpart.keras_layer)
    return type(layer).__module__.split(".")[0] == "qkeras"
