"""The Deep Sets family: its card checks, and constituents as inputs."""

import json

import h5py
import numpy as np
import pytest
import yaml

from l1forge.tasks import load_card
from l1forge.data import CONSTITUENT_FEATURES, JET_CLASSES, JET_FEATURES
from l1forge.errors import UserError
from l1forge.tasks import task_for
from l1forge.tasks.deep_sets import DEFAULT_FEATURES, DeepSets

PHI_RHO = [{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "global_avgpool1d"},
           {"type": "dense", "units": 5}, {"type": "softmax"}]


def _card(tmp_path, layers=PHI_RHO, shape=(8, 3), **data):
    raw = {"name": "ds", "task": "jet_deepsets",
           "data": {"constituents": 8, "constituent_features": ["pt_rel", "delta_eta", "delta_phi"], **data},
           "model": {"input_shape": list(shape), "layers": layers}}
    path = tmp_path / "ds.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_card(path)


def test_the_committed_card_is_a_deep_sets_tagger():
    card = load_card("l1models/jet_deepsets.yaml")
    assert isinstance(task_for(card), DeepSets)
    assert tuple(card.family.data.constituent_features) == DEFAULT_FEATURES
    assert set(DEFAULT_FEATURES) <= set(CONSTITUENT_FEATURES)


@pytest.mark.parametrize("layers, shape, message", [
    (PHI_RHO, (8, 4), r"model.input_shape': expected \[data.constituents, number of constituent "
                      r"and jet features\] = \[8, 3\], got \[8, 4\]"),
    ([{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "dense", "units": 5}], (8, 3),
     "exactly one set pooling layer"),
    ([{"type": "dense", "units": 4}, {"type": "global_avgpool1d"}, {"type": "dense", "units": 5}], (8, 3),
     "a pooling that follows a quantized activation"),
    ([{"type": "flatten"}, {"type": "reshape", "shape": [8, 3]}, {"type": "dense", "units": 4},
      {"type": "relu"}, {"type": "global_maxpool1d"}, {"type": "dense", "units": 5}], (8, 3),
     "depend on the constituents' order"),
])
def test_cards_that_would_not_be_a_set_function_are_refused(tmp_path, layers, shape, message):
    with pytest.raises(UserError, match=message):
        _card(tmp_path, layers, shape)


def test_prepare_takes_the_named_features_of_the_hardest_constituents(tmp_path):
    rng = np.random.default_rng(0)
    n = 200
    table = rng.uniform(0, 1, (n, 10, len(CONSTITUENT_FEATURES))).astype(np.float16)
    path = tmp_path / "jets.h5"
    with h5py.File(path, "w") as f:
        f["features"] = rng.normal(size=(n, len(JET_FEATURES))).astype(np.float32)
        f["labels"] = np.arange(n) % len(JET_CLASSES)
        f["constituents"] = table
        f.attrs["constituent_names"] = json.dumps(list(CONSTITUENT_FEATURES))
        f.attrs["format"] = "l1forge-jets"
    card = _card(tmp_path, path=str(path))
    split = task_for(card).prepare(card)
    spec = split.preprocessing
    assert split.x_train.shape[1:] == (8, 3) and spec["kind"] == "standardize" and spec["per_element"]
    columns = [CONSTITUENT_FEATURES.index(f) for f in ("pt_rel", "delta_eta", "delta_phi")]
    raw = table[:, :8][:, :, columns].astype(np.float64)
    standardized = (raw - np.asarray(spec["mean"])) / np.asarray(spec["scale"])
    all_x = np.concatenate([split.x_train, split.x_val, split.x_test])
    assert len(all_x) == n
    expected = np.sort(standardized.astype(np.float32).reshape(n, -1), axis=0)
    assert np.allclose(np.sort(all_x.reshape(n, -1), axis=0), expected, atol=1e-6)
    # the training jets' particles have mean 0 and spread 1 in every feature
    flat = split.x_train.reshape(-1, 3).astype(np.float64)
    assert np.allclose(flat.mean(0), 0, atol=1e-5) and np.allclose(flat.std(0), 1, atol=1e-4)


def _jets_file(tmp_path, table):
    n = len(table)
    path = tmp_path / "jets.h5"
    with h5py.File(path, "w") as f:
        f["features"] = np.zeros((n, len(JET_FEATURES)), np.float32)
        f["labels"] = np.arange(n) % len(JET_CLASSES)
        f["constituents"] = table
        f.attrs["constituent_names"] = json.dumps(list(CONSTITUENT_FEATURES))
        f.attrs["format"] = "l1forge-jets"
    return path


def test_log_features_enter_as_their_logarithm_and_the_manifest_spec_reproduces_them(tmp_path):
    from l1forge import preprocessing

    rng = np.random.default_rng(1)
    table = rng.uniform(-1, 1, (200, 10, len(CONSTITUENT_FEATURES))).astype(np.float16)
    table[..., 0] = rng.uniform(0, 1, (200, 10)) ** 4   # pt_rel: four decades, some below the floor
    table[:, 8:] = 0                                     # two padded particles per jet
    path = _jets_file(tmp_path, table)
    card = _card(tmp_path, path=str(path), log_features=["pt_rel"])
    split = task_for(card).prepare(card)
    spec = split.preprocessing
    assert spec["log_columns"] == [0] and spec["log_floor"] == preprocessing.LOG_FLOOR
    raw = table[:, :8][:, :, [CONSTITUENT_FEATURES.index(f) for f in ("pt_rel", "delta_eta", "delta_phi")]]
    logged = raw.astype(np.float64)
    logged[..., 0] = np.log(np.maximum(logged[..., 0], 2.0**-12))
    expected = (logged - np.asarray(spec["mean"])) / np.asarray(spec["scale"])
    # the manifest's spec maps raw file values to the same firmware inputs (what emulate does)
    assert np.allclose(preprocessing.apply(spec, raw), expected)
    all_x = np.concatenate([split.x_train, split.x_val, split.x_test]).reshape(200, -1)
    assert np.allclose(np.sort(all_x, axis=0), np.sort(expected.reshape(200, -1), axis=0), atol=1e-5)
    flat = split.x_train.reshape(-1, 3).astype(np.float64)
    assert np.allclose(flat.mean(0), 0, atol=1e-5) and np.allclose(flat.std(0), 1, atol=1e-4)


def test_log_features_must_be_inputs_and_non_negative(tmp_path):
    with pytest.raises(UserError, match=r"data.log_features': expected names from "
                                        r"data.constituent_features or data.jet_features .*got e_rel"):
        _card(tmp_path, log_features=["e_rel"])
    table = np.random.default_rng(2).uniform(-1, 1, (200, 10, len(CONSTITUENT_FEATURES))).astype(np.float16)
    card = _card(tmp_path, path=str(_jets_file(tmp_path, table)), log_features=["delta_eta"])
    with pytest.raises(UserError, match="data.log_features: delta_eta has negative values"):
        task_for(card).prepare(card)


def _jets_file_with_features(tmp_path, n=200, stored=10):
    rng = np.random.default_rng(3)
    table = rng.uniform(0, 1, (n, stored, len(CONSTITUENT_FEATURES))).astype(np.float16)
    table[:, stored - 2:] = 0                            # two padded particles per jet
    features = rng.normal(size=(n, len(JET_FEATURES))).astype(np.float32)
    features[:, JET_FEATURES.index("multiplicity")] = rng.integers(8, 90, n)
    path = tmp_path / "jets.h5"
    with h5py.File(path, "w") as f:
        f["features"] = features
        f["labels"] = np.arange(n) % len(JET_CLASSES)
        f["constituents"] = table
        f.attrs["constituent_names"] = json.dumps(list(CONSTITUENT_FEATURES))
        f.attrs["format"] = "l1forge-jets"
    return path, table, features


def test_jet_features_reach_every_particle_and_a_raw_file_rebuilds_the_inputs(tmp_path):
    from l1forge import preprocessing
    from l1forge.emulate.streaming import JetSetSource

    path, table, features = _jets_file_with_features(tmp_path)
    card = _card(tmp_path, shape=(8, 4), path=str(path), jet_features=["multiplicity"],
                 log_features=["pt_rel"])
    split = task_for(card).prepare(card)
    spec = split.preprocessing
    assert split.x_train.shape[1:] == (8, 4)
    assert split.info["feature_names"] == ["pt_rel", "delta_eta", "delta_phi", "multiplicity"]
    assert spec["jet_set"] == {"constituents": 8, "constituent_features": ["pt_rel", "delta_eta", "delta_phi"],
                               "jet_features": ["multiplicity"]}
    # the fourth input is the jet's multiplicity, the same for all 8 particles, padding included
    raw = JetSetSource(path, spec["jet_set"]).read(0, 200)
    multiplicity = features[:, JET_FEATURES.index("multiplicity")]
    assert raw.shape == (200, 8, 4) and np.array_equal(raw[:, :, 3], np.repeat(multiplicity[:, None], 8, 1))
    own = table[:, :8][:, :, [CONSTITUENT_FEATURES.index(f) for f in ("pt_rel", "delta_eta", "delta_phi")]]
    assert np.array_equal(raw[:, :, :3], own.astype(np.float64))
    # the manifest's spec turns the raw file into the very inputs training saw
    all_x = np.concatenate([split.x_train, split.x_val, split.x_test]).reshape(200, -1)
    rebuilt = preprocessing.apply(spec, raw).reshape(200, -1)
    assert np.allclose(np.sort(all_x, axis=0), np.sort(rebuilt, axis=0), atol=1e-5)
    standardized = split.x_train[..., 3].astype(np.float64)
    assert abs(standardized.mean()) < 1e-5 and abs(standardized.std() - 1) < 1e-4


def test_a_card_without_jet_features_keeps_the_plain_spec(tmp_path):
    path, _, _ = _jets_file_with_features(tmp_path)
    card = _card(tmp_path, path=str(path))
    assert "jet_set" not in task_for(card).prepare(card).preprocessing


@pytest.mark.parametrize("jet_features, message", [
    (["multiplicty"], r"data.jet_features': expected names of the 16 HLF features .*got multiplicty"),
    (["multiplicity", "multiplicity"], r"data.jet_features': expected names not already among"),
])
def test_jet_features_must_be_hlf_names_given_once(tmp_path, jet_features, message):
    with pytest.raises(UserError, match=message):
        _card(tmp_path, shape=(8, 3 + len(jet_features)), jet_features=jet_features)


def test_jet_features_need_a_file_with_hlf_features(tmp_path):
    from l1forge.data.schema import JetSample

    table = np.zeros((100, 4, len(CONSTITUENT_FEATURES)), np.float32)
    sample = JetSample(path="c.h5", features=None, labels=np.zeros(100, int),
                       feature_names=(), class_names=JET_CLASSES, constituents=table,
                       constituent_names=CONSTITUENT_FEATURES)
    with pytest.raises(UserError, match="c.h5: the file holds no jet-level features, so multiplicity"):
        sample.constituent_inputs(("pt_rel",), 4, ("multiplicity",))


def test_a_raw_jets_file_for_jet_features_takes_no_dataset_and_must_exist(tmp_path):
    from l1forge.emulate.streaming import JetSetSource

    path, _, _ = _jets_file_with_features(tmp_path)
    jet_set = {"constituents": 8, "constituent_features": ["pt_rel"], "jet_features": ["multiplicity"]}
    with pytest.raises(UserError, match="--dataset constituents: .*expected no --dataset"):
        JetSetSource(path, jet_set, "constituents")
    with pytest.raises(UserError, match="nope.h5: no such file or folder; expected a jets sample"):
        JetSetSource(tmp_path / "nope.h5", jet_set)


@pytest.mark.parametrize("card_path, field", [
    ("l1models/jet_id.yaml", "jet_features"),
    ("l1models/ad_vae.yaml", "log_features"),
    ("l1models/ad_dense_ae.yaml", "constituent_features"),
])
def test_per_particle_fields_are_refused_where_no_constituents_are_read(card_path, field):
    with pytest.raises(UserError, match=rf"unknown field at 'data.{field}' for task \w+: expected no value "
                                        r"\(a field of task jet_deepsets\)"):
        load_card(card_path, overrides={f"data.{field}": ["pt_rel"]})
