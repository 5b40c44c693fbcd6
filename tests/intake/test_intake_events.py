"""Verification events: a file checked against the model's input shape, or synthesized
from the firmware's input type."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from l1forge.emulate.fixed import FixedType, integer_type
from l1forge.errors import UserError
from l1forge.intake import check_events, events_from_file, synthetic_events


def test_check_events_shapes():
    x = np.arange(24.0).reshape(3, 8)
    assert check_events(x, (8,), "x").shape == (3, 8)
    assert check_events(x.reshape(3, 2, 4), (2, 4), "x").shape == (3, 2, 4)
    assert check_events(x, (2, 4), "x").shape == (3, 2, 4)  # flat events of the same size
    assert check_events(np.arange(5), (1,), "x").shape == (5, 1)
    assert check_events(x.astype(np.float32), (8,), "x").dtype == np.float64


@pytest.mark.parametrize("x,message", [
    (np.zeros((4, 7)), r"events of shape \(4, 7\); the model expects \(events, 8\)"),
    (np.zeros((0, 8)), "no events"),
    (np.array([["a"] * 8]), "expected numbers"),
])
def test_check_events_refuses(x, message):
    with pytest.raises(UserError, match=message):
        check_events(x, (8,), "data.npy")


def test_nan_event_named():
    x = np.zeros((5, 8))
    x[3, 2] = np.nan
    x[4, 0] = np.inf
    with pytest.raises(UserError, match="data.npy: event 3 holds NaN or infinity"):
        check_events(x, (8,), "data.npy")


def test_events_from_npy_and_hdf5(tmp_path):
    x = np.random.default_rng(0).normal(size=(20, 6, 6, 1))
    np.save(tmp_path / "x.npy", x)
    events = events_from_file(tmp_path / "x.npy", (6, 6, 1), limit=5)
    np.testing.assert_array_equal(events.x, x[:5])
    assert events.description["events"] == 5 and events.description["events_in_file"] == 20
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["group/features"] = x.reshape(20, 36)
        f["labels"] = np.zeros(20)
    events = events_from_file(tmp_path / "x.h5", (6, 6, 1), dataset="group/features")
    np.testing.assert_array_equal(events.x, x)
    assert events.description["dataset"] == "group/features"
    with pytest.raises(UserError, match="which dataset holds the events"):
        events_from_file(tmp_path / "x.h5", (6, 6, 1))
    with pytest.raises(UserError, match=r"x.h5\[labels\]: events of shape \(20,\)"):
        events_from_file(tmp_path / "x.h5", (6, 6, 1), dataset="labels")
    with pytest.raises(UserError, match="no dataset 'nope'"):
        events_from_file(tmp_path / "x.h5", (6, 6, 1), dataset="nope")


def test_events_file_refusals(tmp_path):
    (tmp_path / "x.txt").write_text("1 2 3")
    with pytest.raises(UserError, match="neither .npy, .npz nor a readable HDF5"):
        events_from_file(tmp_path / "x.txt", (3,))
    with pytest.raises(UserError, match="no such file"):
        events_from_file(tmp_path / "absent.npy", (3,))
    x = np.ones((4, 3))
    x[2, 1] = np.nan
    np.save(tmp_path / "nan.npy", x)
    with pytest.raises(UserError, match="nan.npy: event 2 holds NaN"):
        events_from_file(tmp_path / "nan.npy", (3,))


@pytest.mark.parametrize("ftype", [FixedType(16, 6), FixedType(8, 3, signed=False, rounding="RND", overflow="SAT"),
                                   integer_type(4), FixedType(6, 8)])
def test_synthetic_events_cover_the_input_type(ftype):
    events = synthetic_events(ftype, (3, 4), 200, seed=7)
    x, blocks = events.x, {b["name"]: b for b in events.description["blocks"]}
    assert x.shape == (200, 3, 4) and x.dtype == np.float64
    assert [b["rows"] for b in events.description["blocks"]] == [[0, 140], [140, 160], [160, 180], [180, 200]]
    codes = {name: x[slice(*b["rows"])].ravel() / ftype.lsb for name, b in blocks.items()}
    assert np.all(codes["grid"] == np.round(codes["grid"]))
    assert codes["grid"].min() >= ftype.code_min and codes["grid"].max() <= ftype.code_max
    assert np.all(codes["half_lsb_ties"] - np.floor(codes["half_lsb_ties"]) == 0.5)
    edges = codes["edges"].reshape(20, 12)
    for row, code in enumerate([ftype.code_max, ftype.code_min, ftype.code_max + 1, ftype.code_min - 1]):
        assert np.all(edges[row] == code)
    assert {ftype.code_max + 0.5, ftype.code_min - 0.5, 0.0} <= set(edges[4:].ravel())
    normal = x[:140].ravel()
    assert abs(normal.mean() - blocks["normal"]["mean"]) < 0.1 * (ftype.code_max - ftype.code_min) * ftype.lsb
    assert events.description["input_type"] == str(ftype) and events.description["seed"] == 7


def test_synthetic_events_are_seeded():
    a = synthetic_events(FixedType(10, 4), (5,), 50, seed=1).x
    np.testing.assert_array_equal(a, synthetic_events(FixedType(10, 4), (5,), 50, seed=1).x)
    assert not np.array_equal(a, synthetic_events(FixedType(10, 4), (5,), 50, seed=2).x)
    assert synthetic_events(FixedType(10, 4), (5,), 3).x.shape == (3, 5)
    with pytest.raises(UserError, match="expected at least 1"):
        synthetic_events(FixedType(10, 4), (5,), 0)


def _two_ports():
    from l1forge.intake.ports import Port

    return [Port("cluster", (4, 3, 1)), Port("y0", (2,))]


def test_one_array_per_input(tmp_path):
    """A model with several inputs reads one array per input, named as the inputs, laid end
    to end in the ports' order whatever the file's order; an HDF5 dataset or a .npz entry."""
    rng = np.random.default_rng(1)
    cluster, y0 = rng.normal(size=(30, 4, 3, 1)), rng.normal(size=(30, 2))
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f["y0"], f["cluster"], f["labels"] = y0, cluster.reshape(30, 12), np.zeros(30)
    np.savez(tmp_path / "x.npz", y0=y0, cluster=cluster)
    expected = np.concatenate([cluster.reshape(30, 12), y0], axis=1)
    for name in ("x.h5", "x.npz"):
        events = events_from_file(tmp_path / name, (14,), limit=10, ports=_two_ports())
        np.testing.assert_array_equal(events.x, expected[:10])
        assert events.description["datasets"] == ["cluster", "y0"]
        assert events.description["events"] == 10 and events.description["events_in_file"] == 30
    # a dataset asked for by name is the end-to-end array, as for one input
    with h5py.File(tmp_path / "joined.h5", "w") as f:
        f["x"], f["other"] = expected, np.zeros(30)
    events = events_from_file(tmp_path / "joined.h5", (14,), dataset="x", ports=_two_ports())
    np.testing.assert_array_equal(events.x, expected)


def test_one_array_per_input_refusals(tmp_path):
    rng = np.random.default_rng(2)
    np.savez(tmp_path / "short.npz", cluster=rng.normal(size=(30, 12)), y0=rng.normal(size=(29, 2)))
    with pytest.raises(UserError, match=r"different numbers of events \(cluster 30, y0 29\)"):
        events_from_file(tmp_path / "short.npz", (14,), ports=_two_ports())
    np.savez(tmp_path / "wide.npz", cluster=rng.normal(size=(30, 12)), y0=rng.normal(size=(30, 3)))
    with pytest.raises(UserError, match=r"wide.npz\[y0\]: events of shape \(30, 3\); the model expects \(events, 2\)"):
        events_from_file(tmp_path / "wide.npz", (14,), ports=_two_ports())
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["a"], f["b"] = np.zeros((5, 12)), np.zeros((5, 2))
    with pytest.raises(UserError, match=r"expected a dataset name \(--dataset NAME\) or one dataset per input, "
                                        r"named \['cluster', 'y0'\]"):
        events_from_file(tmp_path / "other.h5", (14,), ports=_two_ports())
    with pytest.raises(UserError, match="no array 'c'"):
        events_from_file(tmp_path / "wide.npz", (14,), dataset="c", ports=_two_ports())
    (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(UserError, match="not a readable .npz archive"):
        events_from_file(tmp_path / "bad.npz", (14,), ports=_two_ports())
