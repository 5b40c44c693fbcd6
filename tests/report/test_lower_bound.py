"""An estimate that counts a layer as free (no rule for it, e.g. a SimpleRNN) is a lower bound:
the budget checks and the part fit it would pass are not established; those it fails stand."""

import numpy as np
from hls4ml.model.types import FixedPrecisionType
from report_fakes import Graph

from l1forge.report.compare import budget_section, part_fit
from l1forge.report.estimate import estimate_graph
from l1forge.report.parts import find_part


def estimate(with_rnn: bool) -> dict:
    rng = np.random.default_rng(0)
    graph = Graph().input(64).dense("fc", rng.normal(0, 0.3, (64, 4)))
    if with_rnn:
        graph._add("rnn", "SimpleRNN", [4], FixedPrecisionType())
    return estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool="Vivado HLS", dsp_shape=(27, 18))


def test_unmodelled_layers_are_named_and_their_passes_withheld():
    full, partial = estimate(False), estimate(True)
    assert full["unmodelled"] == [] and partial["unmodelled"] == ["rnn"]
    assert all(check["pass"] for check in budget_section(full, None, 1000.0)["checks"])
    checks = budget_section(partial, None, 1000.0)["checks"]
    assert [check["pass"] for check in checks] == [None, None]
    assert all("a lower bound: the estimate counts rnn as free" in check["detail"] for check in checks)
    # a budget the lower bound already misses is a failure all the same
    failing = budget_section(partial, None, 1.0)["checks"]  # 5 ns of latency already
    assert [check["pass"] for check in failing] == [None, False]
    part = find_part("xcvu13p-flga2577-2-e")
    assert part_fit(part, full, None)["verdict"] == "pass"
    fit = part_fit(part, partial, None)
    assert fit["verdict"] == "lower bound" and "counting rnn as free" in fit["detail"]
