"""The hls4ml configuration passes: one function per concern, applied in order by config.py.

Every pass has the signature `pass_(card, keras_model, config) -> None` and edits the
hls4ml config made by `config_from_keras_model` (granularity 'name') in place. Why each
choice (the firmware must compute what the QAT model computes):

- `strategy_and_reuse`: the card's strategy and reuse factor, model-wide and per layer.
- `input_type`: the card's ap_fixed<input_bits, input_integer> with AP_RND and AP_SAT: a
  feature beyond the range saturates instead of wrapping to the opposite sign. Weights,
  biases and activations take their types from the QKeras quantizers (hls4ml's QKeras
  handlers read them); Dense/Conv accumulators and results stay `auto`, so hls4ml's
  precision inference gives each the exact width of its sum and no partial sum is rounded
  or wrapped before the quantized activation, which rounds and saturates as QKeras does.
- `softmax_tables`: hls4ml's `stable` softmax (exp of x - max, every table entry in (0, 1]),
  the card's table size T, a step of 8/T on x_max - x (`softmax_norm_type`), unsigned
  18-bit tables and sums sized to their ranges and an unsigned 16-bit result in [0, 1),
  so the argmax matches the QAT model's.
- `activation_tables`: float-only table activations (sigmoid, tanh) get 18-bit tables and
  results, not the 16,6 model default.
- `batchnorm_types`: batch normalization (float in the QAT model) gets BATCHNORM_TYPES:
  left 'auto', its exact product of a 16-bit input and a 16-bit scale (33 bits) would feed
  the next weighted layer and multiply its cost; hls4ml's 16,6 default saturates at 32.
- `convolution_parallelization`: convolutions compute all output pixels at once
  (ParallelizationFactor = pixels) at reuse factor 1; hls4ml's io_parallel default computes
  one pixel per clock cycle, so an event could enter only every <pixels> cycles. A Dense
  applied to every element of a set (a Deep Sets phi layer: input (N, F)) becomes a
  pointwise Conv1D in hls4ml and gets ParallelizationFactor = N likewise.
- `leaky_relu_clip`: QKeras' quantized_relu with a negative slope s and I integer bits
  clips its input below -2^I; hls4ml's LeakyReLU does not. The layer feeding it gets a
  result type that saturates at [-2^I, 2^I) and keeps every fractional bit of the sum.
- `pooling_types`: a global average pooling sums N values and divides by N inside its
  accumulator (hls4ml's `y /= length`), so the accumulator holds every integer bit of the
  sum and log2(N) more fractional bits than its input: the mean is then exact for N a power
  of two (as QKeras' float mean of quantized values is), and the sum is the same whatever
  the order of the set's elements. hls4ml's default, 16,6 with wrap, overflows. Max pooling
  gets the input type itself.
- `quantized_linear_results`: a QKeras QActivation with quantized_bits(B, I) (no ReLU) after
  a weighted layer (the VAE's mu with `model.latent_bits`) is a linear activation that
  hls4ml's optimizer removes, taking its type with it; the layer feeding it gets that type
  as its result, ap_fixed<B, I+1, RND_CONV, SAT>, which rounds half to even and saturates
  as quantized_bits does.
Task-specific passes (the anomaly score's types) run after these (Task.config_passes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from l1forge.models.layers import LAYERS, layer_quant

if TYPE_CHECKING:
    from l1forge.card.schema import Card

SOFTMAX_TYPES = {
    "result": "ufixed<16,0,RND,SAT>",
    "exp_table": "ufixed<18,1,RND,SAT>",
    "inv_table": "ufixed<18,1,RND,SAT>",
    "inv_inp": "ufixed<18,3,RND,SAT>",
    "accum": "ufixed<18,3,RND,SAT>",
}
TABLE_ACTIVATIONS = {"sigmoid", "tanh"}
TABLE_ACTIVATION_TYPE = "fixed<18,8,RND,SAT>"
# Normalized values are O(1), but anomalous events are exactly those far out: on the
# default L1 sample the input normalization reaches 106 standard deviations for background
# and 245 for A->4l. +-128 keeps all background and all but 0.2% of the signal unsaturated
# (a saturated input still gives a large score). A constant input (MET eta) has scale
# 1/sqrt(epsilon) = 31.6, hence 7 integer bits for the scale.
BATCHNORM_FRACTION_BITS = 10
BATCHNORM_TYPES = {"scale": "fixed<18,7,RND,SAT>", "bias": "fixed<18,7,RND,SAT>",
                   "result": f"fixed<{8 + BATCHNORM_FRACTION_BITS},8,RND,SAT>"}
CONVOLUTIONS = ("Conv1D", "Conv2D", "QConv1D", "QConv2D")
DENSE = ("Dense", "QDense")


def softmax_norm_type(table_size: int) -> str:
    """x_max - x_i addresses the exp table through its top log2(table size) bits: 3 integer
    bits give a step of 8/T (differences beyond 8 saturate, where exp(-8) = 3e-4 no longer
    moves an argmax). hls4ml's default derives it from the logits' type (17,6 here), a step
    of 1/16, which ties close logits and flips the argmax."""
    address_bits = table_size.bit_length() - 1
    return f"ap_ufixed<{address_bits + 4},3,AP_RND,AP_SAT>"


def input_precision(card: Card) -> str:
    q = card.quantization
    return f"fixed<{q.input_bits},{q.input_integer},RND,SAT>"


def _keras_layers(keras_model, config) -> list[tuple[Any, dict[str, Any]]]:
    """(Keras layer, its config entry) for every Keras layer the config names."""
    layers = config["LayerName"]
    return [(layer, layers[layer.name]) for layer in keras_model.layers if layer.name in layers]


def _precision(layer_cfg: dict[str, Any]) -> dict[str, Any]:
    return layer_cfg.setdefault("Precision", {})


def _activation_kind(keras_layer) -> str:
    return getattr(getattr(keras_layer, "activation", None), "__name__", "")


def strategy_and_reuse(card: Card, keras_model, config) -> None:
    config["Model"]["Strategy"] = card.target.strategy
    config["Model"]["ReuseFactor"] = card.target.reuse_factor
    for layer_cfg in config["LayerName"].values():
        layer_cfg["ReuseFactor"] = card.target.reuse_factor


def input_type(card: Card, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if layer.__class__.__name__ == "InputLayer":
            _precision(layer_cfg)["result"] = input_precision(card)


def _ap_type(short: str) -> str:
    """fixed<...,RND,SAT> -> ap_fixed<...,AP_RND,AP_SAT> (hls4ml's layer-level table types)."""
    return "ap_" + short.replace("RND", "AP_RND").replace("SAT", "AP_SAT")


def softmax_tables(card: Card, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if _activation_kind(layer) != "softmax":
            continue
        _precision(layer_cfg).update(SOFTMAX_TYPES)
        # hls4ml reads the softmax table types from the layer level, not from Precision.
        layer_cfg["exp_table_t"] = _ap_type(SOFTMAX_TYPES["exp_table"])
        layer_cfg["inv_table_t"] = _ap_type(SOFTMAX_TYPES["inv_table"])
        layer_cfg["Implementation"] = "stable"
        layer_cfg["inp_norm_t"] = softmax_norm_type(card.target.softmax_table_size)
        layer_cfg["TableSize"] = card.target.softmax_table_size


def activation_tables(card: Card, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if _activation_kind(layer) in TABLE_ACTIVATIONS:
            _precision(layer_cfg).update(result=TABLE_ACTIVATION_TYPE, table=TABLE_ACTIVATION_TYPE)
            layer_cfg["TableSize"] = card.target.softmax_table_size


def batchnorm_types(card: Card, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if layer.__class__.__name__ == "BatchNormalization":
            _precision(layer_cfg).update(BATCHNORM_TYPES)


def convolution_parallelization(card: Card, keras_model, config) -> None:
    if card.target.reuse_factor != 1:
        return
    for layer, layer_cfg in _keras_layers(keras_model, config):
        per_element_dense = layer.__class__.__name__ in DENSE and len(layer.input_shape) > 2
        if layer.__class__.__name__ in CONVOLUTIONS or per_element_dense:
            layer_cfg["ParallelizationFactor"] = int(np.prod(layer.output_shape[1:-1]))


def _leaky_integer_bits(keras_layer) -> int | None:
    """I of a QKeras quantized_relu with a negative slope; None for any other layer."""
    quantizer = getattr(keras_layer, "quantizer", None)
    if quantizer is None or not getattr(quantizer, "negative_slope", 0):
        return None
    return int(quantizer.integer)


def _fraction_bound(card: Card) -> int:
    """An upper bound on the fractional bits of any sum feeding an activation: the widest
    input to a weighted layer (card input, quantized activation, batch normalization)
    plus the widest weight or bias, and 4 bits for average pooling. Per-layer overrides of
    bits and integer bits count with the layer's own values."""
    q = card.quantization
    layers = [(LAYERS[layer.type], layer_quant(card, layer)) for layer in card.model.layers]
    widest_input = max(q.input_bits - q.input_integer, q.activation_bits - q.activation_integer,
                       BATCHNORM_FRACTION_BITS,
                       *(lq.activation_bits - lq.activation_integer for kind, lq in layers
                         if kind.quantized_activation))
    widest_weight = max(q.weight_bits - q.weight_integer, q.bias_bits - q.bias_integer,
                        *(max(lq.weight_bits - lq.weight_integer, lq.bias_bits - lq.bias_integer)
                          for kind, lq in layers if kind.has_weights))
    return widest_input + widest_weight + 4


def leaky_relu_clip(card: Card, keras_model, config) -> None:
    """Give the layer feeding each quantized leaky ReLU the clip QKeras applies (see above)."""
    layers = config["LayerName"]
    for keras_layer in keras_model.layers:
        integer = _leaky_integer_bits(keras_layer)
        if integer is None:
            continue
        feeding = [other for other in keras_model.layers if other.output is keras_layer.input]
        if not feeding or feeding[0].name not in layers:
            continue
        before = feeding[0]
        if before.__class__.__name__ == "BatchNormalization":
            frac, rounding = BATCHNORM_FRACTION_BITS, "RND"  # as BATCHNORM_TYPES rounds
        else:
            frac, rounding = _fraction_bound(card), "TRN"  # exact: F covers every bit of the sum
        set_result_type(layers, before.name, f"fixed<{integer + 1 + frac},{integer + 1},{rounding},SAT>")


def set_result_type(layers: dict[str, Any], name: str, result: str) -> None:
    """The result type of layer `name` and of the `<name>_linear` activation hls4ml puts
    after a plain Keras Dense, which must carry the same type (its 16,6 default would wrap
    the value on its way out)."""
    for target in (name, f"{name}_linear"):
        if target in layers:
            layers[target].setdefault("Precision", {})["result"] = result


GLOBAL_POOLING = ("GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D",
                  "GlobalMaxPooling2D")


def _quantized_range(card: Card, keras_layer) -> tuple[int, int, bool]:
    """(integer bits without sign, fractional bits, signed) of a layer's quantized output;
    a layer without a quantizer gets a bound that holds any value l1forge's cards produce."""
    quantizer = getattr(keras_layer, "quantizer", None)
    if quantizer is not None and hasattr(quantizer, "bits"):
        bits, integer = int(quantizer.bits), int(quantizer.integer)
        if "relu" in type(quantizer).__name__:
            signed = bool(getattr(quantizer, "negative_slope", 0))
            return integer, bits - integer, signed
        signed = bool(getattr(quantizer, "keep_negative", True))
        return integer, bits - integer - int(signed), signed
    return 8, _fraction_bound(card), True


def pooling_types(card: Card, keras_model, config) -> None:
    layers = config["LayerName"]
    for keras_layer in keras_model.layers:
        kind = keras_layer.__class__.__name__
        if kind not in GLOBAL_POOLING or keras_layer.name not in layers:
            continue
        feeding = [other for other in keras_model.layers if other.output is keras_layer.input]
        integer, frac, signed = _quantized_range(card, feeding[0]) if feeding else (8, _fraction_bound(card), True)
        sign = int(signed)
        if "Max" in kind:
            exact = f"fixed<{sign + integer + frac},{sign + integer}>" if signed else \
                f"ufixed<{integer + frac},{integer}>"
            _precision(layers[keras_layer.name]).update(accum=exact, result=exact)
            continue
        elements = int(np.prod(keras_layer.input_shape[1:-1]))
        extra = max(elements - 1, 0).bit_length()  # ceil(log2 N)
        accum = f"fixed<{1 + integer + extra + frac + extra},{1 + integer + extra}>"
        mean = f"fixed<{1 + integer + frac + extra},{1 + integer},RND,SAT>"
        _precision(layers[keras_layer.name]).update(accum=accum, result=mean)


def quantized_linear_results(card: Card, keras_model, config) -> None:
    layers = config["LayerName"]
    for keras_layer in keras_model.layers:
        quantizer = getattr(keras_layer, "quantizer", None)
        if keras_layer.__class__.__name__ != "QActivation" or type(quantizer).__name__ != "quantized_bits":
            continue
        feeding = [other for other in keras_model.layers if other.output is keras_layer.input]
        if not feeding or feeding[0].name not in layers:
            continue
        bits, integer = int(quantizer.bits), int(quantizer.integer)
        signed = bool(getattr(quantizer, "keep_negative", True))
        kind = "fixed" if signed else "ufixed"
        set_result_type(layers, feeding[0].name, f"{kind}<{bits},{integer + int(signed)},RND_CONV,SAT>")


# The common passes, in the order they run; a task's own passes follow them.
COMMON_PASSES = (
    strategy_and_reuse,
    input_type,
    softmax_tables,
    activation_tables,
    batchnorm_types,
    convolution_parallelization,
    leaky_relu_clip,
    pooling_types,
    quantized_linear_results,
)
