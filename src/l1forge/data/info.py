"""`l1forge data info`: what a sample file holds, as a dict (JSON) or text.

L1-object files are read chunk by chunk (every chunk validated), so a multi-million-event
file is described without holding it in memory.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from l1forge.data import l1_reader
from l1forge.data.defaults import default_jets_path, default_l1_paths
from l1forge.data.jet_constituent_reader import is_constituent_file
from l1forge.data.jet_readers import (NUMPY_SPLIT_FILES, TABLE_SUFFIXES, has_constituent_files,
                                      read_jets)
from l1forge.data.schema import (FORMAT_JET_CONSTITUENTS, FORMAT_JETS, FORMAT_L1, JET_CLASSES,
                                 JET_FEATURES, L1_ROWS)
from l1forge.data.validate import open_hdf5
from l1forge.errors import UserError


def detect_format(path: Path) -> str:
    """FORMAT_JETS, FORMAT_JET_CONSTITUENTS or FORMAT_L1, from the path's form and (HDF5)
    its datasets."""
    path = Path(path)
    if path.is_dir():
        return FORMAT_JET_CONSTITUENTS if has_constituent_files(path) else FORMAT_JETS
    if path.name in NUMPY_SPLIT_FILES:
        return FORMAT_JETS
    if not path.exists():
        raise UserError(f"{path}: no such file or folder; expected a sample file")
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return FORMAT_JETS
    if suffix not in (".h5", ".hdf5"):
        raise UserError(f"{path}: unknown format {suffix or '(no suffix)'!r}; expected .h5/.hdf5"
                        f" (jets or L1 objects), .arff, .csv, .parquet or a numpy-split folder")
    with open_hdf5(path) as handle:
        if "Particles" in handle:
            return FORMAT_L1
        if is_constituent_file(handle):
            return FORMAT_JET_CONSTITUENTS
        if "features" in handle:
            return FORMAT_JETS
    raise UserError(f"{path}: HDF5 file with none of 'Particles', 'features', "
                    f"'jetConstituentList'; expected an L1-objects, jets HLF or hls4ml "
                    f"particle-level jets file")


def _describe_jets(path: Path, form: str) -> dict:
    sample = read_jets(path)
    counts = np.bincount(sample.labels, minlength=len(JET_CLASSES))
    report = {"path": str(path), "format": form, "events": len(sample),
              "counts": {c: int(n) for c, n in zip(JET_CLASSES, counts)},
              "feature_names": list(JET_FEATURES) if sample.features is not None else [],
              "provenance": sample.provenance}
    if sample.constituents is not None:
        report["constituents"] = {"count": int(sample.constituents.shape[1]),
                                  "feature_names": list(sample.constituent_names)}
    return report


def _object_summary(path: Path) -> dict:
    """Mean multiplicities and MET, accumulated chunk by chunk."""
    sums = {"electrons": 0.0, "muons": 0.0, "jets": 0.0, "met_gev": 0.0}
    events = 0
    for _, chunk in l1_reader.iter_chunks(path):
        for kind, key in (("electron", "electrons"), ("muon", "muons"), ("jet", "jets")):
            first, n_rows, _ = L1_ROWS[kind]
            sums[key] += float(np.sum(chunk[:, first:first + n_rows, 0] > 0))
        sums["met_gev"] += float(np.sum(chunk[:, 0, 0], dtype=np.float64))
        events += len(chunk)
    return {f"mean_{key}": round(value / events, 4) for key, value in sums.items()}


def _describe_l1(path: Path) -> dict:
    attributes = l1_reader.read_attributes(path)
    summary = _object_summary(path)
    if "process_names" in attributes:
        counts = l1_reader.process_counts(path, attributes["process_names"])
    else:
        # A public challenge file: one process, named after the file.
        counts = {attributes["provenance"].get("process", Path(path).stem): attributes["events"]}
    return {"path": str(path), "format": FORMAT_L1, "events": attributes["events"],
            "counts": counts, "objects": summary, "provenance": attributes["provenance"]}


def describe(path: Path) -> dict:
    path = Path(path)
    form = detect_format(path)
    return _describe_l1(path) if form == FORMAT_L1 else _describe_jets(path, form)


def describe_defaults() -> list[dict]:
    paths = [default_jets_path()] + list(default_l1_paths().values())
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UserError(f"default sample(s) missing: {', '.join(missing)}; expected the "
                        f"committed files in data/ (see data/README.md to regenerate them)")
    return [describe(p) for p in paths]


def format_text(report: dict) -> str:
    lines = [f"{report['path']}", f"  format:   {report['format']}",
             f"  events:   {report['events']}"]
    total = max(report["events"], 1)
    lines.append("  counts:   " + ", ".join(f"{k} {v} ({100 * v / total:.1f}%)"
                                             for k, v in report["counts"].items()))
    if "feature_names" in report:
        lines.append("  features: " + (", ".join(report["feature_names"]) or "none (no HLF)"))
    if "constituents" in report:
        lines.append(f"  constituents: {report['constituents']['count']} per jet: "
                     + ", ".join(report["constituents"]["feature_names"]))
    if "objects" in report:
        lines.append("  objects:  " + ", ".join(f"{k} {v}" for k, v in report["objects"].items()))
    provenance = report["provenance"]
    if provenance:
        lines.append("  provenance:")
        for key in sorted(provenance):
            lines.append(f"    {key}: {json.dumps(provenance[key], sort_keys=True)}")
    return "\n".join(lines)
