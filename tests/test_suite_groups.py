"""`make test` relies on pytest-xdist's `--dist loadgroup`: every test of one l1forge build
carries that build's `xdist_group` and must run on the worker that builds it (two workers
running C-simulations in one shared project folder overwrite each other's files). This runs a
tiny suite on two workers, as `make test` does, and checks that each group stayed on one."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict

SUITE = '''
import pytest

pytestmark = pytest.mark.xdist_group("shared_build", seconds=9)


@pytest.mark.parametrize("n", range(6))
def test_member(n):
    pass
'''

OTHERS = '''
import pytest


@pytest.mark.parametrize("n", range(6))
def test_free(n):
    pass


@pytest.mark.xdist_group("second_build")
@pytest.mark.parametrize("n", range(4))
def test_second(n):
    pass
'''


def test_every_test_of_a_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(SUITE)
    (tmp_path / "test_others.py").write_text(OTHERS)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2",
                          "--dist", "loadgroup", "--no-loadscope-reorder", "-v", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    workers = defaultdict(set)
    for worker, test in re.findall(r"\[(gw\d)\] \[\s*\d+%\] PASSED (\S+)", run.stdout):
        name = test.split("::")[1].split("[")[0]
        workers[name].add(worker)
    assert set(workers) == {"test_member", "test_free", "test_second"}, run.stdout[-2000:]
    assert len(workers["test_member"]) == 1 and len(workers["test_second"]) == 1, dict(workers)
    # the ungrouped tests are spread, so the two workers really were both in use
    assert len(workers["test_member"] | workers["test_second"] | workers["test_free"]) == 2, dict(workers)
