"""The dense multiply-accumulate against a reference written from the firmware's loop with
exact rationals: products cast to accum_t, bias first, sums cast after every addition."""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
import pytest

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.signals import typed_signal


def ref_cast(value: Fraction, t: FixedType) -> Fraction:
    """Assign an exact rational to type t, spelled out from the ap_fixed documentation."""
    scaled = value * 2**t.frac
    low = floor(scaled)
    rest = scaled - low
    up = {
        "TRN": False,
        "TRN_ZERO": rest > 0 and scaled < 0,
        "RND": rest >= Fraction(1, 2),
        "RND_ZERO": rest > Fraction(1, 2) or (rest == Fraction(1, 2) and scaled < 0),
        "RND_INF": rest > Fraction(1, 2) or (rest == Fraction(1, 2) and scaled > 0),
        "RND_MIN_INF": rest > Fraction(1, 2),
        "RND_CONV": rest > Fraction(1, 2) or (rest == Fraction(1, 2) and low % 2 == 1),
    }[t.rounding]
    code = low + int(up)
    lo = -t.code_max if t.overflow == "SAT_SYM" and t.signed else t.code_min
    if not lo <= code <= t.code_max:
        if t.overflow == "WRAP":
            code = (code - t.code_min) % 2**t.width + t.code_min
        elif t.overflow == "SAT_ZERO":
            code = 0
        else:
            code = lo if code < lo else t.code_max
    return Fraction(code, 2**t.frac) if t.frac >= 0 else Fraction(code * 2**-t.frac)


def reference_dense(x, w, b, x_t, w_t, b_t, accum, result):
    out = np.empty((len(x), w.shape[1]))
    for e, row in enumerate(x):
        xs = [Fraction(int(c), 2**x_t.frac) for c in row]
        for j in range(w.shape[1]):
            acc = ref_cast(Fraction(int(b[j]), 2**b_t.frac), accum)
            for i, xi in enumerate(xs):
                acc = ref_cast(acc + ref_cast(xi * Fraction(int(w[i, j]), 2**w_t.frac), accum), accum)
            out[e, j] = float(ref_cast(acc, result))
    return out


CASES = {
    # name: (x type, accum, result) with 6-bit weights/biases of 5 fraction bits
    "exact": (FixedType(10, 4), FixedType(24, 10), FixedType(24, 10)),
    "wrapping accum": (FixedType(10, 4), FixedType(14, 3), FixedType(14, 3)),
    "saturating accum": (FixedType(10, 4), FixedType(14, 3, True, "TRN", "SAT"), FixedType(12, 3, True, "RND", "SAT_SYM")),
    "rounded products": (FixedType(10, 4), FixedType(10, 5, True, "RND_CONV", "SAT"), FixedType(8, 4, True, "RND_ZERO", "WRAP")),
    "rounded result": (FixedType(10, 4), FixedType(24, 10), FixedType(7, 3, False, "RND_INF", "SAT_ZERO")),
    "wrapping products": (FixedType(10, 4), FixedType(12, 1), FixedType(12, 1)),
    "saturating products": (FixedType(10, 4), FixedType(12, 1, True, "TRN", "SAT"), FixedType(10, 1, True, "RND", "SAT")),
    "zeroed products": (FixedType(10, 4), FixedType(12, 1, True, "TRN", "SAT_ZERO"), FixedType(12, 1)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernel_matches_firmware_loop(case):
    x_t, accum, result = CASES[case]
    w_t = b_t = FixedType(6, 1)
    rng = np.random.default_rng(len(case))
    w = rng.integers(-32, 32, size=(7, 4))
    b = rng.integers(-32, 32, size=4)
    x = rng.integers(x_t.code_min, x_t.code_max + 1, size=(150, 7))
    signal = typed_signal("x", (7,), x_t, x_t.code_min, x_t.code_max)
    kernel = MacKernel("test", w, w_t, b, b_t, accum, result, signal, ordered=True)
    expected = reference_dense(x, w, b, x_t, w_t, b_t, accum, result)
    for dtype in (np.float32, np.float64, np.int64):
        codes = kernel.run(x.astype(dtype), None, "test")
        assert np.array_equal(codes.astype(np.float64) * 2.0**-kernel.scale, expected), dtype


def test_paths_are_chosen_by_bounds():
    x_t, w_t = FixedType(10, 4), FixedType(6, 1)
    signal = typed_signal("x", (7,), x_t, x_t.code_min, x_t.code_max)
    w, b = np.full((7, 4), 31), np.zeros(4, dtype=np.int64)
    wide = MacKernel("k", w, w_t, b, w_t, FixedType(24, 10), FixedType(24, 10), signal, ordered=True)
    assert wide.fast and not wide.acc_overflow and wide.dtype == np.float32 and wide.rescalable
    w = np.full((7, 4), 8)  # each product fits accum_t, their sums do not
    wrap = MacKernel("k", w, w_t, b, w_t, FixedType(14, 3), FixedType(14, 3), signal, ordered=True)
    assert wrap.fast and wrap.acc_overflow  # exact products: one wrap of the exact sum
    sat = MacKernel("k", w, w_t, b, w_t, FixedType(14, 3, True, "TRN", "SAT"), FixedType(14, 3), signal, ordered=True)
    assert not sat.fast and sat.acc_overflow  # saturation depends on the order of the sums
    rounding = MacKernel("k", w, w_t, b, w_t, FixedType(14, 6), FixedType(14, 6), signal, ordered=True)
    assert rounding.products_round and not rounding.fast


def test_saturating_accumulator_needs_latency_order():
    from l1forge.errors import UserError

    x_t, w_t = FixedType(10, 4), FixedType(6, 1)
    signal = typed_signal("x", (7,), x_t, x_t.code_min, x_t.code_max)
    with pytest.raises(UserError, match="Latency"):
        MacKernel("layer 'fc1'", np.full((7, 4), 31), w_t, np.zeros(4), w_t, FixedType(11, 3, True, "TRN", "SAT"),
                  FixedType(11, 3), signal, ordered=False)


def test_rescaled_output_keeps_values():
    x_t, w_t = FixedType(10, 4), FixedType(6, 1)
    rng = np.random.default_rng(1)
    w, b = rng.integers(-32, 32, (7, 4)), rng.integers(-32, 32, 4)
    x = rng.integers(-512, 512, (50, 7))
    signal = typed_signal("x", (7,), x_t, -512, 511)
    kernel = MacKernel("k", w, w_t, b, w_t, FixedType(24, 10), FixedType(24, 10), signal, ordered=True)
    plain = kernel.run(x.astype(np.float32), None, "k") * 2.0**-kernel.scale
    kernel.set_output_scale(3)  # what a consumer rounding to 3 fractional bits asks for
    scaled = kernel.run(x.astype(np.float32), None, "k") * 2.0**-3
    assert np.array_equal(plain, scaled)
