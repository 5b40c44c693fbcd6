"""Ninth pass: streamed 2D pooling's pixel interval (stream_pooling.py), checked on
synthetic graphs through the whole estimate."""

from report_fakes import FixedPrecisionType, Graph

from l1forge.report.estimate import estimate_graph
from l1forge.report.stream_pooling import ONE_PIXEL_PER_CYCLE_BUDGET_NS, pixel_interval
from l1forge.report.cost import Target


def pool_graph(height, width, chan=4, implementation="linebuffer", class_name="Pooling2D"):
    attrs = {"pool_op": "Max", "pool_height": 2, "pool_width": 2, "stride_height": 2, "stride_width": 2,
             "in_height": height, "in_width": width, "n_filt": chan, "implementation": implementation}
    return Graph().image_input([height, width, chan])._add(
        "pool", class_name, [height // 2, width // 2, chan], FixedPrecisionType(), attrs)


def pool_row(graph, tool="Vivado HLS", **target):
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18), **target)
    return next(row for row in estimate["per_layer"] if row["name"] == "pool"), estimate


def test_one_pixel_per_cycle_at_the_ultrascale_plus_budget():
    """UltraScale+ -2 at 5 ns, default uncertainty (budget 4.375 ns): the SVHN and PokerML
    reports' 2D pooling reads a pixel a cycle (903 = 30x30 + 3)."""
    row, estimate = pool_row(pool_graph(30, 30))
    assert row["latency_cycles"] == 30 * 30 + 3
    assert row["ii"] == row["latency_cycles"] + 1


def test_two_cycles_per_pixel_on_slower_logic():
    """A Zynq-7000 (delay scale 3.34: budget 1.31 ns) takes two cycles a pixel: the LeNet's
    1155 = 2 x 24x24 + 3, and its region interval is that process's (1156)."""
    row, estimate = pool_row(pool_graph(24, 24, chan=16), delay_scale=3.341, family="7-series")
    assert row["latency_cycles"] == 2 * 24 * 24 + 3 == 1155
    assert estimate["ii"] == 1156


def test_vitis_uncertainty_halves_the_rate_and_the_loop_rewinds():
    """Vitis HLS 2024.2 at 5 ns with a 27% uncertainty (budget 3.65 ns) on UltraScale+: the
    report's pooling over 6x6 pixels takes 75 cycles at an interval of 72 (auto-rewind)."""
    row, _ = pool_row(pool_graph(6, 6), tool="Vitis HLS", clock_uncertainty_ns=1.35)
    assert (row["latency_cycles"], row["ii"]) == (75, 72)
    default, _ = pool_row(pool_graph(6, 6), tool="Vitis HLS")  # 12.5%: one pixel a cycle, rewound
    assert (default["latency_cycles"], default["ii"]) == (39, 36)


def test_the_boundary_and_what_the_rule_leaves_alone():
    at = Target(clock_ns=5.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))
    assert at.budget_ns == ONE_PIXEL_PER_CYCLE_BUDGET_NS and pixel_interval(at) == 1
    assert pixel_interval(Target(clock_ns=4.9, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))) == 2
    # 1D pooling (the NeutDetector's Virtex-7 reports at 3.33 ns: a pixel a cycle) and
    # the encoded implementation keep one pixel per cycle on slow logic
    slow = {"delay_scale": 3.341, "family": "7-series"}
    encoded, _ = pool_row(pool_graph(24, 24, implementation="encoded"), **slow)
    assert encoded["latency_cycles"] == 24 * 24 + 3
    one_d = Graph().image_input([48, 4])._add("pool", "Pooling1D", [24, 4], FixedPrecisionType(),
                                              {"pool_op": "Max", "pool_width": 2, "stride_width": 2,
                                               "in_width": 48, "n_filt": 4})
    row, _ = pool_row(one_d, **slow)
    assert row["latency_cycles"] == 48 + 3


def softmax_notes(width, integer, implementation="stable", io_type="io_stream"):
    graph = Graph().input(2, precision=FixedPrecisionType(width, integer)).softmax("sm", 2)
    graph.layers[-1].attrs["implementation"] = implementation
    estimate = estimate_graph(graph, clock_ns=5.0, io_type=io_type, tool="Vitis HLS", dsp_shape=(27, 18))
    return next(row for row in estimate["per_layer"] if row["name"] == "sm")["notes"]


def test_a_softmax_table_addressed_wider_than_a_float_is_flagged():
    """The kojos03 report (Vitis HLS 2024.2): a softmax on ap_fixed<36,16> (stable: its exp
    table addressed by ap_ufixed<35,15>) built its 1024-entry table loop in hardware, 1053
    cycles; every softmax addressed by at most 31 bits was a ROM (softmax_tables.py)."""
    wide = softmax_notes(36, 16)
    assert any("35-bit" in note and "ROM" in note for note in wide)
    assert any("35-bit" in note for note in softmax_notes(36, 16, io_type="io_parallel"))
    assert not any("exp table" in note for note in softmax_notes(32, 16))  # 31-bit address: PokerML's, a ROM
    assert not any("exp table" in note for note in softmax_notes(16, 6))
    # the latency implementation addresses the table by the input type itself
    assert any("33-bit" in note for note in softmax_notes(33, 16, implementation="latency"))
    assert not any("exp table" in note for note in softmax_notes(33, 16))  # stable: 32 bits


def test_a_wide_softmax_table_is_also_a_build_warning():
    """The report's warnings (not only the layer's note) say the estimate may be far short."""
    from l1forge.report.build_limits import hls_limit_warnings

    def warnings(width, integer):
        graph = Graph().input(2, precision=FixedPrecisionType(width, integer)).softmax("sm", 2)
        return [w for w in hls_limit_warnings(graph, "UltraScale+", 5.0, None, "io_stream", "Vitis HLS")
                if "exp table" in w]

    assert len(warnings(36, 16)) == 1 and "35-bit" in warnings(36, 16)[0]
    assert warnings(16, 6) == [] and warnings(33, 16) == []
