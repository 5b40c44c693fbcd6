"""The test suite's rules, registered as a plugin by firmware_tests/conftest.py, so they hold
for every test a run collects, tests/ included, whenever firmware_tests/ is collected too
(`make test`, `make verify`).

- Grouping for pytest-xdist (`make test` runs `-n 2 --dist loadgroup`): every test of one
  l1forge build carries that build's `xdist_group` (project_cache.build_group); every other
  test is grouped with its module, so a module fixture (a g++ reference, a trained model) is
  made on one worker only. Groups are queued costliest first (`make test` passes
  `--no-loadscope-reorder`, so pytest-xdist keeps this order rather than sorting by test
  count): the builds by their expected seconds (project_cache.BUILD_SECONDS) and the slow
  modules (SLOW_MODULES) together, then the rest, so at the end the two workers are filled
  by short unit tests rather than one waiting on the other's build.
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
# Modules without a build group that take more than about 15 s on one worker (summed test
# times from `pytest --junitxml`, 2026-12-06, the firmware modules on a busy machine). Only
# the queue's order depends on these figures; a module missing here just runs later.
SLOW_MODULES: dict[str, float] = {
    "firmware_tests/test_emulator_layers.py": 150, "firmware_tests/test_compile.py": 60,
    "firmware_tests/test_emulator_new_layers.py": 55, "tests/scan/test_scan_cluster.py": 70,
    "tests/tasks/test_ad_training.py": 40, "tests/models/test_warm_start.py": 38,
    "tests/data/test_dask_engine.py": 30, "firmware_tests/test_rtl.py": 27,
    "firmware_tests/test_rtl_parts.py": 50,
    "tests/models/test_pruning.py": 23, "firmware_tests/test_hls4ml_folders.py": 23,
    "firmware_tests/test_emulator_ap_fixed.py": 22, "tests/trigger/test_trigger_cli.py": 20,
    "tests/train/test_training.py": 18, "firmware_tests/test_diagnosis.py": 17,
}
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
    seconds = dict(SLOW_MODULES)
    for item in builds:
        mark = item.get_closest_marker("xdist_group")
        seconds[_group(item)] = max(seconds.get(_group(item), 0), mark.kwargs.get("seconds", 0))
    # Costliest group first; the sort is stable, so the rest keep their collection order.
    items[:] = sorted(builds + others, key=lambda item: -seconds.get(_group(item), 0))


def _group(item) -> str:
    mark = item.get_closest_marker("xdist_group")
    return mark.args[0] if mark.args else mark.kwargs.get("name")


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
