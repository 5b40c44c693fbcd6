"""The hls4ml configuration passes: one function per concern, applied in order by config.py.

Every pass has the signature `pass_(spec, keras_model, config) -> None` (spec: the
FirmwareSpec, target and input type) and edits the hls4ml config made by
`config_from_keras_model` (granularity 'name') in place; what a pass needs to know about
the network it reads from the Keras model's own quantizers, never from a card. Every type
is a FixedType, rendered by `FixedType.config_string` (hls4ml's spelling) or `str` (C++). Why each
choice (the firmware must compute what the QAT model computes):

- `strategy_and_reuse`: the target's strategy and reuse factor, model-wide and per layer.
- `input_type`: the spec's ap_fixed<input_bits, input_integer> with AP_RND and AP_SAT: a
  feature beyond the range saturates instead of wrapping to the opposite sign. Weights,
  biases and activations take their types from the QKeras quantizers (hls4ml's QKeras
  handlers read them); Dense/Conv accumulators and results stay `auto`, so hls4ml's
  precision inference gives each the exact width of its sum and no partial sum is rounded
  or wrapped before the quantized activation, which rounds and saturates as QKeras does.
- `softmax_tables`: hls4ml's `stable` softmax (exp of x - max, every table entry in (0, 1]),
  the target's table size T, a step of 8/T on x_max - x (`softmax_norm_type`), unsigned
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

from l1forge.emulate.fixed import FixedType

if TYPE_CHECKING:
    from l1forge.firmware.spec import FirmwareSpec


def fixed(width: int, integer: int, rounding: str = "TRN", overflow: str = "WRAP") -> FixedType:
    return FixedType(width, integer, True, rounding, overflow)


def ufixed(width: int, integer: int, rounding: str = "TRN", overflow: str = "WRAP") -> FixedType:
    return FixedType(width, integer, False, rounding, overflow)


SOFTMAX_TYPES = {
    "result": ufixed(16, 0, "RND", "SAT"),
    "exp_table": ufixed(18, 1, "RND", "SAT"),
    "inv_table": ufixed(18, 1, "RND", "SAT"),
    "inv_inp": ufixed(18, 3, "RND", "SAT"),
    "accum": ufixed(18, 3, "RND", "SAT"),
}
TABLE_ACTIVATIONS = {"sigmoid", "tanh"}
TABLE_ACTIVATION_TYPE = fixed(18, 8, "RND", "SAT")
# Normalized values are O(1), but anomalous events are exactly those far out: on the
# default L1 sample the input normalization reaches 106 standard deviations for background
# and 245 for A->4l. +-128 keeps all background and all but 0.2% of the signal unsaturated
# (a saturated input still gives a large score). A constant input (MET eta) has scale
# 1/sqrt(epsilon) = 31.6, hence 7 integer bits for the scale.
BATCHNORM_FRACTION_BITS = 10
BATCHNORM_TYPES = {"scale": fixed(18, 7, "RND", "SAT"), "bias": fixed(18, 7, "RND", "SAT"),
                   "result": fixed(8 + BATCHNORM_FRACTION_BITS, 8, "RND", "SAT")}
CONVOLUTIONS = ("Conv1D", "Conv2D", "QConv1D", "QConv2D")
DENSE = ("Dense", "QDense")


def softmax_norm_type(table_size: int) -> FixedType:
    """x_max - x_i addresses the exp table through its top log2(table size) bits: 3 integer
    bits give a step of 8/T (differences beyond 8 saturate, where exp(-8) = 3e-4 no longer
    moves an argmax). hls4ml's default derives it from the logits' type (17,6 here), a step
    of 1/16, which ties close logits and flips the argmax."""
    address_bits = table_size.bit_length() - 1
    return ufixed(address_bits + 4, 3, "RND", "SAT")


def _write(precision: dict[str, Any], types: dict[str, FixedType]) -> None:
    """Put FixedTypes into a config's Precision mapping, in hls4ml's spelling."""
    precision.update({key: value.config_string() for key, value in types.items()})


def _keras_layers(keras_model, config) -> list[tuple[Any, dict[str, Any]]]:
    """(Keras layer, its config entry) for every Keras layer the config names."""
    layers = config["LayerName"]
    return [(layer, layers[layer.name]) for layer in keras_model.layers if layer.name in layers]


def _precision(layer_cfg: dict[str, Any]) -> dict[str, Any]:
    return layer_cfg.setdefault("Precision", {})


def _activation_kind(keras_layer) -> str:
    return getattr(getattr(keras_layer, "activation", None), "__name__", "")


def strategy_and_reuse(spec: FirmwareSpec, keras_model, config) -> None:
    config["Model"]["Strategy"] = spec.strategy
    config["Model"]["ReuseFactor"] = spec.reuse_factor
    for layer_cfg in config["LayerName"].values():
        layer_cfg["ReuseFactor"] = spec.reuse_factor


def input_type(spec: FirmwareSpec, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if layer.__class__.__name__ == "InputLayer":
            _write(_precision(layer_cfg), {"result": spec.input_type})


def softmax_tables(spec: FirmwareSpec, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if _activation_kind(layer) != "softmax":
            continue
        _write(_precision(layer_cfg), SOFTMAX_TYPES)
        # hls4ml reads the softmax table types from the layer level (C++ spelling), not
        # from Precision.
        layer_cfg["exp_table_t"] = str(SOFTMAX_TYPES["exp_table"])
        layer_cfg["inv_table_t"] = str(SOFTMAX_TYPES["inv_table"])
        layer_cfg["Implementation"] = "stable"
        layer_cfg["inp_norm_t"] = str(softmax_norm_type(spec.softmax_table_size))
        layer_cfg["TableSize"] = spec.softmax_table_size


def activation_tables(spec: FirmwareSpec, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if _activation_kind(layer) in TABLE_ACTIVATIONS:
            _write(_precision(layer_cfg), {"result": TABLE_ACTIVATION_TYPE, "table": TABLE_ACTIVATION_TYPE})
            layer_cfg["TableSize"] = spec.softmax_table_size


def batchnorm_types(spec: FirmwareSpec, keras_model, config) -> None:
    for layer, layer_cfg in _keras_layers(keras_model, config):
        if layer.__class__.__name__ == "BatchNormalization":
            _write(_precision(layer_cfg), BATCHNORM_TYPES)


def convolution_parallelization(spec: FirmwareSpec, keras_model, config) -> None:
    if spec.reuse_factor != 1:
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


WEIGHTED = (*DENSE, *CONVOLUTIONS)
# A float (unquantized) weighted layer has no fractional-bit bound; this many bits keep
# the bound finite for such a layer (hls4ml's own types then decide its arithmetic).
FLOAT_FRACTION_BITS = 16


def _quantizer_fraction(quantizer) -> int:
    """Bits right of the point of a QKeras quantizer's values (bits - integer), or the float
    allowance for a layer without a quantizer."""
    if quantizer is None or not hasattr(quantizer, "bits"):
        return FLOAT_FRACTION_BITS
    return int(quantizer.bits) - int(quantizer.integer)


def _fraction_bound(spec: FirmwareSpec, keras_model) -> int:
    """An upper bound on the fractional bits of any sum feeding an activation: the widest
    input to a weighted layer (the firmware input, a quantized activation, a batch
    normalization) plus the widest weight or bias of the model's weighted layers, and 4 bits
    for average pooling. Read from the Keras model's quantizers."""
    inputs, weights = [spec.input_type.frac, BATCHNORM_FRACTION_BITS], [0]
    for layer in keras_model.layers:
        kind = layer.__class__.__name__
        if kind == "QActivation":
            inputs.append(_quantizer_fraction(getattr(layer, "quantizer", None)))
        elif kind in WEIGHTED:
            weights += [_quantizer_fraction(getattr(layer, "kernel_quantizer_internal", None)),
                        _quantizer_fraction(getattr(layer, "bias_quantizer_internal", None))
                        if getattr(layer, "use_bias", True) else 0]
    return max(inputs) + max(weights) + 4


def leaky_relu_clip(spec: FirmwareSpec, keras_model, config) -> None:
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
            frac, rounding = _fraction_bound(spec, keras_model), "TRN"  # exact: F covers every bit
        set_result_type(layers, before.name, fixed(integer + 1 + frac, integer + 1, rounding, "SAT"))


def set_result_type(layers: dict[str, Any], name: str, result: FixedType | str) -> None:
    """The result type of layer `name` and of the `<name>_linear` activation hls4ml puts
    after a plain Keras Dense, which must carry the same type (its 16,6 default would wrap
    the value on its way out)."""
    text = result.config_string() if isinstance(result, FixedType) else result
    for target in (name, f"{name}_linear"):
        if target in layers:
            layers[target].setdefault("Precision", {})["result"] = text


GLOBAL_POOLING = ("GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D",
                  "GlobalMaxPooling2D")


def _quantized_range(spec: FirmwareSpec, keras_model, keras_layer) -> tuple[int, int, bool]:
    """(integer bits without sign, fractional bits, signed) of a layer's quantized output;
    a layer without a quantizer gets a bound that holds any value of the network."""
    quantizer = getattr(keras_layer, "quantizer", None)
    if quantizer is not None and hasattr(quantizer, "bits"):
        bits, integer = int(quantizer.bits), int(quantizer.integer)
        if "relu" in type(quantizer).__name__:
            signed = bool(getattr(quantizer, "negative_slope", 0))
            return integer, bits - integer, signed
        signed = bool(getattr(quantizer, "keep_negative", True))
        return integer, bits - integer - int(signed), signed
    return 8, _fraction_bound(spec, keras_model), True


def pooling_types(spec: FirmwareSpec, keras_model, config) -> None:
    layers = config["LayerName"]
    for keras_layer in keras_model.layers:
        kind = keras_layer.__class__.__name__
        if kind not in GLOBAL_POOLING or keras_layer.name not in layers:
            continue
        feeding = [other for other in keras_model.layers if other.output is keras_layer.input]
        integer, frac, signed = (_quantized_range(spec, keras_model, feeding[0]) if feeding
                                 else (8, _fraction_bound(spec, keras_model), True))
        sign = int(signed)
        if "Max" in kind:
            exact = fixed(sign + integer + frac, sign + integer) if signed else ufixed(integer + frac, integer)
            _write(_precision(layers[keras_layer.name]), {"accum": exact, "result": exact})
            continue
        elements = int(np.prod(keras_layer.input_shape[1:-1]))
        extra = max(elements - 1, 0).bit_length()  # ceil(log2 N)
        accum = fixed(1 + integer + extra + frac + extra, 1 + integer + extra)
        mean = fixed(1 + integer + frac + extra, 1 + integer, "RND", "SAT")
        _write(_precision(layers[keras_layer.name]), {"accum": accum, "result": mean})


def quantized_linear_results(spec: FirmwareSpec, keras_model, config) -> None:
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
        set_result_type(layers, feeding[0].name,
                        FixedType(bits, integer + int(signed), signed, "RND_CONV", "SAT"))


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
