"""Generation end to end on a few events: seeded, reproducible, provenance inside.

Needs the optional `generate` extra (pythia8mc, fastjet); skipped without it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from l1forge.cli import main
from l1forge.data import load_jets, load_l1_objects
from l1forge.data.parallel import split_quota, worker_seeds

pytest.importorskip("pythia8mc")
pytest.importorskip("fastjet")


def test_worker_seeds_and_quotas():
    seeds = worker_seeds(7, 2)
    assert seeds == worker_seeds(7, 2) and len(set(seeds)) == 2
    assert worker_seeds(8, 2) != seeds and all(1 <= s <= 900_000_000 for s in seeds)
    assert split_quota(11, 2) == [6, 5] and sum(split_quota(7, 5)) == 7


def test_l1_generation_is_reproducible(tmp_path, capsys):
    outs = [tmp_path / "a.h5", tmp_path / "b.h5"]
    for out in outs:
        assert main(["data", "generate", "l1-objects", "--process", "ato4l", "--events", "6",
                     "--seed", "4", "--out", str(out), "--no-progress", "--json"]) == 0
    provenance = json.loads(capsys.readouterr().out.split("\n}\n")[0] + "\n}")
    assert provenance["counts"] == {"ato4l": 6} and provenance["seed"] == 4
    assert "36:m0 = 50." in provenance["settings"]["ato4l"]
    a, b = (load_l1_objects(out, process="ato4l") for out in outs)
    np.testing.assert_array_equal(a.particles, b.particles)
    leptons = a.particles[:, 1:9, 0]
    assert (leptons > 23.0).any(axis=1).all()  # the lepton filter holds for every event
    assert a.provenance["versions"]["pythia8mc"]


def test_jet_generation_small(tmp_path, capsys):
    out = tmp_path / "jets.h5"
    assert main(["data", "generate", "jets", "--events", "5", "--seed", "2", "--out", str(out),
                 "--no-progress"]) == 0
    assert "g 1, q 1, w 1, z 1, t 1" in capsys.readouterr().out
    sample = load_jets(out)
    assert sorted(sample.labels) == [0, 1, 2, 3, 4]
    assert sample.provenance["settings"]["w"][0].startswith("WeakBosonAndParton")
