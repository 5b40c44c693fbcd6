"""`l1forge rtl PROJECT`: Verilog for a distributed-arithmetic project, proven bit for bit in
Verilator against the emulator, with yosys netlist figures (l1forge.rtl)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console

ERR = Console(stderr=True)


DEFAULT_EVENTS = 10_000  # l1forge.rtl.flow.DEFAULT_EVENTS (not imported: --help stays fast)


def register(sub) -> None:
    p = sub.add_parser(
        "rtl",
        help="Verilog of a distributed-arithmetic project, RTL-simulated and synthesized with open tools",
        description="Trace the project's firmware into da4ml, write PROJECT/rtl/ (Verilog pipelined to "
        "the target clock, da4ml's Vivado script, interface.json), simulate it with Verilator over "
        "the verification events bit for bit against the emulator, and count its cells with yosys "
        "synth_xilinx. Needs the rtl extra: pip install -e '.[rtl]'.",
    )
    p.add_argument("project", type=Path, help="project folder, e.g. hls_projects/jet_id_compact")
    p.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                   help=f"verification events: the stored test inputs, range edges, then uniform codes "
                   f"(default {DEFAULT_EVENTS})")
    p.add_argument("--no-synth", action="store_true", help="skip the yosys synthesis")
    p.add_argument("--gate-level", action="store_true",
                   help="also simulate yosys's synthesized netlist (with yosys's Xilinx cell models) over the "
                   "same events against the emulator")
    p.add_argument("--synth-by-part", action="store_true",
                   help="synthesize the per-item part (e.g. Deep Sets' phi) once and the rest apart, and sum "
                   "(count x part) instead of one flattened run of the whole design (hours for jet_deepsets)")
    p.add_argument("--split-after", metavar="LAYER",
                   help="synthesize by part: the layers up to LAYER and the rest, summed (checks the method "
                   "where a whole netlist exists)")
    p.add_argument("--json", action="store_true", help="print the manifest's rtl section as JSON")
    p.set_defaults(handler=run_rtl)


def run_rtl(args) -> int:
    from l1forge.rtl import write_rtl

    start = time.perf_counter()

    def log(message: str) -> None:
        ERR.print(f"[dim]{time.perf_counter() - start:6.0f} s[/dim] {message}", highlight=False)

    result = write_rtl(args.project, events=args.events, synth=not args.no_synth, log=log,
                       gate_level=args.gate_level, synth_by_part=args.synth_by_part,
                       split_after=args.split_after)
    from l1forge.project import Project

    section = Project(args.project).manifest()["rtl"]
    if args.json:
        print(json.dumps(section, indent=1))
    else:
        _summary(section)
    if result.mismatches:
        print(f"l1forge: {result.mismatches} RTL values differ from the emulator", file=sys.stderr)
        return 1
    if result.gate_mismatches:
        print(f"l1forge: {result.gate_mismatches} values of the synthesized netlist differ from the emulator",
              file=sys.stderr)
        return 1
    return 0


def _summary(section: dict) -> None:
    print(f"RTL {section['top']}: outputs of '{section['outputs_of']}', {section['latency_cycles']} cycles "
          f"at {section['clock_ns']} ns, II {section['ii']}; da4ml cost {section['da4ml_cost']:,.0f} LUT")
    print(f"Verilator ({section['simulator']}): {section['mismatches']} mismatches over {section['events']:,} events "
          f"({section['events_from_test']:,} test, {section['events_edges']} range edges, "
          f"{section['events_uniform']:,} uniform)")
    netlist = section.get("netlist")
    if netlist:
        sizes = ", ".join(f"{k} {v:,}" for k, v in netlist["lut_by_size"].items() if v)
        if netlist.get("method") == "by part":
            print(f"{netlist['label']}: not one flattened run; the sum of count x part")
            if netlist.get("whole_registers"):
                print(f"FF of the whole design, yosys up to LUT mapping: {netlist['ff']:,} "
                      f"(the parts' own pipelines: {netlist['ff_parts']:,})")
        print(f"yosys {netlist['yosys_version']} synth_xilinx -family {netlist['family']}: {netlist['lut']:,} LUT "
              f"({sizes}), {netlist['ff']:,} FF, {netlist['carry']:,} CARRY, {netlist['dsp']} DSP, "
              f"{netlist['bram']:g} BRAM, {netlist['srl']} SRL, {netlist['lutram']} LUTRAM")
    gate = section.get("gate_level")
    if gate:
        print(f"gate-level netlist ({gate['netlist']}, {gate['cell_models']}): {gate['mismatches']} mismatches "
              f"over {gate['events']:,} events")
    seconds = ", ".join(f"{k} {v:.1f} s" for k, v in section["seconds"].items())
    print(f"wall time: {seconds}")
