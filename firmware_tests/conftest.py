"""The firmware tests' shared builds, and the suite's rules (suite_rules.py, registered here
for every collected test: `make test` collects tests/ and firmware_tests/ together).

Built projects: the session fixture `l1forge_builds` (a project_cache.ProjectCache) builds
each distinct (card, overrides) once per session, whichever module or xdist worker asks:

    @project_cache.build_group("jet_id", {"target.io_type": "io_stream"})
    def test_something(l1forge_builds, tmp_path):
        stream = l1forge_builds.build("jet_id", {"target.io_type": "io_stream"})  # cut small
        full = l1forge_builds.build("jet_id_compact", small=False)  # the card as committed
        project = l1forge_builds.private_copy(stream, tmp_path)     # before writing into it

`build_group` takes the build's own arguments and sends every test of that build to one
pytest-xdist worker (`make test` runs `-n 2 --dist loadgroup`); a test of several builds
takes the group of its costliest. Ask for a build the suite already makes where one fits
(project_cache.py lists the cut-small sizes; the terminal summary lists the builds): each
new one costs about a minute of CI. `l1forge_builds.trained(card)` gives a trained model
alone, and `l1forge_builds.link_trained_store(folder)` lets a test's own build_project call
under `folder` reuse the session's trained models.

Bit-exactness runs (bit_exact.py) compare L1FORGE_VERIFY_EVENTS events (10,000 by default);
`make verify` sets L1FORGE_VERIFY=1: 100,000 events, and the tests marked `verify` run.
"""

import os

import pytest

import project_cache
import suite_rules

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_configure(config):
    if not config.pluginmanager.is_registered(suite_rules):
        config.pluginmanager.register(suite_rules, "l1forge-suite-rules")


@pytest.fixture(scope="session")
def l1forge_builds(tmp_path_factory, worker_id):
    """The session's shared cache of built projects (see the module docstring)."""
    return project_cache.ProjectCache(project_cache.shared_root(tmp_path_factory, worker_id))
