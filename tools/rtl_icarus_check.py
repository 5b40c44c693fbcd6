"""Cross-check a project's RTL with Icarus Verilog, driven only by rtl/interface.json.

    python tools/rtl_icarus_check.py PROJECT EVENTS WORKDIR

A second, independent RTL simulator beside `l1forge rtl`'s Verilator bench (Icarus is not on
PyPI: `apt-get install iverilog`; l1forge does not depend on it). The test bench here is
written from interface.json alone: it packs each event's input codes at the element offsets
and widths the file gives, clocks the top module one event per cycle, reads the output word
`latency_cycles` later and unpacks it by the file's offsets, widths, signedness and
fractional bits. Only the events and the reference values come from l1forge (the same
verification events as `l1forge rtl`, and the emulator's values of the `outputs_of` layer).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from l1forge.emulate.project import load
from l1forge.project import Project
from l1forge.rtl.events import reference_outputs, verification_events
from l1forge.rtl.trace import trace_emulator


def pack(codes: np.ndarray, elements: list[dict]) -> list[int]:
    words = []
    for row in codes:
        word = 0
        for element, code in zip(elements, row):
            word |= (int(code) & ((1 << element["width"]) - 1)) << element["offset"]
        words.append(word)
    return words


def unpack(word: int, elements: list[dict]) -> list[float]:
    values = []
    for element in elements:
        code = (word >> element["offset"]) & ((1 << element["width"]) - 1)
        if element["signed"] and code >> (element["width"] - 1):
            code -= 1 << element["width"]
        values.append(code * 2.0 ** -element["frac"])
    return values


def bench(interface: dict, events: int, in_bits: int, out_bits: int) -> str:
    latency, top = interface["latency_cycles"], interface["top"]
    return f"""`timescale 1ns/1ps
module tb;
  reg clk = 0; reg [{in_bits - 1}:0] inp; wire [{out_bits - 1}:0] out;
  reg [{in_bits - 1}:0] mem [0:{events - 1}]; integer i, f;
  {top} dut (.{interface['clock_port']}(clk), .{interface['input_port']}(inp), .{interface['output_port']}(out));
  initial begin
    $readmemh("in.hex", mem); f = $fopen("out.hex", "w");
    for (i = 0; i < {events + latency}; i = i + 1) begin
      inp = (i < {events}) ? mem[i] : 0;
      #1 clk = 1; #1 clk = 0;
      if (i >= {latency}) $fwrite(f, "%h\\n", out);
    end
    $fclose(f); $finish;
  end
endmodule
"""


def main(argv: list[str]) -> int:
    project, count, work = Path(argv[0]), int(argv[1]), Path(argv[2])
    work.mkdir(parents=True, exist_ok=True)
    interface = json.loads((project / "rtl" / "interface.json").read_text())
    if interface["latency_cycles"] < 1:
        print("a combinational design: this bench clocks a pipeline")
        return 2
    emulator = load(project)
    traced = trace_emulator(emulator)
    chosen = verification_events(emulator, Project(project).test_split()[0], count)
    expected = reference_outputs(emulator, traced.output_steps, chosen.codes, traced.input_type)
    codes = np.asarray(chosen.codes).reshape(len(expected), -1)
    inputs, outputs = interface["inputs"], interface["outputs"]
    in_bits = max(e["offset"] + e["width"] for e in inputs)
    out_bits = max(e["offset"] + e["width"] for e in outputs)
    (work / "in.hex").write_text("\n".join(f"{w:x}" for w in pack(codes, inputs)) + "\n")
    (work / "tb.v").write_text(bench(interface, len(codes), in_bits, out_bits))
    sources = sorted(str(p) for p in (project / "rtl" / "src").rglob("*.v"))
    for cmd in (["iverilog", "-g2012", "-o", "sim", "tb.v", *sources], ["vvp", "-n", "sim"]):
        run = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
        if run.returncode:
            print(f"{cmd[0]} failed: {run.stderr.strip()[:500]}")
            return 1
    words = [int(line, 16) for line in (work / "out.hex").read_text().split()[: len(codes)]]
    got = np.array([unpack(word, outputs) for word in words])
    mismatches = int((got != expected).sum())
    print(f"{project.name}: Icarus Verilog over {len(words)} events: {mismatches} of {expected.size} "
          f"output values differ from the emulator")
    return 0 if mismatches == 0 and len(words) == len(codes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
