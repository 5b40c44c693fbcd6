"""Built l1forge projects shared by the whole test session: each distinct build at most once.

A build is named by what a test asks for: the card's file stem, the overrides the test adds,
whether the card is cut small, and the C-simulation events. The first test that asks builds
it (under a file lock, so two pytest-xdist workers never build the same thing twice); every
later test, in any module and on either worker, gets the same project. Trained models go to
one store keyed by the card's training hash (l1forge.tasks.training), so builds that differ only in
the firmware target (io_stream, Resource, distributed arithmetic) train once.

Cut small means the card's network and firmware exactly as committed, trained on a sample
just big enough to give real (not good) weights: `small_overrides` below. The anomaly
cards train on a synthetic L1 sample written once per session (tests/tasks/l1_synthetic.py).

The projects are shared: treat them as read-only, and take `private_copy` before anything
writes into one (a re-run C-simulation, trigger figures, a rebuild).

Every call of `l1forge.build.build_project` in the session, through this cache or not, is
recorded (`count_builds`) and firmware_tests/conftest.py prints the total at the end.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "tests" / "tasks") not in sys.path:  # the synthetic L1 sample's writer
    sys.path.insert(0, str(REPO / "tests" / "tasks"))
from l1_synthetic import SIGNALS as L1_SIGNALS, write_folder  # noqa: E402

CARDS = REPO / "l1models"
DEMO_PROJECTS = REPO / "hls_projects"  # `make demo` builds jet_id.yaml here (CI runs it first)

JET_SMALL = {"data.max_events": 4000, "training.epochs": 5, "training.batch_size": 128,
             "training.early_stopping_patience": 0}
DEEPSETS_SMALL = {"data.max_events": 4000, "training.epochs": 4, "training.batch_size": 256,
                  "training.early_stopping_patience": 0}
AD_SMALL = {"training.epochs": 2, "training.batch_size": 256, "training.early_stopping_patience": 0}
L1_SAMPLE = {"n_background": 2000, "n_signal": 300}  # 900 background test events
CSIM_EVENTS = {"jet_id": 600, "jet_deepsets": 800}  # C-simulated by the build; others 300
AD_CSIM_EVENTS = 300

BUILD_RECORDS: list[dict[str, Any]] = []  # this process's build_project calls


def card_path(card: str) -> Path:
    return CARDS / f"{card}.yaml"


def build_key(card: str, overrides: dict | None = None, small: bool = True,
              csim_events: int | None = None) -> str:
    """The name of one distinct build (also its pytest-xdist group)."""
    blob = json.dumps([card, overrides or {}, small, csim_events], sort_keys=True, default=str)
    return f"{card}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


# Seconds one build takes on one of two busy workers (build_project's time in the fresh-clone
# `make test` of 2026-12-06, the suite's summary lines), by card and whether the firmware is
# distributed arithmetic. Used only to queue the costliest builds first (suite_rules.py).
# The first distributed-arithmetic conversion of a fresh clone also compiles da4ml's solver
# (about 160 s; l1forge.firmware.da4ml_warmup lets one process do it while the other waits):
# jet_deepsets' DA build, queued first, pays it; the others load it, so the pruned VAE's DA
# build (190 s when both workers compiled da4ml at once) is queued behind non-DA builds.
BUILD_SECONDS = {("jet_deepsets", True): 280, ("ad_vae", True): 60, ("jet_deepsets", False): 100,
                 ("ad_cnn_ae", False): 90, ("ad_dense_ae", False): 90, ("ad_vae_compact", True): 90,
                 ("jet_id_compact", True): 80}
OTHER_BUILD_SECONDS = 50


def expected_seconds(card: str, overrides: dict | None = None) -> int:
    """About how long building `card` with `overrides` takes (BUILD_SECONDS)."""
    import yaml

    strategy = (overrides or {}).get("target.strategy")
    if strategy is None:
        strategy = (yaml.safe_load(card_path(card).read_text()).get("target") or {}).get("strategy")
    return BUILD_SECONDS.get((card, strategy == "distributed_arithmetic"), OTHER_BUILD_SECONDS)


def build_group(card: str, overrides: dict | None = None, small: bool = True,
                csim_events: int | None = None):
    """The xdist_group mark that sends every test of one build to the same worker (its
    `seconds` orders the queue: suite_rules.py)."""
    return pytest.mark.xdist_group(build_key(card, overrides, small, csim_events),
                                   seconds=expected_seconds(card, overrides))


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive lock between the processes of this session (both xdist workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ProjectCache:
    """Builds under `root` (one folder shared by the session's processes)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.store = self.root / "trained-store"  # holds .trained/<card>-<hash16>/

    def build(self, card: str, overrides: dict | None = None, *, small: bool = True,
              csim_events: int | None = None):
        """The l1forge BuildResult of `card` (an l1models/ stem) with `overrides` added, cut
        small unless `small=False` (the card as committed, full sample)."""
        from l1forge.build import BuildResult
        from l1forge.tasks import load_card
        from l1forge.project import Project

        key = build_key(card, overrides, small, csim_events)
        folder = self.root / key
        with file_lock(self.root / "locks" / f"{key}.lock"):
            record = folder / "cache-build.json"
            if not record.is_file():
                task = load_card(card_path(card)).task
                resolved = {**(self.small_overrides(task) if small else {}), **(overrides or {})}
                events = csim_events or CSIM_EVENTS.get(task, AD_CSIM_EVENTS)
                self._build_into(folder, card, resolved, events)
            project_dir = Path(json.loads(record.read_text())["project_dir"])
        return BuildResult(project_dir, Project(project_dir).manifest())

    def small_overrides(self, task: str) -> dict[str, Any]:
        if task == "jet_id":
            return dict(JET_SMALL)
        if task == "jet_deepsets":
            return dict(DEEPSETS_SMALL)
        return {**AD_SMALL, "data.path": str(self.l1_sample())}

    def l1_sample(self) -> Path:
        """The synthetic L1-object folder the anomaly cards train on (written once)."""
        folder = self.root / "l1-synthetic"
        with file_lock(self.root / "locks" / "l1-synthetic.lock"):
            if not (folder / "complete").is_file():
                shutil.rmtree(folder, ignore_errors=True)
                write_folder(folder, **L1_SAMPLE)
                (folder / "complete").write_text("")
        return folder

    def trained(self, card: str, overrides: dict | None = None, *, reuse=(DEMO_PROJECTS,)):
        """The trained model of `card` with `overrides`: from a projects folder in `reuse`
        that already holds it (hls_projects/ after `make demo`), else trained once into
        the session's store."""
        from l1forge.tasks import load_card
        from l1forge.tasks.training import load_trained

        loaded = load_card(card_path(card), overrides)
        for projects in reuse:
            found = load_trained(loaded, projects)
            if found is not None:
                return found
        return self._train(loaded)

    def private_copy(self, result, dest: Path) -> Path:
        """A copy of a built project to write into; returns the copy's folder."""
        copy = Path(dest) / result.project_dir.name
        shutil.copytree(result.project_dir, copy, symlinks=True)
        return copy

    def link_trained_store(self, projects_root: Path) -> Path:
        """Let a build under `projects_root` reuse (and add to) the session's trained models."""
        projects_root = Path(projects_root)
        projects_root.mkdir(parents=True, exist_ok=True)
        (self.store / ".trained").mkdir(parents=True, exist_ok=True)
        link = projects_root / ".trained"
        if not link.exists():
            link.symlink_to(self.store / ".trained", target_is_directory=True)
        return projects_root

    def _train(self, card):
        from l1forge.card.load import training_sha256
        from l1forge.tasks.training import load_trained, train

        name = f"{card.name}-{training_sha256(card)[:16]}"
        with file_lock(self.root / "locks" / f"train-{name}.lock"):
            found = load_trained(card, self.store)
            return found if found is not None else train(card, self.store, log=lambda m: None)

    def _build_into(self, folder: Path, card: str, overrides: dict, csim_events: int) -> None:
        from l1forge.build import build_project
        from l1forge.tasks import load_card

        shutil.rmtree(folder, ignore_errors=True)  # a build a crashed worker left half done
        projects = self.link_trained_store(folder / "projects")
        self._train(load_card(card_path(card), overrides))
        log_path = folder / "build.log"
        with open(log_path, "w") as log:
            result = build_project(card_path(card), projects, overrides=overrides,
                                   csim_events=csim_events,
                                   log=lambda message: print(message, file=log, flush=True))
        (folder / "cache-build.json").write_text(json.dumps(
            {"card": card, "overrides": overrides, "csim_events": csim_events,
             "project_dir": str(result.project_dir)}, default=str))


def shared_root(tmp_path_factory, worker_id: str) -> Path:
    """One folder for the session: the controller's basetemp under pytest-xdist (each
    worker's basetemp is a folder in it), else this process's basetemp."""
    base = tmp_path_factory.getbasetemp()
    root = (base if worker_id == "master" else base.parent) / "l1forge-builds"
    root.mkdir(parents=True, exist_ok=True)
    return root


def count_builds(build_module) -> None:
    """Record every `build_project` call of this process (module attribute replaced once)."""
    original = build_module.build_project
    if getattr(original, "counts_builds", False):
        return

    @functools.wraps(original)
    def build_project(card_path, *args, **kwargs):
        start = time.perf_counter()
        entry = {"card": Path(card_path).stem, "overrides": kwargs.get("overrides") or {},
                 "worker": os.environ.get("PYTEST_XDIST_WORKER", "master"),
                 "test": os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]}
        try:
            result = original(card_path, *args, **kwargs)
        except BaseException as error:
            entry["outcome"] = type(error).__name__
            raise
        else:
            entry["outcome"] = "built"
            return result
        finally:
            entry["seconds"] = round(time.perf_counter() - start, 1)
            BUILD_RECORDS.append(entry)

    build_project.counts_builds = True
    build_module.build_project = build_project


def summary_lines(records: list[dict[str, Any]]) -> list[str]:
    built = [r for r in records if r["outcome"] == "built"]
    others = len(records) - len(built)
    seconds = sum(r["seconds"] for r in built)
    lines = [f"l1forge builds this session: {len(built)} ({seconds:.0f} s)"
             + (f"; {others} more build_project calls ended early (bad input or interrupt)"
                if others else "")]
    for r in sorted(built, key=lambda r: -r["seconds"]):
        overrides = ", ".join(f"{k}={v}" for k, v in r["overrides"].items()
                              if k not in ("data.path", "model.layers"))
        lines.append(f"  {r['seconds']:7.1f} s  {r['worker']:6s} {r['card']}  {overrides}  [{r['test']}]")
    return lines
