"""Reading one hls4ml ModelGraph node: its types, weights and generated config.

Everything the emulator computes comes from here, i.e. from the graph after hls4ml's
optimizer passes, never from the Keras model.

Weights are read through the very text hls4ml writes into the firmware (`WeightVariable`
iterates as those strings, e.g. "0.40625" with as many decimals as the type has fractional
bits). The C++ parses that text as a double and converts it to the weight type, so an
unquantized float weight printed to few decimals lands where the firmware puts it.
"""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate.fixed import FixedType, parse_cpp_type
from l1forge.emulate.quantize import quantize_to_ints
from l1forge.emulate.special_types import exponent_weight_codes, is_exponent, is_xnor, xnor_weight_codes
from l1forge.emulate.special_types import precision_type as from_precision  # XNOR bits as ap_uint<1>
from l1forge.errors import UserError


def where(node) -> str:
    return f"layer '{node.name}' ({node.class_name})"


def output_type(node) -> FixedType:
    return from_precision(node.get_output_variable().type.precision, where(node))


def named_type(node, attribute: str) -> FixedType:
    """A type attribute of the node such as `accum_t`, `table_t` or `exp_table_t`."""
    value = node.get_attr(attribute)
    if value is None:
        raise UserError(f"{where(node)}: has no {attribute}; expected hls4ml to have set it")
    return from_precision(value.precision, where(node))


def weight_codes(node, name: str) -> tuple[np.ndarray, FixedType]:
    """Codes (int64, the graph's array shape) and type of weight variable `name`."""
    variable = node.weights.get(name)
    if variable is None:
        raise UserError(f"{where(node)}: has no '{name}' weights")
    if is_xnor(variable.type.precision):  # binary (XNOR) weights: special_types.py
        return xnor_weight_codes(variable, name)
    if is_exponent(variable.type.precision):  # power-of-two weights: special_types.py
        return exponent_weight_codes(variable, name, node.get_input_variable().type.precision, where(node))
    ftype = from_precision(variable.type.precision, where(node))
    texts = list(iter(variable))
    values = np.array([float(text) for text in texts], dtype=np.float64)
    return quantize_to_ints(values, ftype).reshape(np.shape(variable.data)), ftype


def config_text(node) -> str:
    """The C++ config struct hls4ml generated for this node (its templates ran already)."""
    text = node.get_attr("config_cpp")
    if not text:
        raise UserError(f"{where(node)}: no generated config; expected a graph converted by hls4ml")
    return text


def config_value(node, key: str) -> str:
    """The right-hand side of `static ... key = value;` in the node's config struct."""
    match = re.search(rf"\b{re.escape(key)}\s*=\s*([^;]+);", config_text(node))
    if not match:
        raise UserError(f"{where(node)}: generated config has no '{key}'")
    return match.group(1).strip()


def config_type(node, typedef: str, attribute: str | None = None) -> FixedType:
    """The type a config struct typedefs as `typedef`: a spelled-out ap type, or a named
    type whose precision the node carries under `attribute`."""
    match = re.search(rf"typedef\s+([^;]+?)\s+{re.escape(typedef)}\s*;", config_text(node))
    if not match:
        raise UserError(f"{where(node)}: generated config has no typedef {typedef}")
    spelled = match.group(1).strip()
    if spelled.startswith("ap_"):
        return parse_cpp_type(spelled)
    for value in node.attributes.values():
        if getattr(value, "name", None) == spelled and hasattr(value, "precision"):
            return from_precision(value.precision, where(node))
    if attribute is not None:
        return named_type(node, attribute)
    raise UserError(f"{where(node)}: cannot resolve type {spelled} of {typedef}")


def strategy(node) -> str:
    return str(node.get_attr("strategy", "latency")).lower()


# The three bodies of hls4ml's Resource-strategy dense kernel (nnet_dense_resource.h)
LEQ, REM0, GENERAL = "rf_leq_nin", "rf_gt_nin_rem0", "rf_gt_nin"


def resource_case(n_in: int, rf: int) -> str:
    """Which body of dense_resource hls4ml runs for this reuse factor: rf_leq_nin (RF <=
    n_in), rf_gt_nin_rem0 (RF a multiple of n_in), else rf_gt_nin."""
    if rf <= n_in:
        return LEQ
    return REM0 if rf % n_in == 0 else GENERAL


def check_channels_last(node) -> None:
    if str(node.get_attr("data_format", "channels_last")) != "channels_last":
        raise UserError(f"{where(node)}: channels_first data is not emulated; expected channels_last")
