"""How much slower a part's logic is than the parts the delay constants were fitted on.

The delays in calibration.py are those of the two calibration reports: an UltraScale+
xcu250 of speed grade -2. Other fabrics and grades run the same logic slower or faster;
the estimate keeps the delays and shrinks (or stretches) the usable part of the clock
period by the ratio of DSP-slice maximum frequencies in the vendor data sheets
(fully pipelined DSP48, the figure each data sheet gives for every grade; rounded to
the MHz):

| fabric | -3 | -2 | -1 |
|---|---|---|---|
| UltraScale+ (DS923, DS925) | 891 MHz | 775 MHz | 645 MHz |
| UltraScale (DS892) | 741 | 661 | 589 |
| Kintex-7, Virtex-7, Zynq-7000 7z030+ (DS182, DS183, DS191) | 741 | 650 | 540 |
| Artix-7, Spartan-7, Zynq-7000 7z007s-7z020 (DS181, DS189, DS187) | 628 | 550 | 464 |

A part whose grade is not in its name is taken as -2 (-1 for 7-series).

On 7-series fabric the data sheets' ratio is not enough: the Vitis HLS reports of the
xc7z007s -2 (series7.py) never put two 16-bit adder levels in one 3.33 ns cycle, so a
level takes more than 1.46 ns there, where the ratio makes it 0.85 ns (0.6 ns on
UltraScale+ -2 x 1.41). 7-series delays are therefore scaled by a further
calibration.series7_routing = 2.0 (the routing of the older fabric). With it, the calibration Dense
16->5 report (Vivado HLS 2020.1, xc7z020 -1, 5 ns) comes out at its 10 cycles (9 before).
Only two grade/fabric points have reports beside a model (UltraScale+ -2, where the
delays were fitted, and one Artix-class -1 report, VALIDATION.md); every other entry is
the data sheets' ratio applied to those delays, and the report says so.
"""

from __future__ import annotations

from l1forge.report.calibration import CALIBRATION as C

REFERENCE_MHZ = 775.0  # UltraScale+ -2: the grade the delays were fitted on

DSP_FMAX_MHZ = {
    "UltraScale+": {3: 891.0, 2: 775.0, 1: 645.0},
    "UltraScale": {3: 741.0, 2: 661.0, 1: 589.0},
    "Kintex-7": {3: 741.0, 2: 650.0, 1: 540.0},
    "Artix-7": {3: 628.0, 2: 550.0, 1: 464.0},
}
# A 7-series part not in the fabric table (family "7-series") is timed as Kintex-class.
FABRIC_OF_FAMILY = {"7-series": "Kintex-7"}
SERIES7_FABRICS = ("Kintex-7", "Artix-7", "7-series")


def delay_scale(fabric: str, grade: int | None) -> float:
    """Logic delay on this fabric and grade over that on UltraScale+ -2 (1.0 there)."""
    table = DSP_FMAX_MHZ.get(fabric) or DSP_FMAX_MHZ[FABRIC_OF_FAMILY.get(fabric, "UltraScale+")]
    default = 1 if fabric in ("Kintex-7", "Artix-7", "7-series") else 2
    grade = grade if grade in table else default
    return REFERENCE_MHZ / table[grade] * (C.series7_routing if fabric in SERIES7_FABRICS else 1.0)
