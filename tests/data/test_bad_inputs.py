"""Broken inputs are refused with one line naming the file, and exit status 2."""

from __future__ import annotations

import numpy as np
import pytest
from sample_writers import (JET_COLUMNS, PARTICLE_NAMES, l1_events, particle_level_jets,
                            write_arff, write_csv, write_numpy_split, write_particle_level,
                            write_particles)

from l1forge.cli import main
from l1forge.data import JET_FEATURES, load_jets, load_l1_objects
from l1forge.data.jet_constituent_reader import read_constituent_jets
from l1forge.errors import UserError


def _refused(capsys, argv, *fragments):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
    return err


def test_wrong_format_suffix(tmp_path, capsys):
    path = tmp_path / "jets.txt"
    path.write_text("hello\n")
    _refused(capsys, ["data", "info", str(path)], str(path), "unknown format")


def test_missing_column(tmp_path, jets_table, capsys):
    features, names = jets_table
    columns = tuple(c for c in JET_FEATURES if c != "d2_b1_mmdt")
    path = write_csv(tmp_path / "jets.csv", features[:, :15], names, columns)
    _refused(capsys, ["data", "info", str(path)], str(path), "missing column(s) d2_b1_mmdt")


def test_misnamed_column_arff(tmp_path, jets_table, capsys):
    features, names = jets_table
    columns = ("mass",) + JET_FEATURES[1:]
    path = write_arff(tmp_path / "jets.arff", features, names, columns)
    _refused(capsys, ["data", "info", str(path)], str(path), "missing column(s) zlogz")


def test_nan_names_row(tmp_path, jets_table, capsys):
    features, names = jets_table
    features = features.copy()
    features[7, 3] = np.nan
    path = write_csv(tmp_path / "jets.csv", features, names)
    _refused(capsys, ["data", "info", str(path)], str(path), "NaN or inf", "row 7")


def test_inf_in_numpy_split(tmp_path, jets_table, capsys):
    features, names = jets_table
    features = features.copy()
    features[2, 0] = np.inf
    folder = write_numpy_split(tmp_path / "split", features, names)
    _refused(capsys, ["data", "info", str(folder)], "X_train_val.npy", "row 2")


def test_unknown_label(tmp_path, jets_table, capsys):
    features, names = jets_table
    names = names.copy()
    names[4] = "h"
    path = write_csv(tmp_path / "jets.csv", features, names)
    _refused(capsys, ["data", "info", str(path)], str(path), "unknown label 'h'", "row 4")


def test_empty_table(tmp_path, capsys):
    path = tmp_path / "jets.csv"
    path.write_text(",".join(JET_FEATURES) + ",class\n")
    _refused(capsys, ["data", "info", str(path)], str(path), "no rows")


def test_numpy_split_wrong_shape_and_missing_file(tmp_path, jets_table, capsys):
    features, names = jets_table
    folder = write_numpy_split(tmp_path / "split", features, names)
    np.save(folder / "X_test.npy", features[-4:, :15])
    _refused(capsys, ["data", "info", str(folder)], "X_test.npy", "expected (N, 16)")
    (folder / "classes.npy").unlink()
    _refused(capsys, ["data", "info", str(folder)], "missing classes.npy")


def test_unreadable_hdf5(tmp_path, capsys):
    path = tmp_path / "events.h5"
    path.write_bytes(b"this is not HDF5 at all" * 10)
    _refused(capsys, ["data", "info", str(path)], str(path), "not a readable HDF5 file")


def test_particles_wrong_shape(tmp_path, capsys):
    path = write_particles(tmp_path / "bad.h5", np.zeros((4, 19, 3), np.float32))
    _refused(capsys, ["data", "info", str(path)], str(path), "(4, 19, 3)", "(N, 19, 4)")


def test_particles_empty(tmp_path, capsys):
    path = write_particles(tmp_path / "empty.h5", np.zeros((0, 19, 4), np.float32))
    _refused(capsys, ["data", "info", str(path)], str(path), "no events")


def test_particles_nan_and_unknown_class(tmp_path, capsys):
    events = l1_events(6)
    events[3, 9, 0] = np.nan
    path = write_particles(tmp_path / "nan.h5", events)
    _refused(capsys, ["data", "info", str(path)], str(path), "NaN or inf", "row 3")
    events = l1_events(6)
    events[2, 5, 3] = 7
    path = write_particles(tmp_path / "class.h5", events)
    _refused(capsys, ["data", "info", str(path)], "unknown class id 7", "event 2")


def test_wrong_kind_of_file_for_each_loader(tmp_path, jets_table):
    path = write_particles(tmp_path / "l1.h5", l1_events(3))
    with pytest.raises(UserError, match="an L1-objects file"):
        load_jets(path)
    with pytest.raises(UserError, match="expected one of background"):
        load_l1_objects(path, process="higgs")
    with pytest.raises(UserError, match="no such file"):
        load_l1_objects(tmp_path / "missing.h5")


def test_hdf5_without_known_datasets(tmp_path, capsys):
    path = write_particles(tmp_path / "other.h5", np.zeros((2, 19, 4), np.float32))
    import h5py

    with h5py.File(path, "a") as f:
        del f["Particles"]
        f.create_dataset("Jets", data=np.zeros(3))
    _refused(capsys, ["data", "info", str(path)], "none of 'Particles', 'features'")


def test_generate_refuses_bad_requests_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out.h5"
    _refused(capsys, ["data", "generate", "jets", "--events", "0", "--seed", "1", "--out",
                      str(out)], "--events")
    _refused(capsys, ["data", "generate", "l1-objects", "--process", "ato4l", "--events", "5",
                      "--seed", "-3", "--out", str(out)], "--seed")
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_particle_level_wrong_shapes(tmp_path, capsys):
    table, jets = particle_level_jets(n_jets=6)
    path = write_particle_level(tmp_path / "a.h5", table[:, :, :15], jets)
    _refused(capsys, ["data", "info", str(path)], str(path), "(6, 30, 15)", "(jets, particles, 16)")
    path = write_particle_level(tmp_path / "b.h5", table, jets[:5])
    _refused(capsys, ["data", "info", str(path)], str(path), "'jets' has shape (5, 59)",
             "expected (6, 59)")
    path = write_particle_level(tmp_path / "c.h5", table[:0], jets[:0])
    _refused(capsys, ["data", "info", str(path)], str(path), "at least one jet")


def test_particle_level_missing_names_and_datasets(tmp_path, capsys):
    table, jets = particle_level_jets(n_jets=6)
    names = tuple("j1_ptrelative" if n == "j1_ptrel" else n for n in PARTICLE_NAMES)
    path = write_particle_level(tmp_path / "a.h5", table, jets, particle_names=names)
    _refused(capsys, ["data", "info", str(path)], str(path), "'particleFeatureNames' lacks "
             "j1_ptrel")
    jet_names = tuple("j_top" if n == "j_t" else n for n in JET_COLUMNS)
    path = write_particle_level(tmp_path / "b.h5", table, jets, jet_names=jet_names)
    _refused(capsys, ["data", "info", str(path)], "'jetFeatureNames' lacks j_t")
    path = write_particle_level(tmp_path / "c.h5", table, jets, skip=("jetFeatureNames",))
    _refused(capsys, ["data", "info", str(path)], str(path), "no dataset(s) jetFeatureNames")


def test_particle_level_nan_and_bad_labels(tmp_path, capsys):
    table, jets = particle_level_jets(n_jets=6)
    table[4, 2, PARTICLE_NAMES.index("j1_etarel")] = np.nan
    path = write_particle_level(tmp_path / "a.h5", table, jets)
    _refused(capsys, ["data", "info", str(path)], str(path), "NaN or inf", "row 4")
    table, jets = particle_level_jets(n_jets=6)
    jets[3, JET_COLUMNS.index("j_g")] = 1.0  # jet 3 is a z: now two labels
    path = write_particle_level(tmp_path / "b.h5", table, jets)
    _refused(capsys, ["data", "info", str(path)], "jet 3 has labels", "exactly one 1")


def test_particle_level_folder_mismatch(tmp_path, capsys):
    for i, n in enumerate((30, 50)):
        table, jets = particle_level_jets(n_jets=4, n_particles=n, seed=i)
        write_particle_level(tmp_path / f"part{i}.h5", table, jets)
    _refused(capsys, ["data", "info", str(tmp_path)], "part1.h5", "50 particles per jet",
             "expected 30")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match="no .h5 files in the folder"):
        read_constituent_jets(empty)


def test_l1forge_jets_file_with_broken_constituents(tmp_path, capsys):
    import h5py

    from l1forge.data.hdf5_store import write_jets

    path = tmp_path / "jets.h5"
    constituents = np.zeros((5, 8, 11), np.float32)
    constituents[3, 2, 1] = np.inf
    write_jets(path, np.ones((5, 16), np.float32), np.arange(5), {}, constituents)
    _refused(capsys, ["data", "info", str(path)], str(path), "NaN or inf in constituents",
             "row 3")
    with h5py.File(path, "a") as f:
        del f["constituents"]
        f.create_dataset("constituents", data=np.zeros((4, 8, 11), np.float16))
    _refused(capsys, ["data", "info", str(path)], "'constituents' has shape (4, 8, 11)",
             "expected (5, C, F)")
