"""Starting quantization-aware training from the trained float twin (`training.qat_init: float`).

The QAT network and its float twin are built from the same card layers under the same
names, so every weighted layer of one has its counterpart, of the same weight shapes, in
the other: Dense/QDense and Conv2D/QConv2D hold kernel and bias, a batch normalization its
gamma, beta and moving statistics in both. A layer wrapped for pruning receives the weights
in its inner layer; the wrapper's own masks start full, so magnitude pruning then chooses
the weights to zero from the float solution instead of from a random start.
"""

from __future__ import annotations


def start_from(network, float_model) -> int:
    """Copy `float_model`'s weights into `network`, layer by layer by name; return how many
    layers were copied. Raises ValueError when a weighted layer has no counterpart."""
    source = {layer.name: layer for layer in _weighted(float_model)}
    copied = 0
    for layer in _weighted(network):
        twin = source.pop(layer.name, None)
        if twin is None:
            raise ValueError(f"layer {layer.name!r} of {network.name} has no float counterpart")
        shapes = [w.shape for w in layer.get_weights()], [w.shape for w in twin.get_weights()]
        if shapes[0] != shapes[1]:
            raise ValueError(f"layer {layer.name!r}: weight shapes {shapes[0]} against the float "
                             f"twin's {shapes[1]}")
        layer.set_weights(twin.get_weights())
        copied += 1
    if source:
        raise ValueError(f"float layers {sorted(source)} have no counterpart in {network.name}")
    return copied


def _weighted(model):
    """The layers holding weights, pruning wrappers replaced by the layer they wrap."""
    for layer in model.layers:
        inner = getattr(layer, "layer", None)  # tfmot's PruneLowMagnitude
        layer = inner if inner is not None and hasattr(layer, "pruning_vars") else layer
        if layer.get_weights():
            yield layer
