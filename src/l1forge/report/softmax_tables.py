"""A softmax whose exponential table is addressed by a type wider than a float: its table
is filled by a loop in hardware on every call, which an io_stream estimate counts.

hls4ml's softmax (nnet_activation.h and nnet_activation_stream.h, io_parallel and
io_stream alike) declares its two tables as local arrays under `__HLS_SYN__` and fills
them on every call (`init_exp_table`, `init_invert_table`): a 1024-entry loop computing
`exp_fcn_float((float)address)` and one computing `1 / (float)address`. The tools fold
such loops into ROMs when they can evaluate them at compile time (UG1399, "Implementing
ROMs"), and the softmax instances of 49 reports in the committed, reference and studied
sets (Vivado HLS 2019.1 to Vitis HLS 2025.2) show that: 2 to 32 cycles, each with tables
addressed by at most 31 bits (the stable implementation's address type is
`inp_norm_t = ap_ufixed<W - 1, I - 1>` of the softmax input `ap_fixed<W, I>`; the latency
implementation's is the input type itself; the inverse table's is `inv_inp_t`, 18 bits by
default).

Two reports, two tools and two parts, show the other case, both io_stream softmaxes on an
`auto` result type of hls4ml 1.0 (a Dense's accumulator) addressed by more than the 32
bits below which ap_fixed's `to_float()` takes its narrow path:
- the kojos03 CNN (Vitis HLS 2024.2, xczu7ev, 5 ns): input `ap_fixed<36,16>`, a 35-bit
  address; the softmax process takes 1053 cycles (interval 1053) with 9 DSPs for 2 values;
- a 16-64-32-32-5 MLP (Vitis HLS 2025.2, xc7z020, 5 ns; the sixth unseen set): input
  `ap_fixed<38,18>`, a 37-bit address; 1106 cycles with 12 DSPs for 5 values.
Each is one 1024-iteration loop at II 1 (the exponential table) and the softmax's own
pipeline (29 and 82 cycles), and 7 DSPs beyond the estimate's, in both: a single-precision
exponential core. The inverse table (18-bit address) was folded in both. The loop runs
before the process reads its input, so it overlaps the processes upstream of it that
stream pixels (kojos03: 1072 = 1053 + the 19 cycles of the Dense chain before it, its
192-cycle convolution hidden), not the vector processes (schedule_stream).

In io_stream the estimate counts the loop (wide_table_cost: table_size more cycles, none
of them after the input arrives, and the 7 DSPs); the core's LUT and FF, 3,100 and 5,200
more LUTs, 1,000 and 5,700 more FFs in the two reports, are not counted. In io_parallel no
report shows what the tool builds (the loop would sit in a pipelined top): the layer gets a
note and the report a warning, and the estimate counts a ROM.
"""

from __future__ import annotations

from dataclasses import replace

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, Target

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


def table_size(layer) -> int:
    return int(layer.get_attr("exp_table_size", layer.get_attr("table_size", 1024)) or 1024)


def wide_table_cost(layer, cost: LayerCost, target: Target) -> LayerCost:
    """The streamed process of a softmax whose exponential table is addressed by more than
    32 bits, with its table loop counted (module docs); in io_parallel the cost with a
    note; unchanged for any other layer."""
    bits = wide_address_bits(layer) if cost.kind.startswith("softmax") else None
    if bits is None:
        return cost
    size = table_size(layer)
    if target.io_type != "io_stream":
        note = (f"softmax exp table addressed by a {bits}-bit type (> {FLOAT_BITS}): two io_stream vendor reports "
                f"built such a {size}-entry table loop in hardware on every call (1053 and 1106 cycles); in "
                "io_parallel no report shows it, and this estimate counts a ROM; a narrower softmax input "
                "(the previous layer's result type) keeps the table a ROM")
        return replace(cost, notes=cost.notes + (note,))
    cycles = cost.cycles + size
    note = (f"softmax exp table addressed by a {bits}-bit type (> {FLOAT_BITS}): its {size}-entry table is "
            f"filled by a loop in hardware on every call ({size} cycles before the input is read, "
            f"{C.softmax_float_exp_dsps} DSPs of a float exponential; the LUT and FF of that core are not "
            "counted); a narrower softmax input (the previous layer's result type) keeps the table a ROM")
    return replace(cost, cycles=cycles, ii=cycles + 1, fill_cycles=size, dsp=cost.dsp + C.softmax_float_exp_dsps,
                   notes=cost.notes + (note,))


def wide_table_warnings(graph) -> list[str]:
    """One warning per softmax whose exponential table is addressed by more than 32 bits
    (module docs); each layer's note has the detail."""
    warnings = []
    for layer in graph.get_layers():
        bits = wide_address_bits(layer) if layer.class_name == "Softmax" else None
        if bits is not None:
            warnings.append(f"HLS builds {layer.name}'s exp table in hardware (a {bits}-bit address, over "
                            f"{FLOAT_BITS}): {table_size(layer)} cycles of table loop on every call in the two "
                            "such vendor reports (io_stream, counted there; io_parallel estimates count a ROM); "
                            "narrow the previous layer's result type")
    return warnings
