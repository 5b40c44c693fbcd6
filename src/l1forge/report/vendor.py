"""Find the vendor reports anywhere under a project folder and summarise them.

The C-synthesis report of the top function is `<top>_csynth.rpt` / `.xml` (beside the
reports of every sub-function, in `<project>_prj/solution*/syn/report/`); the tools also
write the same top-level summary as `csynth.rpt` / `csynth.xml`, read where the named one
is missing (a folder copied with only that file). When the top name is not known, the
report with the largest LUT total is the top: it contains all the others. Vivado utilization and timing reports are sorted by the stage they describe;
where a stage has several files, the newest wins and the others are named in a warning.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from l1forge.report.csynth import CsynthReport, parse_csynth_rpt, parse_csynth_xml
from l1forge.report.part_choice import achieved_clock
from l1forge.report.vivado import parse_timing_summary, parse_utilization

KEYS = ("dsp", "lut", "ff", "bram_18k")


def _files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    found = set()
    for pattern in patterns:
        found.update(p for p in folder.rglob(pattern)
                     if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    return sorted(found)


def _newest(paths: list[Path]) -> Path:
    return max(paths, key=lambda p: (p.stat().st_mtime, str(p)))


SUMMARY = "csynth"  # the tools' unnamed copy of the top function's report


def _summary_top(path: Path) -> str:
    """The top function a `csynth.rpt` / `csynth.xml` summarises."""
    return (parse_csynth_rpt(path) if path.suffix == ".rpt" else parse_csynth_xml(path)).top


def _pick_csynth(folder: Path, top: str | None, warnings: list[str]) -> tuple[Path | None, Path | None]:
    candidates = _files(folder, ("*_csynth.rpt", "*_csynth.xml", f"{SUMMARY}.rpt", f"{SUMMARY}.xml"))
    if not candidates:
        return None, None
    if top:
        named = ([p for p in candidates if p.stem == f"{top}_csynth"]
                 or [p for p in candidates if p.stem == SUMMARY and _summary_top(p) == top])
    else:
        # the top-level report is the one with the most LUTs: it includes every instance
        parsed = {p: (parse_csynth_rpt(p) if p.suffix == ".rpt" else parse_csynth_xml(p)) for p in candidates}
        best = max(parsed.values(), key=lambda r: r.resources.get("lut", 0))
        named = [p for p in candidates if p.stem == f"{best.top}_csynth"] or [Path(best.source_file)]
    if not named and top:
        wrapper = _wrapper_of(candidates, top)
        if wrapper is not None:
            return wrapper
    if not named:
        warnings.append(f"{folder}: synthesis reports found, but none for the top function '{top}'")
        return None, None
    folders = sorted({p.parent for p in named}, key=lambda d: max(q.stat().st_mtime for q in named if q.parent == d))
    chosen = folders[-1]
    if len(folders) > 1:
        others = ", ".join(str(d) for d in folders[:-1])
        warnings.append(f"several synthesis runs found; read the newest ({chosen}), not {others}")
    rpt = chosen / f"{named[0].stem}.rpt"
    xml = chosen / f"{named[0].stem}.xml"
    return (rpt if rpt.is_file() else None), (xml if xml.is_file() else None)


def _wrapper_of(candidates: list[Path], top: str) -> tuple[Path, None] | None:
    """The text report of a function that calls `top` once, when `top` has none of its own
    (a VivadoAccelerator project whose folder kept only `<top>_axi_csynth.rpt`)."""
    for path in candidates:
        if path.suffix != ".rpt":
            continue
        if sum(i.module == top for i in parse_csynth_rpt(path).instances) == 1:
            return path, None
    return None


def _as_instance(report: CsynthReport, top: str, warnings: list[str]) -> CsynthReport:
    """The row of `top` inside a wrapper's report, as a report of its own."""
    row = next(i for i in report.instances if i.module == top)
    warnings.append(f"{report.source_file}: no report of the top function '{top}'; read its instance "
                    f"{row.instance} inside '{report.top}' (the wrapper's own interface logic left out, "
                    "and no per-layer rows)")
    return replace(report, top=top, latency_min=row.latency_cycles, latency_max=row.latency_cycles,
                   ii_min=row.ii, ii_max=row.ii, pipeline_type=None, instances=(),
                   resources={"dsp": row.dsp, "lut": row.lut, "ff": row.ff, "bram_18k": row.bram_18k})


def _hls_section(rpt: Path | None, xml: Path | None, warnings: list[str], top: str | None = None) -> dict | None:
    reports: list[CsynthReport] = []
    if rpt:
        reports.append(parse_csynth_rpt(rpt))
    if xml:
        reports.append(parse_csynth_xml(xml))
    if not reports:
        return None
    if top and reports[0].top != top and any(i.module == top for i in reports[0].instances):
        reports = [_as_instance(reports[0], top, warnings)]
    main = reports[0]
    if main.clock_target_ns is None:  # Vitis HLS's one-table csynth.rpt names no clock; its XML does
        clocked = next((r for r in reports[1:] if r.clock_target_ns is not None), None)
        if clocked is not None:
            main = replace(main, clock_target_ns=clocked.clock_target_ns,
                           clock_estimated_ns=clocked.clock_estimated_ns)
        else:
            warnings.append(f"{main.source_file}: names no clock target (Vitis HLS's one-table summary); "
                            "the latency in ns is not given")
    for other in reports[1:]:
        if other.latency_max != main.latency_max or any(
                other.resources.get(k) != main.resources.get(k) for k in KEYS):
            warnings.append(f"{other.source_file} and {main.source_file} disagree; read the .rpt")
    for report in reports:
        warnings.extend(report.warnings)
    clock = main.clock_target_ns
    period, slow = achieved_clock(clock, main.clock_estimated_ns)  # the cycles' real period
    warnings.extend(slow)
    return {
        "source_file": main.source_file, "tool": main.tool, "version": main.version,
        "part": main.part, "top": main.top, "clock_target_ns": clock,
        "clock_estimated_ns": main.clock_estimated_ns,
        "latency_cycles": main.latency_max,
        "clock_achieved_ns": period,
        "latency_ns": round(main.latency_max * period, 3) if main.latency_max is not None and period else None,
        "ii": main.ii_max, **{k: main.resources.get(k, 0) for k in KEYS},
        "uram": main.resources.get("uram", 0),
        "available": dict(main.available),  # the part's capacity, as the tool printed it
        "per_layer": [{"instance": i.instance, "module": i.module, "latency_cycles": i.latency_cycles,
                       "ii": i.ii, "dsp": i.dsp, "lut": i.lut, "ff": i.ff, "bram_18k": i.bram_18k}
                      for i in main.instances],
    }


def _stage_sections(folder: Path, warnings: list[str]) -> dict[str, dict]:
    by_stage: dict[str, list] = {}
    for path in _files(folder, ("vivado_synth.rpt", "*utilization*.rpt")):
        report = parse_utilization(path)
        warnings.extend(report.warnings)
        by_stage.setdefault(report.stage, []).append(report)
    sections = {}
    for stage, reports in by_stage.items():
        newest = _newest([Path(r.source_file) for r in reports])
        if len(reports) > 1:
            warnings.append(f"several {stage} utilization reports; read the newest, {newest}")
        report = next(r for r in reports if Path(r.source_file) == newest)
        sections[stage] = {"source_file": report.source_file, "stage": stage,
                           "version": report.version, "device": report.device,
                           **{k: report.used.get(k) for k in KEYS}, "uram": report.used.get("uram")}
    return sections


def _timing_section(folder: Path, warnings: list[str]) -> dict | None:
    paths = _files(folder, ("*timing_summary*.rpt",))
    if not paths:
        return None
    chosen = _newest(paths)
    if len(paths) > 1:
        warnings.append(f"several timing summaries; read the newest, {chosen}")
    report = parse_timing_summary(chosen)
    warnings.extend(report.warnings)
    return {"source_file": report.source_file, "stage": report.stage, "version": report.version,
            "wns_ns": report.wns_ns, "tns_ns": report.tns_ns, "whs_ns": report.whs_ns,
            "clock_period_ns": report.clock_period_ns, "met": report.met}


def vendor_section(folder: Path, top: str | None = None) -> tuple[dict | None, list[str]]:
    """The `vendor` section of a report (None when the folder holds no vendor report)."""
    folder = Path(folder)
    warnings: list[str] = []
    rpt, xml = _pick_csynth(folder, top, warnings)
    hls = _hls_section(rpt, xml, warnings, top)
    stages = _stage_sections(folder, warnings)
    timing = _timing_section(folder, warnings)
    if hls is None and not stages and timing is None:
        return None, warnings
    empty = {"source_file": None, "tool": None, "version": None, "latency_cycles": None,
             "latency_ns": None, "ii": None, **{k: None for k in KEYS}, "per_layer": []}
    section = dict(hls or empty)
    section["post_synthesis"] = stages.get("post-synthesis")
    section["post_place"] = stages.get("post-place")
    section["post_route"] = stages.get("post-route")
    section["timing"] = timing
    if "unknown" in stages:
        warnings.append(f"{stages['unknown']['source_file']}: cannot tell whether it is post-synthesis "
                        "or post-route (no Design State line); left out")
    return section, warnings
