"""The parsed form of a Vivado HLS / Vitis HLS C-synthesis report, shared by the readers of
its layouts (csynth.py: `<top>_csynth.rpt` and the XML files; csynth_summary.py: Vitis
HLS's one-table `csynth.rpt`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Versions whose report layout was read and checked (reference reports and tool manuals).
KNOWN_VERSIONS = {
    "Vivado HLS": {f"{year}.{n}" for year in range(2017, 2021) for n in (1, 2, 3, 4)},
    "Vitis HLS": {f"{year}.{n}" for year in range(2020, 2026) for n in (1, 2)},
}


@dataclass(frozen=True)
class HlsInstance:
    """One sub-function instance of the top function, as the text report lists it."""

    instance: str
    module: str
    latency_cycles: int | None = None
    ii: int | None = None
    dsp: int = 0
    lut: int = 0
    ff: int = 0
    bram_18k: int = 0


@dataclass(frozen=True)
class CsynthReport:
    source_file: str
    tool: str  # "Vivado HLS" or "Vitis HLS"
    version: str
    top: str
    part: str | None
    clock_target_ns: float | None
    clock_estimated_ns: float | None
    latency_min: int | None
    latency_max: int | None
    ii_min: int | None
    ii_max: int | None
    pipeline_type: str | None
    resources: dict[str, int]
    available: dict[str, int]
    instances: tuple[HlsInstance, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def int_or_none(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def version_warning(path: Path, tool: str, version: str) -> list[str]:
    # an update release (2019.2.1, 2022.2.2) keeps its release's layout
    if ".".join(version.split(".")[:2]) in KNOWN_VERSIONS.get(tool, set()):
        return []
    return [f"{path}: {tool} {version} is a version this parser was not checked against; "
            "its figures were read from the usual places"]
