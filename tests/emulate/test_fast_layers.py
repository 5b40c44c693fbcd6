"""Fast paths against the paths they replace: the input conversion as one compiled pass
(inputs.InputStep, saturating types), average pooling over tiling windows summed in floats
(pooling.PoolingStep.float_average) and element-wise merges on the stored float arrays
(merge.ElementwiseStep.float_dtype); with numba off the input takes numpy's path."""

import numpy as np
import pytest
from emulate_fakes import FakeGraph, FakeNode, fixed, input_node, named

from l1forge.emulate.fixed import parse_cpp_type
from l1forge.emulate.graph import from_graph
from l1forge.emulate.inputs import InputStep
from l1forge.emulate.overflow import OverflowTally, symmetric_min


def _edge_events(ftype, rows=3000, width=40, seed=1):
    rng = np.random.default_rng(seed)
    lsb = 2.0**-ftype.frac
    x = rng.normal(0, 4, (rows, width))
    x[:500] = (np.round(x[:500] / lsb) + 0.5) * lsb  # ties, both signs
    x[500:600], x[600:700] = 1e10, -3e10  # far beyond the range
    x[700:800], x[800:900] = ftype.code_max * lsb + lsb / 2, ftype.code_min * lsb - lsb / 2
    x[900:1000], x[1000:1100] = -lsb / 2, -0.0
    return x


@pytest.mark.parametrize("spelling", ["ap_fixed<12,5,AP_RND,AP_SAT>", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>",
                                      "ap_ufixed<8,3,AP_TRN,AP_SAT>", "ap_fixed<10,4,AP_RND_MIN_INF,AP_SAT_SYM>"])
def test_the_fused_input_conversion_gives_numpys_codes(spelling, monkeypatch):
    ftype = parse_cpp_type(spelling)
    x = _edge_events(ftype)
    span = (float(x.min()), float(x.max()))
    step = InputStep("inp", (40,), ftype)
    assert step.fused and step.plan is not None
    fast = step.quantize(x, None, span)
    assert np.array_equal(fast, step.quantize(x, OverflowTally(), span))  # the tally takes numpy's path
    monkeypatch.setattr("l1forge.emulate.fused_cast.FUSE", False)  # compiled._float_cast instead
    assert np.array_equal(fast, InputStep("inp", (40,), ftype).quantize(x, None, span))
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    assert np.array_equal(fast, step.quantize(x, None, span))
    # codes beyond 2^52 (the fused pass's wrap step would move them) take numpy's path
    huge = np.full((64, 40), -3e20)
    assert (InputStep("inp", (40,), ftype).quantize(huge, None, (-3e20, -3e20)) == symmetric_min(ftype)).all()


def _pool_graph(accum, width=8):
    attrs = {"pool_op": "Average", "in_height": 4, "in_width": width, "pool_height": 2, "pool_width": 2,
             "stride_height": 2, "stride_width": 2, "pad_top": 0, "pad_bottom": 0, "pad_left": 0, "pad_right": 0,
             "out_height": 2, "out_width": width // 2, "n_filt": 3, "accum_t": named("acc", accum)}
    pool = FakeNode("pool", "Pooling2D", ["inp"], [2, width // 2, 3], fixed(9, 3, True, "RND", "SAT"), attrs=attrs)
    return FakeGraph([input_node("inp", [4, width, 3], fixed(10, 4, True, "RND", "SAT")), pool])


@pytest.mark.parametrize("accum", [fixed(16, 8), fixed(44, 12)], ids=["float32 sums", "float64 sums"])
def test_tiled_average_pooling_in_floats_gives_the_integer_paths_codes(accum):
    x = _edge_events(parse_cpp_type("ap_fixed<10,4,AP_RND,AP_SAT>"), rows=2000, width=96)
    emulator = from_graph(_pool_graph(accum))
    step = emulator.steps[0]
    assert step.float_average and step.sum_dtype == (np.float32 if accum.width == 16 else np.float64)
    assert step.plan is not None
    fast = emulator.predict(x)
    step.plan = None  # the cast to res_T as compiled.float_cast's loop
    assert np.array_equal(fast, emulator.predict(x))
    step.float_average = False  # the integer windows: sign(sum) * (|sum| // count)
    assert np.array_equal(fast, emulator.predict(x))


def test_a_narrow_accumulator_keeps_the_firmware_order():
    emulator = from_graph(_pool_graph(fixed(8, 5)))  # sums can round and wrap: tap by tap
    assert not emulator.steps[0].float_average


@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "average", "maximum", "minimum"])
@pytest.mark.parametrize("sizes", [(6, 6), (6, 1)], ids=["same size", "broadcast"])
def test_float_merges_give_the_integer_paths_codes(op, sizes):
    a = input_node("a", [sizes[0]], fixed(10, 4, True, "RND", "SAT"))
    b = input_node("b", [sizes[1]], fixed(8, 2, True, "RND", "SAT"))
    merge = FakeNode(op, "Merge", ["a", "b"], [6], fixed(9, 4, True, "RND_CONV", "SAT"), attrs={"op": op})
    wrap = FakeNode(op + "_w", "Merge", ["a", "b"], [6], fixed(7, 2, True, "TRN", "WRAP"), attrs={"op": op})
    emulator = from_graph(FakeGraph([a, b, merge, wrap], outputs=[op, op + "_w"]))
    x = [_edge_events(parse_cpp_type("ap_fixed<10,4,AP_RND,AP_SAT>"), 2000, sizes[0], seed=2),
         _edge_events(parse_cpp_type("ap_fixed<8,2,AP_RND,AP_SAT>"), 2000, sizes[1], seed=3)]
    steps = emulator.steps
    assert all(step.float_dtype is not None and step.plan is not None for step in steps)
    fast = emulator.predict(x)
    for step in steps:
        step.plan = None  # the cast as compiled.float_cast's loop
    for got, expected in zip(fast, emulator.predict(x)):
        assert np.array_equal(got, expected)
    for step in steps:
        step.float_dtype = None  # int64 codes, gathered
    for got, expected in zip(fast, emulator.predict(x)):
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("result", [fixed(8, 3, True, "RND", "SAT"), fixed(7, 2, True, "RND_CONV", "WRAP"),
                                    fixed(20, 8, True, "TRN", "SAT_SYM")], ids=["RND SAT", "RND_CONV WRAP", "wide"])
def test_a_fused_batch_normalization_gives_the_numpy_paths_codes(result, monkeypatch):
    bn = FakeNode("bn", "BatchNormalization", ["inp"], [40], result, attrs={"n_filt": 4},
                  weights={"scale": ([0.5, 1.5, -2.25, 0.0625], fixed(8, 3)),
                           "bias": ([0.25, -1.0, 3.5, -0.125], fixed(8, 3))},
                  config="using product = nnet::product::mult<x_T, y_T>;")
    graph = FakeGraph([input_node("inp", [40], fixed(10, 4, True, "RND", "SAT")), bn])
    x = _edge_events(parse_cpp_type("ap_fixed<10,4,AP_RND,AP_SAT>"), 2000, 40, seed=4)
    emulator = from_graph(graph)
    assert emulator.steps[0].fused and emulator.steps[0].plan is not None
    fast = emulator.predict(x)
    monkeypatch.setattr("l1forge.emulate.fused_cast.FUSE", False)  # compiled.affine_cast's loop instead
    assert np.array_equal(fast, from_graph(graph).predict(x))
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")  # numpy's multiply, add and cast
    assert np.array_equal(fast, from_graph(graph).predict(x))
