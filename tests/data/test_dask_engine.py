"""The Dask generation engine with a cheap target: a LocalCluster, and an external scheduler
and worker started here (`dask scheduler`, `dask worker`), as a cluster would run them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import toy_targets

from l1forge.cli import main
from l1forge.data import dask_engine
from l1forge.errors import UserError

HERE = Path(__file__).resolve().parent
DASK = Path(sys.executable).with_name("dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kwargs(quotas, seed=7):
    return [{"quota": q, "seed": s}
            for q, s in zip(quotas, dask_engine.task_seeds(seed, len(quotas)))]


def test_task_seeds_and_quotas():
    seeds = dask_engine.task_seeds(7, 2)
    assert seeds == dask_engine.task_seeds(7, 2) and len(set(seeds)) == 2
    assert dask_engine.task_seeds(8, 2) != seeds and all(1 <= s <= 900_000_000 for s in seeds)
    # The seeds l1forge has always derived: the committed jets sample (--seed 1, 2 tasks).
    assert dask_engine.task_seeds(1, 2) == [53555170, 137236443]
    assert dask_engine.split_quota(11, 2) == [6, 5] and sum(dask_engine.split_quota(7, 5)) == 7


@pytest.fixture(scope="module")
def local_cluster():
    with pytest.MonkeyPatch.context() as patch:  # the workers import toy_targets from here
        patch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
        with dask_engine.open_cluster(workers=2) as cluster:
            yield cluster


def test_local_cluster_runs_every_task_in_order(local_cluster):
    assert local_cluster.scheduler == "LocalCluster" and local_cluster.workers == 2
    kwargs = _kwargs([5, 3, 4])
    results = dask_engine.run_tasks(local_cluster, toy_targets.seeded_draws, kwargs, 12,
                                    "toy", show_progress=False)
    for result, kw in zip(results, kwargs):
        np.testing.assert_array_equal(result["values"],
                                      np.random.default_rng(kw["seed"]).random(kw["quota"]))
    assert os.getpid() not in {r["pid"] for r in results}  # ran in worker processes


def test_a_task_error_reaches_the_caller_as_is(local_cluster):
    with pytest.raises(UserError, match="refused on purpose"):
        dask_engine.run_tasks(local_cluster, toy_targets.refuses, _kwargs([1, 1]), 2, "toy",
                              show_progress=False)


def test_external_scheduler_runs_the_tasks(external_scheduler):
    with dask_engine.open_cluster(scheduler=external_scheduler) as cluster:
        assert cluster.scheduler == external_scheduler and cluster.workers == 1
        kwargs = _kwargs([4, 2])
        results = dask_engine.run_tasks(cluster, toy_targets.seeded_draws, kwargs, 6, "toy",
                                        show_progress=False)
    assert [len(r["values"]) for r in results] == [4, 2]
    np.testing.assert_array_equal(results[1]["values"],
                                  np.random.default_rng(kwargs[1]["seed"]).random(2))
    assert len({r["pid"] for r in results}) == 1 and results[0]["pid"] != os.getpid()


def test_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 1.0)  # refused at once; no need to wait 10 s
    out = tmp_path / "jets.h5"
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    assert main(["data", "generate", "jets", "--events", "5", "--seed", "1", "--out", str(out),
                 "--scheduler", address, "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"--scheduler {address}" in err
    assert "no Dask scheduler answered" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_scheduler_without_workers_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 3.0)  # the wait for workers that never come
    port = _free_port()
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard", "--dashboard-address",
                                  "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout=60):
            pass  # the scheduler is up
        out = tmp_path / "x.h5"
        assert main(["data", "generate", "l1-objects", "--process", "ato4l", "--events", "5",
                     "--seed", "1", "--out", str(out), "--scheduler",
                     f"tcp://127.0.0.1:{port}"]) == 2
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=60)
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "the scheduler has no workers" in err
    assert list(tmp_path.iterdir()) == []


def test_malformed_scheduler_address_is_one_line(tmp_path, capsys):
    out = tmp_path / "x.h5"
    assert main(["data", "generate", "l1-objects", "--process", "ato4l", "--events", "5",
                 "--seed", "1", "--out", str(out), "--scheduler", "tcp://127.0.0.1:port"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a scheduler address" in err
    assert "expected tcp://HOST:PORT" in err and list(tmp_path.iterdir()) == []


def test_engine_options_are_checked_before_any_cluster(tmp_path, capsys):
    out = tmp_path / "jets.h5"
    for extra, fragment in ((["--workers", "0"], "--workers: got 0"),
                            (["--tasks", "0"], "--tasks: got 0")):
        assert main(["data", "generate", "jets", "--events", "5", "--seed", "1", "--out",
                     str(out), *extra]) == 2
        assert fragment in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: --workers and --scheduler exclude each other
        main(["data", "generate", "jets", "--events", "5", "--seed", "1", "--out", str(out),
              "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert list(tmp_path.iterdir()) == []
