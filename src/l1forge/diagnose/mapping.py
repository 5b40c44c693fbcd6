"""Which Keras tensor each ModelGraph layer computes, after hls4ml's optimizer has split,
fused and removed layers.

hls4ml keeps Keras layer names, so names are the thread. What its passes change:
- a Keras layer with a built-in activation (`Dense(..., activation="relu")`) becomes two
  graph layers: the layer itself, linear (compared with the Keras layer *before* its
  activation), and an activation layer reading it (compared with the Keras layer's output);
- layers removed from the graph (a batch normalization fused into the Dense before it, a
  linear activation, Dropout, a Flatten in io_parallel) hand their output to the last graph
  layer before them: that graph layer then computes the end of the removed chain;
- layers hls4ml inserts (io_stream Repack, Clone, Transpose) have no Keras counterpart and
  are listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass

INPUT_CLASSES = ("Input", "InputLayer")
ACTIVATION_CLASSES = ("Activation", "ParametrizedActivation", "Softmax", "HardActivation", "PReLU",
                      "TernaryTanh", "UnaryLUT")


@dataclass(frozen=True)
class Counterpart:
    """The Keras value a graph layer is compared with. `kind`: "input" (the events themselves,
    input number `index`), "output" (the output of `keras_layer`), "pre_activation" (the
    output of `keras_layer` with its built-in activation removed), or "none"."""

    kind: str
    keras_layer: str | None
    note: str
    index: int = 0
    covers: tuple[str, ...] = ()  # every Keras layer this graph layer stands for


def has_builtin_activation(layer) -> bool:
    """A Keras layer whose `activation` hls4ml splits off into a layer of its own. A
    recurrent layer's (LSTM, GRU, SimpleRNN: they carry recurrent_initializer) is its cell's
    own activation, applied inside every step: nothing is split off."""
    config = layer.get_config() if hasattr(layer, "get_config") else {}
    activation = config.get("activation")
    if activation is None or "recurrent_initializer" in config:
        return False
    if isinstance(activation, dict):  # a serialized quantizer or activation object
        activation = activation.get("class_name", "") + str(activation.get("config", ""))
    return str(activation).lower() not in ("linear", "none", "")


def _consumers(layer) -> list:
    return [node.outbound_layer for node in getattr(layer, "_outbound_nodes", [])]


def _inbound_count(layer) -> int:
    nodes = getattr(layer, "_inbound_nodes", [])
    if len(nodes) != 1:
        return len(nodes)
    inbound = nodes[0].inbound_layers
    return len(inbound) if isinstance(inbound, (list, tuple)) else 1


def _absent_chain(layer, graph_names: set[str]) -> list:
    """Keras layers after `layer` that the graph dropped, each reading only the one before
    and being its only reader."""
    chain = []
    current = layer
    while True:
        readers = _consumers(current)
        if len(readers) != 1 or readers[0].name in graph_names or _inbound_count(readers[0]) != 1:
            return chain
        chain.append(readers[0])
        current = readers[0]


def _output_of(layer, graph_names: set[str], note: str) -> Counterpart:
    chain = _absent_chain(layer, graph_names)
    if not chain:
        return Counterpart("output", layer.name, note, covers=(layer.name,))
    names = [c.name for c in chain]
    fused = f"{note}; " if note else ""
    return Counterpart("output", chain[-1].name,
                       f"{fused}compared with Keras {chain[-1].name}: hls4ml folded or removed "
                       f"{', '.join(names)} after {layer.name}", covers=(layer.name, *names))


def map_layers(graph, keras_model) -> dict[str, Counterpart]:
    """Graph layer name -> its Keras counterpart."""
    keras_layers = {layer.name: layer for layer in keras_model.layers}
    nodes = list(graph.get_layers())
    graph_names = {node.name for node in nodes}
    producer = {out: node for node in nodes for out in node.outputs}
    input_names = [layer.name for layer in keras_model._input_layers] if hasattr(keras_model, "_input_layers") else []
    mapping: dict[str, Counterpart] = {}
    inputs_seen = 0
    for node in nodes:
        keras_layer = keras_layers.get(node.name)
        if node.class_name in INPUT_CLASSES:
            index = input_names.index(node.name) if node.name in input_names else inputs_seen
            inputs_seen += 1
            mapping[node.name] = Counterpart("input", node.name, "the verification events", index=index,
                                             covers=(node.name,))
        elif keras_layer is not None and has_builtin_activation(keras_layer) and node.class_name not in ACTIVATION_CLASSES:
            mapping[node.name] = Counterpart("pre_activation", node.name,
                                             f"Keras {node.name} before its activation (hls4ml splits it off)",
                                             covers=(node.name,))
        elif keras_layer is not None:
            mapping[node.name] = _output_of(keras_layer, graph_names, "")
        else:
            source = producer.get(node.inputs[0]) if node.inputs else None
            owner = keras_layers.get(source.name) if source is not None else None
            if (node.class_name in ACTIVATION_CLASSES and owner is not None and has_builtin_activation(owner)):
                mapping[node.name] = _output_of(owner, graph_names, f"the activation of Keras {owner.name}")
            else:
                mapping[node.name] = Counterpart("none", None, "inserted by hls4ml; no Keras layer computes it")
    return mapping


def keras_only(mapping: dict[str, Counterpart], keras_model) -> tuple[str, ...]:
    """Keras layers no graph layer stands for (neither compared nor folded into one)."""
    covered = {name for c in mapping.values() for name in c.covers}
    return tuple(layer.name for layer in keras_model.layers
                 if layer.name not in covered and type(layer).__name__ != "InputLayer")
