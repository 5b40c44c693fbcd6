"""Event files through the emulator (HDF5 / .npy in, HDF5 out) and `l1forge emulate`'s
refusals: one line, exit status 2, nothing half-written."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from emulate_fakes import dense_relu_graph

from l1forge.cli import main
from l1forge.emulate import from_graph
from l1forge.emulate.streaming import emulate_file
from l1forge.errors import UserError


@pytest.fixture
def emulator():
    manifest = {"preprocessing": {"kind": "standardize", "mean": [1.0, 0.0, -1.0], "scale": [2.0, 1.0, 0.5]}}
    return from_graph(dense_relu_graph(), manifest=manifest)


@pytest.fixture
def events():
    return np.random.default_rng(2).normal(0, 2, (2500, 3))


def test_npy_and_hdf5_give_the_same_scores(tmp_path, emulator, events):
    np.save(tmp_path / "ev.npy", events)
    with h5py.File(tmp_path / "ev.h5", "w") as f:
        f["features"] = events
        f["labels"] = np.zeros(len(events))
    first = emulate_file(emulator, tmp_path / "ev.npy", tmp_path / "a.h5", chunk_events=1000)
    second = emulate_file(emulator, tmp_path / "ev.h5", tmp_path / "b.h5", chunk_events=777, overflow_report=True)
    expected = emulator.predict((events - [1.0, 0.0, -1.0]) / [2.0, 1.0, 0.5])
    for name in ("a.h5", "b.h5"):
        with h5py.File(tmp_path / name) as f:
            assert np.array_equal(f["scores"][...], expected)
            assert f.attrs["preprocessing"] == "standardize"
    assert first.events == 2500 and first.overflow is None
    assert {row["site"] for row in second.overflow} >= {"inp input", "relu"}


def test_preprocessed_skips_the_manifest(tmp_path, emulator, events):
    np.save(tmp_path / "ev.npy", events)
    emulate_file(emulator, tmp_path / "ev.npy", tmp_path / "out.h5", preprocess=False)
    with h5py.File(tmp_path / "out.h5") as f:
        assert np.array_equal(f["scores"][...], emulator.predict(events))


def test_non_finite_rows_refused_with_file_row_or_zeroed(tmp_path, emulator, events):
    events[1500, 2] = np.nan
    np.save(tmp_path / "ev.npy", events)
    with pytest.raises(UserError, match="ev.npy: event 1500 holds NaN"):
        emulate_file(emulator, tmp_path / "ev.npy", tmp_path / "out.h5", chunk_events=1000)
    assert not (tmp_path / "out.h5").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "ev.npy"]  # no temporary left behind
    summary = emulate_file(emulator, tmp_path / "ev.npy", tmp_path / "out.h5", non_finite="zero")
    assert summary.non_finite_rows == 1


@pytest.mark.parametrize("content, message", [
    ("wrong width", r"expected \(events, 3\)"),
    ("no dataset", "which dataset"),
    ("not hdf5", "neither .npy nor a readable HDF5"),
    ("missing", "no such file"),
    ("empty", "at least one event"),
])
def test_bad_event_files(tmp_path, emulator, content, message):
    path = tmp_path / ("ev.npy" if content in ("wrong width", "empty") else "ev.h5")
    if content == "wrong width":
        np.save(path, np.zeros((10, 4)))
    elif content == "empty":
        np.save(path, np.zeros((0, 3)))
    elif content == "no dataset":
        with h5py.File(path, "w") as f:
            f["a"], f["b"] = np.zeros((3, 3)), np.zeros((3, 3))
    elif content == "not hdf5":
        path.write_text("pT,eta,phi\n")
    with pytest.raises(UserError, match=message):
        emulate_file(emulator, path, tmp_path / "out.h5", preprocess=False)
    assert not (tmp_path / "out.h5").exists()


def test_cli_refuses_what_is_not_a_project(tmp_path, capsys):
    np.save(tmp_path / "ev.npy", np.zeros((3, 3)))
    code = main(["emulate", str(tmp_path / "nowhere"), "--in", str(tmp_path / "ev.npy"), "--out", str(tmp_path / "o.h5")])
    assert code == 2 and "no such folder" in capsys.readouterr().err
    (tmp_path / "folder").mkdir()
    code = main(["emulate", str(tmp_path / "folder"), "--in", str(tmp_path / "ev.npy"), "--out", str(tmp_path / "o.h5")])
    err = capsys.readouterr().err
    assert code == 2 and "no hls4ml_config.yml" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.h5").exists()


def test_cli_help_mentions_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["emulate", "--help"])
    text = capsys.readouterr().out
    for option in ("--in", "--out", "--overflow-report", "--preprocessed", "--non-finite", "--json"):
        assert option in text


@pytest.mark.parametrize("shape", [(40, 2), (40, 3, 2)])
def test_a_file_of_the_wrong_shape_is_named_with_its_shape_and_the_expected_one(tmp_path, emulator, shape):
    np.save(tmp_path / "wide.npy", np.zeros(shape))
    with pytest.raises(UserError) as err:
        emulate_file(emulator, tmp_path / "wide.npy", tmp_path / "out.h5", chunk_events=16)
    assert str(err.value) == (f"{tmp_path / 'wide.npy'}: events of shape {shape}; the model's "
                              "preprocessing (standardize) expects (events, 3)")
    assert not (tmp_path / "out.h5").exists()


def _two_input_emulator():
    from emulate_fakes import FakeGraph, FakeNode, fixed, input_node

    a, b = input_node("a", [2, 2], fixed(8, 3)), input_node("b", [2, 1], fixed(8, 2))
    cat = FakeNode("cat", "Concatenate", ["a", "b"], [2, 3], fixed(10, 4), attrs={"axis": -1})
    return from_graph(FakeGraph([a, b, cat]))


def test_several_inputs_end_to_end_or_one_dataset_each(tmp_path):
    """A firmware with several inputs reads rows laid end to end (.npy, or an HDF5 dataset
    named), or one HDF5 dataset per input, named as the inputs, in any order."""
    em = _two_input_emulator()
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 3, (1000, 2, 2)), rng.normal(0, 3, (1000, 2, 1))
    expected = em.predict([a, b])
    rows = np.concatenate([a.reshape(1000, 4), b.reshape(1000, 2)], axis=1)
    np.save(tmp_path / "rows.npy", rows)
    with h5py.File(tmp_path / "each.h5", "w") as f:
        f["b"], f["a"] = b.reshape(1000, 2), a
    with h5py.File(tmp_path / "rows.h5", "w") as f:
        f["x"], f["labels"] = rows, np.zeros(1000)
    emulate_file(em, tmp_path / "rows.npy", tmp_path / "o1.h5", chunk_events=300)
    emulate_file(em, tmp_path / "each.h5", tmp_path / "o2.h5", chunk_events=256)
    emulate_file(em, tmp_path / "rows.h5", tmp_path / "o3.h5", dataset="x")
    for name in ("o1.h5", "o2.h5", "o3.h5"):
        with h5py.File(tmp_path / name) as f:
            assert np.array_equal(f["scores"][...], expected)


def test_several_inputs_refusals(tmp_path):
    em = _two_input_emulator()
    np.save(tmp_path / "narrow.npy", np.zeros((10, 4)))
    with pytest.raises(UserError, match=r"events of 4 values each; this firmware's 2 inputs take 6 "
                                        r"\(a \[2, 2\] \+ b \[2, 1\]\), laid end to end"):
        emulate_file(em, tmp_path / "narrow.npy", tmp_path / "out.h5")
    with h5py.File(tmp_path / "short.h5", "w") as f:
        f["a"], f["b"] = np.zeros((10, 4)), np.zeros((9, 2))
    with pytest.raises(UserError, match=r"different numbers of events \(a 10, b 9\)"):
        emulate_file(em, tmp_path / "short.h5", tmp_path / "out.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["p"], f["q"] = np.zeros((10, 4)), np.zeros((10, 2))
    with pytest.raises(UserError, match=r"expected --dataset NAME .* or one dataset per input, named \['a', 'b'\]"):
        emulate_file(em, tmp_path / "other.h5", tmp_path / "out.h5")
    assert not (tmp_path / "out.h5").exists()
