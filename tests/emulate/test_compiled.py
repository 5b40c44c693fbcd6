"""The compiled kernels (compiled.py) against the numpy paths they replace and against a
reference spelled out from the firmware's loop with exact rationals (test_kernel.py), for
every rounding and overflow mode; and the switch that forces the numpy paths."""

from __future__ import annotations

import numpy as np
import pytest
from test_kernel import reference_dense

from l1forge.emulate import compiled, patch_mac
from l1forge.emulate.fixed import ROUNDING_MODES, FixedType
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.signals import typed_signal

W_T = FixedType(6, 1)
X_T = FixedType(10, 4)

# (accumulator, result): products drop bits with every rounding mode; accumulators
# saturate, saturate symmetrically, zero or wrap; one case needs int64.
MAC_CASES = {
    **{f"products {mode}, accum SAT": (FixedType(12, 4, True, mode, "SAT"), FixedType(10, 4, True, "RND", "SAT"))
       for mode in ROUNDING_MODES},
    "accum SAT_SYM": (FixedType(11, 3, True, "RND_CONV", "SAT_SYM"), FixedType(11, 3)),
    "accum SAT_ZERO": (FixedType(11, 3, True, "TRN", "SAT_ZERO"), FixedType(11, 3)),
    "accum WRAP, products rounded": (FixedType(11, 3, True, "RND", "WRAP"), FixedType(9, 3, True, "TRN", "SAT")),
    "unsigned accum": (FixedType(10, 3, False, "TRN", "SAT"), FixedType(10, 3, False)),
    "wide accum int64": (FixedType(34, 6, True, "TRN", "SAT"), FixedType(34, 6)),
}


def _case(name, rng):
    accum, result = MAC_CASES[name]
    w = rng.integers(-32, 32, size=(9, 5))
    w[2, 1] = w[4, :] = 0  # pruned weights are skipped by the kernel
    b = rng.integers(-32, 32, size=5)
    x = rng.integers(X_T.code_min, X_T.code_max + 1, size=(300, 9))
    x[:20] = X_T.code_max  # range edges: every product at its largest
    x[20:40] = X_T.code_min
    x[40:60] = 0
    x[60:200:2, ::2] = 0  # zero inputs amid others: the per-event kernel skips them
    signal = typed_signal("x", (9,), X_T, X_T.code_min, X_T.code_max)
    return accum, result, w, b, x, signal


# Each kernel variant compiles in a few seconds on a cold cache: every case runs the
# blocked integer kernel (the fallback of every mode), the per-event one where it is the
# path taken (the modes the float kernel does not spell, int64), and the float kernel once
# per rounding kind and overflow mode it spells: AP_TRN with AP_SAT_ZERO, AP_RND_CONV with
# AP_SAT_SYM, AP_RND with the wrap-once accumulator, float64; AP_RND_MIN_INF and AP_SAT
# run in test_patch_mac.py's convolution cases (the same kernel).
PER_EVENT = ["products TRN_ZERO, accum SAT", "products RND_INF, accum SAT", "products RND_ZERO, accum SAT",
             "wide accum int64"]
FLOAT = ["accum SAT_SYM", "accum SAT_ZERO", "accum WRAP, products rounded", "wide accum int64"]
ORDERS = ([(case, "blocked") for case in sorted(MAC_CASES)] + [(case, "per_event") for case in PER_EVENT]
          + [(case, "float") for case in FLOAT])


@pytest.mark.parametrize(("case", "order"), ORDERS)
def test_compiled_mac_equals_numpy_and_reference(case, order, monkeypatch):
    """The integer kernels (float kernel off; blocked or per event) and the float one
    (patch_mac.py), each against the numpy loop and the exact reference. The float kernel
    does not spell AP_TRN_ZERO, AP_RND_INF or AP_RND_ZERO: those cases fall back to the
    integer kernel."""
    accum, result, w, b, x, signal = _case(case, np.random.default_rng(len(case)))
    # five outputs: the blocked kernel, unless every layer is sent to the per-event one
    monkeypatch.setattr("l1forge.emulate.compiled.PER_EVENT_OUTPUTS", 1 if order == "per_event" else 16)
    monkeypatch.setattr("l1forge.emulate.kernel.FLOAT_KERNEL", order == "float")
    fast = MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=True)
    assert not fast.fast and fast.compiled is not None  # the firmware order, compiled
    spelled = accum.rounding in patch_mac.ROUNDING_IDS and result.rounding in patch_mac.ROUNDING_IDS
    if order == "float" and spelled:
        assert isinstance(fast.compiled, patch_mac.PatchMac)
        assert fast.compiled.dtype == (np.float64 if "int64" in case else np.float32)
    else:
        assert fast.compiled.dtype == (np.int64 if "int64" in case else np.int32)
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    slow = MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=True)
    assert slow.compiled is None  # forced fallback: the numpy loop over inputs
    expected = reference_dense(x[::3], w, b, X_T, W_T, W_T, accum, result)
    ours = fast.run(x.astype(np.float32), None, "k")
    theirs = slow.run(x.astype(np.float32), None, "k")
    assert np.array_equal(ours, theirs)
    assert np.array_equal(ours[::3].astype(np.float64) * 2.0**-fast.scale, expected)


def test_overflow_report_takes_the_counting_path():
    accum, result, w, b, x, signal = _case("accum SAT_ZERO", np.random.default_rng(4))
    from l1forge.emulate.overflow import OverflowTally

    kernel = MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=True)
    tally = OverflowTally()
    counted = kernel.run(x.astype(np.float32), tally, "k")
    assert np.array_equal(counted, kernel.run(x.astype(np.float32), None, "k"))
    assert tally.counts["k accum"][0] > 0  # the per-step counts only the numpy loop keeps


OVERFLOWS = ("SAT", "SAT_SYM", "SAT_ZERO", "WRAP")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_fused_float_cast_equals_numpy(mode, dtype, monkeypatch):
    rng = np.random.default_rng(ROUNDING_MODES.index(mode))
    codes = rng.integers(-3000, 3000, size=(64, 40)).astype(dtype)  # on a grid of 4 fraction bits
    codes[0, :] = np.arange(-20, 20) * 8 + 8  # ties at the half LSB of the 1-bit target, both signs
    codes[1, :] = 0.0
    for overflow in OVERFLOWS:
        for signed in (True, False):
            dst = FixedType(8, 7, signed, mode, overflow)
            fused = cast_array(codes, 4, 4, dst, True)
            monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
            plain = cast_array(codes, 4, 4, dst, True)
            monkeypatch.delenv("L1FORGE_EMULATOR_JIT")
            assert fused.dtype == plain.dtype == dtype
            assert np.array_equal(fused, plain), (mode, overflow, signed)
            if mode in compiled.FUSED_ROUNDING and overflow != "SAT_ZERO":  # the fused loop ran
                assert not np.signbit(fused[fused == 0]).any()


def test_switch_and_small_arrays_fall_back(monkeypatch):
    values = np.arange(200, dtype=np.float32)
    assert compiled.float_cast(values, 0.5, "TRN", None) is not None
    assert compiled.float_cast(values[:10], 0.5, "TRN", None) is None  # too small to pay
    assert compiled.float_cast(values[::2], 0.5, "TRN", None) is None  # not contiguous
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    assert not compiled.enabled()
    assert compiled.float_cast(values, 0.5, "TRN", None) is None


@pytest.mark.parametrize("float_kernel", [True, False])
def test_wrapping_accumulator_wraps_once_at_the_end(float_kernel, monkeypatch):
    """AP_WRAP sums are exact modulo 2^width in any order: the kernel adds the rounded
    products unwrapped and wraps once; the numpy loop wraps after every addition."""
    accum, result = FixedType(9, 2, True, "TRN", "WRAP"), FixedType(9, 2)
    rng = np.random.default_rng(9)
    w, b = rng.integers(-32, 32, size=(9, 5)), rng.integers(-32, 32, size=5)
    x = rng.integers(X_T.code_min, X_T.code_max + 1, size=(200, 9))
    signal = typed_signal("x", (9,), X_T, X_T.code_min, X_T.code_max)
    monkeypatch.setattr("l1forge.emulate.kernel.FLOAT_KERNEL", float_kernel)
    fast = MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=True)
    assert fast.products_round and fast.acc_overflow and fast.compiled.wrap == accum
    assert isinstance(fast.compiled, patch_mac.PatchMac) == float_kernel
    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")
    slow = MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=True)
    ours = fast.run(x.astype(np.float32), None, "k")
    assert np.array_equal(ours, slow.run(x.astype(np.float32), None, "k"))
    expected = reference_dense(x[:40], w, b, X_T, W_T, W_T, accum, result)
    assert np.array_equal(ours[:40].astype(np.float64) * 2.0**-fast.scale, expected)


def test_a_wrapping_accumulator_is_emulated_in_any_strategys_order():
    """Products are cast to the accumulator before they are added: with a wrapping
    accumulator the sums are modular, so the Resource strategy's order gives the Latency
    strategy's result and the kernel is built; a saturating one is refused."""
    accum, result, w, b, x, signal = _case("accum WRAP, products rounded", np.random.default_rng(7))
    unordered = MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=False)
    assert unordered.acc_overflow and not unordered.fast  # the case is one where order could matter
    expected = reference_dense(x, w, b, X_T, W_T, W_T, accum, result)
    assert np.array_equal(unordered.run(x.astype(np.float32), None, "k").astype(np.float64) * 2.0**-unordered.scale,
                          expected)
    accum, result, w, b, x, signal = _case("accum SAT_SYM", np.random.default_rng(7))
    with pytest.raises(Exception, match="saturating accumulator"):
        MacKernel("k", w, W_T, b, W_T, accum, result, signal, ordered=False)
