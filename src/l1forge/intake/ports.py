"""A model's input ports, and the events of a model with several inputs.

A model with several inputs (a smart-pixel CNN's cluster image beside its scalar inputs, a
tagger's tracks beside its vertices) is verified on events laid end to end: one row per
event holds every input's values, each flattened, in the ModelGraph's input order. That
is the order of the C-simulation test bench's input arrays (csim.testbench_source reads
one row of doubles and hands each input its slice) and of hls4ml's `predict` list. `split`
gives each input its own (events, *shape) array for hls4ml's predict, the emulator and
Keras; a single-input model's events keep their own shape and pass through unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from l1forge.errors import UserError


@dataclass(frozen=True)
class Port:
    """One input of a model: its name and the shape of one event at it."""

    name: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return int(math.prod(self.shape)) if self.shape else 1


def graph_ports(graph) -> list[Port]:
    """The ModelGraph's inputs, in its order."""
    return [Port(str(var.name), tuple(int(d) for d in var.shape)) for var in graph.get_input_variables()]


def keras_ports(model, where) -> list[Port]:
    """The Keras model's inputs, in its order; an unknown dimension is refused."""
    ports = []
    for tensor in model.inputs:
        dims = tuple(tensor.shape[1:])
        if any(d is None for d in dims):
            raise UserError(f"{where}: the model's input '{tensor.name}' has the shape {dims}, with an "
                            "unknown dimension; expected a fixed event shape")
        ports.append(Port(str(tensor.name), tuple(int(d) for d in dims)))
    if not ports:
        raise UserError(f"{where}: the model has no input; expected at least one")
    return ports


def event_shape(ports: list[Port]) -> tuple[int, ...]:
    """The shape of one event: the input's own, or for several inputs one row of all their
    values end to end."""
    if len(ports) == 1:
        return ports[0].shape
    return (sum(port.size for port in ports),)


def split(x, ports: list[Port]):
    """Per-input arrays (events, *shape) of events laid end to end (module docs); the events
    themselves for a single input."""
    if len(ports) == 1:
        return x
    x = np.asarray(x)
    flat = x.reshape(len(x), -1)
    width = sum(port.size for port in ports)
    if flat.shape[1] != width:
        raise UserError(f"events of {flat.shape[1]} values each; the model's {len(ports)} inputs take "
                        f"{width} ({' + '.join(str(port.size) for port in ports)})")
    arrays, start = [], 0
    for port in ports:
        arrays.append(flat[:, start:start + port.size].reshape((len(x),) + port.shape))
        start += port.size
    return arrays


def describe(ports: list[Port]) -> str | None:
    """What one event row of a model with several inputs holds, for messages (None for a
    single input)."""
    if len(ports) == 1:
        return None
    parts = " + ".join(f"{port.name} {list(port.shape)}" for port in ports)
    return f"its {len(ports)} inputs' values laid end to end, {parts}"


def keras_inputs(x, ports: list[Port], model):
    """Events laid end to end in the ModelGraph's input order (`ports`) as the Keras model's
    predict takes them: per-input arrays in the model's own input order (matched by name,
    else by position) and shapes."""
    if len(ports) == 1:
        return x
    arrays = dict(zip([port.name for port in ports], split(x, ports)))
    names = list(model.input_names)
    ordered = [arrays[name] for name in names] if set(names) == set(arrays) else list(arrays.values())
    return [a.reshape((len(a),) + tuple(int(d) for d in tensor.shape[1:])) for a, tensor in zip(ordered, model.inputs)]


def arrays_per_input(where, arrays, names: list[str], ports: list[Port]) -> list | None:
    """The arrays of a file (HDF5 datasets or .npz members, `arrays[name]`, left unread)
    named as the inputs, in the ports' order, each checked for numbers of its input's size
    per event and all for one count of events; None when the file does not name every input
    (or the model has one)."""
    if len(ports) < 2 or not all(port.name in names for port in ports):
        return None
    parts = [arrays[port.name] for port in ports]
    for part, port in zip(parts, ports):
        if part.dtype.kind not in "fiub":
            raise UserError(f"{where}[{port.name}]: events of dtype {part.dtype}; expected numbers")
        if part.ndim < 1 or int(np.prod(part.shape[1:])) != port.size:
            raise UserError(f"{where}[{port.name}]: events of shape {part.shape}; the model expects "
                            f"(events, {', '.join(map(str, port.shape))})")
    counts = {port.name: int(part.shape[0]) for port, part in zip(ports, parts)}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{name} {n}" for name, n in counts.items())
        raise UserError(f"{where}: the inputs' arrays hold different numbers of events ({listed}); expected "
                        "one row per event in each")
    return parts
