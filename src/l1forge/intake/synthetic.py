"""Seeded synthetic verification events in firmware-input space, for a model given without
data. They are built from the firmware's input type (the ModelGraph's input variable) so
that the C-simulation and the emulator meet what a fixed-point input can do to them:

- normal: draws centred on the type's range, its standard deviation a sixth of the range
  (a few land beyond it, where the type saturates or wraps);
- grid: values the type holds exactly (uniform codes);
- half_lsb_ties: exactly half-way between two neighbouring values, where the type's
  rounding mode decides;
- edges: the extremes, one LSB and half an LSB beyond them, zero and one LSB either side
  of it; the first rows all-maximum, all-minimum, all one LSB above and all one below.

Every value is exact in float64 (code + 0 or 0.5, times a power of two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from l1forge.errors import UserError
from l1forge.intake.events import VerificationEvents

if TYPE_CHECKING:
    from l1forge.emulate.fixed import FixedType

BLOCKS = ("normal", "grid", "half_lsb_ties", "edges")


def input_types(graph) -> list[FixedType]:
    """The firmware's input types, one per ModelGraph input variable, in its order."""
    from l1forge.emulate.fixed import from_precision

    return [from_precision(var.type.precision, f"input {var.name}") for var in graph.get_input_variables()]


def input_type(graph) -> FixedType:
    """The firmware's input type of a single-input ModelGraph."""
    types = input_types(graph)
    if len(types) != 1:
        raise UserError(f"the model has {len(types)} inputs; expected one here")
    return types[0]


def graph_input_shape(graph) -> tuple[int, ...]:
    """The shape of one event at the ModelGraph's inputs (ports.event_shape: several inputs
    laid end to end)."""
    from l1forge.intake.ports import event_shape, graph_ports

    return event_shape(graph_ports(graph))


def graph_synthetic_events(graph, n: int, seed: int = 0) -> VerificationEvents:
    """`n` seeded events for the ModelGraph's inputs, each input's values from its own type
    (token ids for an input an Embedding reads: graph_token_inputs)."""
    from l1forge.intake.ports import graph_ports

    return port_synthetic_events(input_types(graph), graph_ports(graph), n, seed, graph_token_inputs(graph))


def graph_token_inputs(graph) -> dict[str, int]:
    """Inputs of the ModelGraph that an Embedding reads, with its table's rows: their values
    are token ids, and one outside the table makes the firmware read undefined memory."""
    inputs = {var.name for var in graph.get_input_variables()}
    return {layer.inputs[0]: int(layer.get_attr("vocab_size")) for layer in graph.get_layers()
            if layer.class_name == "Embedding" and layer.inputs and layer.inputs[0] in inputs}


def keras_token_inputs(model) -> dict[str, int]:
    """graph_token_inputs for a Keras model, read before conversion (compile's events)."""
    found = {}
    for layer in getattr(model, "_input_layers", []):
        for node in getattr(layer, "_outbound_nodes", []):
            if type(node.outbound_layer).__name__ == "Embedding":
                found[layer.name] = int(node.outbound_layer.input_dim)
    return found


def _with_tokens(events: VerificationEvents, ports, tokens: dict[str, int], seed: int) -> VerificationEvents:
    """The events with each token input's values replaced by seeded ids in [0, rows)."""
    if not tokens:
        return events
    rng = np.random.default_rng(seed + 7919)
    x, start = events.x.reshape(len(events.x), -1).copy(), 0
    for port in ports:
        if port.name in tokens:
            x[:, start:start + port.size] = rng.integers(0, tokens[port.name], (len(x), port.size))
        start += port.size
    return VerificationEvents(x.reshape(events.x.shape), {**events.description, "tokens": dict(tokens)})


def port_synthetic_events(types, ports, n: int, seed: int = 0, tokens: dict[str, int] | None = None
                          ) -> VerificationEvents:
    """Synthetic events for several inputs laid end to end (ports.py), each input drawn from
    its own type with its own seed (seed + its index); the blocks (normal, grid, ties,
    edges) fall on the same rows for every input. One input: `synthetic_events`. An input
    named in `tokens` (an Embedding's) takes seeded token ids below its table's rows."""
    if len(ports) == 1:
        return _with_tokens(synthetic_events(types[0], ports[0].shape, n, seed), ports, tokens or {}, seed)
    parts = [synthetic_events(ftype, port.shape, n, seed + i) for i, (ftype, port) in enumerate(zip(types, ports))]
    x = np.concatenate([part.x.reshape(n, -1) for part in parts], axis=1)
    first = parts[0].description
    description = {**first, "input_type": [part.description["input_type"] for part in parts],
                   "lsb": [part.description["lsb"] for part in parts],
                   "range": [part.description["range"] for part in parts],
                   "inputs": [{"name": port.name, "shape": list(port.shape)} for port in ports],
                   "blocks": [{k: v for k, v in block.items() if k == "name" or k == "rows"}
                              for block in first["blocks"]]}
    return _with_tokens(VerificationEvents(x, description), ports, tokens or {}, seed)


def block_sizes(n: int) -> dict[str, int]:
    """Rows per block: a tenth each for grid, ties and edges (at least one from 4 events),
    the rest normal draws."""
    special = max(1, n // 10) if n >= 4 else 0
    return {"normal": n - 3 * special, "grid": special, "half_lsb_ties": special, "edges": special}


def _edge_codes(ftype: FixedType) -> np.ndarray:
    lo, hi = ftype.code_min, ftype.code_max
    codes = {lo, hi, lo - 1, hi + 1, lo - 0.5, hi + 0.5, 0, 1}
    if ftype.signed:
        codes.add(-1)
    return np.array(sorted(codes), dtype=np.float64)


def _edges(ftype: FixedType, rows: int, width: int, rng: np.random.Generator) -> np.ndarray:
    lo, hi = ftype.code_min, ftype.code_max
    fixed_rows = [hi, lo, hi + 1, lo - 1]
    codes = rng.choice(_edge_codes(ftype), size=(rows, width))
    for row, code in enumerate(fixed_rows[:rows]):
        codes[row] = code
    return codes


def synthetic_events(ftype: FixedType, input_shape, n: int, seed: int = 0) -> VerificationEvents:
    """`n` seeded events of shape `input_shape` for the input type `ftype`."""
    if n < 1:
        raise UserError(f"synthetic events: {n}; expected at least 1")
    shape = tuple(int(d) for d in input_shape)
    width = int(np.prod(shape)) if shape else 1
    rng = np.random.default_rng(seed)
    lo, hi, lsb = ftype.code_min, ftype.code_max, ftype.lsb
    value_min, value_max = lo * lsb, hi * lsb
    mean, sd = (value_min + value_max) / 2, (value_max - value_min) / 6
    sizes = block_sizes(n)
    parts = {
        "normal": rng.normal(mean, sd, size=(sizes["normal"], width)),
        "grid": rng.integers(lo, hi, size=(sizes["grid"], width), endpoint=True) * lsb,
        "half_lsb_ties": (rng.integers(lo, max(lo, hi - 1), size=(sizes["half_lsb_ties"], width),
                                       endpoint=True) + 0.5) * lsb,
        "edges": _edges(ftype, sizes["edges"], width, rng) * lsb,
    }
    blocks, start = [], 0
    for name in BLOCKS:
        blocks.append({"name": name, "rows": [start, start + sizes[name]]})
        start += sizes[name]
    blocks[0].update(mean=mean, sd=sd)
    x = np.concatenate([parts[name] for name in BLOCKS]).astype(np.float64).reshape((n,) + shape)
    description = {"kind": "synthetic", "seed": int(seed), "events": int(n), "input_type": str(ftype),
                   "lsb": lsb, "range": [value_min, value_max], "blocks": blocks}
    return VerificationEvents(x, description)
