"""`l1forge data generate`: produce a jets or L1-objects file with Pythia 8, in parallel.

Both entry points split the requested events over the workers, derive one seed per worker
from the user seed, run the workers, merge, shuffle with a seed-derived permutation (so any
slice of the file mixes classes and workers), and write the file with its provenance.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import numpy as np

from l1forge import __version__
from l1forge.data import hdf5_store
from l1forge.data.parallel import DEFAULT_WORKERS, run_workers, split_quota, worker_seeds
from l1forge.data.schema import JET_CLASSES, L1_PROCESSES
from l1forge.errors import UserError


def _versions() -> dict:
    out = {"l1forge": __version__}
    for package in ("pythia8mc", "fastjet", "numpy"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def _check_request(events: int, seed: int, workers: int) -> None:
    if events < 1:
        raise UserError(f"--events: got {events}, expected a positive number of events")
    if not 0 <= seed < 2**63:
        raise UserError(f"--seed: got {seed}, expected an integer in [0, 2^63)")
    if workers < 1:
        raise UserError(f"--workers: got {workers}, expected at least 1")


def _permutation(seed: int, n: int) -> np.ndarray:
    # A stream separate from the workers' (spawn key 1 of the user seed).
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(1,))).permutation(n)


def _merge_stats(results: list) -> dict:
    merged: dict = {}
    for result in results:
        for source, stat in result["stats"].items():
            slot = merged.setdefault(source, {"events": 0, "sigma_mb": []})
            slot["events"] += stat["events"]
            slot["sigma_mb"].append(stat["sigma_mb"])
    for slot in merged.values():
        slot["sigma_mb"] = float(np.mean(slot["sigma_mb"]))
    return merged


def generate_jets(events: int, seed: int, out: Path, workers: int = DEFAULT_WORKERS,
                  mpi: bool = False, show_progress: bool = True, command: str = "") -> dict:
    """Generate `events` jets, classes in equal shares, into `out`; returns the provenance."""
    from l1forge.data import jet_generation

    _check_request(events, seed, workers)
    per_class = split_quota(events, len(JET_CLASSES))
    seeds = worker_seeds(seed, workers)
    quotas = [{c: split_quota(n, workers)[w] for c, n in zip(JET_CLASSES, per_class)}
              for w in range(workers)]
    results = run_workers(jet_generation.generate_jets_worker,
                          [{"quota": q, "seed": s, "mpi": mpi} for q, s in zip(quotas, seeds)],
                          events, "generating jets", show_progress)
    features = np.concatenate([r["features"] for r in results])
    labels = np.concatenate([r["labels"] for r in results])
    order = _permutation(seed, len(labels))
    provenance = {
        "generator": "Pythia 8 + FastJet (l1forge data generate jets)",
        "command": command,
        "versions": _versions(), "seed": int(seed), "worker_seeds": seeds,
        "workers": workers, "mpi": mpi,
        "settings": {s: list(jet_generation.settings_for(s, mpi))
                     for s in jet_generation.JET_PROCESSES},
        "selection": {"jet_algorithm": "anti-kT", "R": jet_generation.JET_R,
                      "pt_range_gev": list(jet_generation.JET_PT_RANGE),
                      "abs_eta_max": jet_generation.JET_ABS_ETA_MAX,
                      "mmdt_zcut": jet_generation.MMDT_ZCUT,
                      "match_dr": jet_generation.MATCH_DR,
                      "contain_dr": jet_generation.CONTAIN_DR},
        "generated_events": _merge_stats(results),
        "counts": {c: int(np.sum(labels == i)) for i, c in enumerate(JET_CLASSES)},
    }
    hdf5_store.write_jets(out, features[order], labels[order], provenance)
    return provenance


def generate_l1(process: str, events: int, seed: int, out: Path,
                workers: int = DEFAULT_WORKERS, show_progress: bool = True,
                command: str = "") -> dict:
    """Generate `events` L1-object events of `process` into `out`; returns the provenance."""
    from l1forge.data import l1_generation

    if process not in L1_PROCESSES:
        raise UserError(f"--process: got {process!r}, expected one of {', '.join(L1_PROCESSES)}")
    _check_request(events, seed, workers)
    sources = l1_generation.source_quotas(process, events)
    seeds = worker_seeds(seed, workers)
    quotas = [{s: split_quota(n, workers)[w] for s, n in sources.items()} for w in range(workers)]
    results = run_workers(l1_generation.generate_l1_worker,
                          [{"quota": q, "seed": s} for q, s in zip(quotas, seeds)],
                          events, f"generating {process}", show_progress)
    particles = np.concatenate([r["particles"] for r in results])
    names = tuple(sources)
    source_id = np.concatenate([r["source_id"] for r in results])
    order = _permutation(seed, len(particles))
    provenance = {
        "generator": "Pythia 8 + FastJet (l1forge data generate l1-objects)",
        "command": command,
        "process": process, "versions": _versions(), "seed": int(seed),
        "worker_seeds": seeds, "workers": workers,
        "settings": {s: list(l1_generation.settings_for(s)) for s in names},
        "objects": l1_generation.object_definitions(),
        "generated_events": _merge_stats(results),
        "counts": {s: int(np.sum(source_id == i)) for i, s in enumerate(names)},
    }
    hdf5_store.write_l1(out, particles[order], provenance, source_id[order], names)
    return provenance
