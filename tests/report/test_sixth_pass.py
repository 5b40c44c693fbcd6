"""Sixth pass of the estimator (docs/estimator.md): rules read from public hls4ml
projects' vendor reports outside the committed sets, each tested here."""

import numpy as np

from l1forge.report.estimate import estimate_graph
from report_fakes import FixedPrecisionType, Graph

NARROW = FixedPrecisionType(6, 1)


def run(graph, clock=5.0):
    return estimate_graph(graph, clock, "io_parallel", "Vivado HLS", (25, 18), 2.0)


def layer(result, name):
    return next(row for row in result["per_layer"] if row["name"] == name)


def narrow_resource_graph(rf):
    """A Resource dense 64 -> 32 reading 6-bit inputs with 6-bit weights (the PYNQ QKeras
    jet tagger's fc2): too narrow for a DSP by the operands' widths."""
    weights = np.full((64, 32), 0.40625)  # 13 / 32 on the 6-bit grid
    return (Graph().input(64, precision=NARROW)
            .dense("fc", weights, weight_precision=NARROW, reuse_factor=rf, strategy="resource"))


def test_narrow_resource_multiplies_accumulate_one_per_output_in_a_dsp():
    """acc[out] += product: one multiply-add per output goes to a DSP48, the rest stay in
    fabric (32 DSPs for 64 shared 6x6 multipliers over 32 outputs, vendor)."""
    fc = layer(run(narrow_resource_graph(32)), "fc")
    assert fc["dsp"] == 32
    # the RF-cycle loop's iteration takes the DSP pipeline: RF + 3, + 1 for the buffer write
    assert fc["latency_cycles"] == 32 + 3 + 1


def test_fewer_multipliers_than_outputs_each_accumulate_in_a_dsp():
    fc = layer(run(narrow_resource_graph(512)), "fc")  # 4 shared multipliers, 32 outputs
    assert fc["dsp"] == 4


def test_each_shared_multiplier_selects_its_input_from_every_input():
    """data[in_index] with an index that changes every RF cycle: one n_in:1 multiplexer per
    shared multiplier, n_in / 4 LUT6 per bit (64 multipliers x 6 bits x 64 / 4 here)."""
    fc = layer(run(narrow_resource_graph(32)), "fc")
    assert fc["lut"] >= 64 * 6 * 64 // 4
    # twice the inputs per multiplier (RF 64: 32 multipliers, still 64 inputs): half the muxes
    assert layer(run(narrow_resource_graph(64)), "fc")["lut"] < fc["lut"]
