"""Ninth pass, MLPs: Vitis HLS on 7-series, a capped dense layer longer than its interval
(series7_pipelined.py), the ReLU's own threshold (series7.relu_cycles), and the older
hls4ml signature of a vendor report (older_hls4ml.py)."""

import numpy as np

from l1forge.report import series7, series7_pipelined
from l1forge.report.older_hls4ml import older_firmware_warnings
from l1forge.report.cost import Target
from l1forge.report.estimate import estimate_graph
from l1forge.report.timing import delay_scale
from report_fakes import LSB_16_6, Graph

ARTIX7_1 = delay_scale("Artix-7", 1)
XC7Z007S_2 = delay_scale("Artix-7", 2)
# six weight codes of three CSD digits each: every product is a distinct multiply
CODES = np.array([11, 13, 19, 21, 25, 27])


def vitis7(clock_ns, scale, uncertainty_ns=None):
    return Target(clock_ns=clock_ns, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(25, 18),
                  delay_scale=scale, family="7-series", clock_uncertainty_ns=uncertainty_ns)


def test_relu_chains_at_5ns_on_a_minus_1_part_but_not_at_3_33ns():
    """The Iris MLP (xc7z020 -1, 27% uncertainty) and the autoencoder (xc7a50t -1) at 5 ns: ReLU
    instances of latency 0, where their dense layers still take a cycle per adder level."""
    assert series7.relu_cycles(vitis7(5.0, ARTIX7_1)) == 0
    assert series7.relu_cycles(vitis7(5.0, ARTIX7_1, uncertainty_ns=1.35)) == 0
    assert not series7.wide_cycle(vitis7(5.0, ARTIX7_1))
    assert series7.relu_cycles(vitis7(3.33, XC7Z007S_2)) == 1


def test_pipelined_cycles_of_the_autoencoder_layers():
    """Vitis HLS 2023.2, xc7a50t -1, 5 ns, RF 4: instances of 6 / 5 / 5 / 6 cycles at II 4
    (multiplies, cap, live outputs, widest tree's terms from its weights)."""
    target = vitis7(5.0, ARTIX7_1)
    layers = [(44, 12, 6, 9), (14, 5, 3, 7), (16, 5, 6, 4), (46, 12, 8, 7)]
    assert all(series7_pipelined.overlaps(n, cap, 4, terms, True) for n, cap, _, terms in layers)
    got = [series7_pipelined.pipelined_cycles(n, cap, live, terms, True, target) for n, cap, live, terms in layers]
    assert got == [6, 5, 5, 6]


def test_a_layer_that_fits_its_interval_does_not_overlap():
    # ARRYTHMIA output at RF 100: 42 multiplies on 2 DSPs run once per schedule (II 24)
    assert not series7_pipelined.overlaps(42, 2, 100, 7, True)
    assert not series7_pipelined.overlaps(12, 12, 4, 9, True)  # the cap does not bind


def test_last_tree_takes_the_remainder_of_the_last_issue_cycle():
    assert series7_pipelined.issue_cycles(16, 5) == 4
    assert series7_pipelined.last_tree_terms(16, 5, 6) == 2  # one product + the partial sum
    assert series7_pipelined.last_tree_terms(44, 12, 6) == 3


def test_pipelined_ff_counts_products_inputs_and_partial_sums():
    assert series7_pipelined.pipelined_ff(44, 32, 8, 16, 6, 16, 4) == 44 * 32 + 8 * 16 + 6 * 16 * 3


def dense_rf4(reuse_factor):
    weights = np.tile(CODES * LSB_16_6, (8, 1))
    weights = weights * (1 + np.arange(8))[:, None]  # distinct codes per input too
    return (Graph().input(8).dense("fc", weights, reuse_factor=reuse_factor).relu("relu", 6))


def test_estimate_of_a_capped_layer_at_rf4_runs_past_its_interval():
    """48 multiplies on a cap of 12 at RF 4: 4 issue cycles, then the last products' tree
    (a DSP cycle and two levels): 6 cycles at II 4, not RF - 1 = 3."""
    est = estimate_graph(dense_rf4(4), clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS",
                         dsp_shape=(25, 18), delay_scale=ARTIX7_1, family="7-series")
    fc = next(row for row in est["per_layer"] if row["name"] == "fc")
    relu = next(row for row in est["per_layer"] if row["name"] == "relu")
    assert fc["ii"] == 4 and est["ii"] == 4
    assert fc["latency_cycles"] == 6 + 1  # its cycles and the instance's output register
    assert relu["latency_cycles"] == 0  # the last instance hands its outputs to the ports
    # products of 16 + 9 bits (the widest weight code, 27 x 8, has 9 significant bits),
    # the 8 inputs held, 6 partial sums over 3 cycles, and the 6 outputs' boundary register
    assert fc["ff"] == series7_pipelined.pipelined_ff(48, 25, 8, 16, 6, 16, 4) + 6 * 16


def vendor_with(*modules):
    return {"per_layer": [{"module": name} for name in modules]}


def estimate_with(*kinds):
    return {"io_type": "io_parallel", "per_layer": [{"kind": kind} for kind in kinds]}


def test_bare_activation_modules_mark_older_firmware():
    """The 2020 hls4ml-tutorial reports name their activation modules `relu`, `relu_1`."""
    warnings = older_firmware_warnings(vendor_with("dense_latency_0_0_0_1", "relu", "relu_1", "softmax"),
                                       estimate_with("dense", "relu", "softmax"))
    assert len(warnings) == 1 and "relu, relu_1" in warnings[0] and "hls4ml 1.3" in warnings[0]


def test_a_softmax_inlined_into_the_top_marks_older_firmware():
    """The 2022 tutorial reports (a 2021 hls4ml) list no softmax instance for a model with one."""
    later = ["dense_latency_0_0_0_1", "relu_ap_fixed_16_6_5_3_0_ap_fixed_16_6_5_3_0_relu_config4_s"]
    assert older_firmware_warnings(vendor_with(*later), estimate_with("dense", "relu", "softmax"))
    softmax = "softmax_stable_ap_fixed_ap_fixed_16_6_5_3_0_softmax_config13_s"
    assert older_firmware_warnings(vendor_with(*later, softmax), estimate_with("dense", "relu", "softmax")) == []
    # a model without a softmax, or a report without instances, says nothing
    assert older_firmware_warnings(vendor_with(*later), estimate_with("dense", "relu")) == []
    assert older_firmware_warnings({"per_layer": []}, estimate_with("dense", "softmax")) == []
    assert older_firmware_warnings(None, None) == []
