"""Every public jets form is read with the same features and labels."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sample_writers import write_arff, write_csv, write_numpy_split, write_parquet

from l1forge.cli import main
from l1forge.data import JET_CLASSES, JET_FEATURES, load_jets
from l1forge.data.hdf5_store import write_jets


def _expected_labels(names):
    return np.array([JET_CLASSES.index(n) for n in names])


@pytest.mark.parametrize("writer,name", [(write_arff, "jets.arff"), (write_csv, "jets.csv"),
                                         (write_parquet, "jets.parquet")])
def test_tables_read_by_column_name(tmp_path, jets_table, writer, name):
    features, names = jets_table
    # Columns shuffled: the reader must go by name, not by position.
    order = np.random.default_rng(1).permutation(len(JET_FEATURES))
    columns = tuple(JET_FEATURES[i] for i in order)
    path = writer(tmp_path / name, features[:, order], names, columns)
    sample = load_jets(path)
    assert sample.features.dtype == np.float32 and sample.features.shape == (12, 16)
    np.testing.assert_allclose(sample.features, features, rtol=1e-5)
    np.testing.assert_array_equal(sample.labels, _expected_labels(names))
    assert sample.feature_names == JET_FEATURES and sample.path == str(path)


def test_numpy_split_folder_and_file(tmp_path, jets_table):
    features, names = jets_table
    folder = write_numpy_split(tmp_path / "split", features, names)
    for target in (folder, folder / "X_test.npy"):
        sample = load_jets(target)
        np.testing.assert_allclose(sample.features, features, rtol=1e-6)
        np.testing.assert_array_equal(sample.labels, _expected_labels(names))
        assert sample.provenance["train_val"] == 8 and sample.provenance["test"] == 4


def test_numpy_split_object_classes(tmp_path, jets_table):
    # The tutorial saves LabelEncoder.classes_ (an object array) with allow_pickle=True.
    features, names = jets_table
    folder = write_numpy_split(tmp_path / "split", features, names)
    np.save(folder / "classes.npy", np.array(sorted(JET_CLASSES), dtype=object),
            allow_pickle=True)
    np.testing.assert_array_equal(load_jets(folder).labels, _expected_labels(names))


def test_numpy_split_integer_labels(tmp_path, jets_table):
    features, names = jets_table
    folder = write_numpy_split(tmp_path / "split", features, names)
    classes = np.array(sorted(JET_CLASSES))
    as_index = np.array([list(classes).index(n) for n in names])
    np.save(folder / "y_train_val.npy", as_index[:-4])
    np.save(folder / "y_test.npy", as_index[-4:])
    np.testing.assert_array_equal(load_jets(folder).labels, _expected_labels(names))


def test_l1forge_hdf5_round_trip(tmp_path, jets_table):
    features, names = jets_table
    path = tmp_path / "jets.h5"
    write_jets(path, features, _expected_labels(names), {"seed": 3})
    sample = load_jets(path)
    np.testing.assert_allclose(sample.features, features.astype(np.float32))
    assert sample.provenance == {"seed": 3}


def test_info_text_and_json(tmp_path, jets_table, capsys):
    features, names = jets_table
    path = write_csv(tmp_path / "jets.csv", features, names)
    assert main(["data", "info", str(path)]) == 0
    text = capsys.readouterr().out
    assert "format:   jets-hlf" in text and "events:   12" in text
    assert "g 3 (25.0%)" in text and "zlogz" in text
    assert main(["data", "info", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "jets-hlf" and report["events"] == 12
    assert report["counts"] == {"g": 3, "q": 3, "w": 2, "z": 2, "t": 2}
    assert report["feature_names"] == list(JET_FEATURES) and report["path"] == str(path)


def test_arff_with_quoted_names_as_openml_writes_them(tmp_path):
    lines = ["@relation 'hls4ml_lhc_jets_hlf'"]
    lines += [f"@attribute '{c}' numeric" for c in JET_FEATURES]
    lines += ["@attribute 'class' {'g','q','t','w','z'}", "@data"]
    lines += [",".join(["0.5"] * 16) + ",'t'", ",".join(["1.5"] * 16) + ",'g'"]
    path = tmp_path / "openml.arff"
    path.write_text("\n".join(lines) + "\n")
    sample = load_jets(path)
    assert list(sample.labels) == [JET_CLASSES.index("t"), JET_CLASSES.index("g")]
    assert list(sample.features[:, 0]) == [0.5, 1.5]
