"""C-simulation output parsing and the bit-for-bit comparison (no compiler needed)."""

import numpy as np
import pytest

from l1forge import csim
from l1forge.errors import UserError


def test_hex_floats_round_trip_exactly():
    values = np.array([[0.1 + 2.0**-40, -3.75, 0.0], [2.0**-30, 1e-300, -0.0]])
    text = "\n".join(" ".join(v.hex() for v in row) + " " for row in values) + "\n"
    parsed = csim.parse_outputs(text, 3)
    assert parsed.dtype == np.float64
    assert np.array_equal(parsed, values)


def test_wrong_number_of_outputs_and_garbage_are_refused():
    with pytest.raises(UserError, match="line 2 has 1 values; expected 2"):
        csim.parse_outputs("0x1p+0 0x1p-1\n0x1p+0\n", 2, "out.txt")
    with pytest.raises(UserError, match="not a hex float"):
        csim.parse_outputs("0x1p+0 banana\n", 2)


def test_a_single_flipped_low_bit_is_a_mismatch():
    reference = np.random.default_rng(3).integers(-2**15, 2**15, size=(200, 5)) / 2.0**10
    planted = reference.copy()
    planted[117, 3] += 2.0**-10          # one LSB of an ap_fixed<16,6>
    result = csim.compare(planted, reference)
    assert result.mismatches == 1
    assert result.examples == [(117, 3, planted[117, 3], reference[117, 3])]
    assert csim.compare(reference, reference.copy()).mismatches == 0


def _Precision(width, integer, rounding="RND", saturation="SAT"):
    from hls4ml.model.types import FixedPrecisionType

    return FixedPrecisionType(width, integer, True, rounding, saturation)


class _Var:
    def __init__(self, name, size, typename, precision=None):
        self.name, self._size = name, size
        self.type = type("T", (), {"name": typename, "precision": precision})()

    def size(self):
        return self._size

    def definition_cpp(self):
        return f"{self.type.name} {self.name}[{self._size}]"


class _Graph:
    def __init__(self, precision=None):
        self.config = type("C", (), {"get_project_name": lambda self: "jet_id"})()
        self._in = [_Var("inputs", 16, "input_t", precision or _Precision(16, 6))]
        self._out = [_Var("layer9_out", 5, "result_t")]

    def get_input_variables(self):
        return self._in

    def get_output_variables(self):
        return self._out


def test_testbench_source_calls_the_top_function_and_prints_hex_floats():
    source = csim.testbench_source(_Graph())
    assert '#include "firmware/jet_id.h"' in source
    assert "jet_id(inputs, layer9_out);" in source
    assert "nnet::convert_data<double, input_t, 16>(event.data() + 0, inputs);" in source
    assert '"%a "' in source
    assert "std::vector<double> event(16);" in source


def test_input_quantization_rounds_half_up_and_saturates():
    graph = _Graph(_Precision(8, 3))           # ap_fixed<8,3,AP_RND,AP_SAT>: LSB 1/32, [-4, 4)
    x = np.array([[0.5 / 32, -0.5 / 32, 1.49 / 32, 100.0, -100.0, 3.99]])
    q = csim.quantize_inputs(graph, x)
    assert np.array_equal(q, [[1 / 32, 0.0, 1 / 32, 4 - 1 / 32, -4.0, 4 - 1 / 32]])


def test_input_quantization_follows_the_input_types_own_modes():
    graph = _Graph(_Precision(8, 3, rounding="TRN", saturation="WRAP"))  # floor, wrap at +-4
    x = np.array([[0.5 / 32, -0.5 / 32, 1.49 / 32, 4.0, -4.0 - 1 / 32, 3.99]])
    q = csim.quantize_inputs(graph, x)
    assert np.array_equal(q, [[0.0, -1 / 32, 1 / 32, -4.0, 4 - 1 / 32, 3.96875]])
