"""`l1forge data generate`: produce a jets or L1-objects file with Pythia 8, on Dask.

Both entry points split the requested events into seeded tasks (dask_engine), run them on a
local or remote Dask cluster, merge their output, shuffle it with a seed-derived
permutation (so any slice of the file mixes classes and tasks), and write the file with its
provenance, every task's seed included.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from l1forge import __version__
from l1forge.data import dask_engine, hdf5_store
from l1forge.data.dask_engine import split_quota, task_seeds
from l1forge.data.jet_constituents import (DEFAULT_CONSTITUENTS, L1_TRACK_MAX_ABS_ETA,
                                           L1_TRACK_MIN_PT)
from l1forge.data.schema import CONSTITUENT_FEATURES, JET_CLASSES, L1_PROCESSES
from l1forge.errors import UserError


@dataclass(frozen=True)
class Engine:
    """Where generation runs: a LocalCluster of `workers` processes (default: the number of
    cores) or the running scheduler at `scheduler`; `tasks` seeded tasks (default: one per
    worker). The file depends on (seed, tasks, events) only."""

    workers: int | None = None
    scheduler: str | None = None
    tasks: int | None = None


def _versions() -> dict:
    out = {"l1forge": __version__}
    for package in ("pythia8mc", "fastjet", "numpy", "dask", "distributed"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


def _check_request(events: int, seed: int, engine: Engine) -> None:
    if events < 1:
        raise UserError(f"--events: got {events}, expected a positive number of events")
    if not 0 <= seed < 2**63:
        raise UserError(f"--seed: got {seed}, expected an integer in [0, 2^63)")
    dask_engine.check_engine(engine.workers, engine.scheduler, engine.tasks)


def _permutation(seed: int, n: int) -> np.ndarray:
    # A stream separate from the tasks' (spawn key 1 of the user seed).
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(1,))).permutation(n)


def _run(engine: Engine, seed: int, target, make_kwargs, total: int, description: str,
         show_progress: bool) -> tuple[list, dict]:
    """Run `make_kwargs(task_index, tasks)` for each seeded task; (results, provenance)."""
    with dask_engine.open_cluster(engine.workers, engine.scheduler) as cluster:
        tasks = engine.tasks or cluster.workers
        seeds = task_seeds(seed, tasks)
        kwargs_list = [dict(make_kwargs(i, tasks), seed=s) for i, s in enumerate(seeds)]
        results = dask_engine.run_tasks(cluster, target, kwargs_list, total, description,
                                        show_progress)
    provenance = {"seed": int(seed), "tasks": tasks, "task_seeds": seeds,
                  "engine": {"scheduler": cluster.scheduler, "workers": cluster.workers}}
    return results, provenance


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


def generate_jets(events: int, seed: int, out: Path, engine: Engine = Engine(),
                  mpi: bool = False, constituents: int = DEFAULT_CONSTITUENTS,
                  show_progress: bool = True, command: str = "") -> dict:
    """Generate `events` jets, classes in equal shares, into `out`; returns the provenance."""
    from l1forge.data import jet_generation

    _check_request(events, seed, engine)
    if constituents < 1:
        raise UserError(f"--constituents: got {constituents}, expected at least 1")
    per_class = split_quota(events, len(JET_CLASSES))

    def task_kwargs(index: int, tasks: int) -> dict:
        quota = {c: split_quota(n, tasks)[index] for c, n in zip(JET_CLASSES, per_class)}
        return {"quota": quota, "mpi": mpi, "constituents": constituents}

    results, run = _run(engine, seed, jet_generation.generate_jets_worker, task_kwargs,
                        events, "generating jets", show_progress)
    features = np.concatenate([r["features"] for r in results])
    labels = np.concatenate([r["labels"] for r in results])
    tables = np.concatenate([r["constituents"] for r in results])
    order = _permutation(seed, len(labels))
    provenance = {
        "generator": "Pythia 8 + FastJet (l1forge data generate jets)",
        "command": command, "versions": _versions(), **run, "mpi": mpi,
        "settings": {s: list(jet_generation.settings_for(s, mpi))
                     for s in jet_generation.JET_PROCESSES},
        "selection": {"jet_algorithm": "anti-kT", "R": jet_generation.JET_R,
                      "pt_range_gev": list(jet_generation.JET_PT_RANGE),
                      "abs_eta_max": jet_generation.JET_ABS_ETA_MAX,
                      "mmdt_zcut": jet_generation.MMDT_ZCUT,
                      "match_dr": jet_generation.MATCH_DR,
                      "contain_dr": jet_generation.CONTAIN_DR},
        "constituents": {"count": constituents, "features": list(CONSTITUENT_FEATURES),
                         "dtype": str(hdf5_store.CONSTITUENT_DTYPE),
                         "l1_track_min_pt_gev": L1_TRACK_MIN_PT,
                         "l1_track_max_abs_eta": L1_TRACK_MAX_ABS_ETA},
        "generated_events": _merge_stats(results),
        "counts": {c: int(np.sum(labels == i)) for i, c in enumerate(JET_CLASSES)},
    }
    hdf5_store.write_jets(out, features[order], labels[order], provenance, tables[order])
    return provenance


def generate_l1(process: str, events: int, seed: int, out: Path, engine: Engine = Engine(),
                show_progress: bool = True, command: str = "") -> dict:
    """Generate `events` L1-object events of `process` into `out`; returns the provenance."""
    from l1forge.data import l1_generation

    if process not in L1_PROCESSES:
        raise UserError(f"--process: got {process!r}, expected one of {', '.join(L1_PROCESSES)}")
    _check_request(events, seed, engine)
    sources = l1_generation.source_quotas(process, events)

    def task_kwargs(index: int, tasks: int) -> dict:
        return {"quota": {s: split_quota(n, tasks)[index] for s, n in sources.items()}}

    results, run = _run(engine, seed, l1_generation.generate_l1_worker, task_kwargs, events,
                        f"generating {process}", show_progress)
    particles = np.concatenate([r["particles"] for r in results])
    names = tuple(sources)
    source_id = np.concatenate([r["source_id"] for r in results])
    order = _permutation(seed, len(particles))
    provenance = {
        "generator": "Pythia 8 + FastJet (l1forge data generate l1-objects)",
        "command": command, "process": process, "versions": _versions(), **run,
        "settings": {s: list(l1_generation.settings_for(s)) for s in names},
        "objects": l1_generation.object_definitions(),
        "generated_events": _merge_stats(results),
        "counts": {s: int(np.sum(source_id == i)) for i, s in enumerate(names)},
    }
    hdf5_store.write_l1(out, particles[order], provenance, source_id[order], names)
    return provenance
