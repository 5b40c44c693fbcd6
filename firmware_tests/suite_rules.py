"""The test suite's rules, registered as a plugin by firmware_tests/conftest.py, so they hold
for every test a run collects, tests/ included, whenever firmware_tests/ is collected too
(`make test`, `make verify`).

- Grouping for pytest-xdist (`make test` runs `-n 2 --dist loadgroup`): every test of one
  l1forge build carries that build's `xdist_group` (project_cache.build_group); every other
  test is grouped with its module, so a module fixture (a g++ reference, a trained model) is
  made on one worker only. Build groups are queued first, so at the end the two workers are
  filled by short unit tests rather than one waiting on the other's build.
- `make verify` (L1FORGE_VERIFY=1) runs the tests marked `verify`; other runs deselect them.
- Firmware tests need g++: without it they are skipped, saying so.
- With L1FORGE_CI=1 (set by `make test`, which CI runs) a test skipped for a missing
  requirement fails instead. Such skips say what is missing in a reason starting "needs "
  (../shared/reference, chromium, g++, a committed sample): CI has all of them.
- The l1forge builds of the session (every `l1forge.build.build_project` call, on every
  worker) are counted and printed at the end: "l1forge builds this session: N".
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import project_cache

FIRMWARE_TESTS = Path(__file__).resolve().parent
VERIFY = os.environ.get("L1FORGE_VERIFY") == "1"


def pytest_configure(config):
    import l1forge.build

    config.addinivalue_line("markers", "verify: runs only in `make verify` (L1FORGE_VERIFY=1)")
    config.addinivalue_line("markers", "xdist_group(name): tests that run on one xdist worker")
    config.l1forge_build_records = []
    project_cache.count_builds(l1forge.build)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    no_compiler = shutil.which(os.environ.get("CXX", "g++")) is None
    deselected, builds, others = [], [], []
    for item in items:
        firmware = FIRMWARE_TESTS in Path(str(item.fspath)).parents
        if item.get_closest_marker("verify") and not VERIFY:
            deselected.append(item)
            continue
        if firmware and no_compiler:
            item.add_marker(pytest.mark.skip(reason="needs g++ on PATH: firmware tests compile C++"))
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
            others.append(item)
        else:
            builds.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = builds + others


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("L1FORGE_CI") != "1" or not report.skipped or not isinstance(report.longrepr, tuple):
        return
    reason = report.longrepr[2].removeprefix("Skipped: ")
    if reason.startswith("needs "):
        report.outcome = "failed"
        report.longrepr = f"L1FORGE_CI=1: this test must run in CI, but it was skipped: {reason}"


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: hand them over
        session.config.workeroutput["l1forge_builds"] = project_cache.BUILD_RECORDS
    else:
        session.config.l1forge_build_records.extend(project_cache.BUILD_RECORDS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    records = getattr(node, "workeroutput", {}).get("l1forge_builds", [])
    node.config.l1forge_build_records.extend(records)


def pytest_terminal_summary(terminalreporter, config):
    for line in project_cache.summary_lines(config.l1forge_build_records):
        terminalreporter.write_line(line)
