"""Layers that only move, join or combine values: merges, reshapes, padding, the input.

In io_parallel these are wiring or a row of adders; in io_stream each is a process
that copies every pixel through, so it adds latency but little logic: a cycle per word
read, or per word written where it writes more than it reads (zero padding, and the
nearest-neighbour resize of UpSampling layers, whose template writes each pipelined row's
`ratio x width` output words through one stream port: 40 -> 80 words took 79 cycles in a
Vitis HLS 2023.1 report, the tenth unseen set's RFSoC CNN, where one a word read gave 41).
Vivado HLS's unpipelined padding loops are counted apart (stream_padding.py).
"""

from __future__ import annotations

from dataclasses import replace

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target, stream_words
from l1forge.report.stream_padding import zeropad_cycles

MERGE_OPS = {"add", "subtract", "average", "maximum", "minimum", "multiply"}
GROWING = ("zeropadding1d", "zeropadding2d", "resize")  # processes writing more words than they read


def _stream_copy(layer, io: LayerIO, kind: str, lut: float = 0.0) -> LayerCost:
    pixels = stream_words(io.n_in, io.in_shape)
    if kind in GROWING:
        # it writes more words than it reads, one a cycle (module docs)
        pixels = max(pixels, stream_words(io.n_out, io.out_shape))
    latency = pixels + 1
    return LayerCost(name=layer.name, kind=kind, lut=lut + io.in_shape[-1] * 4 if io.in_shape else lut,
                     cycles=latency, ii=latency + 1, process=True,
                     out_bits=io.n_out * io.out_bits.width)


def wiring_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    if layer.class_name == "Input" or target.io_type != "io_stream":
        return LayerCost(name=layer.name, kind=layer.class_name.lower(),
                         out_bits=min(io.live_in, io.n_out) * io.out_bits.width)
    cost = _stream_copy(layer, io, layer.class_name.lower())
    if layer.class_name.startswith("ZeroPadding") and target.tool == "Vivado HLS":
        cycles = zeropad_cycles(layer)  # its plain loops over the padded image (stream_padding)
        cost = replace(cost, cycles=cycles, ii=cycles + 1)
    return cost


def merge_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    """Element-wise joins of two tensors: one adder, comparator or product per value."""
    op = str(layer.get_attr("op", "add") or "add").lower()
    n = io.n_out
    width = io.out_bits.width
    if op == "multiply" and io.in_bits.width >= C.dsp_min_data_bits:
        cost = LayerCost(name=layer.name, kind="merge(multiply)", dsp=n, cycles=1,
                         head_ns=C.delay_dsp_ns, delay_ns=0.0, out_bits=n * width)
    elif op in MERGE_OPS:
        factor = 1.5 if op in ("maximum", "minimum") else C.lut_per_tree_bit
        cost = LayerCost(name=layer.name, kind=f"merge({op})", lut=n * width * factor,
                         delay_ns=C.delay_adder_level_ns, out_bits=n * width)
    else:
        cost = LayerCost(name=layer.name, kind=f"merge({op})", out_bits=n * width, modelled=False,
                         notes=(f"merge '{op}' is not modelled; counted as wiring",))
    if target.io_type == "io_stream":
        stream = _stream_copy(layer, io, cost.kind, lut=cost.lut)
        return LayerCost(**{**stream.__dict__, "dsp": cost.dsp, "notes": cost.notes})
    return cost


def unknown_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    return LayerCost(name=layer.name, kind=layer.class_name.lower(),
                     out_bits=io.n_out * io.out_bits.width, modelled=False,
                     notes=(f"layer type {layer.class_name} is not modelled; counted as free",))
