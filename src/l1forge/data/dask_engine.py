"""Run seeded generation tasks on Dask: a local cluster by default, any running one by address.

`l1forge data generate` splits its events into tasks; each task gets its own Pythia seed,
derived from the user seed with numpy's SeedSequence (task_seeds), so the same (seed, tasks,
events) always gives the same file, whichever cluster runs it, and tasks never share a
random stream. A task is a call `target(report=..., **kwargs)`; its `report(n)` calls are
batched into Dask worker events, which the client turns into one rich progress bar.

Local: a distributed.LocalCluster of worker processes with one thread each. Remote:
`scheduler="tcp://HOST:PORT"` connects to a running scheduler; its workers need the same
l1forge environment (and, for Pythia targets, the `generate` extra).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from dataclasses import dataclass

import numpy as np

from l1forge.data.pythia_events import PYTHIA_MAX_SEED
from l1forge.errors import UserError

CONNECT_TIMEOUT_S = 10.0
_REPORT_EVERY_S = 0.5  # how often a task sends its accepted-event count


def default_workers() -> int:
    return os.cpu_count() or 1


def task_seeds(seed: int, tasks: int) -> list[int]:
    """Distinct Pythia seeds (1..900,000,000) for each task, derived from `seed`."""
    states = np.random.SeedSequence(int(seed)).generate_state(tasks, dtype=np.uint64)
    return [int(s % (PYTHIA_MAX_SEED - 1)) + 1 for s in states]


def split_quota(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integer parts (first parts get the rest)."""
    base, extra = divmod(int(total), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@dataclass(frozen=True)
class Cluster:
    """Where tasks run: the client, and what goes into the provenance."""

    client: object
    scheduler: str  # "LocalCluster" or the address given
    workers: int  # worker processes (threads for a remote cluster) when the tasks began


def check_engine(workers: int | None, scheduler: str | None, tasks: int | None) -> None:
    if workers is not None and scheduler is not None:
        raise UserError("--workers and --scheduler: got both; expected one (a local cluster "
                        "of N workers, or the address of a running scheduler)")
    if workers is not None and workers < 1:
        raise UserError(f"--workers: got {workers}, expected at least 1")
    if tasks is not None and tasks < 1:
        raise UserError(f"--tasks: got {tasks}, expected at least 1")


@contextlib.contextmanager
def open_cluster(workers: int | None = None, scheduler: str | None = None):
    """Yield a Cluster: a LocalCluster of `workers` processes, or the one at `scheduler`."""
    from distributed import Client, LocalCluster

    check_engine(workers, scheduler, None)
    if scheduler is None:
        n = workers or default_workers()
        # No dashboard; the scheduler's HTTP endpoint on a free port, not 8787 (which
        # another cluster on the machine may hold).
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                          silence_logs=logging.ERROR) as local, Client(local) as client:
            yield Cluster(client, "LocalCluster", n)
        return
    with _connect(scheduler) as client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError as err:
            raise UserError(f"--scheduler {scheduler}: the scheduler has no workers after "
                            f"{CONNECT_TIMEOUT_S:g} s; expected at least one (start them with: "
                            f"dask worker {scheduler} --nthreads 1)") from err
        yield Cluster(client, scheduler, sum(client.nthreads().values()))


@contextlib.contextmanager
def _connect(address: str):
    from distributed import Client

    # distributed logs every failed connection attempt; the one line below says it all.
    comm_log = logging.getLogger("distributed")
    level = comm_log.level
    comm_log.setLevel(logging.CRITICAL)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except ValueError as err:
        raise UserError(f"--scheduler {address}: not a scheduler address ({err}); expected "
                        f"tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786") from err
    except (OSError, TimeoutError) as err:
        raise UserError(f"--scheduler {address}: no Dask scheduler answered within "
                        f"{CONNECT_TIMEOUT_S:g} s ({err.__class__.__name__}); expected the "
                        f"address of a running scheduler, e.g. tcp://HOST:8786") from err
    finally:
        comm_log.setLevel(level)
    with client:
        yield client


def _run_task(target, kwargs: dict, topic: str, index: int):
    """On a worker: call the target, sending its accepted counts every _REPORT_EVERY_S."""
    from distributed import get_worker

    worker = get_worker()
    pending = {"n": 0, "sent": time.monotonic()}

    def flush() -> None:
        if pending["n"]:
            worker.log_event(topic, {"task": index, "n": pending["n"]})
            pending["n"], pending["sent"] = 0, time.monotonic()

    def report(n: int) -> None:
        pending["n"] += n
        if time.monotonic() - pending["sent"] >= _REPORT_EVERY_S:
            flush()

    result = target(report=report, **kwargs)
    flush()
    return result


def run_tasks(cluster: Cluster, target, kwargs_list: list[dict], total: int,
              description: str, show_progress: bool = True) -> list:
    """Call `target(report=..., **kwargs)` once per kwargs as Dask tasks on `cluster`.

    Returns the tasks' results in the order of `kwargs_list`; a task's exception is
    re-raised here (a UserError inside a task stays one line).
    """
    from distributed import as_completed
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    client = cluster.client
    topic = f"l1forge-progress-{uuid.uuid4().hex}"
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=not show_progress) as bar:
        task = bar.add_task(description, total=total)
        client.subscribe_topic(topic, lambda event: bar.advance(task, event[1]["n"]))
        try:
            futures = [client.submit(_run_task, target, kwargs, topic, index, pure=False,
                                     key=f"{description.replace(' ', '-')}-{index}-{topic}")
                       for index, kwargs in enumerate(kwargs_list)]
            for future in as_completed(futures):
                future.result()  # the first failure stops the run, with its own message
            results = client.gather(futures)
        finally:
            client.unsubscribe_topic(topic)
        bar.update(task, completed=total)
    return results
