"""Values past 62 bits on exact Python integers (wide.py): casts with every rounding and
overflow mode, the input conversion and the dense sums, against pure-Python references
written with exact rationals; and the refusals that name the layer."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import floor

import numpy as np
import pytest
from emulate_fakes import FakeGraph, activation_node, dense_node, fixed, input_node

from l1forge import emulate
from l1forge.emulate.fixed import ROUNDING_MODES, FixedType
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.overflow import OverflowTally
from l1forge.emulate.quantize import cast_codes
from l1forge.emulate.rounding import shift_round_int, shift_round_wide
from l1forge.emulate.signals import WIDE, TooWide, exact_dtype, wide_dtype
from l1forge.emulate.wide import quantize_wide, wide_signal
from l1forge.errors import UserError

OVERFLOWS = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")
SHAPES = [(64, 20, True), (100, 37, True), (90, -5, False), (72, 80, True)]  # widths past 62 bits
WIDE_TYPES = [FixedType(w, i, s, q, o) for (w, i, s), q, o in itertools.product(SHAPES, ROUNDING_MODES, OVERFLOWS)]


def ref_code(value: Fraction, t: FixedType) -> int:
    """The code of the exact rational `value` assigned to t, spelled out from the ap_fixed
    documentation (as test_kernel.ref_cast, for any sign of t.frac)."""
    scaled = value * Fraction(2) ** t.frac
    low = floor(scaled)
    rest, half = scaled - low, Fraction(1, 2)
    up = {
        "TRN": False,
        "TRN_ZERO": rest > 0 and scaled < 0,
        "RND": rest >= half,
        "RND_ZERO": rest > half or (rest == half and scaled < 0),
        "RND_INF": rest > half or (rest == half and scaled > 0),
        "RND_MIN_INF": rest > half,
        "RND_CONV": rest > half or (rest == half and low % 2 == 1),
    }[t.rounding]
    code = low + int(up)
    lo = -t.code_max if t.overflow == "SAT_SYM" and t.signed else t.code_min
    if lo <= code <= t.code_max:
        return code
    if t.overflow == "WRAP":
        return (code - t.code_min) % 2**t.width + t.code_min
    return 0 if t.overflow == "SAT_ZERO" else lo if code < lo else t.code_max


def ref_cast(value: Fraction, t: FixedType) -> Fraction:
    return ref_code(value, t) / Fraction(2) ** t.frac


def wide_codes(rng, n: int, bits: int, tie_shift: int) -> np.ndarray:
    """Python-integer codes of up to `bits` bits, both signs; every fourth an exact tie
    for a right shift by `tie_shift` (and every eighth a tie's neighbour)."""
    values = [int(rng.integers(0, 2**30)) << max(bits - 30, 0) | int(rng.integers(0, 2**30)) for _ in range(n)]
    for k in range(0, n, 4) if tie_shift > 0 else ():
        values[k] = (values[k] >> tie_shift << tie_shift) + (1 << (tie_shift - 1)) + (k % 8 == 4)
    signs = rng.choice([-1, 1], n)
    return np.array([int(s) * v for s, v in zip(signs, values)] + [0, -1, 1], dtype=object)


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@pytest.mark.parametrize("shift", [1, 2, 7, 40, 63, 70])
def test_shift_round_wide_matches_rationals(mode, shift):
    codes = wide_codes(np.random.default_rng(shift), 200, 120, shift)
    got = shift_round_wide(codes, shift, mode)
    target = FixedType(400, 400 - 0, True, mode, "WRAP")  # no overflow, no fraction bits
    expected = [ref_code(Fraction(int(v), 2**shift), target) for v in codes]
    assert got.dtype == WIDE and list(got) == expected


@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_shift_round_wide_equals_int64_path(mode):
    codes = np.random.default_rng(3).integers(-(2**61), 2**61, 500)
    codes[::5] = codes[::5] >> 9 << 9 | 1 << 8  # ties
    for shift in (1, 9, 30):
        wide = shift_round_wide(codes.astype(object), shift, mode)
        assert list(wide) == list(shift_round_int(codes.copy(), shift, mode))


@pytest.mark.parametrize("dst", WIDE_TYPES, ids=str)
def test_cast_of_python_integers_matches_rationals(dst):
    rng = np.random.default_rng(dst.width + dst.integer)
    for src_frac in (dst.frac + 17, dst.frac - 3):  # rounding right shifts, exact left shifts
        shift = src_frac - dst.frac
        codes = wide_codes(rng, 120, dst.width + shift + 1, shift)  # about half overflow
        before = codes.copy()
        tally = OverflowTally()
        got = cast_codes(codes, src_frac, dst, tally, "site")
        expected = [ref_code(Fraction(int(v)) / Fraction(2) ** src_frac, dst) for v in codes]
        assert got.dtype == WIDE and list(got) == expected, (src_frac, dst)
        assert 0 < tally.counts["site"][0] < codes.size  # some values overflowed, not all
        assert list(codes) == list(before)  # the input is not modified


@pytest.mark.parametrize("dst", WIDE_TYPES[::3] + [FixedType(64, 32), FixedType(64, 32, True, "RND", "SAT")], ids=str)
def test_quantize_wide_matches_rationals(dst):
    rng = np.random.default_rng(dst.width)
    top = 2.0 ** (dst.integer - 1)
    x = np.concatenate([rng.normal(0, top / 3, 200), rng.normal(0, 4, 50), [top, -top, 3 * top, -5 * top, 0.0]])
    lsb = 2.0**-dst.frac
    x[:40] = (np.round(x[:40] / lsb) + 0.5) * lsb  # half-LSB ties where the double holds them
    got = quantize_wide(x, dst)
    expected = [ref_code(Fraction(float(v)), dst) for v in x]
    assert got.dtype == WIDE and list(got) == expected


def test_quantize_wide_infinities():
    values = np.array([np.inf, -np.inf])
    assert list(quantize_wide(values, FixedType(70, 30))) == [0, 0]  # WRAP keeps no low bits of 2^1024
    sat = FixedType(70, 30, True, "TRN", "SAT")
    assert list(quantize_wide(values, sat)) == [sat.code_max, sat.code_min]


KERNEL_CASES = {
    # name: (x type, weight type, accum, result); products of 48-bit inputs and 32-bit weights
    "exact sums": (FixedType(48, 24), FixedType(96, 48), FixedType(64, 32)),
    "wrapping sums": (FixedType(48, 24), FixedType(80, 20), FixedType(70, 20, True, "RND", "SAT")),
    "rounded products, saturating": (FixedType(48, 24), FixedType(72, 20, True, "RND", "SAT"),
                                     FixedType(40, 20, True, "RND_CONV", "SAT")),
    "wrapping products": (FixedType(48, 24), FixedType(66, 10, True, "RND_INF", "WRAP"), FixedType(24, 12)),
    "wide input": (FixedType(70, 30), FixedType(110, 45), FixedType(30, 10, True, "RND_ZERO", "SAT_SYM")),
}


def reference_codes(x, w, b, x_t, w_t, accum, result) -> list[list[int]]:
    """Result codes of the firmware's loop (test_kernel.reference_dense, kept exact)."""
    rows = []
    for row in x:
        out = []
        for j in range(w.shape[1]):
            acc = ref_cast(Fraction(int(b[j])) / 2**w_t.frac, accum)
            for i, c in enumerate(row):
                product = Fraction(int(c)) / Fraction(2) ** x_t.frac * Fraction(int(w[i, j]), 2**w_t.frac)
                acc = ref_cast(acc + ref_cast(product, accum), accum)
            out.append(ref_code(acc, result))
        rows.append(out)
    return rows


@pytest.mark.parametrize("case", sorted(KERNEL_CASES))
def test_wide_dense_matches_firmware_loop(case):
    x_t, accum, result = KERNEL_CASES[case]
    w_t = FixedType(32, 16)
    rng = np.random.default_rng(len(case))
    w = rng.integers(w_t.code_min, w_t.code_max + 1, (6, 3))
    b = rng.integers(w_t.code_min, w_t.code_max + 1, 3)
    x = wide_codes(rng, 60, x_t.width - 2, 1)[:60].reshape(10, 6)
    x[0], x[1] = x_t.code_max, x_t.code_min
    signal = wide_signal("x", (6,), x_t, x_t.code_min, x_t.code_max)
    kernel = MacKernel("test", w, w_t, b, w_t, accum, result, signal, ordered=True, wide=True)
    expected = reference_codes(x, w, b, x_t, w_t, accum, result)
    arrays = [x] + ([x.astype(np.float64)] if x_t.width <= 53 else [])
    for array in arrays:
        codes = kernel.run(array, None, "test")
        assert [[int(c) for c in row] for row in codes] == expected, array.dtype
    small = kernel.run(np.ones((4, 6)), None, "test")  # a chunk of small values: the plain dtypes
    assert [[int(c) for c in row] for row in small] == reference_codes(np.ones((4, 6), int), w, b, x_t, w_t, accum,
                                                                       result)


def test_dtypes_past_62_bits():
    assert exact_dtype((1 << 62) - 1) == np.int64 and wide_dtype(1 << 62) == WIDE
    with pytest.raises(TooWide, match="more than 62 bits"):
        exact_dtype(1 << 62)
    x = wide_signal("x", (6,), FixedType(48, 24), -(2**47), 2**47 - 1)
    with pytest.raises(TooWide, match="Dense layers only"):  # a convolution's kernel
        MacKernel("conv", np.full((6, 2), 2**30), FixedType(32, 16), np.zeros(2, int), FixedType(32, 16),
                  FixedType(96, 48), FixedType(64, 32), x, ordered=True)


def wide_graph(last: str, **attrs) -> FakeGraph:
    w = np.random.default_rng(5).uniform(-2, 2, (3, 2))
    return FakeGraph([
        input_node("inp", [3], fixed(64, 32, True, "RND", "SAT")),
        dense_node("fc", "inp", w, [0.5, -0.25], fixed(32, 16), fixed(32, 16), fixed(100, 50), fixed(80, 40)),
        activation_node("act", "fc", last, [2], fixed(80, 40, True, "RND", "SAT"), **attrs),
    ])


def test_wide_graph_runs_and_refuses_by_name():
    emulator = emulate.from_graph(wide_graph("relu"))
    assert [row["dtype"] for row in emulator.describe()] == ["object"] * 3
    x = np.array([[3.5, -2.25, 2.0**30], [-(2.0**40), 1.0, 0.0]])
    out = emulator.predict(x)
    fc = emulator.trace(x)["fc"]
    assert np.abs(fc).max() > 2.0**31 and np.array_equal(out, np.maximum(fc, 0))  # relu on wide values
    with pytest.raises(UserError, match=r"layer 'act' \(Activation\): reads values past 62 bits"):
        emulate.from_graph(wide_graph("sigmoid", table_size=1024))
