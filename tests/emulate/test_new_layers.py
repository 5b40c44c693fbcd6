"""Power-of-two weights, binary and ternary networks, relu1/relu6, thresholded ReLU, PReLU and
the hard activations, on tiny hand-built graphs against values worked out by hand from the
nnet_utils semantics (no TensorFlow, no compiler); and what the estimator makes of them.
firmware_tests/test_emulator_new_layers.py checks the same layers against hls4ml's C++."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from emulate_fakes import FakeGraph, FakeNode, activation_node, dense_node, fixed, input_node, named
from hls4ml.model.types import ExponentPrecisionType, IntegerPrecisionType, XnorPrecisionType

from l1forge.emulate import from_graph
from l1forge.errors import UserError

XNOR = XnorPrecisionType()


def run(nodes, x, outputs=None):
    return from_graph(FakeGraph(nodes, outputs)).predict(np.asarray(x, dtype=np.float64))


class ExponentWeight:
    """A power-of-two weight variable as hls4ml writes it: `{sign, exponent}` per weight."""

    def __init__(self, values, width):
        self.data = np.asarray(values, dtype=np.float64)
        self.type = SimpleNamespace(precision=ExponentPrecisionType(width, True))

    def __iter__(self):
        flat = self.data.ravel()
        return iter([f"{{{1.0 if v >= 0 else 0.0}, {int(np.log2(abs(v)))}}}" for v in flat])


def po2_dense(source, in_precision, weights, width=4, bias=None):
    node = dense_node("fc", source, weights, bias if bias is not None else [0.125, -0.5], fixed(8, 3), fixed(8, 3),
                      fixed(16, 6), fixed(16, 6))
    node.weights["weight"] = ExponentWeight(weights, width)
    node.attributes["config_cpp"] = "template<class x_T, class y_T> using product = nnet::product::weight_exponential<x_T, y_T>;"
    node.get_input_variable = lambda: SimpleNamespace(type=SimpleNamespace(precision=in_precision))
    return node


def test_power_of_two_weights_are_exact_shifts():
    nodes = [input_node("inp", [2], fixed(8, 3)), po2_dense("inp", fixed(8, 3), [[0.5, -2.0], [0.25, 1.0]])]
    # out0 = x0/2 + x1/4 + 1/8, out1 = -2 x0 + x1 - 1/2
    out = run(nodes, [[1.5, -3.0], [0.03125, 3.96875]])
    assert out.tolist() == [[0.125, -6.5], [1.1328125, 3.40625]]


def test_power_of_two_shift_drops_bits_as_the_firmware_does():
    # G = 5 + 6 = 11 fractional bits in r_T; x (4 fractional bits) >> 8 keeps floor(code / 2)
    node = po2_dense("inp", fixed(6, 2, False), [[2.0**-8, -(2.0**-8)]], width=5, bias=[0.0, 0.0])
    node.attributes["accum_t"] = named("acc", fixed(18, 4))
    node._output.type.precision = fixed(18, 4)
    out = run([input_node("inp", [1], fixed(6, 2, False)), node], [[0.0625], [0.1875]])
    assert out.tolist() == [[0.0, 0.0], [2.0**-11, -(2.0**-11)]]  # exact products would be +-2^-12, +-3 * 2^-12


def test_power_of_two_shift_that_drops_bits_with_resource_strategy_is_refused():
    node = po2_dense("inp", fixed(4, -8), [[0.25, 1.0], [0.5, 2.0]], width=3)
    node.attributes["strategy"] = "resource"  # another summation order: only Latency is computed as written
    with pytest.raises(UserError, match=r"layer 'fc' \(Dense\): power-of-two shifts that drop bits are emulated "
                                        "for the Latency strategy only"):
        run([input_node("inp", [2], fixed(4, -8)), node], [[0.0, 0.0]])


def test_power_of_two_convolution_drops_bits_per_receptive_field():
    node = po2_dense("inp", fixed(6, 2, False), [[2.0**-8]], width=5, bias=[0.0])
    node.class_name = "Conv1D"
    node.attributes.update({"n_chan": 1, "n_filt": 1, "in_width": 2, "filt_width": 1, "stride_width": 1,
                            "pad_left": 0, "pad_right": 0, "out_width": 2, "accum_t": named("acc", fixed(18, 4))})
    node._output = SimpleNamespace(shape=[2, 1], type=SimpleNamespace(precision=fixed(18, 4)))
    out = run([input_node("inp", [2, 1], fixed(6, 2, False)), node], [[[0.0625], [0.1875]]])
    assert out.tolist() == [[[0.0], [2.0**-11]]]  # as in Dense: floor(code / 2) on r_T's grid


def test_power_of_two_bias_is_refused_in_one_line():
    node = po2_dense("inp", fixed(8, 3), [[0.5, 1.0], [0.25, 1.0]])
    node.weights["bias"] = ExponentWeight([0.5, 1.0], 4)
    with pytest.raises(UserError) as error:
        run([input_node("inp", [2], fixed(8, 3)), node], [[0.0, 0.0]])
    assert "quantized_bits for biases" in str(error.value) and "\n" not in str(error.value)


def test_binary_weights_multiply_by_plus_minus_one():
    node = dense_node("fc", "inp", [[1, 0], [0, 1], [1, 1]], [0.25, 0.0], XNOR, fixed(8, 3), fixed(16, 6), fixed(16, 6))
    node.attributes["config_cpp"] = "using product = nnet::product::weight_binary<x_T, y_T>;"
    out = run([input_node("inp", [3], fixed(8, 3)), node], [[1.0, 0.5, -2.0]])
    assert out.tolist() == [[-1.25, -2.5]]  # bit 0 stands for -1


def test_binary_data_with_fixed_weights():
    node = dense_node("fc", "inp", [[0.5, -0.25], [1.0, 0.75]], [0.0, 0.125], fixed(8, 3), fixed(8, 3),
                      fixed(16, 6), fixed(16, 6))
    node.attributes["config_cpp"] = "using product = nnet::product::data_binary<x_T, y_T>;"
    out = run([input_node("inp", [2], XNOR), node], [[1.0, 0.0], [0.0, 0.0]])
    # data bits [1, 0] are +1, -1: [0.5 - 1.0, -0.25 - 0.75 + 0.125]; [0, 0] is -1, -1
    assert out.tolist() == [[-0.5, -0.875], [-1.5, -0.375]]


def test_xnor_dense_returns_the_plus_minus_one_dot_product():
    int4 = IntegerPrecisionType(4, True)
    node = dense_node("fc", "inp", [[1, 0], [1, 1], [0, 0], [0, 1]], [0, 0], XNOR, XNOR, int4, int4)
    node.attributes["config_cpp"] = "using product = nnet::product::both_binary<x_T, y_T>;"
    x = [[1, 1, 0, 0], [0, 0, 0, 0], [0, 1, 1, 1]]
    # matches of x == w per column, then 2 * matches - n_in
    assert run([input_node("inp", [4], XNOR), node], x).tolist() == [[4, 0], [0, 0], [-2, 2]]


def threshold_node(quantize, shape, n_filt, weights, result):
    attrs = {"quantize": quantize, "n_filt": n_filt, "n_in": int(np.prod(shape))}
    return FakeNode("bnbt", "BatchNormalizationQuantizedTanh", ["inp"], shape, result, attrs=attrs, weights=weights)


def test_binary_thresholds_per_channel():
    node = threshold_node(2, [2, 2], 2, {"threshold": ([0.5, -1.0], fixed(8, 3))}, XNOR)
    out = run([input_node("inp", [2, 2], fixed(8, 3)), node], [[[0.5, -1.0], [0.46875, -1.03125]]])
    assert out.tolist() == [[[1, 1], [0, 0]]]  # x >= t gives 1


def test_ternary_thresholds():
    node = threshold_node(3, [3], -1, {"threshold_hi": ([0.5] * 3, fixed(8, 3)),
                                       "threshold_lo": ([-0.5] * 3, fixed(8, 3))}, IntegerPrecisionType(2, True))
    out = run([input_node("inp", [3], fixed(8, 3)), node], [[0.5, 0.53125, -0.5]])
    assert out.tolist() == [[0, 1, -1]]  # x > hi gives 1, x <= lo gives -1


def test_binary_and_ternary_tanh():
    inp = input_node("inp", [3], fixed(8, 3))
    bits = activation_node("bt", "inp", "binary_tanh", [3], XNOR)
    signs = activation_node("bt2", "inp", "binary_tanh", [3], fixed(4, 2))
    assert run([inp, bits], [[0.0, -0.03125, 2.0]]).tolist() == [[1, 0, 1]]
    assert run([inp, signs], [[0.0, -0.03125, 2.0]]).tolist() == [[1, -1, 1]]
    # ternary_tanh doubles x in the input type: 2 * 1.5 = 3 wraps to -1 in ap_fixed<6,2>
    tern = FakeNode("tt", "TernaryTanh", ["inp"], [5], IntegerPrecisionType(2, True), attrs={"activation": "ternary_tanh"})
    out = run([input_node("inp", [5], fixed(6, 2)), tern], [[0.5, 0.5625, -0.5, -0.5625, 1.5]])
    assert out.tolist() == [[0, 1, -1, -1, -1]]


def test_relu1_and_relu6():
    relu1 = activation_node("r1", "inp", "relu1", [5], fixed(4, 1, False, "RND", "SAT"))
    out = run([input_node("inp", [5], fixed(8, 3)), relu1], [[-0.5, 0.53125, 1.0, 1.03125, 3.5]])
    assert out.tolist() == [[0.0, 0.5, 1.0, 1.0, 1.0]]
    relu6 = activation_node("r6", "inp", "relu6", [3], fixed(4, 2, False))  # [0, 4): 6 wraps to 2
    assert run([input_node("inp", [3], fixed(8, 4)), relu6], [[3.5, 6.0, 7.0]]).tolist() == [[3.5, 2.0, 2.0]]


def test_thresholded_relu_compares_with_theta_in_param_type():
    node = FakeNode("th", "ParametrizedActivation", ["inp"], [4], fixed(10, 3),
                    attrs={"activation": "thresholdedrelu", "param_t": named("p", fixed(8, 1)),
                           "function_cpp": "nnet::thresholded_relu<a, b, c, d>(x, 0.3, y);"})
    # theta = 0.3 as ap_fixed<8,1> is 38/128
    out = run([input_node("inp", [4], fixed(10, 3)), node], [[38 / 128, 39 / 128, -1.0, 2.0]])
    assert out.tolist() == [[0.0, 39 / 128, 0.0, 2.0]]


@pytest.mark.parametrize("function,expected", [("hard_sigmoid", [0.5, 1.0, 0.0, 1.0, 0.0]),
                                               ("hard_tanh", [0.0, 1.0, -1.0, 1.0, -1.0])])
def test_hard_activations(function, expected):
    config = "const slope3_t c::slope = 0.5;\nconst shift3_t c::shift = 0.5;\n"
    node = FakeNode("h", "HardActivation", ["inp"], [5], fixed(10, 2), config=config,
                    attrs={"activation": function, "slope_t": named("slope3_t", fixed(2, 0, False)),
                           "shift_t": named("shift3_t", fixed(2, 0, False))})
    assert run([input_node("inp", [5], fixed(8, 3)), node], [[0.0, 1.0, -1.5, 3.0, -3.0]]).tolist() == [expected]


def test_prelu_has_one_alpha_per_value():
    node = FakeNode("pr", "PReLU", ["inp"], [3], fixed(8, 3, True, "RND", "SAT"), attrs={"activation": "prelu"},
                    weights={"param": ([0.25, -0.5, 0.125], fixed(8, 1))})
    assert run([input_node("inp", [3], fixed(8, 3)), node], [[-2.0, -2.0, 1.5]]).tolist() == [[-0.5, 1.0, 1.5]]


def test_cropping_keeps_the_window():
    node = FakeNode("crop", "Cropping2D", ["inp"], [1, 2, 1], fixed(6, 2, True, "RND", "SAT"),
                    attrs={"in_height": 2, "in_width": 3, "n_chan": 1, "out_height": 1, "out_width": 2,
                           "crop_top": 1, "crop_left": 1})
    x = np.array([[[[0.0], [1.0], [2.0]], [[3.0], [1.03125], [-5.0]]]])
    # 1.03125 is 16.5 LSBs of ap_fixed<6,2>: AP_RND takes the tie up; -5 saturates at -2
    assert run([input_node("inp", [2, 3, 1], fixed(10, 4)), node], x).tolist() == [[[[1.0625], [-2.0]]]]


def test_depthwise_convolution_is_a_per_channel_sum():
    attrs = {"n_chan": 2, "n_filt": 2, "in_width": 3, "filt_width": 2, "stride_width": 1, "pad_left": 0,
             "pad_right": 0, "out_width": 2, "depth_multiplier": 1, "strategy": "latency",
             "accum_t": named("acc", fixed(16, 6))}
    weights = {"weight": (np.array([[[1.0], [0.5]], [[-1.0], [0.25]]]), fixed(8, 2)), "bias": ([0.0, 0.0], fixed(8, 2))}
    node = FakeNode("dw", "DepthwiseConv1D", ["inp"], [2, 2], fixed(16, 6), attrs=attrs, weights=weights)
    out = run([input_node("inp", [3, 2], fixed(10, 4)), node], [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]])
    assert out.tolist() == [[[-2.0, 2.0], [-2.0, 3.5]]]


def test_unknown_activation_refused_in_one_line_naming_what_is_supported():
    node = activation_node("s", "inp", "swish", [2], fixed(8, 3))
    with pytest.raises(UserError) as error:
        run([input_node("inp", [2], fixed(8, 3)), node], [[0.0, 0.0]])
    text = str(error.value)
    assert text.startswith("layer 's' (Activation): activation 'swish' is not emulated; expected one of")
    assert "relu1" in text and "hard_tanh" in text and "selu" in text and "\n" not in text


def test_xnor_convolution_counts_matches_per_receptive_field():
    int4 = IntegerPrecisionType(4, True)
    attrs = {"n_chan": 1, "n_filt": 1, "in_width": 3, "filt_width": 2, "stride_width": 1, "pad_left": 0,
             "pad_right": 0, "out_width": 2, "strategy": "latency", "accum_t": named("acc", int4)}
    node = FakeNode("c", "Conv1D", ["inp"], [2, 1], int4, attrs=attrs,
                    weights={"weight": (np.array([[[1]], [[0]]]), XNOR), "bias": ([0], XNOR)},
                    config="using product = nnet::product::both_binary<a, b>;")
    # windows [1, 0] and [0, 1] against weights [1, 0]: 2 and 0 matches of 2 -> 2 * m - 2
    assert run([input_node("inp", [3, 1], XNOR), node], [[[1], [0], [1]]]).tolist() == [[[2], [-2]]]


def test_xnor_depthwise_refused_by_name():
    attrs = {"n_chan": 1, "n_filt": 1, "in_width": 3, "filt_width": 2, "stride_width": 1, "pad_left": 0,
             "pad_right": 0, "out_width": 2, "strategy": "latency", "depth_multiplier": 1,
             "accum_t": named("acc", IntegerPrecisionType(4, True))}
    node = FakeNode("dw", "DepthwiseConv1D", ["inp"], [2, 1], IntegerPrecisionType(4, True), attrs=attrs,
                    weights={"weight": (np.array([[[1]], [[0]]]), XNOR), "bias": ([0], XNOR)},
                    config="using product = nnet::product::both_binary<a, b>;")
    with pytest.raises(UserError, match=r"layer 'dw' \(DepthwiseConv1D\): product 'both_binary' is not emulated"):
        run([input_node("inp", [3, 1], XNOR), node], [[[1], [0], [1]]])


def test_estimator_reads_backend_exponent_types_and_prices_thresholds():
    from hls4ml.backends.fpga.fpga_types import APTypeConverter

    from l1forge.report.binary_cost import threshold_cost
    from l1forge.report.bits import Bits, bits_of
    from l1forge.report.cost import LayerIO
    from l1forge.report.multipliers import constant_census, product_type

    exponent = APTypeConverter().convert(ExponentPrecisionType(4, True))
    assert type(exponent).__name__ == "APExponentPrecisionType"
    weight = bits_of(exponent)
    assert weight.kind == "exponent"
    data = Bits(16, 6, True)
    assert product_type(data, weight) == "weight_exponential"
    census = constant_census(np.array([[1, -1], [1, 1]]), None, data, weight, "weight_exponential", (27, 18))
    assert census.n_dsp == 0 and census.n_shift == 4  # a power-of-two product is a shift, never a DSP
    io = LayerIO(name="bnbt", in_bits=Bits(10, 4, True), out_bits=Bits(1, 1, False, kind="binary"), n_in=8,
                 n_out=8, in_shape=(8,), out_shape=(8,), live_in=8, reuse_factor=1, strategy="latency")
    binary = threshold_cost(SimpleNamespace(get_attr=lambda key, default=None: 2), io, None)
    ternary = threshold_cost(SimpleNamespace(get_attr=lambda key, default=None: 3), io, None)
    assert binary.dsp == 0 and binary.lut == 8 * 5 and ternary.lut == 2 * binary.lut


def table_node(name, function, size=1024):
    return FakeNode(name, "Activation", ["inp"], [3], fixed(16, 6),
                    attrs={"activation": function, "table_size": size, "table_t": named("t", fixed(18, 8))})


def test_softsign_softplus_and_selu_tables():
    inp = input_node("inp", [3], fixed(16, 6))
    # softsign: index trunc(x * 1024 / 16) + 512; x = 1 reads the entry at 1.0, exactly 0.5
    assert run([inp, table_node("ss", "softsign")], [[0.0, 1.0, -1.0]]).tolist() == [[0.0, 0.5, -0.5]]
    # softplus(0) = log 2, truncated to 10 fractional bits
    assert run([inp, table_node("sp", "softplus")], [[0.0, 0.0, 0.0]])[0, 0] == 709 / 1024
    # selu: x >= 0 is lambda (as ap_ufixed<16,1>: 34429 / 32768) times x; far below zero the last entry
    out = run([inp, table_node("se", "selu")], [[2.0, 0.0, -30.0]])
    assert out.tolist() == [[2151 / 1024, 0.0, -1800 / 1024]]  # selu(-8 * 1023 / 1024) floored
