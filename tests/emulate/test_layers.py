"""Each layer family on tiny hand-built graphs, against values worked out by hand from the
nnet_utils semantics (no TensorFlow, no compiler)."""

from __future__ import annotations

import numpy as np
import pytest
from emulate_fakes import FakeGraph, FakeNode, activation_node, dense_node, fixed, input_node, named

from l1forge.emulate import from_graph
from l1forge.errors import UserError


def run(nodes, x, outputs=None):
    return from_graph(FakeGraph(nodes, outputs)).predict(np.asarray(x, dtype=np.float64))


def test_dense_then_relu_rounds_once_on_its_grid():
    w = [[0.5, -0.25], [0.125, 0.75], [-1.0, 0.03125]]
    nodes = [
        input_node("inp", [3], fixed(10, 4, True, "TRN", "SAT")),
        dense_node("fc", "inp", w, [0.0625, -0.5], fixed(6, 1), fixed(6, 1), fixed(24, 10), fixed(24, 10)),
        activation_node("relu", "fc", "relu", [2], fixed(4, 1, False, "RND_CONV", "SAT")),  # LSB 1/8
    ]
    x = [[1.0, 2.0, 0.5], [-1.0, 0.0, 0.0], [3.0, 3.0, -3.0], [0.0, 0.1875, 0.0]]
    # fc: [0.5+0.25-0.5+0.0625, -0.25+1.5+0.015625-0.5] = [0.3125, 0.765625] -> relu in
    # eighths: 2.5 -> 2 (tie to even), 6.125 -> 6; row 2: both negative -> 0;
    # row 3: 4.9375 saturates at 1.875, 0.90625 -> 7/8; row 4: 0.0859375 -> 1/8, negative -> 0
    expected = [[0.25, 0.75], [0.0, 0.0], [1.875, 0.875], [0.125, 0.0]]
    assert run(nodes, x).tolist() == expected


def test_linear_and_leaky_relu():
    nodes = [
        input_node("inp", [4], fixed(12, 4)),
        FakeNode("lrelu", "ParametrizedActivation", ["inp"], [4], fixed(8, 3, True, "RND", "SAT"),
                 attrs={"activation": "leaky_relu", "param_t": named("p", fixed(8, 1)),
                        "function_cpp": "nnet::leaky_relu<a, b, c, d>(x, 0.3, y);"}),
        activation_node("lin", "lrelu", "linear", [4], fixed(6, 2, True, "TRN", "WRAP")),
    ]
    # alpha = 0.3 in ap_fixed<8,1> (TRN) is 38/128 = 0.296875
    # -1: -0.296875 -> RND at 1/32: -0.28125 -> linear TRN to 1/16: -0.3125
    # 5: saturates at 3.96875 -> TRN 3.9375 -> ap_fixed<6,2> wraps to -0.0625
    # -8: -2.375 exactly, which ap_fixed<6,2> (range [-2, 2)) wraps to 1.625
    x = [[-1.0, 5.0, 1.0, -8.0]]
    out = run(nodes, x)
    assert out.tolist() == [[-0.3125, -0.0625, 1.0, 1.625]]


def test_sigmoid_table_indexing():
    nodes = [
        input_node("inp", [4], fixed(12, 5)),
        FakeNode("sig", "Activation", ["inp"], [4], fixed(10, 1, False, "RND", "SAT"),
                 attrs={"activation": "sigmoid", "table_size": 1024, "table_t": named("t", fixed(18, 2))}),
    ]
    out = run(nodes, [[0.0, -15.0, 15.0, 1.0]])
    # index = trunc(x * 1024 / 16) + 512: 512 -> 0.5, clamped ends, x = 1: index 576 -> sigmoid(1)
    assert out[0, 0] == 0.5
    assert out[0, 1] == pytest.approx(1 / (1 + np.exp(8)), abs=2**-10)
    assert out[0, 2] == pytest.approx(1 / (1 + np.exp(-(1023 - 512) / 64)), abs=2**-10)
    assert out[0, 3] == pytest.approx(1 / (1 + np.exp(-1.0)), abs=2**-10)


def _softmax_config(implementation, n, accum="softmax_accum_t", inp_norm="ap_ufixed<9,3>"):
    return (f"struct softmax_config : nnet::activ_config {{ static const unsigned n_slice = {n}; "
            "static const unsigned n_outer = 1; static const unsigned n_inner = 1; "
            "static const unsigned exp_table_size = 64; static const unsigned inv_table_size = 64; "
            f"static const nnet::softmax_implementation implementation = nnet::softmax_implementation::{implementation}; "
            "static constexpr float exp_scale = 1.0; typedef exp_t exp_table_t; typedef inv_t inv_table_t; "
            f"typedef {accum} accum_t; typedef inv_inp_t inv_inp_t; typedef {inp_norm} inp_norm_t; }};")


def _softmax_node(implementation, n=3):
    attrs = {"exp_table_t": named("exp_t", fixed(18, 2, False, "RND", "SAT")),
             "inv_table_t": named("inv_t", fixed(18, 4, False, "RND", "SAT")),
             "accum_t": named("softmax_accum_t", fixed(18, 2, False, "RND", "SAT")),
             "inv_inp_t": named("inv_inp_t", fixed(18, 2, False, "RND", "SAT"))}
    return FakeNode("sm", "Softmax", ["inp"], [n], fixed(16, 1, False, "TRN", "SAT"), attrs=attrs,
                    config=_softmax_config(implementation, n))


def test_softmax_stable_is_close_to_softmax_and_sums_near_one():
    nodes = [input_node("inp", [3], fixed(12, 4)), _softmax_node("stable")]
    x = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -1.0], [2.0, -3.0, 0.5]])
    out = run(nodes, x)
    exact = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert np.abs(out - exact).max() < 0.1  # 64-entry tables: a coarse but faithful softmax
    assert out[0, 0] == out[0, 1] == out[0, 2]
    assert np.argmax(out[1]) == 0 and np.argmax(out[2]) == 0


def test_softmax_argmax_is_one_hot_of_first_maximum():
    nodes = [input_node("inp", [3], fixed(12, 4)), _softmax_node("argmax")]
    out = run(nodes, [[0.5, 2.0, 2.0], [-1.0, -3.0, -2.0]])
    assert out.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]


def test_softmax_legacy_is_refused():
    nodes = [input_node("inp", [3], fixed(12, 4)), _softmax_node("legacy")]
    with pytest.raises(UserError, match="'sm'.*legacy"):
        from_graph(FakeGraph(nodes))


def test_batchnorm_per_channel():
    nodes = [
        input_node("inp", [2, 2], fixed(10, 4)),
        FakeNode("bn", "BatchNormalization", ["inp"], [2, 2], fixed(8, 3, True, "RND", "SAT"),
                 attrs={"n_filt": 2}, weights={"scale": ([0.5, 1.5], fixed(8, 2)), "bias": ([0.25, -1.0], fixed(8, 2))},
                 config="using product = nnet::product::mult<x_T, y_T>;"),
    ]
    # channel 0: x * 0.5 + 0.25; channel 1: x * 1.5 - 1 ; output LSB 1/32, range [-4, 4)
    out = run(nodes, [[1.0, 1.0, -3.0, 4.0]])
    assert out.reshape(1, -1).tolist() == [[0.75, 0.5, -1.25, 3.96875]]


def _pool_node(op, pad, count_pad=False, accum=None):
    return FakeNode("pool", "Pooling1D", ["inp"], [2, 1], fixed(10, 4, True, "TRN", "WRAP"),
                    attrs={"pool_op": op, "n_in": 3, "n_out": 2, "pool_width": 2, "stride_width": 2,
                           "pad_left": 0, "pad_right": pad, "n_filt": 1, "count_pad": count_pad,
                           "accum_t": named("acc", accum or fixed(12, 5))})


def test_average_pooling_truncates_towards_zero_and_skips_padding():
    nodes = [input_node("inp", [3, 1], fixed(10, 4)), _pool_node("Average", pad=1)]
    # windows: (-1, -0.0625) -> sum -1.0625 / 2 = -0.53125 -> trunc to 1/128 of accum: -0.53125 exact;
    # second window holds one real tap (0.4375) and padding, which does not count
    out = run(nodes, [[-1.0, -0.0625, 0.4375]])
    assert out.reshape(1, -1).tolist() == [[-0.53125, 0.4375]]
    nodes = [input_node("inp", [3, 1], fixed(10, 4)), _pool_node("Average", pad=1, accum=fixed(8, 5))]
    # accum LSB 1/8: -1.0625 rounds (TRN) to -1.125 on the way in; / 2 -> -0.5625 -> trunc -> -0.5
    out = run(nodes, [[-1.0, -0.0625, 0.4375]])
    assert out.reshape(1, -1).tolist() == [[-0.5, 0.375]]


def test_max_pooling_pads_with_the_most_negative_code():
    nodes = [input_node("inp", [3, 1], fixed(10, 4)), _pool_node("Max", pad=1)]
    assert run(nodes, [[-1.0, -2.0, -7.0]]).reshape(1, -1).tolist() == [[-1.0, -7.0]]


def test_zero_padding_transpose_and_resize():
    nodes = [
        input_node("inp", [2, 3], fixed(10, 4)),
        FakeNode("zp", "ZeroPadding1D", ["inp"], [4, 3], fixed(10, 4),
                 attrs={"in_width": 2, "n_chan": 3, "out_width": 4, "pad_left": 1, "pad_right": 1}),
        FakeNode("tr", "Transpose", ["zp"], [3, 4], fixed(10, 4), attrs={"perm": [1, 0]}),
        FakeNode("up", "Resize", ["tr"], [6, 4], fixed(10, 4),
                 attrs={"in_width": 3, "n_chan": 4, "out_width": 6, "algorithm": "nearest"}),
    ]
    x = np.arange(1, 7, dtype=np.float64).reshape(1, 6) / 4
    out = run(nodes, x).reshape(6, 4)
    padded = np.array([[0, 0, 0], [1, 2, 3], [4, 5, 6], [0, 0, 0]]) / 4
    assert np.array_equal(out, np.repeat(padded.T, 2, axis=0))


def test_merges_and_concatenate():
    def merge(op, result):
        return FakeNode(op, "Merge", ["a", "b"], [2], result, attrs={"op": op})

    a, b = input_node("a", [2], fixed(8, 3)), input_node("b", [2], fixed(8, 2))
    nodes = [a, b, merge("add", fixed(8, 3, True, "TRN", "SAT")), merge("subtract", fixed(10, 4)),
             merge("multiply", fixed(8, 3, True, "RND", "WRAP")), merge("average", fixed(8, 3, True, "RND", "WRAP")),
             merge("maximum", fixed(8, 3)), merge("minimum", fixed(8, 3)),
             FakeNode("cat", "Concatenate", ["a", "b"], [4], fixed(8, 3), attrs={"axis": -1})]
    graph = FakeGraph(nodes, outputs=["add", "subtract", "multiply", "average", "maximum", "minimum", "cat"])
    em = from_graph(graph)
    outs = em.predict([np.array([[3.5, -1.0]]), np.array([[1.0, 0.03125]])])
    add, sub, mul, avg, mx, mn, cat = (o.tolist()[0] for o in outs)
    assert add == [3.96875, -0.96875]  # 4.5 saturates at 4 - 1/32
    assert sub == [2.5, -1.03125]
    assert mul == [3.5, -0.03125]
    assert avg == [2.25, -0.46875]  # (3.5 + 1)/2; (-1 + 0.03125)/2 = -0.484375 rounds up to -0.46875
    assert mx == [3.5, 0.03125] and mn == [1.0, -1.0]
    assert cat == [3.5, -1.0, 1.0, 0.03125]


def test_unsupported_layer_is_refused():
    nodes = [input_node("inp", [4], fixed(10, 4)),
             FakeNode("norm_1", "LayerNormalization", ["inp"], [4], fixed(10, 4))]
    with pytest.raises(UserError, match="'norm_1' \\(LayerNormalization\\).*supported"):
        from_graph(FakeGraph(nodes))
    bad = [input_node("inp", [4], fixed(10, 4)), activation_node("act", "inp", "swish", [4], fixed(10, 4))]
    with pytest.raises(UserError, match="'act'.*swish"):
        from_graph(FakeGraph(bad))


def _conv_node(accum, stride=(1, 2), pads=(1, 1, 0, 1)):
    w = np.random.default_rng(3).integers(-8, 8, (3, 2, 2, 3)) / 8  # (fh, fw, chans, filters)
    out_h = (5 + pads[0] + pads[1] - 3) // stride[0] + 1
    out_w = (4 + pads[2] + pads[3] - 2) // stride[1] + 1
    attrs = {"in_height": 5, "in_width": 4, "n_chan": 2, "filt_height": 3, "filt_width": 2, "n_filt": 3,
             "stride_height": stride[0], "stride_width": stride[1], "pad_top": pads[0], "pad_bottom": pads[1],
             "pad_left": pads[2], "pad_right": pads[3], "out_height": out_h, "out_width": out_w,
             "strategy": "latency", "accum_t": named("acc", accum)}
    node = FakeNode("conv", "Conv2D", ["inp"], [out_h, out_w, 3], accum, attrs=attrs,
                    weights={"weight": (w, fixed(6, 3)), "bias": ([0.5, -0.25, 0.125], fixed(6, 3))})
    return node, w


def _reference_conv(x, w, bias, stride, pads):
    """Zero-padded correlation, channels last, computed with plain loops."""
    image = np.pad(x.reshape(-1, 5, 4, 2), ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0)))
    out_h = (image.shape[1] - 3) // stride[0] + 1
    out_w = (image.shape[2] - 2) // stride[1] + 1
    out = np.zeros((len(x), out_h, out_w, 3))
    for i in range(out_h):
        for j in range(out_w):
            patch = image[:, i * stride[0] : i * stride[0] + 3, j * stride[1] : j * stride[1] + 2, :]
            out[:, i, j, :] = np.einsum("nhwc,hwcf->nf", patch, w) + bias
    return out


@pytest.mark.parametrize("accum", [fixed(24, 10), fixed(12, 6, True, "TRN", "SAT")], ids=["exact", "saturating"])
def test_conv2d_geometry(accum, monkeypatch):
    node, w = _conv_node(accum)
    x = np.random.default_rng(4).integers(-8, 8, (40, 40)) / 8
    em = from_graph(FakeGraph([input_node("inp", [5, 4, 2], fixed(8, 4)), node]))
    assert em.steps[0].kernel.fast == (accum.saturation_mode.name == "WRAP")  # tap loop vs firmware order
    expected = _reference_conv(x, w, [0.5, -0.25, 0.125], (1, 2), (1, 1, 0, 1))
    assert np.array_equal(em.predict(x), expected)  # exact sums: the compiled direct convolution
    direct = [m for key, m in em.steps[0].kernel._mac_weights.items() if key[0] == "direct"]
    assert (direct != [] and direct[0] is not None) == em.steps[0].kernel.fast
    monkeypatch.setattr("l1forge.emulate.kernel.DIRECT_CONV", False)
    em = from_graph(FakeGraph([input_node("inp", [5, 4, 2], fixed(8, 4)), node]))
    assert np.array_equal(em.predict(x), expected)  # a small image: one product with the unrolled matrix
    unrolled = [m for key, m in em.steps[0].kernel._mac_weights.items() if key[0] == "unrolled"]
    assert (unrolled != [] and unrolled[0] is not None) == em.steps[0].kernel.fast
    monkeypatch.setattr("l1forge.emulate.kernel.UNROLL", False)
    em = from_graph(FakeGraph([input_node("inp", [5, 4, 2], fixed(8, 4)), node]))
    assert np.array_equal(em.predict(x), expected)  # 2 channels: exact sums as one im2col product
    monkeypatch.setattr("l1forge.emulate.kernel.FEW_CHANNELS", 0)
    em = from_graph(FakeGraph([input_node("inp", [5, 4, 2], fixed(8, 4)), node]))
    assert np.array_equal(em.predict(x), expected)  # the same sums tap by tap


def test_io_stream_clone_and_repack_pass_values_through():
    inp = input_node("inp", [2, 2], fixed(10, 4))
    clone = FakeNode("clone", "Clone", ["inp"], [2, 2], fixed(10, 4))
    clone.outputs = ["copy_a", "copy_b"]
    repack = FakeNode("flat", "Repack", ["copy_a"], [4], fixed(10, 4))
    other = FakeNode("flat_b", "Reshape", ["copy_b"], [4], fixed(10, 4))
    total = FakeNode("add", "Merge", ["flat", "flat_b"], [4], fixed(12, 6), attrs={"op": "add"})
    em = from_graph(FakeGraph([inp, clone, repack, other, total], io_type="io_stream"))
    x = np.array([[1.5, -2.0, 0.25, 3.0]])
    assert em.predict(x.reshape(1, 2, 2)).tolist() == [[3.0, -4.0, 0.5, 6.0]]
