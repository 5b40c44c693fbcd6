"""Generation end to end on a few events: seeded, reproducible, provenance inside, on a local
Dask cluster and on an external scheduler.

Needs the optional `generate` extra (pythia8mc, fastjet); skipped without it (the Dask
engine itself is tested with a cheap target in test_dask_engine.py).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from l1forge.cli import main
from l1forge.data import CONSTITUENT_FEATURES, load_jets, load_l1_objects

pytest.importorskip("pythia8mc")
pytest.importorskip("fastjet")


def test_l1_generation_is_reproducible(tmp_path, capsys):
    outs = [tmp_path / "a.h5", tmp_path / "b.h5"]
    for out in outs:
        assert main(["data", "generate", "l1-objects", "--process", "ato4l", "--events", "6",
                     "--seed", "4", "--out", str(out), "--workers", "2", "--no-progress",
                     "--json"]) == 0
    provenance = json.loads(capsys.readouterr().out.split("\n}\n")[0] + "\n}")
    assert provenance["counts"] == {"ato4l": 6} and provenance["seed"] == 4
    assert provenance["tasks"] == 2 and len(provenance["task_seeds"]) == 2
    assert provenance["engine"] == {"scheduler": "LocalCluster", "workers": 2}
    assert "36:m0 = 50." in provenance["settings"]["ato4l"]
    a, b = (load_l1_objects(out, process="ato4l") for out in outs)
    np.testing.assert_array_equal(a.particles, b.particles)
    leptons = a.particles[:, 1:9, 0]
    assert (leptons > 23.0).any(axis=1).all()  # the lepton filter holds for every event
    assert a.provenance["versions"]["pythia8mc"]


def test_jet_generation_small(tmp_path, capsys):
    out = tmp_path / "jets.h5"
    assert main(["data", "generate", "jets", "--events", "5", "--seed", "2", "--out", str(out),
                 "--constituents", "12", "--workers", "1", "--no-progress"]) == 0
    assert "g 1, q 1, w 1, z 1, t 1" in capsys.readouterr().out
    sample = load_jets(out)
    assert sorted(sample.labels) == [0, 1, 2, 3, 4]
    assert sample.provenance["settings"]["w"][0].startswith("WeakBosonAndParton")
    assert sample.constituents.shape == (5, 12, len(CONSTITUENT_FEATURES))
    assert sample.constituent_names == CONSTITUENT_FEATURES
    pt_rel = sample.constituents[:, :, 0]
    assert (np.diff(pt_rel, axis=1) <= 0).all() and (pt_rel[:, 0] > 0).all()
    # the multiplicity HLF feature counts the constituents the table was cut from; a
    # stored particle has one PF class flag set, padding none
    real = sample.constituents[:, :, 6:].sum(axis=2) == 1
    assert (real.sum(axis=1) == np.minimum(sample.features[:, -1], 12)).all()


def test_external_scheduler_gives_the_same_file_as_a_local_cluster(tmp_path,
                                                                   external_scheduler):
    local, remote = tmp_path / "local.h5", tmp_path / "remote.h5"
    common = ["data", "generate", "jets", "--events", "5", "--seed", "9", "--no-progress"]
    assert main(common + ["--out", str(local), "--workers", "2"]) == 0
    assert main(common + ["--out", str(remote), "--scheduler", external_scheduler,
                          "--tasks", "2"]) == 0
    a, b = load_jets(local), load_jets(remote)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.constituents, b.constituents)
    assert a.provenance["task_seeds"] == b.provenance["task_seeds"]
    assert b.provenance["engine"] == {"scheduler": external_scheduler, "workers": 1}
