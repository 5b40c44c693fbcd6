"""Anomaly scores computed inside the firmware: the Keras layers hls4ml converts, and their types.

The firmware's single output is the score, so the C-simulation checks it bit for bit.
Every score layer is named `score_*`; `score_precisions` gives each one its fixed-point
types and the anomaly tasks' config pass `score_types` applies them after the common
passes (hls4ml's defaults, fixed<16,6> with wrap, would overflow the squared errors).

Autoencoders (dense and convolutional): the mean over the 57 inputs of the squared error,
with zero-padded objects masked as in arXiv:2108.03986 (there the loss multiplies the
reconstruction by a mask of the non-zero inputs; here the mask is per object, pT > 0, which
differs only for a real object whose eta or phi is exactly 0):
    mask_j = min(1, ReLU(2^F * pT_obj(j)))   a fixed-weight Dense then a 1-bit saturating ReLU;
                                              pT is a multiple of the input LSB 2^-F, so any
                                              real object gives 1 and padding gives 0
    score  = w * sum_j (mask_j * (x_j - r_j))^2,  w = 1/57 rounded to 2^-21 (an adder tree,
                                                  then one constant multiplier)
VAE (encoder only): with g = ReLU(head) = -log sigma^2,
    kl  = 1/2 sum_k (mu_k^2 + ELU(-g_k) + g_k)     ELU(-g) = exp(-g) - 1, a table on [-8, 0]
    mu2 = sum_k mu_k^2                              (the AXOL1TL score)

Types (input ap_fixed<B, I>, F = B - I fractional bits): differences keep the input range
doubled (I + 1 integer bits) with 8 fractional bits, squares 2I integer bits and 8 fractional,
the mean 2I integer bits and 12 fractional; all round and saturate. The VAE's mu^2 saturates
at 256 (|mu| = 16, far beyond any background event) in steps of 2^-16; the KL terms keep
2^-17 steps; exp(-g) - 1 comes from an 8192-entry table with 17 fractional bits.

How close the firmware score comes to the QAT float score on the default L1 sample is
measured in docs/results/anomaly.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from l1forge.card.schema import Card
from l1forge.emulate.fixed import FixedType
from l1forge.firmware.passes import set_result_type
from l1forge.firmware.spec import FirmwareSpec

PREFIX = "score_"
FEATURES_PER_OBJECT = 3
MEAN_WEIGHT_FRACTION_BITS = 21
DIFF_FRACTION_BITS = 8
SQUARE_FRACTION_BITS = 8
MEAN_FRACTION_BITS = 12
# exp(-g) - 1 on [-8, 0] in steps of 8/8192: the table's error on exp(-g) stays below 1e-3.
ELU_TABLE_SIZE = 8192
LAYER_LEVEL_KEYS = ("TableSize", "table_t")
def input_fraction_bits(card: Card) -> int:
    return card.quantization.input_bits - card.quantization.input_integer


def mean_weight(n_inputs: int) -> float:
    """1/n on the weight type's grid: the Keras model uses the very value the firmware holds."""
    scale = 2.0**MEAN_WEIGHT_FRACTION_BITS
    return float(np.round(scale / n_inputs) / scale)


def object_mask_weights(n_inputs: int, fraction_bits: int) -> np.ndarray:
    """(n, n) kernel copying each object's pT, times 2^F, onto its pT, eta and phi slots."""
    kernel = np.zeros((n_inputs, n_inputs), dtype=np.float64)
    for first in range(0, n_inputs, FEATURES_PER_OBJECT):
        kernel[first, first:first + FEATURES_PER_OBJECT] = 2.0**fraction_bits
    return kernel


def ae_score_model(card: Card, reconstruction_model):
    """inputs -> masked mean squared reconstruction error (one value per event)."""
    import tensorflow as tf
    from tensorflow.keras import layers as kl

    x = reconstruction_model.input
    n = int(np.prod(x.shape[1:]))
    flat = x if len(x.shape) == 2 else kl.Flatten(name=PREFIX + "inputs_flat")(x)
    scaled = kl.Dense(n, use_bias=False, trainable=False, name=PREFIX + "mask_scale")(flat)
    mask = kl.ReLU(max_value=1.0, name=PREFIX + "mask")(scaled)
    diff = kl.Subtract(name=PREFIX + "diff")([flat, reconstruction_model.output])
    masked = kl.Multiply(name=PREFIX + "masked")([mask, diff])
    square = kl.Multiply(name=PREFIX + "square")([masked, masked])
    # The sum is an adder tree (weights 1); the mean then costs one constant multiplier.
    total = kl.Dense(1, use_bias=False, trainable=False, name=PREFIX + "sum")(square)
    mean = kl.Dense(1, use_bias=False, trainable=False, name=PREFIX + "mean")(total)
    model = tf.keras.Model(x, mean, name=f"{card.name}_firmware")
    model.get_layer(PREFIX + "mask_scale").set_weights([object_mask_weights(n, input_fraction_bits(card))])
    model.get_layer(PREFIX + "sum").set_weights([np.ones((n, 1))])
    model.get_layer(PREFIX + "mean").set_weights([np.full((1, 1), mean_weight(n))])
    return model


def vae_score_model(card: Card, network):
    """inputs -> the VAE score of the card (`kl` or `mu2`) from the encoder alone."""
    import tensorflow as tf
    from tensorflow.keras import layers as kl

    from l1forge.models.autoencoder import Z_LOG_VAR, Z_MEAN

    latent = card.family.model.latent_dim
    z_mean = network.get_layer(Z_MEAN).output
    square = kl.Multiply(name=PREFIX + "mu_square")([z_mean, z_mean])
    if card.family.model.vae_score == "mu2":
        total, weight = square, 1.0
    else:
        g = network.get_layer(f"{Z_LOG_VAR}_relu").output  # g = -log sigma^2 >= 0
        negated = kl.Dense(latent, use_bias=False, trainable=False, name=PREFIX + "log_var")(g)
        exp_minus_one = kl.ELU(alpha=1.0, name=PREFIX + "var_minus_one")(negated)
        variance_term = kl.Add(name=PREFIX + "var_term")([exp_minus_one, g])
        total, weight = kl.Add(name=PREFIX + "kl_terms")([square, variance_term]), 0.5
    out = kl.Dense(1, use_bias=False, trainable=False, name=PREFIX + card.family.model.vae_score)(total)
    model = tf.keras.Model(network.input, out, name=f"{card.name}_firmware")
    if card.family.model.vae_score == "kl":
        model.get_layer(PREFIX + "log_var").set_weights([-np.eye(latent)])
    model.get_layer(PREFIX + card.family.model.vae_score).set_weights([np.full((latent, 1), weight)])
    return model


def _fixed(width: int, integer: int, signed: bool = True, exact: bool = False) -> FixedType:
    """A score type: rounding and saturating, or `exact` (truncate, wrap: the value fits)."""
    return FixedType(width, integer, signed, *(("TRN", "WRAP") if exact else ("RND", "SAT")))


def score_precisions(input_type: FixedType) -> dict[str, dict[str, Any]]:
    """HLS config entries (Precision and table settings) per score layer name, for firmware
    whose input type is `input_type` (ap_fixed<B, I>)."""
    bits, integer, frac = input_type.width, input_type.integer, input_type.frac
    diff = _fixed(integer + 1 + DIFF_FRACTION_BITS, integer + 1)
    square = _fixed(2 * integer + SQUARE_FRACTION_BITS, 2 * integer, signed=False)
    mean = _fixed(2 * integer + MEAN_FRACTION_BITS, 2 * integer, signed=False)
    # the exact sum of 57 squares: 6 more integer bits than one square
    total = _fixed(2 * integer + 6 + SQUARE_FRACTION_BITS, 2 * integer + 6, signed=False, exact=True)
    g_type = _fixed(16, 5, signed=False)
    one, zero_bias = _fixed(1, 1, signed=False, exact=True), _fixed(1, 0, signed=False, exact=True)
    sum_of = {"weight": one, "bias": zero_bias, "accum": "auto"}
    return {
        PREFIX + "mask_scale": {"weight": _fixed(1, frac + 1, signed=False, exact=True),
                                "bias": zero_bias, "accum": _fixed(bits, bits, exact=True),
                                "result": _fixed(bits, bits, exact=True)},
        PREFIX + "mask": {"result": _fixed(1, 1, signed=False)},
        PREFIX + "diff": {"result": diff},
        PREFIX + "masked": {"result": diff},
        PREFIX + "square": {"result": square},
        PREFIX + "sum": {**sum_of, "result": total},
        PREFIX + "mean": {"weight": _fixed(MEAN_WEIGHT_FRACTION_BITS - 4, -4, signed=False),
                          "bias": zero_bias, "accum": "auto", "result": mean},
        PREFIX + "mu_square": {"result": _fixed(24, 8, signed=False)},
        PREFIX + "mu2": {**sum_of, "result": _fixed(28, 10, signed=False)},
        "z_log_var_relu": {"result": g_type},
        PREFIX + "log_var": {"weight": _fixed(2, 1, exact=True), "bias": zero_bias, "accum": "auto",
                             "result": _fixed(17, 6)},
        # hls4ml 1.3 reads ELU's table type from the layer's `table_t` (C++ spelling), not
        # from Precision.
        PREFIX + "var_minus_one": {"result": _fixed(18, 2), "TableSize": ELU_TABLE_SIZE,
                                   "table_t": _fixed(18, 1)},
        PREFIX + "var_term": {"result": _fixed(24, 7)},
        PREFIX + "kl_terms": {"result": _fixed(26, 9, signed=False)},
        PREFIX + "kl": {"weight": zero_bias, "bias": zero_bias, "accum": "auto",
                        "result": _fixed(28, 10, signed=False)},
    }


def score_types(spec: FirmwareSpec, keras_model, config: dict[str, Any]) -> None:
    """Config pass: the score layers' types (`score_precisions` of the spec's input type)."""
    layers = config["LayerName"]
    for name, settings in score_precisions(spec.input_type).items():
        if name in layers:
            layer_cfg = layers[name]
            precision = layer_cfg.setdefault("Precision", {})
            for key, value in settings.items():
                rendered = _render(key, value)
                (layer_cfg if key in LAYER_LEVEL_KEYS else precision)[key] = rendered
        set_result_type(layers, name, settings["result"])


def _render(key: str, value):
    """A FixedType in hls4ml's Precision spelling, or in C++ for a layer-level table type."""
    if not isinstance(value, FixedType):
        return value
    return str(value) if key == "table_t" else value.config_string()
