"""Flip-flops of Vitis HLS Dense instances of DSP products and of the registered inputs of
those instances (report/vitis_instance_ff.py)."""

import numpy as np

from l1forge.report import vitis_instance_ff
from l1forge.report.cost import Target
from l1forge.report.estimate import estimate_graph
from report_fakes import Graph


def test_the_first_cut_follows_the_clock():
    # 5 ns less 0.62 ns: a 16-term tree fits whole (4 levels); less 1.35 ns (27%): 2 levels
    assert vitis_instance_ff.cut_level(4.38) == 4
    assert vitis_instance_ff.cut_level(3.65) == 2


def test_an_instance_holds_its_outputs_and_the_sums_alive_at_its_cut():
    # fc2 of the 16-64-32-32-5 tagger: 32 outputs of 64 terms, 16-bit sums
    terms = [64] * 32
    # at 27% uncertainty: 16 sums alive after 2 levels, and the outputs (the report: 8,036 / 8,502)
    assert vitis_instance_ff.instance_ff(terms, 26, 16, 16, 3.65) == 32 * 16 * 16 + 32 * 16
    # at 12.5%: 4 alive after 4 levels (the report: 2,891)
    assert vitis_instance_ff.instance_ff(terms, 26, 16, 16, 4.38) == 32 * 4 * 16 + 32 * 16
    # a tree that fits keeps only its outputs (fc1, 16 terms: 993 in the report)
    assert vitis_instance_ff.instance_ff([16] * 64, 26, 16, 16, 4.38) == 64 * 16
    # narrow fabric products (6 x 6 bits) grow a bit a level up to accum_t: the 6-bit
    # tagger's fc3, 27 outputs of 8 terms, 18-bit results: 2 sums of 14 bits alive at the cut
    assert vitis_instance_ff.instance_ff([8] * 27, 12, 18, 18, 3.65) == 27 * 2 * 14 + 27 * 18


def test_only_vitis_io_parallel_outside_7_series():
    us = Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(27, 18))
    assert vitis_instance_ff.applies(us)
    assert not vitis_instance_ff.applies(Target(clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS",
                                                dsp_shape=(27, 18)))
    assert not vitis_instance_ff.applies(Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS",
                                                dsp_shape=(25, 18), family="7-series"))
    assert not vitis_instance_ff.applies(Target(clock_ns=5.0, io_type="io_stream", tool="Vitis HLS",
                                                dsp_shape=(27, 18)))


def test_a_reuse_factor_keeps_the_instance_registers():
    # RF 2 spreads the products over two cycles; the instance holds the same partial sums and
    # outputs as at RF 1 (the tutorial tagger's four instances at RF 2 and RF 1, Vitis HLS
    # 2023.2), not only the operands that Vivado HLS's shared multipliers hold
    def fc2(rf: int) -> dict:
        rng = np.random.default_rng(4)
        graph = Graph().input(64).dense("fc2", rng.normal(0, 0.3, (64, 32)), reuse_factor=rf)
        estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS",
                                  dsp_shape=(27, 18), clock_uncertainty_ns=1.35)
        return next(row for row in estimate["per_layer"] if row["name"] == "fc2")
    assert fc2(2)["ff"] == fc2(1)["ff"]
    assert fc2(2)["ii"] == 2


def tagger() -> Graph:
    rng = np.random.default_rng(4)
    return (Graph().input(16).dense("fc1", rng.normal(0, 0.3, (16, 64))).relu("relu1", 64)
            .dense("fc2", rng.normal(0, 0.3, (64, 32))).relu("relu2", 32)
            .dense("fc3", rng.normal(0, 0.3, (32, 32))))


def relu2(tool: str) -> dict:
    estimate = estimate_graph(tagger(), clock_ns=5.0, io_type="io_parallel", tool=tool, dsp_shape=(27, 18),
                              clock_uncertainty_ns=1.35)
    return next(row for row in estimate["per_layer"] if row["name"] == "relu2")


def test_the_vitis_top_registers_the_input_of_each_dense_instance():
    # relu2 chains into fc3's cycle in the schedule (no cycle of its own), yet Vitis HLS
    # registers its 32 outputs of 16 bits before the fc3 instance (every enlupi report)
    vitis = relu2("Vitis HLS")
    assert vitis["latency_cycles"] == 0 and vitis["ff"] == 32 * 16
    # Vivado HLS inlines the kernel: no register where the logic chains
    assert relu2("Vivado HLS")["ff"] == 0
