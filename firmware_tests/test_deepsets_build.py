"""The constituent-level Deep Sets tagger end to end on a small slice of the default jets:
train, convert (phi as a pointwise Conv1D over all particles at once, mean pooling, rho),
C-simulate and emulate bit for bit, and an output that does not depend on the order of the
constituents, bit for bit. The build is the session's cut-small jet_deepsets
(project_cache.DEEPSETS_SMALL), shared with test_emulator_cards and test_cheaper_firmware."""

import os

import numpy as np
import pytest

from l1forge import csim, emulate
from project_cache import DEEPSETS_SMALL, build_group, card_path

CARD = card_path("jet_deepsets")
EXTRA = {}
if os.environ.get("L1FORGE_DEEPSETS_JETS"):  # a constituent file other than the default sample
    EXTRA["data.path"] = os.environ["L1FORGE_DEEPSETS_JETS"]
SMALL = {**DEEPSETS_SMALL, **EXTRA}
pytestmark = build_group("jet_deepsets", EXTRA)


@pytest.fixture(scope="module")
def built(l1forge_builds):
    return l1forge_builds.build("jet_deepsets", EXTRA)


def test_the_deep_sets_firmware_is_bit_exact_at_ii_1(built):
    m = built.manifest
    assert m["task"] == "jet_deepsets"
    assert m["preprocessing"]["kind"] == "standardize" and m["preprocessing"]["per_element"]
    simulated = min(800, m["metrics"]["test_events"])  # 800 of the 4,000 default jets' 20%
    assert m["csim"]["events"] == simulated and m["csim"]["mismatches"] == 0
    assert m["emulator"]["supported"] and m["emulator"]["mismatches"] == 0
    assert m["emulator"]["events"] == simulated
    # the firmware computes what the QAT network does (hls4ml's Dense-to-Conv1D rewrite drops
    # the QKeras quantizers; the firmware model carries the quantized weights instead)
    assert m["metrics"]["firmware_qat_agreement"] > 0.95
    estimate = m["report"]["estimate"]
    assert estimate["ii"] == 1
    # phi runs once per particle in parallel: one pointwise convolution per phi layer
    phi = [row for row in estimate["per_layer"] if row["name"].startswith("phi1")]
    assert phi and phi[0]["class"] in ("PointwiseConv1D", "Conv1D")
    assert m["data"]["feature_names"][:4] == ["pt_rel", "e_rel", "delta_eta", "delta_phi"]


def test_the_output_does_not_depend_on_the_order_of_the_constituents(built):
    project = built.project_dir
    x = np.load(project / "trained" / "test_split.npz")["x_test"][:800]
    rng = np.random.default_rng(3)
    shuffled = np.stack([event[rng.permutation(len(event))] for event in x])
    assert not np.array_equal(shuffled, x)
    emulator = emulate.load(project)
    assert np.array_equal(emulator.predict(shuffled), emulator.predict(x))
    from l1forge.project import Project

    loaded = Project(project).graph()
    runs = [csim.run_binary(project, csim.quantize_inputs(loaded, events), 5).outputs
            for events in (x, shuffled)]
    assert np.array_equal(runs[0], runs[1])
    # and a planted difference would show: swapping two features is not a permutation
    swapped = x.copy()
    swapped[:, :, [1, 2]] = swapped[:, :, [2, 1]]
    assert not np.array_equal(emulator.predict(swapped), emulator.predict(x))


def test_a_raw_jets_file_emulates_to_the_projects_own_firmware_outputs(built, tmp_path):
    """`l1forge emulate` on a jets file as the generator writes it: the manifest's
    preprocessing (with the card's logarithms and any jet features given to every particle)
    turns it into the test split the build C-simulated."""
    import h5py

    from l1forge.tasks import load_card
    from l1forge.data import load_jets
    from l1forge.data.hdf5_store import write_jets
    from l1forge.emulate.streaming import emulate_file
    from l1forge.tasks.base import split_indices, subsample

    card = load_card(CARD, SMALL)
    sample = load_jets(card.data.path)
    keep = subsample(card, len(sample))
    _, _, test = split_indices(len(keep), card.data.test_fraction, card.data.validation_fraction,
                               card.training.seed)
    test_rows = keep[test][:800]  # the sample's rows of the first 800 test jets
    rows = np.sort(test_rows)
    raw = tmp_path / "raw_jets.h5"
    write_jets(raw, sample.features[rows], sample.labels[rows], {}, sample.constituents[rows])
    emulator = emulate.load(built.project_dir)
    summary = emulate_file(emulator, raw, tmp_path / "scores.h5")
    assert summary.events == 800
    with h5py.File(tmp_path / "scores.h5") as f:
        from_file = f["scores"][:]
    x = np.load(built.project_dir / "trained" / "test_split.npz")["x_test"][:800]
    order = np.argsort(np.argsort(test_rows))  # test-split order -> file row
    expected = emulator.predict(x)
    same = np.all(from_file[order] == expected, axis=1)
    # the file path standardizes in float64, the build in float32: a value on a rounding
    # boundary of the input type may land one step apart, nothing more
    assert same.mean() > 0.99
    assert (from_file[order].argmax(1) == expected.argmax(1)).mean() > 0.99
