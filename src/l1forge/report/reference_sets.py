"""The reference report sets that came with their models, laid out for `--validate`.

    python -m l1forge.report.reference_sets ../shared/reference/vivado_reports OUT
    l1forge report --validate OUT/calibration
    l1forge report --validate OUT/validation

Each set of ../shared/reference/vivado_reports named in SETS is copied to OUT/<role>/<set>
as an hls4ml project folder `report` reads:

- where the folder has `hls4ml_config.effective.yml` (the ArgyKokk builds, whose committed
  hls4ml_config.yml is stale: RF 1, 5 ns), that file becomes hls4ml_config.yml;
- where its SOURCES.md says the author's build script forced a multiplier binding
  (`config_op mul -impl dsp|fabric`), that one line is written to build_prj.tcl, where
  the report reads it as it reads a real project's Tcl.

The role of each set says whether the estimator's 7-series rules were read from it
(calibration) or not (validation); VALIDATION.md gives the figures. The older sets without
a model (the tutorial notebooks, hls4ml's Dense 16->5 test) are laid out with stand-in
weights by tools/reference_cases.py.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from l1forge.atomic import atomic_dir
from l1forge.errors import UserError
from l1forge.firmware.loading import CONFIG_NAME

CALIBRATION, VALIDATION = "calibration", "validation"
_ARGY = "argykokk-mlp-estimator_"

# Calibration: the sets the series7.py rules and constants were read from. Validation:
# sets not fitted on (jet_tagging's softmax instance row was read when the narrow-cycle
# softmax rule was chosen; nothing else of it).
SETS = {
    **{f"{_ARGY}{net}__{impl}_reuse{rf}": CALIBRATION
       for net in ("ARRYTHMIA", "Breast_cancer", "HAR") for impl in ("DSP", "LUT") for rf in (1, 2, 100)},
    **{f"{_ARGY}jet_tagging__{impl}_reuse{rf}": VALIDATION for impl in ("DSP", "LUT") for rf in (2, 100)},
    "thifjj-iris_mlp4-8-8-3-pynqz2-vitis2025": VALIDATION,
    "astitwlathe-example_keras3layer-vivado2019": VALIDATION,
    "dnnonsilicon_mlp4-128-3-dense-rf1-parallel": VALIDATION,
    "dnnonsilicon_mlp4-128-3-pruned75-rf1-parallel": VALIDATION,
    "dnnonsilicon_mlp4-128-3-pruned75-rf8-parallel": VALIDATION,
    "dnnonsilicon_mlp4-128-3-pruned75-rf16-parallel": VALIDATION,
    "dnnonsilicon_mlp4-128-3-dense-rf8-stream": VALIDATION,
    "dnnonsilicon_sepcnn-cifar10-rf16-stream": VALIDATION,
    "chiruichen-autoencoder_conv-ae-pynqz2-resource-rf64-stream": VALIDATION,
    "seanlipps-ece226_conv1d-har-stream-vitis2024": VALIDATION,
}
EFFECTIVE_CONFIG = "hls4ml_config.effective.yml"  # written beside the stale one when collecting
SKIPPED_FILES = {CONFIG_NAME, EFFECTIVE_CONFIG, "SOURCES.md"}
FORCED_BINDING = re.compile(r"build_prj\.tcl adds `config_op mul -impl (dsp|fabric)`")


def forced_binding(sources_text: str) -> str | None:
    """The multiplier binding SOURCES.md says the author's build script forced."""
    match = FORCED_BINDING.search(sources_text)
    return match.group(1) if match else None


def lay_out_set(source: Path, dest: Path) -> None:
    """Copy one reference set to `dest` as a project folder (see the module docs)."""
    dest.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.is_file() and item.name not in SKIPPED_FILES:
            shutil.copy2(item, dest / item.name)
    effective = source / EFFECTIVE_CONFIG
    shutil.copy2(effective if effective.is_file() else source / CONFIG_NAME, dest / CONFIG_NAME)
    sources = source / "SOURCES.md"
    binding = forced_binding(sources.read_text(errors="replace")) if sources.is_file() else None
    if binding is not None:
        (dest / "build_prj.tcl").write_text(
            "# The one line of the author's build_prj.tcl the estimate needs (see SOURCES.md)\n"
            f"config_op mul -impl {binding}\n")


def lay_out(reference: Path, out: Path, names=None) -> dict[str, list[str]]:
    """Lay out the sets `names` (default: all of SETS) under out/<role>/; returns the set
    names per role. `out` is written whole or not at all."""
    reference, out = Path(reference), Path(out)
    names = list(SETS) if names is None else list(names)
    unknown = [name for name in names if name not in SETS]
    if unknown:
        raise UserError(f"unknown reference set(s) {', '.join(unknown)}; expected names from reference_sets.SETS")
    missing = [name for name in names if not (reference / name).is_dir()]
    if missing:
        raise UserError(f"{reference}: no reference set folder {missing[0]} (expected "
                        "../shared/reference/vivado_reports)")
    if out.exists():
        raise UserError(f"{out}: already exists; give a new folder for the laid-out sets")
    roles: dict[str, list[str]] = {CALIBRATION: [], VALIDATION: []}
    with atomic_dir(out) as tmp:
        for name in names:
            lay_out_set(reference / name, Path(tmp) / SETS[name] / name)
            roles[SETS[name]].append(name)
    return roles


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m l1forge.report.reference_sets REFERENCE_DIR OUT", file=sys.stderr)
        return 2
    try:
        roles = lay_out(Path(argv[0]), Path(argv[1]))
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for role, names in roles.items():
        print(f"{role}: {len(names)} sets in {Path(argv[1]) / role}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
