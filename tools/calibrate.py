"""Reproduce the dense-layer fit of calibration.py from the two jet-tagger reports.

    python tools/calibrate.py ../shared/reference/vivado_reports

For every dense layer of the float and QKeras jet taggers it prints the census (DSP-class
products, LUT-multiplier adder bits, adder-tree bits) beside the report's instance row,
then the least-squares LUT coefficients (relative errors) that calibration.py holds.
The report rows are matched to layers as calibration.py explains. A developer script:
it needs TensorFlow (to convert the Keras models), which the installed package does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.csynth import parse_csynth_rpt
from l1forge.report.bits import bits_of
from l1forge.report.dense_cost import kernel_codes
from l1forge.report.multipliers import constant_census

PROJECTS = ("jet-tagger-float-vivado2019", "jet-tagger-qkeras-vivado2019")
# Instance-name endings of the Vivado HLS 2019.2 reports, per layer (see calibration.py)
INSTANCE_OF = {"fc1": "_s_fu_", "fc2": "_1_fu_", "fc3": "_0_fu_", "output": "config11"}


def _instance(report, layer: str):
    key = INSTANCE_OF[layer]
    for inst in report.instances:
        if not inst.module.startswith("dense"):
            continue
        name = inst.instance
        if key == "_0_fu_" and "config" not in name and "_s_fu_" not in name and "_1_fu_" not in name:
            return inst
        if key != "_0_fu_" and key in name:
            return inst
    raise LookupError(f"no instance for {layer}")


def dense_rows(reference: Path) -> list[dict]:
    from l1forge.firmware.loading import load_graph

    rows = []
    for project in PROJECTS:
        report = parse_csynth_rpt(reference / project / "myproject_csynth.rpt")
        for layer in load_graph(reference / project).get_layers():
            if layer.class_name != "Dense":
                continue
            data = bits_of(layer.get_input_variable().type.precision)
            codes, bias_codes, weight = kernel_codes(layer)
            accum = bits_of(layer.get_attr("accum_t").precision)
            census = constant_census(codes, bias_codes, data, weight, "mult", (27, 18))
            tree = sum(max(t - 1, 0) for t in census.terms_per_output) * accum.width
            inst = _instance(report, layer.name)
            rows.append({"project": project, "layer": layer.name, "dsp": census.n_dsp, "dsp_report": inst.dsp,
                         "adder_bits": census.lut_adder_bits, "tree_bits": tree, "lut_report": inst.lut})
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    rows = dense_rows(Path(args[0]))
    features = np.array([[r["adder_bits"], r["tree_bits"]] for r in rows], dtype=float)
    target = np.array([r["lut_report"] for r in rows], dtype=float)
    weights = 1.0 / target  # fit relative errors: small layers count as much as big ones
    coef, *_ = np.linalg.lstsq(features * weights[:, None], target * weights, rcond=None)
    for row, fitted in zip(rows, features @ coef):
        print(f'{row["project"]:30s} {row["layer"]:7s} DSP {row["dsp"]:4d} / {row["dsp_report"]:4d}   '
              f'LUT fit {fitted:8.0f} / {row["lut_report"]:6d} ({fitted / row["lut_report"] - 1:+.0%})')
    print(f"lut_per_adder_bit = {coef[0]:.2f} (calibration.py: {C.lut_per_adder_bit})")
    print(f"lut_per_tree_bit  = {coef[1]:.2f} (calibration.py: {C.lut_per_tree_bit})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
