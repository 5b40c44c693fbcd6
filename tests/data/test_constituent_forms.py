"""Jet constituents: the hls4ml particle-level release and l1forge's own files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sample_writers import (JET_COLUMNS, PARTICLE_NAMES, particle_level_jets,
                            write_particle_level)

from l1forge.cli import main
from l1forge.data import CONSTITUENT_FEATURES, JET_CLASSES, JET_FEATURES, load_jets
from l1forge.data.hdf5_store import write_jets
from l1forge.errors import UserError

PUBLIC = ("pt_rel", "e_rel", "delta_eta", "delta_phi", "delta_r")


def _column(name):
    return PARTICLE_NAMES.index(name)


def test_public_file_maps_columns_by_name(tmp_path):
    table, jets = particle_level_jets(n_jets=10, n_particles=30)
    # Columns in another order than the release's: they are found by name.
    perm = np.random.default_rng(0).permutation(len(PARTICLE_NAMES))
    names = tuple(PARTICLE_NAMES[i] for i in perm)
    path = write_particle_level(tmp_path / "jets_30p.h5", table[:, :, perm], jets, names)
    sample = load_jets(path)
    assert sample.constituent_names == PUBLIC and sample.constituents.shape == (10, 30, 5)
    for feature, source in zip(PUBLIC, ("j1_ptrel", "j1_erel", "j1_etarel", "j1_phirel",
                                        "j1_deltaR")):
        np.testing.assert_array_equal(sample.constituents[:, :, PUBLIC.index(feature)],
                                      table[:, :, _column(source)])
    np.testing.assert_array_equal(sample.labels, np.arange(10) % 5)
    hlf = [JET_COLUMNS.index(f"j_{n}") for n in JET_FEATURES]
    np.testing.assert_array_equal(sample.features, jets[:, hlf])


def test_public_constituents_are_pt_ordered_and_phi_wrapped(tmp_path):
    table, jets = particle_level_jets(n_jets=4, n_particles=30)
    table[1, 0, _column("j1_phirel")] = 3.5  # across the -pi/pi boundary
    shuffled = table[:, ::-1].copy()  # padding first, softest next
    sample = load_jets(write_particle_level(tmp_path / "j.h5", shuffled, jets))
    np.testing.assert_array_equal(sample.constituents[:, :, 0], table[:, :, _column("j1_ptrel")])
    phi = sample.constituents[:, :, PUBLIC.index("delta_phi")]
    np.testing.assert_allclose(phi[1, 0], 3.5 - 2 * np.pi, rtol=1e-6)
    np.testing.assert_array_equal(phi[0], table[0, :, _column("j1_phirel")])


def test_public_file_with_pdg_ids_gets_charge_and_pf_class(tmp_path):
    table, jets = particle_level_jets(n_jets=2, n_particles=6)
    table[:, 4:] = 0.0  # 4 particles each, 2 padding rows
    ids = np.array([[211, -11, 22, 2112, 0, 0], [-321, 13, 130, 211, 0, 0]], np.float32)
    pt = np.array([[50.0, 30.0, 20.0, 5.0, 0, 0], [40.0, 25.0, 10.0, 1.0, 0, 0]], np.float32)
    table[:, :, _column("j1_pt")] = pt
    table[:, :, _column("j1_eta")] = 0.3
    table[:, :, _column("j1_ptrel")] = pt / 200.0  # pT-ordered as the ids above
    with_ids = np.concatenate([table, ids[:, :, None]], axis=2)
    path = write_particle_level(tmp_path / "j.h5", with_ids, jets,
                                particle_names=PARTICLE_NAMES + ("j1_pdgid",))
    sample = load_jets(path)
    assert sample.constituent_names == CONSTITUENT_FEATURES
    charge = sample.constituents[:, :, CONSTITUENT_FEATURES.index("charge")]
    np.testing.assert_array_equal(charge, [[1, 1, 0, 0, 0, 0], [-1, -1, 0, 0, 0, 0]])
    flags = sample.constituents[:, :, 6:]
    classes = [[CONSTITUENT_FEATURES[6 + i] if row.any() else "-" for i, row in
                zip(flags[j].argmax(axis=1), flags[j])] for j in range(2)]
    # the 1 GeV pi+ is below the L1 track threshold: a neutral hadron
    assert classes == [["is_charged_hadron", "is_electron", "is_photon", "is_neutral_hadron",
                        "-", "-"],
                       ["is_charged_hadron", "is_muon", "is_neutral_hadron",
                        "is_neutral_hadron", "-", "-"]]


def test_public_folder_and_info_counts(tmp_path, capsys):
    for i in range(3):
        table, jets = particle_level_jets(n_jets=5, n_particles=50, seed=i)
        write_particle_level(tmp_path / f"jetImage_{i}_50p.h5", table, jets)
    sample = load_jets(tmp_path)
    assert len(sample) == 15 and sample.constituents.shape == (15, 50, 5)
    assert main(["data", "info", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "jets-constituents" and report["events"] == 15
    assert report["counts"] == {"g": 3, "q": 3, "w": 3, "z": 3, "t": 3}
    assert report["constituents"] == {"count": 50, "feature_names": list(PUBLIC)}
    assert main(["data", "info", str(tmp_path / "jetImage_0_50p.h5")]) == 0
    text = capsys.readouterr().out
    assert "format:   jets-constituents" in text and "g 1 (20.0%)" in text


def test_public_file_without_hlf_columns(tmp_path, capsys):
    table, jets = particle_level_jets(n_jets=5)
    keep = [i for i, n in enumerate(JET_COLUMNS) if n != "j_mass_mmdt"]
    path = write_particle_level(tmp_path / "j.h5", table, jets[:, keep],
                                jet_names=tuple(JET_COLUMNS[i] for i in keep))
    sample = load_jets(path)
    assert sample.features is None and sample.constituents.shape == (5, 30, 5)
    assert main(["data", "info", str(path)]) == 0
    assert "features: none (no HLF)" in capsys.readouterr().out


def test_constituent_inputs_selects_by_name_and_pads(tmp_path):
    table, jets = particle_level_jets(n_jets=6, n_particles=30)
    sample = load_jets(write_particle_level(tmp_path / "j.h5", table, jets))
    x = sample.constituent_inputs(("delta_phi", "pt_rel"), count=32)
    assert x.shape == (6, 32, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(x[:, :30, 1], table[:, :, _column("j1_ptrel")])
    np.testing.assert_array_equal(x[:, :30, 0], table[:, :, _column("j1_phirel")])
    assert not x[:, 30:].any()
    assert sample.constituent_inputs(count=8).shape == (6, 8, 5)
    with pytest.raises(UserError, match="charge not in the file"):
        sample.constituent_inputs(("pt_rel", "charge"))


def test_l1forge_file_round_trip_with_constituents(tmp_path, capsys):
    rng = np.random.default_rng(2)
    features = rng.uniform(0.1, 2.0, (7, 16)).astype(np.float32)
    labels = np.arange(7) % 5
    constituents = rng.uniform(-1, 1, (7, 32, len(CONSTITUENT_FEATURES))).astype(np.float32)
    path = tmp_path / "jets.h5"
    write_jets(path, features, labels, {"seed": 1}, constituents)
    sample = load_jets(path)
    np.testing.assert_array_equal(sample.features, features)
    assert sample.constituent_names == CONSTITUENT_FEATURES
    # stored in half precision: 11 significant bits
    np.testing.assert_allclose(sample.constituents, constituents, rtol=2**-11, atol=2**-25)
    assert sample.constituents.dtype == np.float32
    assert main(["data", "info", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "jets-hlf" and report["constituents"]["count"] == 32


def test_hlf_only_file_has_no_constituents(tmp_path):
    path = tmp_path / "hlf.h5"
    write_jets(path, np.ones((5, 16), np.float32), np.arange(5), {})
    sample = load_jets(path)
    assert sample.constituents is None and sample.constituent_names is None
    with pytest.raises(UserError, match="holds no jet constituents"):
        sample.constituent_inputs()
    assert [JET_CLASSES[i] for i in sample.labels] == list(JET_CLASSES)
