"""hls4ml configuration and conversion: from the trained QKeras model to an HLS project.

Precision choices, and why (the firmware must compute what the QAT model computes):
- Weights, biases and activations take their types from the QKeras quantizers (hls4ml's
  QKeras handlers read them), so the firmware holds exactly the QAT model's values.
- Dense/Conv accumulators and results are `auto`: hls4ml's precision inference then gives
  each the exact width of its sum (input bits + weight bits + log2(fan-in) + 1), so no
  product or partial sum is ever rounded or wrapped before the quantized activation, which
  then rounds (RND_CONV) and saturates exactly as QKeras' quantized_relu does.
- The input type is the card's ap_fixed<input_bits, input_integer> with AP_RND and AP_SAT:
  a feature beyond the range saturates instead of wrapping to the opposite sign.
- Softmax uses hls4ml's `stable` form (exp of x - max, so every table entry is in (0, 1]),
  the card's table size T, a step of 8/T on x_max - x (softmax_norm_type), unsigned 18-bit
  tables and sums sized to their ranges (exp in (0, 1], sum of five in [1, 5], inverse in
  [0.2, 1]) and an unsigned 16-bit result in [0, 1), so the argmax matches the QAT model's.
- Float-only table activations (sigmoid, tanh) use 18-bit tables and results set here, so
  they do not fall back to the 16,6 model default.
- Batch normalization (float in the QAT model) gets BATCHNORM_TYPES: left 'auto', its exact
  product of a 16-bit input and a 16-bit scale (33 bits) would feed the next weighted layer
  and multiply its cost several times over; hls4ml's 16,6 default saturates at 32.
- Convolutions compute all their output pixels at once (ParallelizationFactor = pixels) when
  the reuse factor is 1: hls4ml's io_parallel default computes one pixel per clock cycle, so
  a new event could enter only every <pixels> cycles where the trigger needs II = 1.
- A quantized leaky ReLU (QKeras quantized_relu with a negative slope s and I integer bits)
  clips its input below -2^I, so its output never goes below -s * 2^I; hls4ml's LeakyReLU
  does not clip. The layer feeding it therefore gets a result type that saturates at
  [-2^I, 2^I) and keeps every fractional bit of the exact sum (`saturate_before_leaky_relu`).
- Anomaly-detection cards compute their score in firmware; those layers' types are set in
  l1forge.firmware_scores.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from l1forge.card import Card
from l1forge.errors import UserError

SOFTMAX_TYPES = {
    "result": "ufixed<16,0,RND,SAT>",
    "exp_table": "ufixed<18,1,RND,SAT>",
    "inv_table": "ufixed<18,1,RND,SAT>",
    "inv_inp": "ufixed<18,3,RND,SAT>",
    "accum": "ufixed<18,3,RND,SAT>",
}
# x_max - x_i addresses the exp table through its top log2(table size) bits: 3 integer bits
# give a step of 8/T for a table of T entries (differences beyond 8 saturate, where
# exp(-8) = 3e-4 no longer moves an argmax). hls4ml's default derives it from the logits'
# type (17,6 here), a step of 1/16, which ties close logits and flips the argmax.
def softmax_norm_type(table_size: int) -> str:
    address_bits = table_size.bit_length() - 1
    return f"ap_ufixed<{address_bits + 4},3,AP_RND,AP_SAT>"
TABLE_ACTIVATIONS = {"sigmoid", "tanh"}
# Normalized values are O(1), but anomalous events are exactly those far out: on the
# default L1 sample the input normalization reaches 106 standard deviations for background
# and 245 for A->4l. +-128 keeps all background and all but 0.2% of the signal unsaturated
# (a saturated input still gives a large score). A constant input (MET eta) has scale
# 1/sqrt(epsilon) = 31.6, hence 7 integer bits for the scale.
BATCHNORM_FRACTION_BITS = 10
BATCHNORM_TYPES = {"scale": "fixed<18,7,RND,SAT>", "bias": "fixed<18,7,RND,SAT>",
                   "result": f"fixed<{8 + BATCHNORM_FRACTION_BITS},8,RND,SAT>"}
CONVOLUTIONS = ("Conv1D", "Conv2D", "QConv1D", "QConv2D")


def input_precision(card: Card) -> str:
    q = card.quantization
    return f"fixed<{q.input_bits},{q.input_integer},RND,SAT>"


def hls_config(card: Card, keras_model) -> dict[str, Any]:
    """The hls4ml HLSConfig for `keras_model`, per layer (granularity 'name')."""
    import hls4ml

    target = card.target
    config = hls4ml.utils.config_from_keras_model(
        keras_model, granularity="name", backend=target.backend,
        default_reuse_factor=target.reuse_factor,
    )
    config["Model"]["Strategy"] = target.strategy
    config["Model"]["ReuseFactor"] = target.reuse_factor
    layers = config["LayerName"]
    by_type = {layer.name: layer.__class__.__name__ for layer in keras_model.layers}
    for name, layer_cfg in layers.items():
        precision = layer_cfg.setdefault("Precision", {})
        if by_type.get(name) == "InputLayer":
            precision["result"] = input_precision(card)
        activation = getattr(keras_model.get_layer(name), "activation", None) if name in by_type else None
        kind = getattr(activation, "__name__", "")
        if kind == "softmax":
            precision.update(SOFTMAX_TYPES)
            # hls4ml reads the softmax table types from the layer level, not from Precision.
            layer_cfg["exp_table_t"] = "ap_" + SOFTMAX_TYPES["exp_table"].replace("RND", "AP_RND").replace("SAT", "AP_SAT")
            layer_cfg["inv_table_t"] = "ap_" + SOFTMAX_TYPES["inv_table"].replace("RND", "AP_RND").replace("SAT", "AP_SAT")
            layer_cfg["Implementation"] = "stable"
            layer_cfg["inp_norm_t"] = softmax_norm_type(target.softmax_table_size)
            layer_cfg["TableSize"] = target.softmax_table_size
        elif kind in TABLE_ACTIVATIONS:
            precision["result"] = "fixed<18,8,RND,SAT>"
            precision["table"] = "fixed<18,8,RND,SAT>"
            layer_cfg["TableSize"] = target.softmax_table_size
        layer_cfg["ReuseFactor"] = target.reuse_factor
        layer_kind = by_type.get(name)
        if layer_kind == "BatchNormalization":
            precision.update(BATCHNORM_TYPES)
        elif layer_kind in CONVOLUTIONS and target.reuse_factor == 1:
            pixels = int(np.prod(keras_model.get_layer(name).output_shape[1:-1]))
            layer_cfg["ParallelizationFactor"] = pixels
    saturate_before_leaky_relu(card, keras_model, layers)
    if card.task in ("autoencoder", "vae"):
        # The anomaly score is computed in firmware: its layers' types (l1forge.firmware_scores).
        from l1forge.firmware_scores import apply_score_settings

        apply_score_settings(card, config)
    return config


def _leaky_integer_bits(keras_layer) -> int | None:
    """I of a QKeras quantized_relu with a negative slope; None for any other layer."""
    quantizer = getattr(keras_layer, "quantizer", None)
    if quantizer is None or not getattr(quantizer, "negative_slope", 0):
        return None
    return int(quantizer.integer)


def _fraction_bound(card: Card) -> int:
    """An upper bound on the fractional bits of any sum feeding an activation: the widest
    input to a weighted layer (card input, quantized activation, batch normalization)
    plus the widest weight or bias, and 4 bits for average pooling."""
    q = card.quantization
    widest_input = max(q.input_bits - q.input_integer, q.activation_bits - q.activation_integer,
                       BATCHNORM_FRACTION_BITS,
                       *(layer.activation_bits - q.activation_integer for layer in card.model.layers))
    widest_weight = max(q.weight_bits, *(layer.weight_bits for layer in card.model.layers)) - q.weight_integer
    return widest_input + max(widest_weight, q.bias_bits - q.bias_integer) + 4


def saturate_before_leaky_relu(card: Card, keras_model, layers: dict[str, Any]) -> None:
    """Give the layer feeding each quantized leaky ReLU the clip QKeras applies (see above)."""
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


def convert(card: Card, keras_model, output_dir: Path):
    """Convert to an hls4ml ModelGraph whose output folder is `output_dir` (not yet written)."""
    import hls4ml

    target = card.target
    return hls4ml.converters.convert_from_keras_model(
        keras_model,
        hls_config=hls_config(card, keras_model),
        output_dir=str(output_dir),
        project_name=card.name,
        backend=target.backend,
        part=target.part,
        clock_period=target.clock_ns,
        io_type=target.io_type,
    )


def require_compiler() -> str:
    """Path of g++ (or $CXX); a missing compiler is a user-facing error, not a traceback."""
    compiler = os.environ.get("CXX", "g++")
    found = shutil.which(compiler)
    if not found:
        raise UserError(f"C++ compiler '{compiler}' not found on PATH; l1forge needs g++ "
                        "(e.g. apt-get install g++) to compile the firmware for C-simulation")
    return found


def compile_graph(graph) -> None:
    """Write the project and build hls4ml's shared library (enables graph.predict)."""
    require_compiler()
    try:
        graph.compile()
    except Exception as err:  # hls4ml reports build failures as bare Exceptions
        raise UserError(f"{graph.config.get_output_dir()}: firmware C++ failed to compile "
                        f"({str(err).splitlines()[0] if str(err) else type(err).__name__})") from None


def relocate_config(built_dir: Path, final_dir: Path, keras_model) -> None:
    """hls4ml records its output folder and model path in hls4ml_config.yml; the project is
    built in a temporary folder and renamed, so point those entries at the final folder.

    hls4ml 1.3 saves the model as `keras_model.keras`, a format QKeras layers do not load
    back from under TensorFlow 2.14; the model is also saved as HDF5, which they do, and
    the config points at that file."""
    built_dir = Path(built_dir)
    keras_model.save(built_dir / "keras_model.h5")
    config = built_dir / "hls4ml_config.yml"
    text = config.read_text().replace(str(built_dir), str(Path(final_dir).resolve()))
    config.write_text(text.replace("/keras_model.keras'", "/keras_model.h5'"))
