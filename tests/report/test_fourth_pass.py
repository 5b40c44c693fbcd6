"""Rules of the estimator's fourth pass (VALIDATION.md): the ternary adder trees behind a
capped layer's tail on Vitis HLS 7-series (series7.shared_tail), the top level of a design
pipelined at an interval above 1 (schedule.schedule_instances), and operations the tools
never cut (cost.split_delay)."""

import numpy as np

from l1forge.report import series7
from l1forge.report.cost import LayerCost, Target, split_delay
from l1forge.report.dense_cost import shared_multiplier_cycles
from l1forge.report.multipliers import Census
from l1forge.report.schedule import schedule_instances

TARGET = Target(clock_ns=3.33, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(25, 18),
                delay_scale=1.0, family="7-series")


def test_ternary_levels():
    assert [series7.ternary_levels(n) for n in (0, 1, 2, 3, 4, 9, 10, 27, 28, 81, 82)] == \
        [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]


def test_tail_counts_three_input_adder_levels():
    # the held-out jet tagger's capped layers (LUT_reuse100): (distinct multiplies, cap,
    # widest output's terms) -> the instance latency in its report. fc3 and output have
    # 28 and 29 terms: 5 binary levels like fc1's 17 (tail 1), but 4 ternary ones (tail 2)
    jet = {"fc1": (247, 10, 17, 26), "fc2": (275, 12, 58, 25), "fc3": (202, 7, 28, 31), "output": (85, 2, 29, 45)}
    for name, (n, cap, terms, latency) in jet.items():
        assert series7.shared_interval(n, cap, 100, terms) == latency + 1, name
    # the same layers on DSPs: two cycles more (the DSP_reuse100 build: 28, 27, 33, 47)
    assert [series7.shared_interval(n, cap, 100, terms, dsp_bound=True) - 1
            for n, cap, terms, _ in jet.values()] == [28, 27, 33, 47]


def _layer(name, cycles, ii):
    return LayerCost(name=name, kind="dense", cycles=cycles, ii=ii)


def test_top_level_at_an_interval_above_one_drops_the_last_register():
    inputs = LayerCost(name="in", kind="input")
    # RF 1: every instance's outputs registered, sum of (cycles + 1)
    one = schedule_instances([inputs, _layer("a", 5, 1), _layer("b", 3, 1)], TARGET)
    assert one.latency_cycles == 10 and one.registers_after["b"] == 1
    # RF 100 (interval 16): the last instance hands its outputs to the ports, one less
    # (ARRYTHMIA DSP_reuse100: instances 15, 1, 23, 20 -> top 62, not 63)
    shared = schedule_instances([inputs, _layer("fc1", 15, 16), _layer("relu", 1, 1),
                                 _layer("out", 23, 24), _layer("softmax", 20, 1)], TARGET)
    assert shared.latency_cycles == 62 and shared.ii == 24
    assert shared.registers_after["softmax"] == 0 and shared.registers_after["out"] == 1


def test_an_operation_longer_than_the_period_keeps_one_cycle():
    # 6 ns of logic in 2 ns cycles: three registers where the chain can be cut anywhere,
    # but a multiply and an adder (two operations) take at most one register between them
    assert split_delay(6.0, 2.0)[0] == 2
    assert split_delay(6.0, 2.0, operators=2)[0] == 1
    assert split_delay(6.0, 2.0, operators=1)[0] == 0
    assert split_delay(1.5, 2.0, operators=2) == (0, 1.5, 1.5)
    # a capped layer at a period shorter than its multiply (the separable CNN at 2.5 ns):
    # 26 multiplies on 2 multipliers issue over 13 cycles; the last multiply and its adder
    # take one cycle more, not the three the delays alone would give
    census = Census(n_products=26, n_zero=0, n_shift=0, n_lut=0, n_dsp=26, dsp_per_product=1,
                    lut_adder_bits=0, terms_per_output=(26,), n_deep=26, weight_bits=16)
    assert shared_multiplier_cycles(census, 2, 3.4, 3.4, 1.1) == 13
    assert np.isclose(split_delay(3.4 + 1.1, 1.1, 3.4, operators=2)[2], 1.1)


def test_shared_layer_luts_add_multiplexers_and_build_only_the_capped_fabric_multipliers():
    fabric = Census(n_products=64, n_zero=0, n_shift=0, n_lut=40, n_dsp=0, dsp_per_product=1,
                    lut_adder_bits=2000, terms_per_output=(8,) * 8, n_deep=40, weight_bits=8,
                    deep_lut_adder_bits=1600)
    # 40 distinct fabric multiplies on 4 multipliers: 36 of them are not built, and each of
    # the 40 reaches a shared multiplier through 8 LUTs of multiplexers
    expected = 1000.0 + 8.0 * 40 - 0.49 * 1600 * (1 - 4 / 40)
    assert np.isclose(series7.shared_lut(1000.0, fabric, 4), expected)
    dsp = Census(n_products=64, n_zero=0, n_shift=0, n_lut=0, n_dsp=40, dsp_per_product=1,
                 lut_adder_bits=400, terms_per_output=(8,) * 8, n_deep=40, weight_bits=8)
    assert series7.shared_lut(1000.0, dsp, 4) == 1000.0 + 8.0 * 40  # the DSPs are counted apart
