"""What every test folder shares: a quiet TensorFlow, and an external Dask scheduler with one
worker (for the generation engine and the scan)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

# Keep TensorFlow quiet and single-process-friendly in tests.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

HERE = Path(__file__).resolve().parent
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="session")
def external_scheduler():
    """A scheduler and one single-thread worker in their own processes, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    # The worker imports the data tests' cheap targets (tests/data/toy_targets.py).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE / "data"),
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
