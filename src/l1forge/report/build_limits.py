"""Designs the vendor HLS tools will not build as the estimate assumes: one warning each.

- A Latency-strategy layer unrolls its product loop over every weight (hls4ml's
  dense_latency; the reuse factor only caps the multipliers), and the tools stop at 4,096
  unrolled iterations: Vivado HLS fails the build ("Stop unrolling loop ... because it may
  cause large runtime and excessive memory usage", the limit hls4ml's documentation gives
  for reuse factor 1), and Vitis HLS 2021.1 unrolled the 561x20 (11,220 products) input
  layer of the HAR reports completely (its build log) but scheduled it as a 193-deep
  pipeline (192 cycles) at reuse factors 1, 2 and 100 alike, where the layer-by-layer rules
  give about 10. Either way the estimate of such a layer does not hold.
- Products bound to LUT fabric (`config_op mul -impl fabric`) on 7-series fabric: every
  fabric-bound build in the reference folder (Vitis HLS 2021.1, xc7z007s -2) has an
  estimated clock of 7.947 ns, missing its 3.33 or 5 ns target, because the tool cannot
  register inside a LUT multiplier.
- Arrays Vivado HLS will not partition (io_parallel): hls4ml partitions every layer's
  output array completely and reshapes the model input into one word. Vivado HLS stops
  ("XFORM 203-103: partitioned elements number (N) has exceeded the threshold") when a
  completely partitioned array has more elements than `config_array_partition
  -maximum_size`, which hls4ml's build script sets from the config's `MaximumSize`
  (default 4,096), and ("XFORM 203-133: Bitwidth of reshaped elements exceeds the maximum
  bitwidth (65536 bits)") when the reshaped input is wider than 65,536 bits. Both errors are
  in hls4ml's public issue tracker (issues 79, 134, 506 and 1157). Vitis HLS has no
  `-maximum_size` (hls4ml's script wraps it in `catch`), so neither is claimed for it.
- Weights over the config's `BramFactor`: hls4ml's RegisterBramWeights pass makes every
  weight array larger than it a top-level argument (a block RAM outside the design, which
  the ModelGraph marks `storage: bram`); the layer then reads its weights through that
  port instead of holding them. The estimate counts weights held inside. The one report
  (Vitis HLS 2024.1, xc7z020, `BramFactor: 0`, Resource) shows the cost: Dense layers of
  9,792 and 4,176 weights took 4,913 and 2,089 cycles, about two weights a cycle.
- The part-fit verdict itself is compare.part_fit.
"""

from __future__ import annotations

import math

from l1forge.report import series7
from l1forge.report.cost import strategy_of
from l1forge.report.softmax_tables import wide_table_warnings

UNROLL_LIMIT = 4096
FABRIC_MULTIPLIER_NS = 7.947  # Vitis HLS 2021.1's estimated clock of every fabric-bound xc7z007s build
PRODUCT_LOOPS = {"Dense", "Conv1D", "Conv2D", "PointwiseConv1D", "PointwiseConv2D"}
PARTITION_LIMIT = 4096  # hls4ml's default MaximumSize (config_array_partition -maximum_size)
RESHAPE_BITS = 65536  # Vivado HLS's widest reshaped word
INPUT_CLASSES = {"Input", "InputLayer"}


def unrolled_products(layer) -> int | None:
    """Iterations of the product loop hls4ml's Latency strategy unrolls in one call of the
    layer's kernel (all its weights); None for layers without one."""
    if layer.class_name not in PRODUCT_LOOPS or layer.weights.get("weight") is None:
        return None
    if strategy_of(layer) != "latency":
        return None
    return int(layer.weights["weight"].data.size)


def unroll_warnings(graph, chained: bool = False) -> list[str]:
    """`chained`: the estimate models what Vitis HLS builds on 7-series there (each output's
    sum a chain of adds, series7.chain_cycles), so the warning says that instead."""
    warnings = []
    for layer in graph.get_layers():
        products = unrolled_products(layer)
        if products is None or products <= UNROLL_LIMIT:
            continue
        rf = int(layer.get_attr("reuse_factor", 1) or 1)
        head = (f"{layer.name} is estimated as Vitis HLS builds it past the unroll limit, each output "
                "summed in a chain of adds (slow): its Latency-strategy product loop unrolls " if chained else
                f"HLS will not build {layer.name} as estimated: its Latency-strategy product loop unrolls ")
        warnings.append(
            head +
            f"{products:,} multiplications (reuse factor {rf} caps only the multipliers), over the "
            f"{UNROLL_LIMIT:,} the tools unroll (Vivado HLS stops: 'Stop unrolling loop'); use the "
            f"Resource strategy with a reuse factor of at least {math.ceil(products / UNROLL_LIMIT)}, "
            "or a smaller layer")
    return warnings


def binding_warnings(family: str, clock_ns: float, multiplier_impl: str | None) -> list[str]:
    if multiplier_impl != "fabric" or family != "7-series" or clock_ns >= FABRIC_MULTIPLIER_NS:
        return []
    return [f"multipliers bound to LUT fabric on a 7-series part: Vitis HLS cannot register inside "
            f"them and estimated {FABRIC_MULTIPLIER_NS} ns for every such reference build; the "
            f"{clock_ns:g} ns clock will not be met"]


def maximum_size(graph) -> int:
    """The partition threshold hls4ml's build script gives Vivado HLS (config `MaximumSize`)."""
    config = getattr(graph, "config", None)
    value = config.get_config_value("MaximumSize", PARTITION_LIMIT) if config is not None else PARTITION_LIMIT
    return int(value or PARTITION_LIMIT)


def array_pragma(layer) -> str:
    """'partition', 'reshape' or '' (in place: no array of its own) for an io_parallel
    output array: the variable's own pragma when hls4ml has set it, else its rule (the
    model input reshaped, every other output partitioned)."""
    variable = layer.get_output_variable()
    pragma = getattr(variable, "pragma", None)
    if pragma is None:
        return "reshape" if layer.class_name in INPUT_CLASSES else "partition"
    if isinstance(pragma, tuple):  # (mode, 'cyclic'|'block', factor): not complete
        return ""
    return str(pragma)


def array_warnings(graph, io_type: str, tool: str) -> list[str]:
    if io_type != "io_parallel" or not str(tool).startswith("Vivado"):
        return []
    limit, warnings = maximum_size(graph), []
    for layer in graph.get_layers():
        variable = layer.get_output_variable()
        pragma = array_pragma(layer)
        elements = int(math.prod(int(d) for d in variable.shape))
        if pragma == "partition" and elements > limit:
            warnings.append(
                f"HLS will not build {layer.name}: its output array of {elements:,} values is partitioned "
                f"completely in io_parallel, over the {limit:,} that hls4ml's build script lets Vivado HLS "
                "partition (config MaximumSize; Vivado HLS stops: 'XFORM 203-103 partitioned elements number "
                "has exceeded the threshold'); use io_stream, or raise MaximumSize knowing the build slows")
        bits = elements * int(variable.type.precision.width)
        if pragma == "reshape" and bits > RESHAPE_BITS:
            warnings.append(
                f"HLS will not build the input {layer.name}: io_parallel reshapes it into one {bits:,}-bit word, "
                f"over Vivado HLS's {RESHAPE_BITS:,} bits ('XFORM 203-133 Bitwidth of reshaped elements exceeds "
                "the maximum bitwidth'); use io_stream, or a narrower or smaller input")
    return warnings


def external_weight_warnings(graph) -> list[str]:
    """One warning naming the layers whose weights hls4ml moved to top-level ports (module docs)."""
    moved = []
    for layer in graph.get_layers():
        outside = [var for var in getattr(layer, "weights", {}).values() if getattr(var, "storage", None) == "bram"]
        if outside:
            moved.append(f"{layer.name} ({sum(int(math.prod(var.shape)) for var in outside):,})")
    if not moved:
        return []
    return [f"weights over the config's BramFactor become top-level ports (block RAM outside the design), read "
            f"through them, about two a cycle in the one such report, where this estimate holds them inside: "
            f"{', '.join(moved)}; raise BramFactor for the figures to apply"]


def hls_limit_warnings(graph, family: str, clock_ns: float, multiplier_impl: str | None,
                       io_type: str = "io_parallel", tool: str = "") -> list[str]:
    chained = series7.applies_to(family, tool, io_type)  # what the estimate models there
    return (unroll_warnings(graph, chained) + array_warnings(graph, io_type, tool)
            + binding_warnings(family, clock_ns, multiplier_impl) + wide_table_warnings(graph)
            + external_weight_warnings(graph))
