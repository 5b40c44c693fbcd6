"""Run generation workers in parallel processes with seeds derived from one user seed.

Each worker gets its own Pythia seed, derived from the user seed with numpy's SeedSequence,
so the same (seed, workers, events) always gives the same file, and workers never share a
random stream. Workers report accepted events through a queue; the parent shows one rich
progress bar for all of them.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_module

import numpy as np

from l1forge.data.pythia_events import PYTHIA_MAX_SEED

DEFAULT_WORKERS = 2


def worker_seeds(seed: int, workers: int) -> list[int]:
    """Distinct Pythia seeds (1..900,000,000) for each worker, derived from `seed`."""
    states = np.random.SeedSequence(int(seed)).generate_state(workers, dtype=np.uint64)
    return [int(s % (PYTHIA_MAX_SEED - 1)) + 1 for s in states]


def split_quota(total: int, workers: int) -> list[int]:
    """`total` split into `workers` near-equal integer parts (first parts get the rest)."""
    base, extra = divmod(int(total), workers)
    return [base + (1 if i < extra else 0) for i in range(workers)]


def _run_one(target, kwargs: dict, progress_queue):
    def report(n: int) -> None:
        progress_queue.put(n)

    return target(report=report, **kwargs)


def run_workers(target, kwargs_list: list[dict], total: int, description: str,
                show_progress: bool = True) -> list:
    """Call `target(report=..., **kwargs)` once per kwargs in separate processes.

    Returns the workers' results in the order of `kwargs_list`.
    """
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    context = mp.get_context("fork")
    progress_queue = context.Manager().Queue()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with context.Pool(len(kwargs_list)) as pool, Progress(*columns,
                                                          disable=not show_progress) as bar:
        task = bar.add_task(description, total=total)
        pending = [pool.apply_async(_run_one, (target, kw, progress_queue)) for kw in kwargs_list]
        while not all(p.ready() for p in pending):
            try:
                bar.advance(task, progress_queue.get(timeout=0.5))
            except queue_module.Empty:
                pass
        results = [p.get() for p in pending]  # re-raises a worker's exception here
        while not progress_queue.empty():
            bar.advance(task, progress_queue.get())
    return results
