"""Element-wise layers: ReLU family, table lookups, softmax, batch normalization.

ReLU is a sign test and a select per value, plus the cast into the output type, which
costs comparators and an incrementer when that type saturates or rounds (QKeras
`quantized_relu` outputs always do). Values that are constants (a neuron whose weights
were all pruned) cost nothing: the tool folds them. Sigmoid, tanh and friends read a
`table_size`-entry ROM per value. The stable softmax of hls4ml finds the maximum,
looks every difference up in an exp table, adds them, looks the sum up in an inverse
table and multiplies: one DSP per output, one exp table per two outputs (dual-port ROM)
plus one inverse table.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from l1forge.report import series7
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target, adder_levels
from l1forge.report.bits import Bits, bits_of, layer_codes
from l1forge.report.multipliers import csd_digits
from l1forge.report.softmax_depth import reference_cycles, scaled_softmax

TABLE_ACTIVATIONS = {"sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "gelu", "silu", "swish"}
FREE_ACTIVATIONS = {"linear"}
BRAM18_BITS = 18 * 1024


def _cast_lut(io: LayerIO, live: int) -> float:
    out = io.out_bits
    return live * C.lut_per_cast_in_bit * io.in_bits.width if (out.rounds or out.saturates) else 0.0


def _cast_delay(io: LayerIO) -> float:
    return C.delay_cast_ns if (io.out_bits.rounds or io.out_bits.saturates) else 0.0


def relu_cost(io: LayerIO, kind: str = "relu", extra_per_value: float = 0.0) -> LayerCost:
    live = io.live_in
    lut = live * (C.lut_per_relu_bit * io.out_bits.width + extra_per_value) + _cast_lut(io, live)
    return LayerCost(name=io.name, kind=kind, lut=lut, delay_ns=C.delay_relu_ns + _cast_delay(io),
                     out_bits=live * io.out_bits.width)


def linear_cost(io: LayerIO) -> LayerCost:
    live = io.live_in
    return LayerCost(name=io.name, kind="linear", lut=_cast_lut(io, live), delay_ns=_cast_delay(io),
                     out_bits=live * io.out_bits.width)


def table_cost(io: LayerIO, layer, kind: str) -> LayerCost:
    """One ROM lookup per value; the ROM is replicated so every value gets a port."""
    size = int(layer.get_attr("table_size", 1024) or 1024)
    table_t = layer.get_attr("table_t")
    width = bits_of(table_t.precision).width if table_t is not None else 18
    copies = math.ceil(io.live_in / 2 / max(io.reuse_factor, 1))
    bram = copies * math.ceil(size * width / BRAM18_BITS)
    lut = io.live_in * 2 * io.in_bits.width  # index arithmetic and range clamp per value
    return LayerCost(name=io.name, kind=kind, lut=lut, bram_18k=bram, ff=io.live_in * width,
                     cycles=1, head_ns=C.delay_relu_ns, delay_ns=C.delay_relu_ns,
                     out_bits=io.live_in * io.out_bits.width)


def softmax_table_bits(layer) -> tuple[Bits, Bits]:
    """The exponential and inverse-sum table types of a stable softmax (table_t where the
    layer names no exp_table_t; the exponential's where it names no inv_table_t)."""
    exp_t, inv_t = layer.get_attr("exp_table_t"), layer.get_attr("inv_table_t")
    exp_bits = bits_of(exp_t.precision) if exp_t is not None else bits_of(layer.get_attr("table_t").precision)
    inv_bits = bits_of(inv_t.precision) if inv_t is not None else exp_bits
    return exp_bits, inv_bits


def softmax_cost(io: LayerIO, layer) -> LayerCost:
    n = io.n_in
    implementation = str(layer.get_attr("implementation", "stable") or "stable").lower()
    if implementation == "argmax":
        lut = n * io.in_bits.width * 2
        return LayerCost(name=io.name, kind="softmax(argmax)", lut=lut,
                         delay_ns=adder_levels(n) * C.delay_adder_level_ns,
                         out_bits=n * io.out_bits.width)
    exp_bits, inv_bits = softmax_table_bits(layer)
    careful = exp_bits.rounds or exp_bits.saturates or inv_bits.rounds or inv_bits.saturates
    size = int(layer.get_attr("table_size", 1024) or 1024)
    tables = math.ceil(n / 2) + 1
    bram = tables * math.ceil(size * max(exp_bits.width, inv_bits.width) / BRAM18_BITS)
    cycles = reference_cycles(n, implementation, exp_bits.saturates)
    lut = n * (C.softmax_lut_per_value + (C.softmax_lut_rounding_per_value if careful else 0))
    ff = n * cycles * C.softmax_ff_per_value_cycle
    return LayerCost(name=io.name, kind="softmax", dsp=n, lut=lut, ff=ff, bram_18k=bram,
                     cycles=cycles, head_ns=C.delay_softmax_head_ns, delay_ns=0.0,
                     out_bits=n * io.out_bits.width)


def batchnorm_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    """x * scale + bias per value, the scale a per-channel constant."""
    codes, scale_bits = layer_codes(layer, "scale")
    digits = csd_digits(codes.reshape(-1))
    per_value = np.resize(digits, io.n_in)  # channels repeat across pixels (channels last)
    wide = io.in_bits.width >= C.dsp_min_data_bits
    dsp = int(np.sum(per_value >= C.dsp_min_csd_digits)) if wide else 0
    lut_mult_bits = np.sum(np.clip(per_value - 1, 0, None)[per_value < (C.dsp_min_csd_digits if wide else 99)])
    lut = (C.lut_per_adder_bit * lut_mult_bits * (io.in_bits.width + scale_bits.width)
           + C.lut_per_tree_bit * io.n_in * io.out_bits.width)
    # a multiply and an add, chained like any operation (a DSP multiply is no register of
    # its own: the normalize instances of the eighth unseen set's Vitis HLS 2023.1 MLPs are
    # combinational with 71 DSPs at 5 ns on an xcvu13p, as the 25 ns VAE encoder's are)
    delay = (C.delay_dsp_ns if dsp else C.delay_lut_mult_ns) + C.delay_adder_level_ns
    return LayerCost(name=io.name, kind="batchnorm", dsp=dsp / max(io.reuse_factor, 1), lut=lut,
                     ff=0, cycles=0, head_ns=delay, delay_ns=delay,
                     out_bits=io.n_in * io.out_bits.width)


def on_series7(cost: LayerCost, io: LayerIO, target: Target) -> LayerCost:
    """An activation as Vitis HLS schedules it on 7-series fabric (series7.py)."""
    if cost.kind == "softmax":
        dsp_multiply = target.multiplier_impl != "fabric"
        cycles = series7.softmax_cycles(io.n_in, target, dsp_multiply)
        return replace(cost, cycles=cycles, ff=io.n_in * cycles * C.softmax_ff_per_value_cycle)
    if cost.cycles == 0 and cost.kind != "linear":
        cycles = series7.relu_cycles(target)
        return replace(cost, cycles=cycles, ff=cycles * io.live_in * (io.in_bits.width + io.out_bits.width))
    return cost


def fabric_softmax_lut(layer, n: int) -> float:
    """LUTs of a stable softmax's n multiplies (exponential x inverse sum) built in fabric,
    where a build script forces `config_op mul -impl fabric`: a variable multiply of the
    two table types, C.lut_per_variable_product_bit each bit pair. The fabric-bound
    calibration builds' softmax instances hold 358 to 366 LUTs a value more than their
    DSP-bound twins' (ARRYTHMIA 16 values, HAR 6, Breast_cancer 2; 18 x 18-bit tables)."""
    exp_bits, inv_bits = softmax_table_bits(layer)
    return n * exp_bits.width * inv_bits.width * C.lut_per_variable_product_bit


def activation_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    """Dispatch an hls4ml activation layer to the model of its function."""
    cost = _activation_cost(layer, io, target)
    if cost.kind == "softmax" and target.multiplier_impl == "fabric":  # its multiplies in LUTs
        cost = replace(cost, dsp=0, lut=cost.lut + fabric_softmax_lut(layer, io.n_in))
    if series7.applies(target):
        return on_series7(cost, io, target)
    return cost


def _activation_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    if layer.class_name == "Softmax" or str(layer.get_attr("activation", "")).lower() == "softmax":
        implementation = str(layer.get_attr("implementation", "stable") or "stable").lower()
        return scaled_softmax(softmax_cost(io, layer), target, io.n_in, implementation)  # depth by clock, fabric
    function = str(layer.get_attr("activation", "linear") or "linear").lower()
    if function in FREE_ACTIVATIONS:
        return linear_cost(io)
    if function in ("relu", "relu6", "thresholdedrelu"):
        return relu_cost(io)
    if function in ("leaky_relu", "leakyrelu", "prelu"):
        # the negative slope is one more constant product per value (a shift for 2^-k)
        return relu_cost(io, function, extra_per_value=C.lut_per_relu_bit * io.in_bits.width)
    if function in ("hard_sigmoid", "hard_tanh", "binary_tanh", "ternary_tanh"):
        return relu_cost(io, function, extra_per_value=io.in_bits.width)
    if function in TABLE_ACTIVATIONS:
        cost = table_cost(io, layer, function)
        if target.io_type == "io_stream":
            return cost  # the streamed process's read-to-write cycle holds the read's register
        return replace(cost, cycles=C.table_lookup_parallel_cycles,
                       notes=(f"{function}: the index arithmetic, then the registered table read",))
    return replace(table_cost(io, layer, function),
                   notes=(f"activation '{function}' is not modelled; costed as a table lookup",))
