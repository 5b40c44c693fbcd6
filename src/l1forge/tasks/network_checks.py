"""The checks of a card's network that every model family shares: the layer stack (types
from the models stage's registry, names, per-layer quantizers and sparsity), the pruning
schedule, and the layer types distributed arithmetic may build. Task.check_card runs them;
card/ checks only what needs no knowledge of the models stage."""

from __future__ import annotations

from l1forge.card.checks import bad, check_identifier, one_of
from l1forge.card.schema import PRUNING_SCHEDULES, Card
from l1forge.card_specs import network_spec
from l1forge.models.layers import LAYERS, layer_quant
from l1forge.models.pruning import end_epoch, is_pruned


def check_network(card: Card) -> None:
    _check_layers(card)
    _check_pruning(card)
    if card.target.strategy == "distributed_arithmetic":
        _check_distributed_arithmetic(card)


def _check_layers(card: Card) -> None:
    src, model = card.source, card.model
    if not model.layers:
        bad(src, "model.layers", "a non-empty list of layers")
    if not model.input_shape or any(d <= 0 for d in model.input_shape):
        bad(src, "model.input_shape", f"positive sizes, got {list(model.input_shape)}")
    seen: set[str] = set()
    for i, layer in enumerate(model.layers):
        where = f"model.layers[{i}]"
        one_of(src, f"{where}.type", layer.type, tuple(LAYERS))
        if layer.name:
            check_identifier(src, f"{where}.name", layer.name)
            if layer.name in seen:
                bad(src, f"{where}.name", f"a name not used by another layer, got '{layer.name}'")
            seen.add(layer.name)
        check = LAYERS[layer.type].check
        problem = check(layer, where) if check else None
        if problem:
            bad(src, *problem)
        if layer.padding not in ("same", "valid"):
            bad(src, f"{where}.padding", f"same or valid, got '{layer.padding}'")
        _check_layer_precision(card, layer, where)



def _check_layer_precision(card: Card, layer, where: str) -> None:
    """Per-layer quantizer overrides and sparsity: in range, and only where the layer has
    the weights or the activation quantizer they change."""
    src, kind = card.source, LAYERS[layer.type]
    lq = layer_quant(network_spec(card), layer)
    groups = (("weight", kind.has_weights, "a layer with weights (dense, conv2d)"),
              ("bias", kind.has_weights, "a layer with weights (dense, conv2d)"),
              ("activation", kind.quantized_activation, "a quantized activation (relu, leaky_relu, quantize)"))
    for name, allowed, owner in groups:
        bits, integer = getattr(layer, f"{name}_bits"), getattr(layer, f"{name}_integer")
        for key, value in ((f"{name}_bits", bits), (f"{name}_integer", integer)):
            unset = value is None or (key.endswith("_bits") and value == 0)
            if not unset and not allowed:
                bad(src, f"{where}.{key}", f"no {key} on a '{layer.type}' layer: it applies to {owner}")
        if bits and not 2 <= bits <= 32:
            bad(src, f"{where}.{name}_bits", f"a bit width from 2 to 32 (0 = card default), got {bits}")
        effective_bits, effective_integer = getattr(lq, f"{name}_bits"), getattr(lq, f"{name}_integer")
        if integer is not None and not 0 <= integer <= effective_bits:
            bad(src, f"{where}.{name}_integer",
                f"integer bits from 0 to {effective_bits} (the layer's {name} bits), got {integer}")
        if bits and integer is None and not 0 <= effective_integer <= effective_bits:
            bad(src, f"{where}.{name}_bits", f"at least the {effective_integer} integer bits of the "
                                             f"card's {name}_integer, got {effective_bits}")
    if layer.type == "quantize" and not 0 <= lq.activation_integer < lq.activation_bits:
        bad(src, f"{where}.activation_integer",
            f"integer bits from 0 to {lq.activation_bits - 1} on a 'quantize' layer (its "
            f"{lq.activation_bits} bits include the sign), got {lq.activation_integer}")
    if layer.sparsity is not None:
        if not kind.has_weights:
            bad(src, f"{where}.sparsity", f"no sparsity on a '{layer.type}' layer: it applies to "
                                          "a layer with weights (dense, conv2d)")
        if not 0 <= layer.sparsity < 1:
            bad(src, f"{where}.sparsity", f"a fraction of zero weights in [0, 1), got {layer.sparsity:g}")


def _check_pruning(card: Card) -> None:
    src, p = card.source, card.pruning
    if not 0 <= p.sparsity < 1:
        bad(src, "pruning.sparsity", f"a fraction of zero weights in [0, 1), got {p.sparsity:g}")
    one_of(src, "pruning.schedule", p.schedule, PRUNING_SCHEDULES)
    if p.begin_epoch < 0:
        bad(src, "pruning.begin_epoch", f"0 or more, got {p.begin_epoch}")
    if p.end_epoch is not None and p.end_epoch <= p.begin_epoch:
        bad(src, "pruning.end_epoch", f"an epoch after pruning.begin_epoch ({p.begin_epoch}), got {p.end_epoch}")
    net = network_spec(card)
    if is_pruned(net) and end_epoch(net) <= p.begin_epoch:
        bad(src, "pruning.begin_epoch", f"an epoch before training.epochs ({card.training.epochs}), "
                                        f"so that pruning happens, got {p.begin_epoch}")


def _check_distributed_arithmetic(card: Card) -> None:
    """hls4ml's distributed arithmetic builds only the weighted layer types whose emulation
    and estimate l1forge has proven (the target-level rules are checked with the card)."""
    src = card.source
    for i, layer in enumerate(card.model.layers):
        kind = LAYERS[layer.type]
        if kind.has_weights and not kind.distributed_arithmetic:
            supported = ", ".join(name for name, k in LAYERS.items() if k.distributed_arithmetic)
            bad(src, f"model.layers[{i}].type", f"a layer type l1forge builds with distributed "
                                                f"arithmetic ({supported}; its emulator and estimate "
                                                f"cover these), got '{layer.type}'")
