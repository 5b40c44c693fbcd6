"""A softmax whose exponential table is addressed by a type wider than a float: a warning,
not a cost.

hls4ml's softmax (nnet_activation.h and nnet_activation_stream.h, io_parallel and
io_stream alike) declares its two tables as local arrays under `__HLS_SYN__` and fills
them on every call (`init_exp_table`, `init_invert_table`): a 1024-entry loop computing
`exp_fcn_float((float)address)` and one computing `1 / (float)address`. The tools fold
such loops into ROMs when they can evaluate them at compile time (UG1399, "Implementing
ROMs"), and every vendor report seen but one shows that: the softmax instances of 49
reports in the committed, reference and studied sets (Vivado HLS 2019.1 to Vitis HLS
2025.2) take 2 to 32 cycles, each with tables addressed by at most 31 bits (the stable implementation's address type is `inp_norm_t = ap_ufixed<W - 1, I - 1>`
of the softmax input `ap_fixed<W, I>`; the latency implementation's is the input type
itself; the inverse table's is `inv_inp_t`, 18 bits by default).

The exception is the kojos03 CNN (Vitis HLS 2024.2, xczu7ev, 5 ns, hls4ml 1.0.0): its
softmax input is the `auto` result of the last Dense, `ap_fixed<36,16>`, so the exponential
table is addressed by `ap_ufixed<35,15>`, wider than the 32 bits below which ap_fixed's
`to_float()` takes its narrow path. That instance takes 1053 cycles (interval 1053) with
9 DSPs for 2 values: one 1024-iteration loop at II 1 plus a 29-cycle pipeline, and 7 DSPs
beyond the 2 multiplies, as a single-precision exponential core takes. Only one table loop
was built (2 x 1024 would exceed 1053): the 18-bit-addressed inverse table, in the same
function and tool, was folded. So the width of the table's address type, not the tool
version, is what the report points to; with one report, neither the cycle count of such a
loop elsewhere (clock, part, table size) nor the region's latency around it (the report's
1072 = 1053 + the 19 cycles of the Dense chain before it, the convolutions overlapped) can
be read as a rule. The estimate keeps counting a ROM and says so.
"""

from __future__ import annotations

from dataclasses import replace

from l1forge.report.cost import LayerCost

FLOAT_BITS = 32  # ap_fixed's to_float() narrow path: widths up to a float's 32 bits


def exp_table_address_bits(layer) -> int | None:
    """Bits of the type that addresses a softmax's exponential table (module docs), or None
    for a layer that is not a table softmax or whose input type is not fixed point."""
    implementation = str(layer.get_attr("implementation", "stable") or "stable").lower()
    if implementation not in ("stable", "latency"):
        return None
    precision = getattr(getattr(layer.get_input_variable(), "type", None), "precision", None)
    width = getattr(precision, "width", None)
    if width is None:
        return None
    signed = bool(getattr(precision, "signed", True))
    return int(width) - (1 if implementation == "stable" and signed else 0)


def wide_address_bits(layer) -> int | None:
    """The exponential table's address bits where they are over FLOAT_BITS, else None."""
    bits = exp_table_address_bits(layer)
    return bits if bits is not None and bits > FLOAT_BITS else None


def wide_table_warning(layer, cost: LayerCost) -> LayerCost:
    """The cost with a note when the softmax's exponential table is addressed by more than
    32 bits (module docs); unchanged otherwise."""
    bits = wide_address_bits(layer) if cost.kind.startswith("softmax") else None
    if bits is None:
        return cost
    size = layer.get_attr("exp_table_size", layer.get_attr("table_size", 1024))
    note = (f"softmax exp table addressed by a {bits}-bit type (> {FLOAT_BITS}): the one vendor report of "
            f"such a softmax (Vitis HLS 2024.2) built its {size}-entry init loop in hardware (1053 cycles for "
            f"1024 entries, 7 more DSPs) where this estimate counts a ROM; a narrower softmax input "
            f"(the previous layer's result type) keeps the table a ROM")
    return replace(cost, notes=cost.notes + (note,))


def wide_table_warnings(graph) -> list[str]:
    """One warning per softmax whose exponential table is addressed by more than 32 bits:
    the estimate may be far short there (module docs); each layer's note has the detail."""
    warnings = []
    for layer in graph.get_layers():
        bits = wide_address_bits(layer) if layer.class_name == "Softmax" else None
        if bits is not None:
            warnings.append(f"HLS may build {layer.name}'s exp table in hardware (a {bits}-bit address, over "
                            f"{FLOAT_BITS}): the one such vendor report took 1053 cycles there, where this "
                            "estimate counts a ROM; narrow the previous layer's result type")
    return warnings
