"""The fused DA path (l1forge.emulate.da_fused) against the int64 path it replaces, on every
input code of a hand-written program whose outputs shift, truncate and wrap, into result
types of every rounding and overflow mode the fused pass spells; and the fallbacks."""

import numpy as np
import pytest

from l1forge.emulate import da_fused
from l1forge.emulate.da_program import DAExecutor, parse
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.quantize import cast_array

IN_TYPE = FixedType(6, 3)
CODES = np.array(np.meshgrid(np.arange(-32, 32), np.arange(-32, 32))).reshape(2, -1).T  # every input pair


def _program(out_type: str, out_shift: int, second: str = "ap_fixed<6,3>") -> str:
    """v3 = v0 - v1/2 + 0.375 exactly (one matrix product); its output assignment may shift
    right (truncating), wrap into a narrow type, or both; output 1 is -v1 (in ap_fixed<6,3>,
    -(-4) wraps to -4)."""
    return f"""void dense_da_1(inp_t model_inp[2], out_t model_out[2]) {{
    ap_fixed<6,3> v0 = model_inp[0]; // 0.0
    ap_fixed<6,3> v1 = model_inp[1]; // 0.0
    ap_fixed<12,6> v2 = v0 - bit_shift<-1>(v1); // 1.0
    ap_fixed<12,6> v3 = v2 + ap_fixed<4,1>(0.375); // 2.0
    model_out[0] = {out_type}(bit_shift<{out_shift}>(v3));
    model_out[1] = {second}(-v1);
}}"""


def _int64_result(executor, result):
    return cast_array(executor.run(CODES), executor.frac, executor.frac, result, True)


@pytest.mark.parametrize("out_type, out_shift", [
    ("ap_fixed<12,6>", 0),    # nothing to do but the result cast
    ("ap_fixed<12,6>", -2),   # a right shift that drops bits (AP_TRN)
    ("ap_fixed<5,2>", 0),     # a narrow output type: AP_TRN and AP_WRAP
    ("ap_fixed<6,4>", -1),    # both
    ("ap_fixed<12,8>", 1),    # a left shift
])
@pytest.mark.parametrize("result", ["ap_fixed<8,4,AP_TRN,AP_WRAP>", "ap_fixed<5,3,AP_RND,AP_SAT>",
                                    "ap_fixed<6,2,AP_RND_CONV,AP_SAT>", "ap_fixed<7,3,AP_RND_MIN_INF,AP_WRAP>",
                                    "ap_ufixed<6,3,AP_TRN,AP_SAT>", "ap_fixed<6,3,AP_RND,AP_SAT_SYM>",
                                    "ap_fixed<16,8,AP_TRN,AP_WRAP>"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_fused_pass_gives_the_int64_paths_codes(out_type, out_shift, result, dtype):
    from l1forge.emulate.fixed import parse_cpp_type

    executor = DAExecutor(parse(_program(out_type, out_shift), "hand-written"), IN_TYPE, "hand-written")
    result = parse_cpp_type(result)
    assert executor.linear is not None
    fused = da_fused.plan_fused(executor, result, np.dtype(dtype))
    if not da_fused.enabled():
        pytest.skip("numba switched off")
    assert fused is not None
    got = fused.run(CODES.astype(dtype), IN_TYPE.frac)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, _int64_result(executor, result))
    # inputs stored on a finer grid (a producer's pre-scaled array) give the same codes
    np.testing.assert_array_equal(fused.run(CODES * 4.0, IN_TYPE.frac + 2), got)


def test_each_step_is_taken_only_where_some_value_needs_it():
    source = _program("ap_fixed<12,6>", 0, second="ap_fixed<12,6>")
    executor = DAExecutor(parse(source, "hand-written"), IN_TYPE, "hand-written")
    wide = FixedType(14, 8, True, "TRN", "WRAP")  # the program's own grid (6 fraction bits)
    fused = da_fused.plan_fused(executor, wide, np.dtype(np.float32))
    if fused is None:
        pytest.skip("numba switched off")
    assert fused.plain  # no shift, no wrap, no rounding: the product plus its offset
    narrow = DAExecutor(parse(_program("ap_fixed<5,2>", -1), "hand-written"), IN_TYPE, "hand-written")
    steps = da_fused.plan_fused(narrow, FixedType(5, 3, True, "RND", "SAT"), np.dtype(np.float32)).steps
    assert list(steps) == [1, 1, 1, 1, 0, 0]  # shift, output wrap, scale, round; a clamp, no result wrap


def test_the_int64_path_runs_where_the_fused_pass_does_not_apply(monkeypatch):
    executor = DAExecutor(parse(_program("ap_fixed<12,6>", 0), "hand-written"), IN_TYPE, "hand-written")
    for mode in ("TRN_ZERO", "RND_ZERO", "RND_INF"):  # rounding modes the pass does not spell
        assert da_fused.plan_fused(executor, FixedType(6, 3, True, mode, "SAT"), np.dtype(np.float32)) is None
    assert da_fused.plan_fused(executor, FixedType(6, 3, True, "RND", "SAT_ZERO"), np.dtype(np.float32)) is None
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    assert da_fused.plan_fused(executor, FixedType(16, 8), np.dtype(np.float32)) is None
