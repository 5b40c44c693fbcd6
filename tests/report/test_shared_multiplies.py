"""Multiplies shared between outputs (dense_cost.distinct_multiplies) and the tail of a
layer whose reuse factor caps its multipliers (series7.shared_interval)."""

import numpy as np

from l1forge.report import series7
from l1forge.report.bits import Bits
from l1forge.report.dense_cost import distinct_multiplies
from l1forge.report.estimate import estimate_graph
from l1forge.report.multipliers import constant_census
from l1forge.report.timing import delay_scale
from report_fakes import FixedPrecisionType, Graph

DATA = Bits(8, 2, True, False, False, "fixed")
WEIGHT = Bits(8, 2, True, False, False, "fixed")
# codes of 3+ CSD digits: 11 (16-4-1), 13 (16-4+1), 21 (16+4+1); 3 and 5 have two, 4 one
CODES = np.array([[11, 11, -11, 13, 3, 4],
                  [11, 21, 21, 21, 5, 0]])


def census(impl):
    return constant_census(CODES, None, DATA, WEIGHT, "mult", (25, 18), multiplier_impl=impl)


def test_a_repeated_input_weight_pair_is_one_multiply():
    forced = census("dsp")
    assert (forced.n_deep, forced.n_dsp) == (8, 8)  # every 3+ digit product, before sharing
    shared = distinct_multiplies(forced, CODES)
    # row 0: 11, -11, 13 (x*11 twice is one multiply; x*-11 is another); row 1: 11, 21
    assert (shared.n_deep, shared.n_dsp) == (5, 5)
    assert shared.terms_per_output == forced.terms_per_output  # every output still sums its terms
    fabric = distinct_multiplies(census("fabric"), CODES)
    assert (fabric.n_deep, fabric.n_dsp) == (5, 0)


def test_no_multiplies_leaves_the_census_alone():
    shifts = np.array([[1, 2, -4], [8, 0, 1]])
    plain = constant_census(shifts, None, DATA, WEIGHT, "mult", (25, 18))
    assert distinct_multiplies(plain, shifts) == plain


def test_estimate_counts_distinct_dsp_products_with_forced_binding():
    # 16 inputs x 8 outputs, every weight 0.34375 (code 22 = 2 x 11 in ap_fixed<8,2>, three CSD digits): 16 distinct products
    weights = np.full((16, 8), 11 / 32)
    narrow = FixedPrecisionType(8, 2)
    graph = Graph().input(16, narrow).dense("fc1", weights, weight_precision=narrow)
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS",
                              dsp_shape=(25, 18), delay_scale=delay_scale("Artix-7", 2),
                              family="7-series", multiplier_impl="dsp")
    assert estimate["dsp"] == 16  # not 128


def test_shared_layer_tail_depends_on_the_tree_and_the_binding():
    # the LUT-bound RF 100 calibration layers: (distinct multiplies, cap, widest output's
    # terms) -> latency
    layers = {"ARRYTHMIA fc1": (119, 13, 223, 13), "ARRYTHMIA output": (42, 2, 7, 21),
              "Breast_cancer fc1": (25, 1, 11, 26), "Breast_cancer fc2": (7, 1, 5, 7),
              "HAR fc2": (156, 9, 19, 19), "HAR fc3": (129, 20, 51, 9), "HAR output": (89, 4, 55, 25)}
    for name, (n, cap, terms, latency) in layers.items():
        assert series7.shared_interval(n, cap, 100, terms) == latency + 1, name
    assert [series7.shared_tail(terms, False) for terms in (1, 7, 11, 51, 223)] == [0, 0, 1, 2, 3]
    # on DSPs two cycles more: the ARRYTHMIA output layer's II 24 (22 in LUTs)
    assert series7.shared_interval(42, 2, 100, 7, dsp_bound=True) == 24
    assert series7.shared_interval(25, 25, 100, 11) is None  # the cap does not bind
    assert series7.shared_interval(25, 1, 20, 11) == 20  # never past RF
