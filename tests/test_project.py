"""The Project model of a project folder: one manifest reader, strict or not."""

import json

import numpy as np
import pytest

from l1forge.errors import UserError
from l1forge.project import Project


def test_strict_and_lenient_manifests(tmp_path):
    project = Project(tmp_path)
    assert project.manifest(strict=False) == {}
    with pytest.raises(UserError, match="no l1forge.json; expected a project built by `l1forge build`"):
        project.manifest()
    project.manifest_path.write_text(json.dumps({"target": {}}))
    assert project.manifest(strict=False) == {"target": {}}
    with pytest.raises(UserError, match="not an l1forge manifest"):
        project.manifest()
    project.manifest_path.write_text("{broken")
    for strict in (True, False):
        with pytest.raises(UserError, match="not valid JSON"):
            project.manifest(strict=strict)


def test_paths_and_the_stored_test_split(tmp_path):
    project = Project(str(tmp_path))
    assert project.test_split_path == tmp_path / "trained" / "test_split.npz"
    assert project.scores_path == tmp_path / "trigger" / "scores.npz"
    with pytest.raises(UserError, match="no trained/test_split.npz; rebuild with `l1forge build`"):
        project.test_split()
    project.trained_dir.mkdir()
    np.savez(project.test_split_path, x_test=np.ones((3, 2)), y_test=np.arange(3))
    x, y = project.test_split()
    assert x.shape == (3, 2) and list(y) == [0, 1, 2]
    assert not project.has_config() and project.compiled_libraries() == []
