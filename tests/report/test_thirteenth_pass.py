"""Thirteenth pass: a fabric-only Latency-strategy dense layer's flip-flops are the partial
sums alive where its registers cut the adder tree (registers.tree_cut_registers), not two
per product and register."""

import numpy as np
from hls4ml.model.types import IntegerPrecisionType
from report_fakes import FixedPrecisionType, Graph

from l1forge.report import vitis_instance_ff
from l1forge.report.estimate import estimate_graph
from l1forge.report.registers import tree_cut_registers


def test_a_cut_holds_the_partial_sums_alive_at_its_level():
    # 16 terms cut after 2 levels: 4 partial sums of (8 + 2) bits; after all 4 levels one
    # sum, at most accum_t (12) wide
    assert tree_cut_registers([16], 8, 32, [2]) == 4 * 10
    assert tree_cut_registers([16], 8, 12, [4]) == 12
    assert tree_cut_registers([16, 0, 3], 8, 32, [0]) == 16 * 8 + 3 * 8  # before any level: every product
    assert tree_cut_registers([16], 8, 32, [1, 3]) == 8 * 9 + 2 * 11  # two registers


def layer(graph, name, **target):
    estimate = estimate_graph(graph, io_type="io_parallel", dsp_shape=(27, 18), **target)
    return next(row for row in estimate["per_layer"] if row["name"] == name)


def test_a_wide_binary_input_layer_holds_a_few_late_sums():
    # The 400-input Dense of a Vitis HLS 2023.2 MLP on an xcu250 at 5 ns (ap_uint<1> inputs,
    # fixed<6,1> weights, 10 outputs; ninth unseen set): 1 cycle and 924 FF in its report,
    # 5,786 by the two-per-product count. Its tree of ~400 terms is cut once, late.
    rng = np.random.default_rng(3)
    weights = np.round(rng.uniform(-1, 1, (400, 10)) * 32) / 32
    graph = (Graph().input(400, precision=IntegerPrecisionType(1, signed=False))
             .dense("fc1", weights, weight_precision=FixedPrecisionType(6, 1)))
    row = layer(graph, "fc1", clock_ns=5.0, tool="Vitis HLS")
    n_nonzero = int(np.count_nonzero(weights))
    assert row["dsp"] == 0 and row["latency_cycles"] == 1
    assert 924 / 2 <= row["ff"] <= 924 * 2
    assert row["ff"] < 2 * n_nonzero / 4  # the count it replaces


def test_dsp_layers_keep_the_count_read_from_the_jet_taggers():
    # 16-bit products on DSPs: the register sits behind the DSP, two flip-flops per product
    rng = np.random.default_rng(4)
    weights = rng.normal(0, 0.3, (16, 64))
    row = layer(Graph().input(16).dense("fc1", weights), "fc1", clock_ns=5.0, tool="Vivado HLS")
    assert row["dsp"] > 0 and row["latency_cycles"] >= 1
    products = weights.size  # a few may truncate to zero on the fixed<16,6> grid
    assert 0.99 * 2 * products * row["latency_cycles"] <= row["ff"] <= 2 * products * row["latency_cycles"]


def test_a_layer_of_mostly_fabric_products_is_timed_and_counted_as_fabric():
    # The partner build (16-bit inputs, the same 400 x 10 layer of fixed<6,1> weights: 17 of
    # its products on DSPs, Vitis HLS 2023.2, xcu250, 5 ns): its instance takes 1 cycle in
    # the report. A register behind those few DSPs (their 2 ns, then the fabric tree) gave 2.
    rng = np.random.default_rng(5)
    weights = rng.choice([0.375, -0.375, 0.75, -0.5, 0.25], size=(400, 10))  # two CSD digits or one
    weights[rng.choice(400, 20, replace=False), rng.integers(0, 10, 20)] = 11 / 32  # three digits: a DSP
    graph = Graph().input(400).dense("fc1", weights, weight_precision=FixedPrecisionType(6, 1))
    row = layer(graph, "fc1", clock_ns=5.0, tool="Vitis HLS")
    assert 0 < row["dsp"] <= 20
    assert row["latency_cycles"] == 1
    # the partial sums alive at the instance's cut and its outputs (seventeenth pass,
    # vitis_instance_ff), not two per product (the report: 3,615 FF)
    assert row["ff"] == vitis_instance_ff.instance_ff([400] * 10, 16 + 6, 16, 16, 4.375)
    assert abs(row["ff"] - 3615) <= 0.2 * 3615
    assert row["ff"] < 2 * weights.size  # the two-per-product count it replaces


def test_a_7_series_dsp_cascades_only_where_the_multiply_needs_two_stages():
    # A Dense 8 -> 4 of 18-bit DSP products at 5 ns in Vivado HLS. On a Virtex-7 -2 (the
    # tenth unseen set's MLP: its Dense instances take 1, 2 and 1 cycles) the products are
    # registered once and the adders chain; on the xc7z020 -1 (the Dense 16->5 report) the
    # multiply needs two stages and the tool sums in the DSP post-adders, a level a cycle.
    from l1forge.report.timing import delay_scale

    rng = np.random.default_rng(6)
    graph = Graph().input(8).dense("fc", rng.normal(0, 0.5, (8, 4)))

    def row(fabric, grade):
        return layer(graph, "fc", clock_ns=5.0, tool="Vivado HLS", family="7-series",
                     delay_scale=delay_scale(fabric, grade))

    virtex, zynq = row("Kintex-7", 2), row("Artix-7", 1)
    assert virtex["dsp"] == zynq["dsp"] > 0
    assert not any("cascade" in note for note in virtex["notes"]) and virtex["latency_cycles"] <= 2
    assert any("cascade" in note for note in zynq["notes"]) and zynq["latency_cycles"] >= 5
