"""Agreement, LSB error and overflow fractions on hand-made values (no TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest

from l1forge.diagnose.compare import compare, overflow_fractions, tolerance_for
from l1forge.diagnose.types import integer_bits, spell, widened
from l1forge.emulate.fixed import FixedType

FIXED_16_6 = FixedType(16, 6)  # LSB 2^-10, range [-32, 32)


def test_quantized_layer_agrees_within_one_lsb():
    keras = np.array([[1.0, 2.0], [3.0, 4.0]])
    firmware = keras + np.array([[2**-10, 0.0], [0.0, 2 * 2**-10]])
    found = compare(firmware, keras, FIXED_16_6, quantized=True)
    assert found.agrees.tolist() == [True, False]
    assert found.agreement == 0.5 and found.max_lsb_error == pytest.approx(2.0)


def test_float_layer_tolerance_is_one_percent_of_the_keras_range():
    keras = np.linspace(-5, 5, 20).reshape(10, 2)  # range 10: tolerance 0.1
    assert tolerance_for(keras, FIXED_16_6, quantized=False) == pytest.approx(0.1)
    firmware = keras.copy()
    firmware[3, 1] += 0.09
    firmware[7, 0] -= 0.11
    assert compare(firmware, keras, FIXED_16_6, quantized=False).agreement == pytest.approx(0.9)


def test_tolerance_is_never_below_one_lsb():
    keras = np.full((4, 1), 0.25)
    assert tolerance_for(keras, FIXED_16_6, quantized=False) == 2**-10


def test_values_beyond_the_type_count_as_saturated_or_wrapped_per_event():
    keras = np.array([[0.0, 40.0], [1.0, 1.0], [-33.0, 0.0], [5.0, 5.0]])
    wrapping = compare(keras, keras, FIXED_16_6, quantized=True)
    assert overflow_fractions(wrapping, FIXED_16_6) == (0.0, 0.5)
    saturating_type = FixedType(16, 6, overflow="SAT")
    saturating = compare(keras, keras, saturating_type, quantized=True)
    assert overflow_fractions(saturating, saturating_type) == (0.5, 0.0)


def test_unbounded_values_take_precedence_over_keras_for_overflow():
    keras = np.zeros((2, 1))
    unbounded = np.array([[100.0], [0.0]])
    found = compare(keras, keras, FIXED_16_6, quantized=True, unbounded=unbounded)
    assert found.outside.tolist() == [True, False]


def test_type_spelling_and_widths():
    assert spell(FixedType(16, 6)) == "ap_fixed<16,6>"
    assert spell(FixedType(18, 3, False, "RND", "SAT")) == "ap_ufixed<18,3,AP_RND,AP_SAT>"
    assert integer_bits(20.2, signed=False) == 5 and integer_bits(20.2) == 6
    assert integer_bits(0.5) == 1  # just the sign bit for |x| < 1
    wider = widened(FixedType(10, 2, overflow="SAT"), 37.0)
    assert (wider.integer, wider.frac, wider.overflow) == (7, 8, "SAT")
