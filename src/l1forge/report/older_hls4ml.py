"""Vendor reports of firmware an older hls4ml wrote: say so beside the estimate.

The estimate describes the firmware hls4ml 1.3 writes for the project's model and config.
Nothing in an hls4ml config says which hls4ml wrote it, but the vendor report's instance
table shows two traits of older firmware that no later report shows (checked on every
io_parallel report of the reference, calibration, validation and unseen sets with dense
instances, 2026-12-06: only the six hls4ml-tutorial reports of 2020-2021 have them):

- activation modules named without template arguments (`relu`, `relu_1`, `softmax`):
  later ones are templates named by their types and config (`relu_ap_fixed_16_6_5_3_0_
  ap_fixed_16_6_5_3_0_relu_config4_s`); the 2020 hls4ml-tutorial reports (Vivado HLS
  2019.2, xcku115) name them bare;
- a model with a softmax whose report lists no softmax instance: the softmax is an
  instance of its own in every later report of a model that has one (36 reports, Vivado
  HLS 2019.2 to Vitis HLS 2025.1); the 2022 hls4ml-tutorial reports (run with a 2021 hls4ml, Vivado HLS
  2019.2, xczu3eg) have it inlined into the top function (its DSPs and tables sit on the
  top level's rows).

The six tutorial reports with one of these traits hold 5 to 10 times the flip-flops of
these estimates (78% to 90% under): their dense instances keep about ten flip-flops per
product at a latency of one cycle (xczu3eg: 21,553 FF for the 2,048 products of the
64->32 layer; 2,859 in the later report of the same architecture on Vivado HLS 2019.2,
the calibration jet tagger). Which template change did it was not found (the dense_latency
template and its inlined product read the same in the hls4ml sources of 2021 and in 1.3),
so the estimate is not changed; the warning says what the comparison is worth.
"""

from __future__ import annotations

import re

BARE_ACTIVATION = re.compile(r"^(relu|softmax|sigmoid|tanh|linear|elu|selu|softplus)(_\d+)?$")


def older_firmware_warnings(vendor: dict | None, estimate: dict | None) -> list[str]:
    """One warning when the vendor report shows the firmware of an older hls4ml."""
    rows = (vendor or {}).get("per_layer") or []
    modules = [str(row.get("module") or "") for row in rows]
    if not modules:
        return []
    bare = sorted({name for name in modules if BARE_ACTIVATION.match(name)})
    if bare:
        trait = f"activation modules named without template arguments ({', '.join(bare[:3])})"
    elif _softmax_inlined(modules, estimate):
        trait = "no softmax instance: the softmax is inlined into the top function"
    else:
        return []
    return [f"vendor report: {trait}, as in the firmware of an older hls4ml (the hls4ml-tutorial "
            "runs of 2020-2021); the estimate describes hls4ml 1.3's firmware (such reports held 5-10x "
            "its flip-flops: report/older_hls4ml.py)"]


def _softmax_inlined(modules: list[str], estimate: dict | None) -> bool:
    layers = (estimate or {}).get("per_layer") or []
    has_softmax = any(layer.get("kind") == "softmax" for layer in layers)
    io_parallel = (estimate or {}).get("io_type") == "io_parallel"
    dense = any(name.startswith("dense_") for name in modules)
    return has_softmax and io_parallel and dense and not any("softmax" in name for name in modules)
