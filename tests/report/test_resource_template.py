"""Seventh pass of the estimator (docs/estimator.md): the Resource strategy follows the
three bodies of hls4ml's dense_resource template (resource_cost.py)."""

import numpy as np

from l1forge.report.bits import Bits
from l1forge.report.estimate import estimate_graph
from l1forge.emulate.nodes import GENERAL, LEQ, REM0, resource_case
from l1forge.report.resource_cost import (accumulate_cast_lut, index_values, input_mux_lut, input_register_ff,
                                          rom_bram_18k)
from report_fakes import FixedPrecisionType, Graph, NamedType

WIDE = FixedPrecisionType(24, 16)
WEIGHT8 = FixedPrecisionType(8, 1)


def run(graph, io_type="io_parallel"):
    return estimate_graph(graph, 5.0, io_type, "Vivado HLS", (25, 18), 2.0)


def layer(result, name):
    return next(row for row in result["per_layer"] if row["name"] == name)


def resource_dense(n_in, n_out, rf, accum=None):
    """A Resource dense reading 24-bit inputs with 8-bit weights (the Conv1D encoders')."""
    weights = np.full((n_in, n_out), 0.3984375)  # 51 / 128 on the 8-bit grid
    attrs = {"reuse_factor": rf, "strategy": "resource"}
    if accum is not None:
        attrs["accum_t"] = NamedType(accum)
    return (Graph().input(n_in, precision=WIDE)
            .dense("fc", weights, weight_precision=WEIGHT8, **attrs))


def test_the_template_body_follows_the_reuse_factor_against_the_inputs():
    assert resource_case(64, 32) == LEQ and resource_case(64, 64) == LEQ
    assert resource_case(27, 108) == REM0
    assert resource_case(27, 100) == GENERAL


def test_leq_multiplexers_take_the_loop_counters_width_of_inputs():
    # RF 32 over 64 inputs: a 6-bit counter, 64-input muxes (mux_646 in the vendor report)
    assert index_values(64, 32) == 64
    # RF 16 over 32 inputs, RF 784 over 784 inputs: all the inputs
    assert index_values(32, 16) == 32 and index_values(784, 784) == 784
    # RF 2: a 2-bit counter, 4 inputs whatever n_in
    assert index_values(64, 2) == index_values(20, 2) == 4


def test_rf2_multiplexer_lut_per_multiplier_does_not_grow_with_the_inputs():
    """The RF-2 Conv1D encoders: the same LUTs per multiplier over 64 and 20 inputs."""
    wide = layer(run(resource_dense(64, 4, 2)), "fc")["lut"] / (64 * 4 // 2)
    narrow = layer(run(resource_dense(20, 4, 2)), "fc")["lut"] / (20 * 4 // 2)
    assert abs(wide - narrow) < 1.0


def test_rem0_has_one_shared_input_multiplexer_and_an_accumulator_select():
    one = input_mux_lut(1, 16, 27, 108, REM0)
    assert one == input_mux_lut(4, 16, 27, 108, REM0) == 16 * 7  # shared: independent of multipliers
    assert input_mux_lut(4, 16, 27, 100, GENERAL) == 4 * 16 * 7  # one per multiplier
    result = run(resource_dense(27, 4, 108))
    assert "rf_gt_nin_rem0" in layer(result, "fc")["notes"][0]


def test_rem0_output_index_read_overlaps_the_multiply():
    leq = layer(run(resource_dense(64, 4, 64)), "fc")["latency_cycles"]
    rem0 = layer(run(resource_dense(16, 16, 64)), "fc")["latency_cycles"]
    assert leq == rem0 == 64 + 3 + 1


def test_rounding_saturating_accumulator_costs_casts_per_multiplier():
    plain, sat = FixedPrecisionType(24, 16), FixedPrecisionType(24, 16, True, "RND", "SAT")
    assert accumulate_cast_lut(Bits(24, 16, True), Bits(8, 1, True), Bits(24, 16, True)) == 0
    cast = accumulate_cast_lut(Bits(24, 16, True), Bits(8, 1, True), Bits(24, 16, True, True, True))
    assert cast > 200  # 24x8 product rounded and saturated, then the sum saturated
    plain_lut = layer(run(resource_dense(64, 16, 2, plain)), "fc")["lut"]
    sat_lut = layer(run(resource_dense(64, 16, 2, sat)), "fc")["lut"]
    assert abs(sat_lut - plain_lut - 512 * cast) <= 1


def test_weight_rom_takes_the_fewest_bram18_shapes():
    assert rom_bram_18k(78, 784) == 5  # 1K x 18, not 6 as 512 x 36
    assert rom_bram_18k(768, 8) == 22  # 512 x 36


def test_input_registers_by_io_type():
    data = Bits(16, 6, True)
    assert input_register_ff(64, data, "io_parallel") == 2 * 64 * 16  # rewind + phi registers
    assert input_register_ff(784, data, "io_stream") == 784 * 16  # the streamed dense's data[n_in]
    parallel = layer(run(resource_dense(64, 4, 8)), "fc")["ff"]
    assert parallel >= 2 * 64 * 24
