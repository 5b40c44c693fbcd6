"""Binary, ternary and power-of-two networks: what the estimator adds for them.

Products need nothing new: `multipliers.product_type` names hls4ml's product from the
operand kinds, and `constant_census` counts every binary (a sign flip), ternary (a sign
flip or nothing) and power-of-two weight (a shift and a sign flip) as a shift, never a DSP
slice; the adder trees are costed as for any dense layer.

What is new is hls4ml's `BatchNormalizationQuantizedTanh`, the batch normalization folded
into thresholds by hls4ml when a binary or ternary activation follows it: per value, one
comparison of the input against a per-channel constant (binary) or two (ternary), and a
one- or two-bit result. A comparator against a constant is about one LUT per two input
bits (a carry chain of constant compares); the result bits are registered like any output.
"""

from __future__ import annotations

import math

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target

LUT_PER_COMPARED_BIT = 0.5  # a compare against a constant: two input bits per LUT6 in the carry chain


def threshold_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    """nnet::normalize_binary_tanh / normalize_ternary_tanh: comparators, no multiplier."""
    comparisons = 2 if int(layer.get_attr("quantize", 2) or 2) == 3 else 1
    live = io.live_in
    lut = live * comparisons * math.ceil(io.in_bits.width * LUT_PER_COMPARED_BIT)
    kind = "threshold(ternary)" if comparisons == 2 else "threshold(binary)"
    return LayerCost(name=io.name, kind=kind, lut=lut, delay_ns=C.delay_relu_ns,
                     out_bits=live * io.out_bits.width,
                     notes=("batch normalization folded into thresholds: comparators only",))
