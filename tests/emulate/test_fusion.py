"""Fused steps (fusion.py, fused_cast.py): a convolution and a Dense layer with exact
sums, each read only by a ReLU, run as one step in `predict`; against the unfused steps
(`trace`), numba off, and the forced fallbacks (no fused plan; no direct convolution, so
the fused step runs its two steps). The C-simulation check is
firmware_tests/test_emulator_fastpaths.py."""

import numpy as np
import pytest
from emulate_fakes import FakeGraph, FakeNode, activation_node, dense_node, fixed, input_node, named
from test_fast_layers import _edge_events

from l1forge.emulate import fused_cast
from l1forge.emulate.fixed import parse_cpp_type
from l1forge.emulate.fusion import KernelCastStep
from l1forge.emulate.graph import from_graph

INPUT = "ap_fixed<20,8,AP_RND,AP_SAT>"  # codes up to 2^19: the convolution's sums need float64


def _graph():
    rng = np.random.default_rng(7)
    w = rng.integers(-8, 8, (3, 2, 2, 3)) / 8  # (fh, fw, chans, filters)
    w[1, 1, 0, 2] = 0  # a pruned weight
    wide = fixed(32, 14)  # exact sums; the result type is the accumulator's
    conv = FakeNode("conv", "Conv2D", ["inp"], [5, 4, 3], wide,
                    attrs={"in_height": 5, "in_width": 4, "n_chan": 2, "filt_height": 3, "filt_width": 2, "n_filt": 3,
                           "stride_height": 1, "stride_width": 1, "pad_top": 1, "pad_bottom": 1, "pad_left": 0,
                           "pad_right": 1, "out_height": 5, "out_width": 4, "strategy": "latency",
                           "accum_t": named("acc", wide)},
                    weights={"weight": (w, fixed(6, 3)), "bias": ([0.5, -0.25, 0.125], fixed(6, 3))})
    relu1 = activation_node("relu1", "conv", "relu", [5, 4, 3], fixed(8, 3, False, "RND_CONV", "SAT"))
    dense = dense_node("dense", "relu1", rng.integers(-8, 8, (60, 16)) / 8, rng.integers(-8, 8, 16) / 8,
                       fixed(6, 3), fixed(6, 3), fixed(24, 10), fixed(24, 10))
    relu2 = activation_node("relu2", "dense", "relu", [16], fixed(6, 2, True, "TRN", "WRAP"))  # wraps
    out = dense_node("out", "relu2", rng.integers(-8, 8, (16, 4)) / 8, np.zeros(4), fixed(6, 3), fixed(6, 3),
                     fixed(24, 10), fixed(12, 4, True, "RND", "SAT"))
    return FakeGraph([input_node("inp", [5, 4, 2], fixed(20, 8, True, "RND", "SAT")), conv, relu1, dense, relu2, out])


@pytest.fixture(scope="module")
def events():
    return _edge_events(parse_cpp_type(INPUT), rows=3000, width=40, seed=9)


def test_fused_steps_give_the_unfused_steps_codes(events, monkeypatch):
    emulator = from_graph(_graph())
    fused = [step for step in emulator.fused_steps if isinstance(step, KernelCastStep)]
    assert [step.name for step in fused] == ["relu1", "relu2"]
    conv = emulator.steps[0].kernel
    assert conv.fast and conv._chunk_dtype(np.full((4, 40), 2.0**19)) == np.float64  # sums past float32's range
    assert emulator.signals["relu1"].dtype == np.float32
    ours = emulator.predict(events)
    layers = emulator.trace(events)  # the unfused steps
    assert np.array_equal(ours, layers["out"])
    assert any(key[0] == "direct" and key[2] != id(None) for key in conv._mac_weights)  # the fused direct kernel ran
    assert np.array_equal(emulator.predict(events, tally=None, chunk_size=1000), ours)

    monkeypatch.setattr("l1forge.emulate.kernel.DIRECT_CONV", False)  # the fused step runs its two steps
    fallback = from_graph(_graph())
    assert np.array_equal(fallback.predict(events), ours)
    monkeypatch.setattr(fused_cast, "FUSE", False)  # no fused plan: no fused step
    unfused = from_graph(_graph())
    assert not any(isinstance(step, KernelCastStep) for step in unfused.fused_steps)
    assert np.array_equal(unfused.predict(events), ours)
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")  # numpy's maximum and casts throughout
    slow = from_graph(_graph())
    assert np.array_equal(slow.predict(events), ours)
    for name, values in slow.trace(events).items():
        assert np.array_equal(values, layers[name]), name
