"""Neurons of a pruned io_parallel network that the HLS tool never builds.

hls4ml's io_parallel Latency design hands every layer's outputs to the next as plain
values, and the tool optimises across the layer boundary:

- constant propagation: a neuron whose every incoming weight is zero outputs a constant
  (its bias, through its activation), so each product of that constant in the next layer
  is a constant too and folds into that layer's bias;
- dead-code elimination: a neuron whose every outgoing weight in the next layer is zero
  feeds nothing, so its own products and adder tree are removed.

Pruned networks have many such neurons (a 4-128-3 MLP pruned to 75%: 51 of the 128
hidden neurons feed nothing and 43 are constants). Vivado HLS 2020.1 shows both: the
pruned RF 1 build has 81 DSPs in its first layer, the count of distinct multiplies left
once the dead neurons are removed (113 without), and the verbose schedule of the RF 16
build issues no multiply for the hidden neurons that are constants. In io_stream the
values cross FIFOs between dataflow processes, where neither optimisation reaches, so
this applies to io_parallel only.

`folded_masks` walks a sequential chain of Dense layers joined only by element-wise
layers (activations, batch normalization); anything else (a merge, a reshape, a second
consumer) ends the chain and nothing is folded across it.
"""

from __future__ import annotations

import numpy as np

from l1forge.report import registry

Masks = tuple[np.ndarray, np.ndarray]  # (constant inputs, dead outputs) of one Dense layer


def _consumers(layers) -> dict[str, int]:
    count: dict[str, int] = {}
    for layer in layers:
        for name in (layer.inputs or []):
            count[name] = count.get(name, 0) + 1
    return count


def _chains(layers) -> list[list]:
    """Runs of Dense layers where each feeds the next through element-wise layers only."""
    consumers = _consumers(layers)
    by_input: dict[str, object] = {}
    for layer in layers:
        if len(layer.inputs or []) == 1:
            by_input[layer.inputs[0]] = layer
    chains, seen = [], set()
    for layer in layers:
        if layer.class_name != "Dense" or layer.name in seen:
            continue
        chain = [layer]
        seen.add(layer.name)
        current = layer
        while consumers.get(current.name, 0) == 1 and current.name in by_input:
            nxt = by_input[current.name]
            if nxt.class_name == "Dense":
                chain.append(nxt)
                seen.add(nxt.name)
            elif nxt.class_name not in registry.ELEMENTWISE or nxt.get_attr("activation") == "softmax":
                break
            current = nxt
        chains.append(chain)
    return chains


def folded_masks(graph, codes_of) -> dict[str, Masks]:
    """For every Dense layer of a chain: which inputs are constants and which outputs are
    dead. `codes_of(layer)` gives its weight codes as an (inputs, outputs) matrix."""
    masks: dict[str, Masks] = {}
    for chain in _chains(list(graph.get_layers())):
        if len(chain) < 2 or any(str(layer.get_attr("strategy", "latency")).lower() != "latency"
                                 for layer in chain):
            continue
        nonzero = [np.asarray(codes_of(layer)) != 0 for layer in chain]
        if any(a.shape[1] != b.shape[0] for a, b in zip(nonzero, nonzero[1:])):
            continue  # not a plain vector chain (a reshape hides in it)
        const = [np.zeros(nonzero[0].shape[0], dtype=bool)]
        for nz in nonzero[:-1]:  # forward: an output with no live incoming product is a constant
            const.append(~(nz & ~const[-1][:, None]).any(axis=0))
        dead = [np.zeros(nonzero[-1].shape[1], dtype=bool)]
        for nz in reversed(nonzero[1:]):  # backward: an output no live product of the next layer reads
            dead.insert(0, ~(nz & ~dead[0][None, :]).any(axis=1))
        for layer, c, d in zip(chain, const, dead):
            masks[layer.name] = (c, d)
    return masks
