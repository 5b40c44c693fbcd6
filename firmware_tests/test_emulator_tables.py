"""Every entry of the emulator's lookup tables against the tables nnet_activation.h fills,
compiled with g++ from hls4ml's own headers (sigmoid, tanh, ELU, softmax exp and 1/x)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from l1forge.emulate import tables
from l1forge.emulate.fixed import parse_cpp_type


# (function, table type, table size, address type for softmax tables)
CASES = [
    ("sigmoid", "ap_fixed<18,8>", 1024, None),
    ("sigmoid", "ap_ufixed<12,1,AP_RND,AP_SAT>", 4096, None),
    ("tanh", "ap_fixed<18,8>", 1024, None),
    ("tanh", "ap_fixed<10,1,AP_RND_CONV,AP_SAT>", 512, None),
    ("elu", "ap_fixed<18,8>", 1024, None),
    ("elu", "ap_fixed<12,2,AP_RND,AP_SAT>", 2048, None),
    ("exp_stable", "ap_ufixed<18,1,AP_RND,AP_SAT>", 4096, "ap_ufixed<16,3,AP_RND,AP_SAT>"),
    ("exp_stable", "ap_fixed<18,8,AP_RND,AP_SAT>", 1024, "ap_ufixed<17,6>"),
    ("exp_latency", "ap_fixed<18,8,AP_RND,AP_SAT>", 1024, "ap_fixed<16,6>"),
    ("invert", "ap_ufixed<18,1,AP_RND,AP_SAT>", 4096, "ap_ufixed<18,3,AP_RND,AP_SAT>"),
    ("invert", "ap_fixed<18,8,AP_RND,AP_SAT>", 1024, "ap_fixed<18,8,AP_RND,AP_SAT>"),
    ("invert", "ap_fixed<12,4>", 256, "ap_ufixed<10,2>"),
]


def _headers() -> Path:
    import hls4ml

    return Path(hls4ml.__file__).parent / "templates" / "vivado"


def _case_source(index: int, function: str, table_t: str, size: int, address: str | None) -> str:
    config = (f"struct cfg{index} : nnet::activ_config {{ typedef {table_t} table_t; typedef {table_t} exp_table_t; "
              f"typedef {table_t} inv_table_t; static const unsigned table_size = {size}; "
              f"static const unsigned exp_table_size = {size}; static const unsigned inv_table_size = {size}; "
              "static constexpr float exp_scale = 1.0; };")
    fill = {
        "sigmoid": f"nnet::init_sigmoid_table<cfg{index}, {size}>(t);",
        "tanh": f"nnet::init_tanh_table<cfg{index}, {size}>(t);",
        "elu": f"nnet::init_elu_table<cfg{index}, {size}>(t);",
        "exp_stable": f"nnet::init_exp_table<{address}, cfg{index}>(t, true);",
        "exp_latency": f"nnet::init_exp_table<{address}, cfg{index}>(t, false);",
        "invert": f"nnet::init_invert_table<{address}, cfg{index}>(t);",
    }[function]
    return (f"{config}\nvoid case{index}() {{ static {table_t} t[{size}]; {fill}\n"
            f"  for (int i = 0; i < {size}; i++) std::printf(\"%.17g \", t[i].to_double()); std::printf(\"\\n\"); }}")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    work = tmp_path_factory.mktemp("tables")
    body = [_case_source(i, *case) for i, case in enumerate(CASES)]
    calls = " ".join(f"case{i}();" for i in range(len(CASES)))
    source = "\n".join(['#include "ap_fixed.h"', "#include <cstdio>", '#include "nnet_utils/nnet_activation.h"',
                        *body, f"int main() {{ {calls} return 0; }}"])
    (work / "tables.cpp").write_text(source)
    headers = _headers()
    subprocess.run(["g++", "-O2", "-std=c++14", f"-I{headers}", f"-I{headers / 'ap_types'}", "tables.cpp", "-o", "tables"],
                   cwd=work, check=True, capture_output=True)
    out = subprocess.run([str(work / "tables")], capture_output=True, text=True, check=True).stdout
    return [np.array([float(v) for v in line.split()]) for line in out.splitlines()]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_table_matches_firmware(reference, index):
    function, table_text, size, address_text = CASES[index]
    table_t = parse_cpp_type(table_text)
    address = parse_cpp_type(address_text) if address_text else None
    if function == "sigmoid":
        codes = tables.sigmoid_table(size, table_t)
    elif function == "tanh":
        codes = tables.tanh_table(size, table_t)
    elif function == "elu":
        codes = tables.elu_table(size, table_t)
    elif function == "invert":
        codes = tables.softmax_invert_table(size, address, table_t)
    else:
        codes = tables.softmax_exp_table(size, address, 1.0, function == "exp_stable", table_t)
    ours = codes * table_t.lsb
    bad = np.flatnonzero(ours != reference[index])
    assert bad.size == 0, f"entries {bad[:5]}: ours {ours[bad[:5]]} firmware {reference[index][bad[:5]]}"
