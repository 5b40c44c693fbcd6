"""Recurrent layers (report/recurrent_cost.py): hls4ml's gru_stack and lstm_stack, a loop of
cell state machines over the sequence, priced from the template and the one GRU report."""

import numpy as np
import pytest

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.estimate import estimate_graph
from report_fakes import FixedPrecisionType, Graph, NamedType, Weight

STEPS, N_IN, N_STATE = 20, 6, 5
WIDTH = 18


def recurrent_graph(cell: str, strategy: str = "resource", after_dense: bool = False) -> Graph:
    gates = {"GRU": 3, "LSTM": 4}[cell]
    rng = np.random.default_rng(11)
    fixed = FixedPrecisionType(WIDTH, 8)
    wtype = NamedType(fixed)
    graph = Graph()
    graph._add("seq", "Input", [STEPS, N_IN], fixed)
    if after_dense:  # the recurrent layer reads a partitioned array, not the packed input port
        graph._add("pre", "Activation", [STEPS, N_IN], fixed, {"activation": "linear"})
    weights = {"weight": Weight(rng.normal(0, 0.5, (N_IN, gates * N_STATE)), wtype),
               "recurrent_weight": Weight(rng.normal(0, 0.5, (N_STATE, gates * N_STATE)), wtype),
               "bias": Weight(rng.normal(0, 0.1, gates * N_STATE), wtype),
               "recurrent_bias": Weight(rng.normal(0, 0.1, gates * N_STATE), wtype)}
    attrs = {"n_timesteps": STEPS, "n_in": N_IN, "n_out": N_STATE, "strategy": strategy,
             "recurrent_reuse_factor": 1, "accum_t": wtype, "table_size": 1024, "table_t": wtype,
             "activation": "tanh", "recurrent_activation": "sigmoid"}
    graph._add("rnn", cell, [N_STATE], fixed, attrs, weights)
    return graph


def rnn_row(graph, strategy="resource"):
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS", dsp_shape=(27, 18))
    return estimate, next(row for row in estimate["per_layer"] if row["name"] == "rnn")


@pytest.mark.parametrize("cell", ["GRU", "LSTM"])
def test_a_recurrent_layer_is_a_loop_of_cell_state_machines(cell):
    estimate, row = rnn_row(recurrent_graph(cell))
    # 1-cycle kernels and tables: (1 + 1) + 2 x (1 + 1) + 2 product stages = 8 a step, 3 loop
    # states a step and 1 on exit: the GRU report's 20 x 11 + 1 = 221
    assert row["latency_cycles"] == STEPS * (8 + C.recurrent_loop_states) + C.recurrent_exit_states + 1
    assert estimate["ii"] == STEPS * (8 + C.recurrent_loop_states) + C.recurrent_exit_states + 1  # restarts a cycle later
    assert estimate["unmodelled"] == []
    assert any(f"{STEPS} steps of 8 cycles" in note for note in row["notes"])


@pytest.mark.parametrize("cell, gates", [("GRU", 3), ("LSTM", 4)])
def test_its_dsps_are_the_two_kernels_and_three_products_a_state(cell, gates):
    _, row = rnn_row(recurrent_graph(cell))
    products = (N_IN + N_STATE) * gates * N_STATE
    # 18-bit random weights: nearly every kernel product a DSP, plus 3 x n_state variable products
    assert 3 * N_STATE < row["dsp"] <= products + 3 * N_STATE
    assert row["dsp"] >= 0.7 * products


def test_reading_the_packed_input_shifts_the_whole_word_per_input_element():
    _, packed = rnn_row(recurrent_graph("GRU"))
    _, partitioned = rnn_row(recurrent_graph("GRU", after_dense=True))
    shift = N_IN * (STEPS * N_IN * WIDTH + C.recurrent_shift_overhead_lut)
    mux = N_IN * WIDTH * np.ceil(STEPS / C.mux_inputs_per_lut)
    assert packed["lut"] - partitioned["lut"] == pytest.approx(shift - mux, abs=1)


def test_a_pipelined_top_unrolls_the_steps():
    estimate, row = rnn_row(recurrent_graph("GRU", strategy="latency"))
    _, looped = rnn_row(recurrent_graph("GRU"))
    assert estimate["ii"] == 1
    assert row["dsp"] == pytest.approx(STEPS * (looped["dsp"]), rel=0.25)
    assert any("unrolls its 20 steps" in note for note in row["notes"])


@pytest.mark.parametrize("cell", ["GRU", "LSTM"])
def test_hls4ml_recurrent_layers_are_read_and_priced(cell, tmp_path):
    # the attributes and weight names hls4ml 1.3 gives its GRU and LSTM layers
    import hls4ml
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.Input((8, 4)), getattr(tf.keras.layers, cell)(6), tf.keras.layers.Dense(2)])
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    config["Model"]["Strategy"] = "Resource"
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type="io_parallel",
                                                       backend="Vivado", output_dir=str(tmp_path / "prj"))
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS", dsp_shape=(27, 18))
    row = next(r for r in estimate["per_layer"] if r["kind"] == cell.lower())
    assert estimate["unmodelled"] == []
    assert row["latency_cycles"] == 8 * (8 + C.recurrent_loop_states) + C.recurrent_exit_states + 1
    assert row["dsp"] > 3 * 6


def test_a_streamed_recurrent_layer_is_its_own_process():
    # io_stream: the loop reads each step's input word itself; the process restarts a
    # cycle after it is done, as in io_parallel's dataflow region
    estimate = estimate_graph(recurrent_graph("GRU"), clock_ns=5.0, io_type="io_stream", tool="Vitis HLS",
                              dsp_shape=(27, 18))
    looped = STEPS * (8 + C.recurrent_loop_states) + C.recurrent_exit_states
    assert estimate["ii"] == looped + 1
    assert estimate["latency_cycles"] >= looped


def _hls4ml_graph(layer, tmp_path, name):
    import hls4ml
    import tensorflow as tf

    tf.keras.utils.set_random_seed(3)
    model = tf.keras.Sequential([tf.keras.Input((8, 4)), layer, tf.keras.layers.Dense(2)])
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    config["Model"]["Strategy"] = "Resource"
    return hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type="io_parallel",
                                                      backend="Vivado", output_dir=str(tmp_path / name))


def test_a_bidirectional_layer_runs_its_two_cells_side_by_side_each_step(tmp_path):
    # hls4ml 1.3's bidirectional_stack: the forward cell on step t and the backward cell on
    # step T-1-t in one loop body; they share nothing, so a step takes the longer cell and
    # the hardware is both cells (and two input slices)
    import tensorflow as tf

    both = _hls4ml_graph(tf.keras.layers.Bidirectional(tf.keras.layers.GRU(5)), tmp_path, "bi")
    one = _hls4ml_graph(tf.keras.layers.GRU(5), tmp_path, "uni")
    estimate = estimate_graph(both, clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS", dsp_shape=(27, 18))
    single = estimate_graph(one, clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS", dsp_shape=(27, 18))
    row = next(r for r in estimate["per_layer"] if r["kind"] == "bidirectional")
    gru = next(r for r in single["per_layer"] if r["kind"] == "gru")
    assert estimate["unmodelled"] == []
    assert row["latency_cycles"] == gru["latency_cycles"]
    assert row["dsp"] == pytest.approx(2 * gru["dsp"], rel=0.2)
    assert row["lut"] > 1.5 * gru["lut"]
    assert any("forward GRU and backward GRU" in note and "side by side" in note for note in row["notes"])
