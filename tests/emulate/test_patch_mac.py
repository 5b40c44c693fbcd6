"""The compiled receptive-field MAC (patch_mac.py) on convolutions with padding and
strides, against the integer kernel (compiled._ordered_mac), the numpy loop and the
exact reference; the direct convolution of exact sums against the matrix products; and
the compiled pooling, gather and softmax passes against their numpy paths (numba off)."""

import numpy as np
import pytest
from emulate_fakes import FakeGraph, FakeNode, fixed, input_node, named
from test_fast_layers import _edge_events
from test_kernel import reference_dense
from test_layers import _softmax_node

from l1forge.emulate import patch_mac
from l1forge.emulate.conv import ConvGeometry
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.graph import from_graph
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.signals import typed_signal

X_T, W_T = FixedType(10, 4), FixedType(6, 1)
# 5x4 image of 2 channels, 3x2 filters, stride (2, 1), padding on three sides: 3x4 pixels
GEOMETRY = ((5, 4), 2, (3, 2), (2, 1), (1, 1, 0, 1), (3, 4))
CASES = {  # accumulator, result (test_compiled.py runs every mode on dense layers)
    "TRN WRAP (wrapped once)": (FixedType(11, 3, True, "TRN", "WRAP"), FixedType(9, 2, True, "RND", "SAT")),
    "RND_MIN_INF SAT_SYM": (FixedType(11, 3, True, "RND_MIN_INF", "SAT_SYM"),
                            FixedType(8, 1, True, "RND_MIN_INF", "SAT_ZERO")),
    "TRN_ZERO SAT (integer kernel)": (FixedType(11, 3, True, "TRN_ZERO", "SAT"), FixedType(11, 3)),
}


def _images(rng, events=400):
    x = rng.integers(X_T.code_min, X_T.code_max + 1, size=(events, 40))
    x[:20], x[20:40], x[40:60] = X_T.code_max, X_T.code_min, 0  # range edges, zeros
    return x


def _kernel(accum, result, w, b, monkeypatch, float_kernel=True):
    monkeypatch.setattr("l1forge.emulate.kernel.FLOAT_KERNEL", float_kernel)
    return MacKernel("k", w, W_T, b, W_T, accum, result, typed_signal("x", (40,), X_T, X_T.code_min, X_T.code_max),
                     ordered=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_float_kernel_convolution_equals_integer_kernel_numpy_and_reference(case, monkeypatch):
    accum, result = CASES[case]
    rng = np.random.default_rng(len(case))
    geometry = ConvGeometry(*GEOMETRY)
    w, b = rng.integers(-32, 32, size=(geometry.taps, 3)), rng.integers(-32, 32, size=3)
    w[4, :] = 0  # a pruned tap
    x = _images(rng).astype(np.float32)
    fast = _kernel(accum, result, w, b, monkeypatch)
    spelled = accum.rounding in patch_mac.ROUNDING_IDS
    assert isinstance(fast.compiled, patch_mac.PatchMac) == spelled  # else the integer kernel
    integer = _kernel(accum, result, w, b, monkeypatch, float_kernel=False)
    assert integer.compiled is not None and not isinstance(integer.compiled, patch_mac.PatchMac)
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    numpy_loop = _kernel(accum, result, w, b, monkeypatch)
    assert numpy_loop.compiled is None
    ours = fast.run(x, None, "k", geometry).reshape(len(x), -1)
    assert np.array_equal(ours, integer.run(x, None, "k", geometry).reshape(len(x), -1))
    assert np.array_equal(ours, numpy_loop.run(x, None, "k", geometry).reshape(len(x), -1))
    rows = geometry.im2col(x[::40].astype(np.int64))  # the firmware: the dense kernel per pixel
    expected = reference_dense(rows, w, b, X_T, W_T, W_T, accum, result).reshape(len(x[::40]), -1)
    assert np.array_equal(ours[::40].astype(np.float64) * 2.0**-fast.scale, expected)
    monkeypatch.setattr(patch_mac, "TILE_OUTPUTS", 0)  # each pixel's outputs written as it is done
    assert np.array_equal(ours, fast.run(x, None, "k", geometry).reshape(len(x), -1))


@pytest.mark.parametrize("accum", [FixedType(24, 10), FixedType(40, 10)], ids=["float32", "float64"])
def test_direct_convolution_equals_the_matrix_products(accum, monkeypatch):
    rng = np.random.default_rng(3)
    geometry = ConvGeometry(*GEOMETRY)
    w, b = rng.integers(-32, 32, size=(geometry.taps, 3)), rng.integers(-32, 32, size=3)
    x = _images(rng).astype(np.float64)
    kernel = _kernel(accum, FixedType(24, 10), w, b, monkeypatch)
    assert kernel.fast
    direct = kernel.run(x, None, "k", geometry).reshape(len(x), -1)
    assert [key for key in kernel._mac_weights if key[0] == "direct"]
    monkeypatch.setattr(patch_mac, "TILE_OUTPUTS", 0)  # each pixel's outputs written as it is done
    assert np.array_equal(direct, kernel.run(x, None, "k", geometry).reshape(len(x), -1))
    monkeypatch.setattr("l1forge.emulate.kernel.DIRECT_CONV", False)  # forced fallback: BLAS products
    other = _kernel(accum, FixedType(24, 10), w, b, monkeypatch)
    assert np.array_equal(direct, other.run(x, None, "k", geometry).reshape(len(x), -1))
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    assert patch_mac.plan_exact(w, b, np.dtype(np.float32)) is None


def _pool_and_resize_graph(op):
    attrs = {"pool_op": op, "in_height": 5, "in_width": 6, "pool_height": 2, "pool_width": 3,
             "stride_height": 2, "stride_width": 3, "pad_top": 0, "pad_bottom": 0, "pad_left": 0, "pad_right": 0,
             "out_height": 2, "out_width": 2, "n_filt": 3, "accum_t": named("acc", fixed(16, 8))}
    pool = FakeNode("pool", "Pooling2D", ["inp"], [2, 2, 3], fixed(9, 3, True, "RND", "SAT"), attrs=attrs)
    up = FakeNode("up", "Resize", ["pool"], [4, 3, 3], fixed(9, 3, True, "RND", "SAT"),
                  attrs={"in_height": 2, "in_width": 2, "n_chan": 3, "out_height": 4, "out_width": 3})
    return FakeGraph([input_node("inp", [5, 6, 3], fixed(10, 4, True, "RND", "SAT")), pool, up])


@pytest.mark.parametrize("op", ["Max", "Average"])
def test_compiled_pooling_and_gather_equal_the_numpy_paths(op, monkeypatch):
    """Windows of 2x3 tiling a 5x6 image (its last row unread), then a nearest-neighbour
    resize (a gather): compiled, then with numba off (numpy's strided views and take)."""
    x = _edge_events(FixedType(10, 4, True, "RND", "SAT"), rows=2000, width=90)
    emulator = from_graph(_pool_and_resize_graph(op))
    assert emulator.steps[0].float_max is not None or op == "Average"
    fast = emulator.trace(x)
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    slow = from_graph(_pool_and_resize_graph(op)).trace(x)
    for name in ("pool", "up"):
        assert np.array_equal(fast[name], slow[name]), name
    image = x.reshape(-1, 5, 6, 3)
    rounded = np.clip(np.floor(image * 64 + 0.5), -512, 511) / 64  # ap_fixed<10,4,AP_RND,AP_SAT>: 6 fraction bits
    windows = rounded[:, :4].reshape(-1, 2, 2, 2, 3, 3)
    if op == "Max":  # into the result type ap_fixed<9,3,AP_RND,AP_SAT>: [-4, 4 - 2^-6]
        expected = np.clip(windows.max(axis=(2, 4)), -4, 4 - 2**-6)
        assert np.array_equal(fast["pool"].reshape(-1, 2, 2, 3), expected)


@pytest.mark.parametrize("implementation", ["stable", "latency"])
def test_compiled_softmax_equals_the_numpy_path(implementation, monkeypatch):
    nodes = [input_node("inp", [3], fixed(12, 4)), _softmax_node(implementation, n=3)]
    x = _edge_events(FixedType(12, 4), rows=3000, width=3)
    emulator = from_graph(FakeGraph(nodes))
    # stable: the one-pass lookup softmax; latency (exp(x) up to e^8: its sums can saturate
    # accum_t, so the adder tree's shape matters) keeps the numpy path
    assert (emulator.steps[0].inverse_lookup is not None) == (implementation == "stable")
    fast = emulator.predict(x)
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    assert np.array_equal(fast, from_graph(FakeGraph(nodes)).predict(x))


def test_a_dense_layer_with_one_weight_per_output_is_a_gather(monkeypatch):
    """A mask or permutation layer (ad_cnn_ae's score_mask_scale): each output reads at most
    one input, so its exact sum is one product; against the matrix product and numba off."""
    rng = np.random.default_rng(8)
    w = np.zeros((12, 10), dtype=np.int64)
    w[rng.permutation(12)[:9], np.arange(9)] = rng.integers(-32, 32, size=9) | 1  # column 9: no weight
    b = rng.integers(-32, 32, size=10)
    x = _images(rng)[:, :12].astype(np.float32)
    signal = typed_signal("x", (12,), X_T, X_T.code_min, X_T.code_max)
    kernel = MacKernel("k", w, W_T, b, W_T, FixedType(24, 10), FixedType(24, 10), signal, ordered=True)
    assert kernel.fast and kernel.picks is not None
    picked = kernel.run(x, None, "k")
    expected = ((x.astype(np.float64) @ w) * 2.0**-X_T.frac + b) * 2.0 ** (kernel.scale - W_T.frac)
    assert np.array_equal(picked.astype(np.float64), expected)
    monkeypatch.setattr("l1forge.emulate.kernel.SPARSE_COLUMNS", False)  # forced fallback: BLAS
    assert np.array_equal(picked, kernel.run(x, None, "k"))
    monkeypatch.setattr("l1forge.emulate.kernel.SPARSE_COLUMNS", True)
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")  # numpy's take
    assert np.array_equal(picked, kernel.run(x, None, "k"))
