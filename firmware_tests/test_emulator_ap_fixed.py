"""The emulator's ap_fixed conversions against the real ap_types headers, compiled with g++.

One C++ program converts the same doubles, and the same fixed-point codes, into every
combination of rounding mode, overflow mode and a few shapes (signed, unsigned, integer
bits beyond the width, negative integer bits, ap_int). The emulator must give every value.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest

from l1forge.emulate.fixed import ROUNDING_MODES, FixedType, integer_type
from l1forge.emulate.quantize import cast_codes, quantize_real


SHAPES = [(8, 3, True), (6, 0, False), (5, 7, True), (7, -2, True), (10, 4, False)]
OVERFLOWS = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")
TARGETS = [
    FixedType(w, i, s, q, o) for (w, i, s), q, o in itertools.product(SHAPES, ROUNDING_MODES, OVERFLOWS)
] + [integer_type(6, True), integer_type(5, False)]
SOURCE = FixedType(24, 10, True)  # a wide source type for fixed -> fixed assignments


def _ap_types_dir() -> Path:
    import hls4ml

    return Path(hls4ml.__file__).parent / "templates" / "vivado" / "ap_types"


def _cpp_program() -> str:
    lines = ['#include "ap_fixed.h"', "#include <cstdio>", "#include <vector>"]
    lines.append("template <class T> void emit(double d, const ap_fixed<24,10>& s) {")
    lines.append("  T a = d; T b = s; std::printf(\"%.17g %.17g \", a.to_double(), b.to_double()); }")
    lines.append("int main() { double d; while (std::scanf(\"%lf\", &d) == 1) {")
    lines.append("  ap_fixed<24,10> s = d;")
    for t in TARGETS:
        lines.append(f"  emit<{t}>(d, s);")
    lines.append('  std::printf("\\n"); } return 0; }')
    return "\n".join(lines)


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(7)
    grid = np.arange(-700, 701) / 16.0  # ties and exact values for most targets
    ties = (np.arange(-300, 301) + 0.5) / 8.0
    edges = [0.0, -0.0, 0.3, -0.3, -0.49, -0.5, -0.51, 1e-9, -1e-9, 127.99, -128.0, -128.01, 1e6, -1e6, 3e20, -3e20]
    random = rng.normal(0, 20, 3000)
    fine = rng.normal(0, 2, 1000) * 2.0**-12
    return np.concatenate([grid, ties, edges, random, fine])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    work = tmp_path_factory.mktemp("ap_fixed")
    src = work / "probe.cpp"
    src.write_text(_cpp_program())
    exe = work / "probe"
    subprocess.run(
        ["g++", "-O1", "-std=c++14", f"-I{_ap_types_dir()}", str(src), "-o", str(exe)],
        check=True,
        capture_output=True,
    )
    x = _inputs()
    out = subprocess.run([str(exe)], input="\n".join(repr(float(v)) for v in x), capture_output=True, text=True, check=True)
    table = np.array([[float(v) for v in line.split()] for line in out.stdout.splitlines()])
    return x, table.reshape(len(x), len(TARGETS), 2)


@pytest.mark.parametrize("index", range(len(TARGETS)), ids=[str(t) for t in TARGETS])
def test_double_to_fixed(reference, index):
    x, table = reference
    target = TARGETS[index]
    ours = quantize_real(x, target) * target.lsb
    expected = table[:, index, 0]
    bad = np.flatnonzero(ours != expected)
    assert bad.size == 0, f"{target}: x={x[bad[:5]]} ours={ours[bad[:5]]} c++={expected[bad[:5]]}"


@pytest.mark.parametrize("index", range(len(TARGETS)), ids=[str(t) for t in TARGETS])
def test_fixed_to_fixed(reference, index):
    x, table = reference
    target = TARGETS[index]
    source_codes = quantize_real(x, SOURCE)
    for dtype in (np.float64, np.int64):
        ours = cast_codes(source_codes.astype(dtype), SOURCE.frac, target).astype(np.float64) * target.lsb
        expected = table[:, index, 1]
        bad = np.flatnonzero(ours != expected)
        assert bad.size == 0, f"{target} ({dtype.__name__}): src={source_codes[bad[:5]] * SOURCE.lsb} ours={ours[bad[:5]]} c++={expected[bad[:5]]}"
