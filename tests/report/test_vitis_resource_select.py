"""Twentieth pass of the estimator (docs/estimator.md): in Vitis HLS a Resource Dense's
rf_leq_nin body selects its inputs once per distinct index, not once per multiplier, and
an io_parallel dataflow region hands its values over through FIFOs
(resource_cost.vitis_shared_select_lut, vitis_rewind_mux_lut; estimate.channel_fifo_cost)."""

from dataclasses import replace

import numpy as np

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.estimate import estimate_graph
from l1forge.report.resource_cost import input_mux_lut, vitis_rewind_mux_lut, vitis_shared_select_lut
from l1forge.emulate.nodes import LEQ
from report_fakes import FixedPrecisionType, Graph, NamedType

DATA = FixedPrecisionType(18, 14)


def mlp(n_in=100, n_hidden=64, rf=50, rf_out=64, strategy="resource"):
    rng = np.random.default_rng(5)
    return (Graph().input(n_in, precision=DATA)
            .dense("fc1", rng.normal(0, 0.3, (n_in, n_hidden)), precision=DATA,
                   reuse_factor=rf, strategy=strategy)
            .relu("relu1", n_hidden, precision=DATA)
            .dense("fc2", rng.normal(0, 0.3, (n_hidden, 2)), precision=DATA,
                   reuse_factor=rf_out, strategy=strategy))


def run(graph, tool):
    return estimate_graph(graph, 15.0, "io_parallel", tool, (25, 18), 1.0, family="7-series")


def row(result, name):
    return next(r for r in result["per_layer"] if r["name"] == name)


def test_one_selection_per_distinct_index():
    # RF 50 over 100 inputs: multipliers read data[ir] or data[ir + 50], two selections
    # whatever the number of multipliers
    assert vitis_shared_select_lut(100, 18, 50, packed_input=False) == 2 * 18 * 25
    assert vitis_shared_select_lut(64, 24, 64, packed_input=False) == 24 * 16
    # Vivado HLS builds one per multiplier: 128 of them for the same layer
    assert input_mux_lut(128, 18, 100, 50, LEQ) > 10 * vitis_shared_select_lut(100, 18, 50, False)


def test_the_design_input_is_shifted_as_one_packed_word():
    shift = vitis_shared_select_lut(100, 18, 50, packed_input=True)
    assert shift == 2 * C.vitis_packed_shift_lut_per_bit * 1800
    assert shift > vitis_shared_select_lut(100, 18, 50, packed_input=False)


def test_rewind_multiplexers_count_the_inputs_unless_packed_and_the_outputs():
    assert vitis_rewind_mux_lut(64, 2, packed_input=False) == C.vitis_rewind_mux_lut * (64 + 3)
    assert vitis_rewind_mux_lut(100, 64, packed_input=True) == C.vitis_rewind_mux_lut * (1 + 96)


def test_vitis_prices_the_first_layer_by_its_selections_vivado_by_its_multipliers():
    vitis, vivado = run(mlp(), "Vitis HLS"), run(mlp(), "Vivado HLS")
    # the same multipliers and ROM; only what picks the inputs differs
    assert row(vitis, "fc1")["dsp"] == row(vivado, "fc1")["dsp"]
    assert row(vitis, "fc1")["bram_18k"] == row(vivado, "fc1")["bram_18k"]
    assert row(vitis, "fc1")["lut"] < row(vivado, "fc1")["lut"] / 2
    assert row(vitis, "fc1")["latency_cycles"] == row(vivado, "fc1")["latency_cycles"] - C.vivado_packed_input_cycles


def test_dataflow_values_cross_fifos(monkeypatch):
    # each value a process hands to the next crosses a FIFO whose control costs C.fifo_lut:
    # fc1 and relu1 hand 64 values each; fc2, the last process, writes the ports
    from l1forge.report import estimate

    before = {tool: run(mlp(), tool) for tool in ("Vitis HLS", "Vivado HLS")}
    monkeypatch.setattr(estimate, "C", replace(C, fifo_lut=C.fifo_lut + 10, fifo_ff=C.fifo_ff + 1))
    after = {tool: run(mlp(), tool) for tool in ("Vitis HLS", "Vivado HLS")}
    for tool in before:
        scale = C.lut_scale.get(tool, 1.0)
        for name, values in (("fc1", 64), ("relu1", 64), ("fc2", 0)):
            grown = row(after[tool], name)["lut"] - row(before[tool], name)["lut"]
            assert abs(grown - 10 * values * scale) <= 1
            # Vivado HLS keeps the words in the shift register's LUTs: its FIFO's FFs are
            # control only; Vitis HLS registers both words
            grown_ff = row(after[tool], name)["ff"] - row(before[tool], name)["ff"]
            assert grown_ff == (values if tool == "Vivado HLS" else 0)


def test_a_value_is_registered_then_held_in_the_fifo():
    # 64 relu1 values of 18 bits: the process's output register and the FIFO's words
    vitis, vivado = row(run(mlp(), "Vitis HLS"), "relu1"), row(run(mlp(), "Vivado HLS"), "relu1")
    assert vitis["ff"] - vivado["ff"] == 64 * (2 * 18 - C.fifo_ff)


def test_a_recurrent_cell_kernel_never_reads_the_port():
    # a GRU's kernels are Dense-like views without a graph of their own; a Resource GRU at
    # RF 2 on a Vivado HLS 7-series part asks whether each reads the port
    from test_recurrent_cost import recurrent_graph

    graph = recurrent_graph("GRU")
    for layer in graph.get_layers():
        layer.attrs["reuse_factor"] = 2
    result = estimate_graph(graph, 5.0, "io_parallel", "Vivado HLS", (25, 18), 1.0, family="7-series")
    assert row(result, "rnn")["dsp"] > 0


def test_products_wider_than_one_dsp_keep_their_operands_in_the_dsps_in_vivado_io_parallel():
    # 32-bit data and weights: four DSPs a product. Vivado HLS io_parallel holds no operand
    # registers in fabric for them; Vitis HLS keeps them (resource_cost.operand_registers)
    wide = FixedPrecisionType(32, 16)
    rng = np.random.default_rng(2)

    def graph():
        return (Graph().input(128, precision=wide)
                .dense("fc", rng.normal(0, 0.3, (128, 64)), precision=wide, weight_precision=wide,
                       accum_t=NamedType(wide), reuse_factor=2, strategy="resource"))

    def ff(tool, io_type="io_parallel"):
        result = estimate_graph(graph(), 25.0, io_type, tool, (27, 18), 1.0)
        return row(result, "fc")["ff"], row(result, "fc")["dsp"]

    vivado, dsp = ff("Vivado HLS")
    vitis, _ = ff("Vitis HLS")
    assert dsp >= 2 * 64 * 128 // 2  # several DSPs a product
    # the Vitis HLS figure carries each multiplier's two 32-bit operands on top
    assert vitis - vivado >= (64 * 128 // 2) * 64
