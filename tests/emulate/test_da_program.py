"""hls4ml's distributed-arithmetic layers: da4ml's generated shift-and-add program, parsed
and run with exact integers (l1forge.emulate.da_program)."""

import numpy as np
import pytest

from l1forge.emulate.da_program import DAExecutor, parse
from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError


def _da4ml_source(kernel, bias, k, i, f, name="dense_da_7"):
    """The C++ text hls4ml stores as da_codegen, made by da4ml as hls4ml makes it."""
    pytest.importorskip("da4ml")
    from da4ml.codegen.hls import hls_logic_and_bridge_gen
    from da4ml.trace import FixedVariableArray, HWConfig, comb_trace

    n = kernel.shape[0]
    inp = FixedVariableArray.from_kif(np.full(n, k, np.int16), np.full(n, i, np.int16), np.full(n, f, np.int16),
                                      HWConfig(1, -1, -1), solver_options={"hard_dc": 2, "search_all_decompose_dc": True})
    out = inp @ kernel + bias
    code, _ = hls_logic_and_bridge_gen(comb_trace(inp, out), name, "vitis", pragmas=["#pragma HLS INLINE"],
                                       print_latency=True)
    return code


@pytest.mark.parametrize("signed", [True, False])
def test_the_program_computes_the_exact_matrix_product(signed):
    rng = np.random.default_rng(3)
    kernel = rng.integers(-31, 32, (12, 5)) / 32.0
    kernel[rng.random(kernel.shape) < 0.5] = 0.0  # pruned weights
    kernel[:, 3] = 0.0  # a neuron with no weights left: its output is the bias
    bias = np.array([0.25, -0.5, 0.0, 0.125, -1.0])
    integer, frac = (3, 4) if signed else (0, 6)
    program = parse(_da4ml_source(kernel, bias, int(signed), integer, frac), "test layer")
    in_type = FixedType(int(signed) + integer + frac, int(signed) + integer, signed)
    executor = DAExecutor(program, in_type, "test layer")
    codes = rng.integers(in_type.code_min, in_type.code_max + 1, (5000, 12))
    codes[:4] = [[in_type.code_min] * 12, [in_type.code_max] * 12, [0] * 12, [1] * 12]
    got = executor.run(codes) / 2.0**executor.frac
    expected = (codes / 2.0**in_type.frac) @ kernel + bias
    np.testing.assert_array_equal(got, expected)
    assert program.adders and program.depth >= 1
    # da4ml's types never drop a bit here, so the program runs as one matrix product, and
    # it gives what the program line by line gives
    assert executor.linear is not None
    np.testing.assert_array_equal(executor.run(codes), executor.run_lines(codes))


def test_a_declared_type_narrower_than_its_sum_truncates_and_wraps_as_ap_fixed_does():
    source = """template <typename inp_t, typename out_t>
void dense_da_1(inp_t model_inp[2], out_t model_out[1]) { // ap_fixed<6,3> -> ap_fixed<4,2>
    #pragma HLS INLINE
    ap_fixed<6,3> v0 = model_inp[0]; // 0.0
    ap_fixed<6,3> v1 = model_inp[1]; // 0.0
    ap_fixed<4,2> v2 = v0 + bit_shift<-1>(v1); // 1.0
    model_out[0] = ap_fixed<4,2>(v2);
}"""
    program = parse(source, "hand-written")
    in_type = FixedType(6, 3)
    executor = DAExecutor(program, in_type, "hand-written")
    codes = np.array([[12, 10], [-32, -32], [31, 31]])  # 1.5 + 0.625; -4 - 2; 3.875 + 1.9375
    assert executor.linear is None  # a sum that can truncate and wrap runs line by line
    got = executor.run(codes)[:, 0] / 2.0**executor.frac
    exact = codes[:, 0] / 8 + codes[:, 1] / 16
    truncated = np.floor(exact * 4) / 4  # ap_fixed<4,2>: AP_TRN to 2^-2 ...
    wrapped = (truncated + 2) % 4 - 2  # ... then AP_WRAP into [-2, 2)
    np.testing.assert_array_equal(got, wrapped)


@pytest.mark.parametrize("line", ["ap_fixed<8,4> v2 = v0 * v1; // 1.0",
                                  "ap_fixed<8,4> v2 = v0 > 0 ? ap_fixed<8,4>(v0) : ap_fixed<8,4>(0); // 1.0",
                                  "ap_fixed<8,4> v2 = table_3[v0.range()]; // 1.0"])
def test_an_operation_of_any_other_form_is_refused_by_its_line(line):
    source = ("void dense_da_1(inp_t model_inp[1], out_t model_out[1]) {\n"
              "    ap_fixed<8,4> v0 = model_inp[0];\n    ap_fixed<8,4> v1 = model_inp[0];\n"
              f"    {line}\n    model_out[0] = ap_fixed<8,4>(v2);\n}}")
    with pytest.raises(UserError, match="not emulated"):
        parse(source, "layer 'fc1' (Dense)")


def test_an_output_never_assigned_is_refused():
    source = ("void dense_da_1(inp_t model_inp[1], out_t model_out[2]) {\n"
              "    ap_fixed<8,4> v0 = model_inp[0];\n    model_out[0] = ap_fixed<8,4>(v0);\n}")
    with pytest.raises(UserError, match="each of its 2 outputs"):
        parse(source, "layer 'fc1' (Dense)")


def _two_input_program(v2_type, shift, out_shift=0):
    return f"""void dense_da_1(inp_t model_inp[2], out_t model_out[2]) {{
    ap_fixed<6,3> v0 = model_inp[0]; // 0.0
    ap_fixed<6,3> v1 = model_inp[1]; // 0.0
    {v2_type} v2 = v0 - bit_shift<{shift}>(v1); // 1.0
    ap_fixed<12,6> v3 = v2 + ap_fixed<4,1>(0.375); // 2.0
    model_out[0] = ap_fixed<8,4>(bit_shift<{out_shift}>(v3));
    model_out[1] = ap_fixed<6,3>(-v1);
}}"""


@pytest.mark.parametrize("v2_type, shift, out_shift, linear", [
    ("ap_fixed<12,6>", -1, 0, True),    # wide enough: one matrix product
    ("ap_fixed<12,6>", 2, -3, True),    # a left shift; the output's own right shift truncates
    ("ap_fixed<7,4>", -1, 0, False),    # v1 / 2 needs one more fraction bit than v2 has
    ("ap_fixed<12,3>", 2, 0, False),    # v1 * 4 can leave v2's range
])
def test_the_matrix_product_is_used_only_where_no_assignment_loses_a_bit(v2_type, shift, out_shift, linear):
    program = parse(_two_input_program(v2_type, shift, out_shift), "hand-written")
    in_type = FixedType(6, 3)
    executor = DAExecutor(program, in_type, "hand-written")
    assert (executor.linear is not None) == linear
    codes = np.array(np.meshgrid(np.arange(-32, 32), np.arange(-32, 32))).reshape(2, -1).T
    np.testing.assert_array_equal(executor.run(codes), executor.run_lines(codes))


@pytest.mark.parametrize("largest", [1 << 10, 1 << 28, 1 << 40])  # float32, float64, int64 sums
def test_the_product_is_exact_in_whichever_arithmetic_its_bound_allows(largest):
    from l1forge.emulate.da_linear import LinearForm

    matrix = np.array([[3, -largest], [largest - 1, 5]], dtype=np.int64)
    codes = np.array([[2**12 - 1, -(2**12)], [7, 9], [-(2**12), 2**12 - 1]], dtype=np.int64)
    bound = (2 * largest + 5) * 2**12 + 1
    form = LinearForm((0, 1), matrix, np.array([1, -1], np.int64), bound=bound)
    expected = np.array([[int(a) * int(m0) + int(b) * int(m1) for m0, m1 in matrix.T] for a, b in codes]) + [1, -1]
    np.testing.assert_array_equal(form.values(codes), expected)
