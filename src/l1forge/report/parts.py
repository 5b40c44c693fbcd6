"""Capacities of the FPGA parts trigger teams build on.

Figures are the device totals from the vendor product tables: LUTs, flip-flops, DSP
slices, block RAM as 18 Kb halves (2 x the 36 Kb count) and UltraRAM blocks. The rows
for xcu250, xcku115, xczu3eg, xc7z020 and xc7z007s agree with the `Available` rows of
the synthesis reports in the reference folder. The DSP shape (signed operand bits of
one multiplier) depends on the family: DSP48E1 (7-series) 25x18, DSP48E2 (UltraScale,
UltraScale+) 27x18. Within the 7-series the Zynq-7000 parts up to the 7z020 and the
Artix-7 have Artix-class fabric, the larger Zynq-7000 parts and Virtex-7 Kintex-class
fabric: their speed differs (timing.py). Only the rows named above are checked against
reports; the others are the product tables' figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from l1forge.errors import UserError


@dataclass(frozen=True)
class Part:
    name: str
    family: str
    lut: int
    ff: int
    dsp: int
    bram_18k: int
    uram: int
    fabric: str = ""  # the logic generation its timing follows; the family when empty

    @property
    def speed_fabric(self) -> str:
        return self.fabric or self.family

    @property
    def dsp_shape(self) -> tuple[int, int]:
        return (25, 18) if self.family == "7-series" else (27, 18)

    def capacity(self) -> dict[str, int]:
        return {"dsp": self.dsp, "lut": self.lut, "ff": self.ff, "bram_18k": self.bram_18k}


_US = "UltraScale+"
PARTS = {p.name: p for p in (
    Part("xcvu9p", _US, 1_182_240, 2_364_480, 6_840, 4_320, 960),
    Part("xcvu7p", _US, 788_160, 1_576_320, 4_560, 2_880, 640),
    Part("xcvu13p", _US, 1_728_000, 3_456_000, 12_288, 5_376, 1_280),
    Part("xcu200", _US, 1_182_240, 2_364_480, 6_840, 4_320, 960),
    Part("xcu250", _US, 1_728_000, 3_456_000, 12_288, 5_376, 1_280),
    Part("xcu280", _US, 1_304_000, 2_607_000, 9_024, 4_032, 960),
    Part("xcu50", _US, 872_000, 1_743_000, 5_952, 2_688, 640),
    Part("xcu55c", _US, 1_304_000, 2_607_000, 9_024, 4_032, 960),
    Part("xcvu37p", _US, 1_304_000, 2_607_000, 9_024, 4_032, 960),
    Part("xcku5p", _US, 216_960, 433_920, 1_824, 960, 64),
    Part("xczu5ev", _US, 117_120, 234_240, 1_248, 288, 64),
    Part("xcku15p", _US, 522_720, 1_045_440, 1_968, 1_968, 128),
    Part("xczu9eg", _US, 274_080, 548_160, 2_520, 1_824, 0),
    Part("xczu7ev", _US, 230_400, 460_800, 1_728, 624, 96),
    Part("xczu3eg", _US, 70_560, 141_120, 360, 432, 0),
    Part("xcku115", "UltraScale", 663_360, 1_326_720, 5_520, 4_320, 0),
    Part("xcku040", "UltraScale", 242_400, 484_800, 1_920, 1_200, 0),
    Part("xcku060", "UltraScale", 331_680, 663_360, 2_760, 2_160, 0),
    Part("xc7vx690t", "7-series", 433_200, 866_400, 3_600, 2_940, 0, fabric="Kintex-7"),
    Part("xc7vx485t", "7-series", 303_600, 607_200, 2_800, 2_060, 0, fabric="Kintex-7"),
    Part("xc7k325t", "7-series", 203_800, 407_600, 840, 890, 0, fabric="Kintex-7"),
    Part("xc7a100t", "7-series", 63_400, 126_800, 240, 270, 0, fabric="Artix-7"),
    Part("xc7a200t", "7-series", 134_600, 269_200, 740, 730, 0, fabric="Artix-7"),
    Part("xc7a35t", "7-series", 20_800, 41_600, 90, 100, 0, fabric="Artix-7"),
    Part("xc7z045", "7-series", 218_600, 437_200, 900, 1_090, 0, fabric="Kintex-7"),
    Part("xc7z020", "7-series", 53_200, 106_400, 220, 280, 0, fabric="Artix-7"),
    Part("xc7z010", "7-series", 17_600, 35_200, 80, 120, 0, fabric="Artix-7"),
    Part("xc7z007s", "7-series", 14_400, 28_800, 66, 100, 0, fabric="Artix-7"),
    # More of the product tables' rows: the boards and trigger cards people bring (Arty,
    # Basys, Zybo, ZCU10x, KCU105, VCU108, VC707/709, CTP7-era Virtex-7, RFSoC-less Zynq US+).
    # Zynq-7000 and Zynq US+ devices of the same PL share a row (cg / eg / ev).
    # Only xcku035 is checked against a report (the RHEED QCNN's `Available` row).
    Part("xc7a12t", "7-series", 8_000, 16_000, 40, 40, 0, fabric="Artix-7"),
    Part("xc7a15t", "7-series", 10_400, 20_800, 45, 50, 0, fabric="Artix-7"),
    Part("xc7a25t", "7-series", 14_600, 29_200, 80, 90, 0, fabric="Artix-7"),
    Part("xc7a50t", "7-series", 32_600, 65_200, 120, 150, 0, fabric="Artix-7"),
    Part("xc7a75t", "7-series", 47_200, 94_400, 180, 210, 0, fabric="Artix-7"),
    Part("xc7s50", "7-series", 32_600, 65_200, 120, 150, 0, fabric="Artix-7"),
    Part("xc7z012s", "7-series", 34_400, 68_800, 120, 144, 0, fabric="Artix-7"),
    Part("xc7z014s", "7-series", 40_600, 81_200, 170, 214, 0, fabric="Artix-7"),
    Part("xc7z015", "7-series", 46_200, 92_400, 160, 190, 0, fabric="Artix-7"),
    Part("xc7z030", "7-series", 78_600, 157_200, 400, 530, 0, fabric="Kintex-7"),
    Part("xc7z035", "7-series", 171_900, 343_800, 900, 1_000, 0, fabric="Kintex-7"),
    Part("xc7z100", "7-series", 277_400, 554_800, 2_020, 1_510, 0, fabric="Kintex-7"),
    Part("xc7k70t", "7-series", 41_000, 82_000, 240, 270, 0, fabric="Kintex-7"),
    Part("xc7k160t", "7-series", 101_400, 202_800, 600, 650, 0, fabric="Kintex-7"),
    Part("xc7k410t", "7-series", 254_200, 508_400, 1_540, 1_590, 0, fabric="Kintex-7"),
    Part("xc7vx330t", "7-series", 204_000, 408_000, 1_120, 1_500, 0, fabric="Kintex-7"),
    Part("xc7vx415t", "7-series", 257_600, 515_200, 2_160, 1_760, 0, fabric="Kintex-7"),
    Part("xc7vx980t", "7-series", 612_000, 1_224_000, 3_600, 3_000, 0, fabric="Kintex-7"),
    Part("xc7vx1140t", "7-series", 712_000, 1_424_000, 3_360, 3_760, 0, fabric="Kintex-7"),
    Part("xc7v2000t", "7-series", 1_221_600, 2_443_200, 2_160, 2_584, 0, fabric="Kintex-7"),
    Part("xcku035", "UltraScale", 203_128, 406_256, 1_700, 1_080, 0),
    Part("xcku085", "UltraScale", 497_520, 995_040, 4_100, 3_240, 0),
    Part("xcku095", "UltraScale", 537_600, 1_075_200, 768, 3_360, 0),
    Part("xcvu095", "UltraScale", 537_600, 1_075_200, 768, 3_456, 0),
    Part("xcvu125", "UltraScale", 716_160, 1_432_320, 1_200, 5_040, 0),
    Part("xcvu190", "UltraScale", 1_074_240, 2_148_480, 1_800, 7_560, 0),
    Part("xcvu440", "UltraScale", 2_532_960, 5_065_920, 2_880, 5_040, 0),
    Part("xcvu3p", _US, 394_080, 788_160, 2_280, 1_440, 320),
    Part("xcvu11p", _US, 1_296_000, 2_592_000, 9_216, 4_032, 960),
    Part("xcvu29p", _US, 1_728_000, 3_456_000, 12_288, 5_376, 1_280),
    Part("xcku3p", _US, 162_720, 325_440, 1_368, 720, 48),
    Part("xcku9p", _US, 274_080, 548_160, 2_520, 1_824, 0),
    Part("xcku11p", _US, 298_560, 597_120, 2_928, 1_200, 80),
    Part("xcku13p", _US, 376_320, 752_640, 3_528, 1_488, 112),
    *(Part(f"xczu2{kind}", _US, 47_232, 94_464, 240, 300, 0) for kind in ("cg", "eg")),
    *(Part(f"xczu3{kind}", _US, 70_560, 141_120, 360, 432, 0) for kind in ("cg",)),
    *(Part(f"xczu4{kind}", _US, 87_840, 175_680, 728, 256, 48) for kind in ("cg", "eg", "ev")),
    *(Part(f"xczu5{kind}", _US, 117_120, 234_240, 1_248, 288, 64) for kind in ("cg", "eg")),
    *(Part(f"xczu6{kind}", _US, 214_604, 429_208, 1_973, 1_428, 0) for kind in ("cg", "eg")),
    *(Part(f"xczu7{kind}", _US, 230_400, 460_800, 1_728, 624, 96) for kind in ("cg", "eg")),
    Part("xczu9cg", _US, 274_080, 548_160, 2_520, 1_824, 0),
    # Kria K26 (KV260/KR260 boards): the Zynq US+ ZU5EV's programmable logic
    Part("xck26", _US, 117_120, 234_240, 1_248, 288, 64),
    # RFSoC (ZCU111, ZCU208/216, RFSoC 4x2): the same programmable logic in each
    *(Part(f"xczu{n}dr", _US, 425_280, 850_560, 4_272, 2_160, 80) for n in (28, 48, 49)),
    Part("xczu11eg", _US, 298_560, 597_120, 2_928, 1_200, 80),
    Part("xczu15eg", _US, 341_280, 682_560, 3_528, 1_488, 112),
    Part("xczu17eg", _US, 425_280, 850_560, 1_590, 1_592, 102),
    Part("xczu19eg", _US, 522_720, 1_045_440, 1_968, 1_968, 128),
)}


def speed_grade(part: str) -> int | None:
    """The speed grade in a full part string (`xcu250-figd2104-2L-e` -> 2,
    `xc7z020clg400-1` -> 1); None when the string names none."""
    match = re.search(r"-(\d)[a-z]*(?:-[a-z])?$", str(part).strip().lower())
    return int(match.group(1)) if match else None


def known_parts() -> list[str]:
    return sorted(PARTS)


# The family of a part string by its prefix, for parts not in the table.
FAMILY_BY_PREFIX = (
    (r"xc(vu|ku)\d+p", _US, ""), (r"xc(zu|u|k2|au)\d", _US, ""), (r"xc(vu|ku)\d", "UltraScale", ""),
    (r"xc7(a|s)|xc7z0[0-2]", "7-series", "Artix-7"), (r"xc7(k|v|z)", "7-series", "Kintex-7"),
)


def part_from_report(part: str, available: dict) -> Part | None:
    """A part missing from the table, known by its prefix's family and the capacity the
    vendor report printed (its `Available` row); None when either is missing."""
    text = str(part).strip().lower()
    needed = ("lut", "ff", "dsp", "bram_18k")
    if not all(available.get(k) for k in needed):
        return None
    for pattern, family, fabric in FAMILY_BY_PREFIX:
        if re.match(pattern, text):
            return Part(text, family, *(int(available[k]) for k in needed), int(available.get("uram") or 0),
                        fabric=fabric)
    return None


def find_part(part: str) -> Part:
    """The table row for a full part string (`xcu250-figd2104-2L-e`, `xc7z020clg400-1`)."""
    text = str(part).strip().lower()
    matches = [name for name in PARTS if text.startswith(name)]
    if not matches:
        raise UserError(f"unknown FPGA part '{part}'; known parts: {', '.join(known_parts())}")
    return PARTS[max(matches, key=len)]


# What follows the device name in a full part string: the package (letters, then its pin
# count), the speed grade (a digit, L for low power) and an optional temperature grade.
_PACKAGE_AND_GRADE = re.compile(r"^-?[a-z]{2,5}\d{2,4}(-\d[a-z]{0,2}(-[a-z])?|-[a-z]?\d[a-z]?)?$")


def check_part(part: str) -> Part:
    """The table row of a part string whose device is in the table and whose package and
    speed grade (if given) are spelled as the vendor does; UserError otherwise."""
    row = find_part(part)
    rest = str(part).strip().lower()[len(row.name):]
    if rest and not _PACKAGE_AND_GRADE.match(rest):
        raise UserError(f"FPGA part '{part}': '{rest}' is not a package and speed grade "
                        "(expected a package, pin count and speed grade such as -flga2577-2-e)")
    return row
