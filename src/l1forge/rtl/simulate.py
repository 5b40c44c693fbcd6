"""The RTL simulated with Verilator: a C++ test bench clocks the top module over events.

The bench reads the packed input words of every event from a file, presents event t before
rising edge t, and reads the output after rising edge t + latency_cycles (one event per
clock, II 1), writing the packed output words. It is built in a scratch folder (never in
rtl/) with the tools.Verilator environment; a failing build is refused with Verilator's
first error lines.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from l1forge.errors import UserError
from l1forge.rtl.interface import Interface, total_width
from l1forge.rtl.packing import pack, unpack, words
from l1forge.rtl.tools import Verilator


@dataclass(frozen=True)
class Simulation:
    codes: np.ndarray      # (events, outputs) int64 output codes
    build_seconds: float
    run_seconds: float


def _port_write(port: str, width: int) -> str:
    if width <= 32:
        return f"top->{port} = w[0];"
    if width <= 64:
        return f"top->{port} = (uint64_t)w[0] | ((uint64_t)w[1] << 32);"
    return f"for (int i = 0; i < {words(width)}; ++i) top->{port}[i] = w[i];"


def _port_read(port: str, width: int) -> str:
    if width <= 32:
        return f"w[0] = (uint32_t)top->{port};"
    if width <= 64:
        return f"{{ uint64_t v = top->{port}; w[0] = (uint32_t)v; w[1] = (uint32_t)(v >> 32); }}"
    return f"for (int i = 0; i < {words(width)}; ++i) w[i] = top->{port}[i];"


def testbench(interface: Interface) -> str:
    top, n_in = interface.top, words(total_width(list(interface.inputs)))
    n_out = words(total_width(list(interface.outputs)))
    w_in, w_out = total_width(list(interface.inputs)), total_width(list(interface.outputs))
    write = _port_write(interface.input_port, w_in) if w_in else ""
    read = _port_read(interface.output_port, w_out) if w_out else ""
    return f"""// l1forge RTL test bench for {top}: one event per clock, outputs after {interface.latency_cycles} edges
#include "V{top}.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

static void put(V{top}* top, const uint32_t* w) {{ {write} (void)top; (void)w; }}
static void get(V{top}* top, uint32_t* w) {{ {read} (void)top; (void)w; }}

int main(int argc, char** argv) {{
    if (argc != 4) {{ std::fprintf(stderr, "usage: bench IN OUT EVENTS\\n"); return 2; }}
    const size_t n = std::strtoull(argv[3], nullptr, 10), lat = {interface.latency_cycles};
    std::vector<uint32_t> in(n * {n_in}), out(n * {n_out}, 0u);
    FILE* f = std::fopen(argv[1], "rb");
    if (!f || std::fread(in.data(), 4, in.size(), f) != in.size()) {{ std::fprintf(stderr, "bad input file\\n"); return 2; }}
    std::fclose(f);
    auto context = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<V{top}>(context.get());
    top->{interface.clock_port} = 0;
    top->eval();
    for (size_t t = 0; t < n + lat; ++t) {{
        if (t < n) put(top.get(), &in[t * {n_in}]);
        top->{interface.clock_port} = 1;
        top->eval();
        top->{interface.clock_port} = 0;
        top->eval();
        if (t >= lat) get(top.get(), &out[(t - lat) * {n_out}]);
    }}
    top->final();
    f = std::fopen(argv[2], "wb");
    if (!f || std::fwrite(out.data(), 4, out.size(), f) != out.size()) {{ std::fprintf(stderr, "cannot write\\n"); return 2; }}
    std::fclose(f);
    return 0;
}}
"""


def verilog_sources(src: Path) -> list[Path]:
    """The design's Verilog files: its stages and top, and the da4ml primitives it uses."""
    own = sorted(p for p in src.glob("*.v") if not p.name.endswith("_wrapper.v"))
    text = "\n".join(p.read_text() for p in own)
    static = [p for p in sorted((src / "static").glob("*.v")) if p.stem in text]
    return static + own


def build(interface: Interface, src: Path, work: Path, verilator: Verilator, log,
          sources: list[Path] | None = None, what: str = "simulation") -> Path:
    """Compile the bench and the design (`sources`, by default the RTL's in `src`); returns
    the bench executable."""
    src, work = src.resolve(), work.resolve()
    files = [p.resolve() for p in sources] if sources is not None else verilog_sources(src)
    bench = work / "bench.cpp"
    bench.write_text(testbench(interface))
    command = [str(verilator.executable), "--cc", "--exe", "--build", "-j", "2", "-Wno-fatal", "-Wno-lint",
               "-Wno-style", "--top-module", interface.top, "--Mdir", str(work / "obj"),
               "-o", "bench", str(bench), *[str(p) for p in files]]
    log(f"building the Verilator {what} of {interface.top}")
    result = subprocess.run(command, cwd=work, env=verilator.environment(), capture_output=True, text=True)
    executable = work / "obj" / "bench"
    if result.returncode != 0 or not executable.is_file():
        lines = [line for line in (result.stderr + result.stdout).splitlines() if "rror" in line][:3]
        label = interface.top if sources is None else f"{interface.top} ({what})"
        raise UserError(f"the Verilator build of {label} failed: " + (" | ".join(lines) or
                        f"exit status {result.returncode}"))
    return executable


def run(executable: Path, interface: Interface, input_codes: np.ndarray, work: Path) -> np.ndarray:
    """Output codes (events, outputs) of the simulated RTL for input codes (events, inputs)."""
    packed = pack(input_codes, list(interface.inputs))
    (work / "in.bin").write_bytes(np.ascontiguousarray(packed, dtype="<u4").tobytes())
    events = len(input_codes)
    result = subprocess.run([str(executable), str(work / "in.bin"), str(work / "out.bin"), str(events)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise UserError(f"the Verilator simulation of {interface.top} failed: {result.stderr.strip()[:300]}")
    raw = np.frombuffer((work / "out.bin").read_bytes(), dtype="<u4")
    return unpack(raw.reshape(events, -1), list(interface.outputs))


def simulate(interface: Interface, src: Path, input_codes: np.ndarray, verilator: Verilator, log,
             sources: list[Path] | None = None, what: str = "simulation") -> Simulation:
    """Build and run the bench over the events: the RTL in `src`, or the Verilog `sources`
    (the gate-level netlist and its cell models) with `what` naming that build."""
    import time

    with tempfile.TemporaryDirectory(prefix="l1forge-verilator-") as scratch:
        work = Path(scratch)
        start = time.perf_counter()
        executable = build(interface, src, work, verilator, log, sources, what)
        built = time.perf_counter()
        log(f"simulating {len(input_codes):,} events in the {'RTL' if sources is None else what}")
        codes = run(executable, interface, input_codes, work)
        return Simulation(codes, round(built - start, 2), round(time.perf_counter() - built, 2))
