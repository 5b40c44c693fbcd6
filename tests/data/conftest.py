"""What the data tests share: a small jet table (file writers are in sample_writers.py) and
an external Dask scheduler with one worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from l1forge.data import JET_CLASSES, JET_FEATURES


@pytest.fixture
def jets_table():
    """12 jets: features (12, 16) and class names, two or three of each class."""
    rng = np.random.default_rng(5)
    features = rng.uniform(0.1, 2.0, size=(12, len(JET_FEATURES)))
    names = np.array([JET_CLASSES[i % len(JET_CLASSES)] for i in range(12)])
    return features, names


HERE = Path(__file__).resolve().parent
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="session")
def external_scheduler():
    """A scheduler and one single-thread worker in their own processes, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    # The worker imports the tests' cheap targets (toy_targets) from this folder.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE),
                                                       os.environ.get("PYTHONPATH", "")]))
    scheduler = subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--no-dashboard", "--dashboard-address",
                                  "127.0.0.1:0"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--nworkers",
                               "1", "--no-dashboard"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            process.wait(timeout=60)
