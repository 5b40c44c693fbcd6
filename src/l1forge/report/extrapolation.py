"""Where the estimate leaves the ground its rules were fitted and checked on.

The report says so plainly, one warning per reason, so that a firmware engineer knows
which figures to read as extrapolations (report/VALIDATION.md has the evidence):

- the delays were fitted on UltraScale+ -2 reports; every other fabric and grade is
  timed by the data sheets' DSP Fmax ratio (timing.py), and one Artix-7 -1 report fitted
  the DSP post-adder cascade;
- the shared-multiplier rule of a reuse factor: Vitis HLS on 7-series has calibration
  reports at RF 2 and 100; elsewhere one report (RF 2) checks the issue cycles, and the
  Vivado HLS 2020.1 reports at RF 8 and 16 check only the interval rule (latency + 1
  below RF): their multiply counts differ from the census;
- no calibration report uses the Resource strategy;
- io_stream rests on two calibration reports (Vivado HLS 2020.1); the Vitis HLS
  convolution rule on one project's report and log.
"""

from __future__ import annotations

from l1forge.report.timing import delay_scale

FITTED = ("UltraScale+", 2)
ONE_REPORT = ("Artix-7", 1)  # hls4ml's Dense 16->5 test on an xc7z020 -1


SERIES7_FABRICS = ("Artix-7", "Kintex-7", "7-series")


def series7_warnings(fabric: str, grade: int | None, estimate: dict) -> list[str]:
    """Vitis HLS on 7-series io_parallel: the layer-by-layer rules of series7.py."""
    warnings = []
    if (fabric, grade) != ("Artix-7", 2):
        warnings.append(f"estimate: Vitis HLS on {fabric} -{grade if grade is not None else '?'}: the 7-series "
                        "rules were read from Artix-7 -2 reports (xc7z007s, 3.33 and 5 ns) and checked on one "
                        "Artix-7 -1 report; other fabrics and grades are scaled by the data sheets")
    if estimate.get("strategy") == "resource":
        warnings.append("estimate: Resource strategy (a dataflow region of layer processes); no vendor "
                        "report checks these rules")
    elif estimate.get("reuse_factor", 1) > 2:
        warnings.append(f"estimate: reuse factor {estimate['reuse_factor']}: the interval of a layer whose "
                        "multiplier cap binds (distinct multiplies / cap + its tree's tail) was read from the "
                        "RF 100 reports of Vitis HLS 2021.1 (xc7z007s); the held-out net came within 1 cycle")
    return warnings


def range_warnings(fabric: str, grade: int | None, io_type: str, estimate: dict) -> list[str]:
    if fabric in SERIES7_FABRICS and estimate.get("tool") == "Vitis HLS" and io_type == "io_parallel":
        return series7_warnings(fabric, grade, estimate)
    warnings = []
    scale = delay_scale(fabric, grade)
    source = ("the data sheets' DSP Fmax against UltraScale+ -2 and x2 for 7-series routing (timing.py)"
              if fabric in SERIES7_FABRICS else "the data sheets' DSP Fmax against UltraScale+ -2")
    if grade is None:
        warnings.append(f"estimate: the part name gives no speed grade; timed as the {fabric} grade of "
                        f"delay scale {scale:.2f}")
    if (fabric, grade) == ONE_REPORT:
        warnings.append(f"estimate: {fabric} -{grade}: delays x{scale:.2f} from {source}, and one report "
                        "of this fabric and grade behind the deeper pipelines; take latency and FF as extrapolated")
    elif (fabric, grade) != FITTED:
        warnings.append(f"estimate: {fabric} -{grade if grade is not None else '?'}: delays x{scale:.2f} from "
                        f"{source}, where they were fitted; no report of this fabric and grade checks it; "
                        "take latency and FF as extrapolated")
    cascades = sum(1 for row in estimate["per_layer"] if any("cascade" in n for n in row["notes"]))
    if cascades and (fabric, grade) != ONE_REPORT:
        warnings.append(f"estimate: {cascades} layer(s) sum in DSP post-adder cascades (the multiply fills "
                        "the clock cycle); that rule rests on one Artix-7 -1 report at 5 ns")
    if estimate.get("strategy") == "resource":
        warnings.append("estimate: Resource strategy (a dataflow region of layer processes); no vendor "
                        "report checks these rules")
    elif estimate.get("reuse_factor", 1) > 2:
        warnings.append(f"estimate: reuse factor {estimate['reuse_factor']}: capped multiplies issued `cap` per "
                        "cycle, a layer shorter than RF run every latency + 1 cycles; one report (RF 2) checks the "
                        "issue cycles, larger factors extrapolate them (Vivado HLS 2020.1 at RF 8 and 16: interval "
                        "rule exact, multiply counts not; report/VALIDATION.md)")
    if io_type == "io_stream":
        warnings.append("estimate: the io_stream rules rest on three vendor reports only, fitted on two "
                        "and checked on one (report/VALIDATION.md)")
        if estimate.get("tool") == "Vitis HLS" and any(row["kind"] == "conv" for row in estimate["per_layer"]):
            warnings.append("estimate: Vitis HLS convolution in io_stream: kernel cycles + 2 per pixel, read from "
                            "one Conv1D project's report and log (report/VALIDATION.md)")
    return warnings
