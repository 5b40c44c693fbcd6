"""A softmax is deeper on slower fabric and at faster clocks, up to its chain of operations
(report/softmax_depth.py)."""

from report_fakes import Graph

from l1forge.report.estimate import estimate_graph
from l1forge.report.softmax_depth import operator_chain


def softmax_cycles(clock_ns, delay_scale, n=5):
    graph = Graph().input(n).softmax("softmax", n)
    estimate = estimate_graph(graph, clock_ns=clock_ns, io_type="io_parallel", tool="Vivado HLS",
                              dsp_shape=(25, 18), delay_scale=delay_scale, family="7-series")
    return next(row for row in estimate["per_layer"] if row["name"] == "softmax")["latency_cycles"]


def test_the_calibration_depth_holds_on_the_calibration_part_at_5_ns():
    assert softmax_cycles(5.0, 1.0) == 3  # 16-bit tables that neither round nor saturate


def test_slower_fabric_is_deeper_up_to_the_operator_chain():
    assert operator_chain(5, "stable") == 12 and operator_chain(5, "latency") == 8
    assert softmax_cycles(5.0, 1.5) == 5  # ceil(3 x 1.5)
    # where a DSP multiply fills the 7-series cycle (xc7z020 -1 at 5 ns and slower), the whole
    # chain and the DSP's two pipeline registers (the scaled depths were 11 and 15 -> 12)
    assert softmax_cycles(5.0, 3.34) == 12 + 2
    assert softmax_cycles(5.0, 5.0) == 12 + 2


def test_a_slower_clock_never_makes_it_shallower():
    assert softmax_cycles(10.0, 1.0) == softmax_cycles(25.0, 1.0) == 3
