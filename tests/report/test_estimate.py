"""The estimator on small ModelGraph stand-ins: what each rule of the model does."""

import numpy as np
import pytest

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.estimate import estimate_graph
from l1forge.report.multipliers import csd_digits
from report_fakes import FixedPrecisionType, Graph, jet_like

LSB = 2.0 ** -10  # fixed<16,6>


def run(graph, clock=5.0, io="io_parallel", tool="Vivado HLS", scale=1.0):
    return estimate_graph(graph, clock, io, tool, (27, 18), scale)


def layer(result, name):
    return next(row for row in result["per_layer"] if row["name"] == name)


def test_report_shape_and_totals_are_sums():
    result = run(jet_like())
    keys = {"latency_cycles", "latency_ns", "ii", "dsp", "lut", "ff", "bram_18k", "per_layer"}
    assert keys <= set(result)
    for key in ("dsp", "bram_18k"):
        assert result[key] == sum(row[key] for row in result["per_layer"])
    assert result["lut"] == sum(row["lut"] for row in result["per_layer"]) + C.top_control_lut
    assert result["latency_ns"] == result["latency_cycles"] * 5.0
    assert {"name", "latency_cycles", "ii", "dsp", "lut", "ff", "bram_18k"} <= set(result["per_layer"][1])
    assert [row["class"] for row in result["per_layer"]] == ["Input", "Dense", "Activation", "Dense", "Softmax"]


def test_zero_weights_cost_nothing_and_powers_of_two_are_shifts():
    # 3 CSD digits on a 16-bit input: a DSP for each distinct (input, weight) product
    ones = np.full((8, 4), 11 * LSB) * np.array([1, 5, 7, 9])  # 11, 55, 77, 99: all 3+ digits
    dense = run(Graph().input(8).dense("fc", ones))
    assert layer(dense, "fc")["dsp"] == 32
    same = run(Graph().input(8).dense("fc", np.full((8, 4), 11 * LSB)))
    assert layer(same, "fc")["dsp"] == 8  # each input times 11 once, shared by the 4 outputs
    pruned = ones.copy()
    pruned[:4] = 0.0
    assert layer(run(Graph().input(8).dense("fc", pruned)), "fc")["dsp"] == 16
    shifts = run(Graph().input(8).dense("fc", np.full((8, 4), 8 * LSB)))
    assert layer(shifts, "fc")["dsp"] == 0
    adders = run(Graph().input(8).dense("fc", np.full((8, 4), 3 * LSB)))  # 4 - 1: one LUT adder
    assert layer(adders, "fc")["dsp"] == 0
    assert layer(shifts, "fc")["lut"] < layer(adders, "fc")["lut"]  # shifts leave the adder trees only
    nothing = run(Graph().input(8).dense("fc", np.zeros((8, 4))))
    assert layer(nothing, "fc")["dsp"] == 0 and layer(nothing, "fc")["lut"] == 0


def test_input_width_decides_dsp_or_lut():
    weights = np.full((8, 4), 11 * LSB)
    narrow = Graph().input(8, FixedPrecisionType(6, 0, False)).dense("fc", weights)
    assert layer(run(narrow), "fc")["dsp"] == 0 and layer(run(narrow), "fc")["lut"] > 0


def test_reuse_factor_caps_dsps_and_sets_the_interval():
    # 32 distinct multiplies (one code per output: 11, 13, 19, 21) on a cap of 32 / 4 = 8:
    # issued over 4 cycles, so the layer keeps the template's II = RF
    weights = np.tile(np.array([11, 13, 19, 21]) * LSB, (8, 1))
    result = run(Graph().input(8).dense("fc", weights, reuse_factor=4))
    assert layer(result, "fc")["dsp"] == 8 and result["ii"] == 4
    # at RF 100 the cap is one multiplier: 32 issue cycles, a schedule shorter than RF, so
    # the layer runs once per schedule (dense_cost.pipelined_interval), not every 100 cycles
    slow = run(Graph().input(8).dense("fc", weights, reuse_factor=100))
    assert layer(slow, "fc")["dsp"] == 1 and 32 <= slow["ii"] == layer(slow, "fc")["ii"] < 100


def test_resource_strategy_shares_multipliers_and_stores_weights_in_bram():
    weights = np.full((64, 32), 11 * LSB)
    result = run(Graph().input(64).dense("fc", weights, reuse_factor=16, strategy="resource"))
    fc = layer(result, "fc")
    assert fc["dsp"] == 64 * 32 // 16 and fc["bram_18k"] > 0
    # a dataflow process (hls4ml's pipeline style for Resource layers): its RF-cycle loop,
    # the multiplier pipeline, the buffer write; the loop is pipelined, so the interval is RF.
    # The only process writes the ports, not a buffer: the design takes one cycle less.
    assert fc["latency_cycles"] >= 16 + 3 and result["latency_cycles"] == fc["latency_cycles"] - 1
    assert result["ii"] == 16


def test_resource_strategy_latency_grows_with_the_reuse_factor_in_every_layer():
    weights = np.full((16, 8), 11 * LSB)
    def graph(rf):
        return (Graph().input(16).dense("fc1", weights, reuse_factor=rf, strategy="resource").relu("relu", 8)
                .dense("fc2", np.full((8, 8), 11 * LSB), reuse_factor=rf, strategy="resource"))
    small, large = run(graph(2)), run(graph(8))
    # two dense processes, each RF cycles longer
    assert large["latency_cycles"] - small["latency_cycles"] == 2 * (8 - 2)


def test_latency_strategy_reuse_issues_the_shared_products_over_rf_cycles():
    """hls4ml's ALLOCATION cap: limit = n/RF multipliers, so the last product starts RF-1
    cycles after the first; a layer cannot finish before it has made its products."""
    codes = [c for c in range(11, 400) if csd_digits(np.array([c]))[0] >= 3][:64]
    weights = np.tile(np.array(codes) * LSB, (16, 1))  # 1024 distinct DSP-class products
    one, many = run(Graph().input(16).dense("fc", weights)), run(Graph().input(16).dense("fc", weights, reuse_factor=64))
    assert many["ii"] == 64 and layer(many, "fc")["dsp"] == 16
    assert layer(many, "fc")["latency_cycles"] >= 63 > layer(one, "fc")["latency_cycles"]
    assert many["latency_cycles"] >= 63
    # products built from shifts and adders are not capped: no serialisation
    adders = np.full((16, 64), 3 * LSB)
    assert run(Graph().input(16).dense("fc", adders, reuse_factor=64))["latency_cycles"] == \
        run(Graph().input(16).dense("fc", adders))["latency_cycles"]


def test_reuse_two_with_room_in_the_cycle_adds_nothing():
    """Vitis HLS 2024.1, RF 2: the jet tagger's output layer shared 80 DSPs among 106
    products at the same latency, the second half issued in the cycle that sums."""
    weights = np.full((32, 5), 11 * LSB)
    assert run(Graph().input(32).dense("fc", weights, reuse_factor=2))["latency_cycles"] == \
        run(Graph().input(32).dense("fc", weights))["latency_cycles"]


def test_slower_parts_and_faster_clocks_pipeline_deeper():
    from l1forge.report.timing import delay_scale

    graph = jet_like()
    fast_part = run(graph)
    artix = delay_scale("Artix-7", 1)
    assert artix == pytest.approx(775 / 464 * 2.0)  # data sheets' DSP Fmax ratio x 7-series routing
    slow_part = run(graph, scale=artix)
    assert slow_part["latency_cycles"] > fast_part["latency_cycles"] and slow_part["ff"] > fast_part["ff"]
    assert run(graph, clock=3.33, scale=artix)["latency_cycles"] > slow_part["latency_cycles"]
    assert delay_scale("UltraScale+", 2) == 1.0 and delay_scale("UltraScale+", 1) > 1.0
    assert delay_scale("UltraScale+", 3) < 1.0 < delay_scale("Kintex-7", None) < delay_scale("Artix-7", None)


def test_a_multiply_that_fills_the_cycle_sums_one_tree_level_per_cycle():
    """On an Artix-class -1 part at 5 ns a DSP multiply leaves no room for adders: the
    multiply takes two cycles, every level of the 17-term tree one more, and products and
    partial sums are registered (the Dense 16->5 report: a 7-cycle kernel)."""
    from l1forge.report.timing import delay_scale

    weights = np.full((16, 5), 11 * LSB)
    graph = Graph().input(16).dense("fc", weights, np.full(5, 0.5))  # 16 products + bias
    slow, fast = run(graph, scale=delay_scale("Artix-7", 1)), run(graph)
    assert layer(slow, "fc")["latency_cycles"] == 2 + 5  # the multiply, then 5 adder levels
    assert layer(slow, "fc")["ff"] > 10 * layer(fast, "fc")["ff"]


def test_slower_clock_gives_fewer_cycles():
    graph = jet_like()
    fast, slow = run(graph, clock=2.5), run(graph, clock=10.0)
    assert fast["latency_cycles"] > slow["latency_cycles"]
    # the same design, registered more often, holds more flip-flops
    assert fast["ff"] > slow["ff"]


def test_pruning_lowers_every_resource():
    dense, pruned = run(jet_like()), run(jet_like(sparsity=0.75))
    for key in ("dsp", "lut"):
        assert pruned[key] < dense[key]


def test_vitis_adds_a_cycle_and_more_luts():
    vivado, vitis = run(jet_like()), run(jet_like(), tool="Vitis HLS")
    assert vitis["latency_cycles"] == vivado["latency_cycles"] + C.extra_cycles["Vitis HLS"]
    assert vitis["lut"] > vivado["lut"] and vitis["dsp"] == vivado["dsp"]


def test_softmax_tables_and_rounding():
    plain = run(Graph().input(5).softmax("softmax", 5))
    careful = run(Graph().input(5).softmax("softmax", 5, FixedPrecisionType(18, 8, True, "RND", "SAT")))
    assert layer(plain, "softmax")["bram_18k"] == 4  # 3 dual-port exp tables + 1 inverse
    assert layer(plain, "softmax")["dsp"] == 5
    assert layer(careful, "softmax")["latency_cycles"] == layer(plain, "softmax")["latency_cycles"] + 1


def test_constant_neurons_are_free_downstream():
    weights = np.full((8, 4), 11 * LSB)
    weights[:, 2:] = 0.0  # outputs 2 and 3 are constants (their bias)
    graph = Graph().input(8).dense("fc", weights).relu("relu", 4)
    full = Graph().input(8).dense("fc", np.full((8, 4), 11 * LSB)).relu("relu", 4)
    assert layer(run(graph), "relu")["lut"] * 2 == layer(run(full), "relu")["lut"]


def test_io_stream_is_a_dataflow_of_processes():
    graph = jet_like()
    stream, parallel = run(graph, io="io_stream"), run(graph)
    assert stream["io_type"] == "io_stream"
    assert stream["ii"] > 1  # each process reads its whole input before it answers
    assert stream["latency_cycles"] >= max(row["latency_cycles"] for row in stream["per_layer"])
    assert stream["dsp"] == parallel["dsp"]


def conv_net(size, io_partitions=1):
    kernel = np.full((3, 3, 2, 4), 11 * LSB) * np.array([1, 5, 7, 9])  # distinct products per tap
    return (Graph().image_input([size, size, 2])
            .conv2d("conv", kernel, [size - 2, size - 2, 4], in_width=size, n_partitions=io_partitions))


def test_streamed_convolution_pays_in_time_not_in_area():
    small, large = run(conv_net(8), io="io_stream"), run(conv_net(16), io="io_stream")
    assert layer(small, "conv")["dsp"] == layer(large, "conv")["dsp"] == 3 * 3 * 2 * 4
    assert layer(large, "conv")["latency_cycles"] - layer(small, "conv")["latency_cycles"] == 16 * 16 - 8 * 8
    assert large["ii"] > 16 * 16


def test_parallel_convolution_unrolls_pixels_per_partition():
    one, six = run(conv_net(8, io_partitions=36)), run(conv_net(8, io_partitions=6))
    assert layer(one, "conv")["dsp"] * 6 == layer(six, "conv")["dsp"]
    assert one["ii"] == 36 and six["ii"] == 6


def test_transposed_resource_weights_read_like_the_others():
    weights = np.arange(1, 33, dtype=float).reshape(8, 4) * 3 * LSB
    plain = run(Graph().input(8).dense("fc", weights, strategy="resource"))
    flipped = run(Graph().input(8).dense("fc", weights.T, strategy="resource", _weights_transposed=True))
    assert layer(plain, "fc") == layer(flipped, "fc")


def test_a_layer_type_is_priced_through_the_registry_alone(monkeypatch):
    """One table maps hls4ml classes to cost functions: a new class is one entry there."""
    from l1forge.report import estimate, registry
    from l1forge.report.cost import LayerCost

    graph = Graph().input(8).relu("relu", 8)
    graph.layers[-1].class_name = "Gather"  # a class the estimator does not know
    assert "not modelled" in layer(run(graph), "relu")["notes"][0]
    priced = lambda lay, io, target: LayerCost(name=lay.name, kind="gather", lut=123.0, out_bits=8 * 16)
    monkeypatch.setitem(registry.COST_BY_CLASS, "Gather", priced)
    assert layer(run(graph), "relu")["lut"] == 123
    # estimate.py itself names no hls4ml class
    assert not [name for name in vars(estimate) if name.isupper() and isinstance(getattr(estimate, name), (set, frozenset))]
