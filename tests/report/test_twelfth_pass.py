"""Twelfth pass: a softmax's depth is its operator chain cut at its two table reads
(softmax_depth.reference_cycles), not a depth read off five-value softmaxes."""

import numpy as np
from hls4ml.model.types import FixedPrecisionType, RoundingMode, SaturationMode
from report_fakes import Graph

from l1forge.report.estimate import estimate_graph
from l1forge.report.softmax_depth import reference_cycles


def softmax_row(n, saturating, clock_ns=5.0, delay_scale=1.0):
    table = (FixedPrecisionType(18, 8, rounding_mode=RoundingMode.RND, saturation_mode=SaturationMode.SAT)
             if saturating else FixedPrecisionType(18, 8))
    rng = np.random.default_rng(n)
    graph = Graph().input(8).dense("fc", rng.normal(0, 0.3, (8, n))).softmax("softmax", n, table)
    estimate = estimate_graph(graph, clock_ns=clock_ns, io_type="io_parallel", tool="Vivado HLS",
                              dsp_shape=(27, 18), delay_scale=delay_scale)
    return next(row for row in estimate["per_layer"] if row["name"] == "softmax")


def test_five_values_keep_the_calibration_depths():
    # the jet taggers (Vivado HLS 2019.2, xcu250 -2, 5 ns): 3 with plain tables, 4 with AP_RND/AP_SAT
    assert reference_cycles(5, "stable", saturating=False) == 3
    assert reference_cycles(5, "stable", saturating=True) == 4
    assert softmax_row(5, saturating=False)["latency_cycles"] == 3
    assert softmax_row(5, saturating=True)["latency_cycles"] == 4


def test_three_values_take_two_cycles():
    # the 3-class softmax instances: Vivado HLS 2020.1 on an xc7z020 -1 at 25 ns and Vitis HLS
    # 2023.1 on an xcvu13p -2 at 5 ns, 2 cycles each (3 before this pass)
    assert reference_cycles(3, "stable", saturating=True) == 2
    assert softmax_row(3, saturating=True)["latency_cycles"] == 2
    assert softmax_row(3, saturating=True, clock_ns=25.0, delay_scale=775 / 464 * 2.0)["latency_cycles"] == 2


def test_the_chain_grows_with_the_trees_and_never_drops_a_table_register():
    depths = [reference_cycles(n, "stable", saturating=False) for n in (2, 3, 5, 10, 32)]
    assert depths == sorted(depths) and depths[0] == 2  # two table reads, each registered
    assert reference_cycles(10, "stable", saturating=False) == 4  # the maximum's 4 levels pass one cycle
    # without the maximum's tree (the latency implementation) the first stage is one cycle
    assert reference_cycles(10, "latency", saturating=False) < reference_cycles(10, "stable", saturating=False)
