"""Anomaly-detection cards end to end on a tiny synthetic sample: train, convert with the score
layers, compile, C-simulate (zero mismatches), then the trigger figures from the firmware."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from l1forge import api
from l1forge.trigger import ad_project
from l1forge.build import build_project
from l1forge.cli import main

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "tasks"))

from l1_synthetic import SIGNALS, write_folder  # noqa: E402

TINY = {"training.epochs": 2, "training.batch_size": 256, "training.early_stopping_patience": 0}
CASES = {
    "ad_dense_ae": ("ad_dense_ae", {}),
    "ad_vae_kl": ("ad_vae", {"model.vae_score": "kl"}),
    "ad_vae_mu2": ("ad_vae", {"model.vae_score": "mu2", "name": "ad_vae_mu2"}),
    "ad_cnn_ae": ("ad_cnn_ae", {}),
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp("l1"), n_background=2000, n_signal=300)


@pytest.fixture(scope="module", params=sorted(CASES))
def built(request, sample, tmp_path_factory):
    card, extra = CASES[request.param]
    projects = tmp_path_factory.mktemp("projects")
    overrides = {"data.path": str(sample), **TINY, **extra}
    result = build_project(REPO / "l1models" / f"{card}.yaml", projects, overrides=overrides,
                           csim_events=300, log=lambda m: None)
    return request.param, result, overrides


def test_build_is_bit_exact_and_scores_in_firmware(built):
    case, result, _ = built
    m = result.manifest
    assert m["csim"]["events"] == 300 and m["csim"]["mismatches"] == 0
    assert m["task"] == ("vae" if case.startswith("ad_vae") else "autoencoder")
    assert m["preprocessing"] == {"kind": "l1_pt_shift", "shift": 3}
    assert m["target"]["reuse_factor"] == 1 and m["target"]["io_type"] == "io_parallel"
    assert m["report"]["estimate"]["ii"] == 1
    # the firmware's single output is the score, close to the QAT float score
    assert m["metrics"]["firmware_float_max_relative_difference"] < 0.05
    assert m["emulator"]["supported"] and m["emulator"]["mismatches"] == 0


def test_vae_encoder_meets_the_80_ns_budget(built):
    case, result, _ = built
    if not case.startswith("ad_vae"):
        pytest.skip("latency budget of the VAE encoder only")
    estimate = result.manifest["report"]["estimate"]
    assert estimate["latency_ns"] <= 80.0
    layers = [layer["name"] for layer in estimate["per_layer"]]
    assert not [name for name in layers if name.startswith("dec") or name == "output"]


def test_trigger_figures_from_the_firmware_over_every_event(built, capsys):
    case, result, _ = built
    project = result.project_dir
    per_signal = ad_project.evaluate_project(project, log=lambda m: None)
    assert set(per_signal) == set(SIGNALS)
    for entry in per_signal.values():
        assert abs(entry["auc_firmware"] - entry["auc_float"]) < 0.01
        assert entry["eff_at_rate"] == {"1000": None, "10000": None}  # 900 background events
        assert "smallest measurable FPR" in entry["reference_firmware"]["note"]
    m = json.loads((project / "l1forge.json").read_text())
    assert m["metrics"]["per_signal"] == per_signal
    assert m["metrics"]["trigger_events"]["background"] == 900
    # the build's one emulator check covers every stored event, on the raw inputs
    assert m["emulator"]["events"] == 2100 and m["emulator"]["mismatches"] == 0
    scores = np.load(project / "trigger" / "scores.npz")
    assert len(scores["firmware_scores"]) == 900 + 4 * 300
    code = main(["trigger", str(project), "--rate-hz", "200000"])
    out = capsys.readouterr().out
    assert code == 0 and "at 200000 Hz: 900 background events" in out
    code = main(["trigger", str(project), "--rate-hz", "1000"])
    assert code == 2 and "smallest measurable rate is 4.444e+04 Hz" in capsys.readouterr().err
    [table] = api.trigger(project, [200000.0], log=lambda m: None)["tables"]
    assert table["rate_hz"] == 200000.0 and table["background_events"] == 900
    assert {row["signal"] for row in table["signals"]} == set(SIGNALS)


def test_the_build_c_simulates_every_stored_event_once(sample, tmp_path, monkeypatch):
    """The post-build step reuses the events the build verified: C-simulation runs over the
    2,100 stored events exactly once, and the trigger figures are in the manifest."""
    from l1forge import csim

    simulated = []
    run_binary = csim.run_binary
    monkeypatch.setattr(csim, "run_binary",
                        lambda folder, x, n: simulated.append(len(x)) or run_binary(folder, x, n))
    overrides = {"data.path": str(sample), **TINY}
    result = build_project(REPO / "l1models" / "ad_dense_ae.yaml", tmp_path, overrides=overrides,
                           csim_events=300, log=lambda m: None)
    assert simulated == [300, 1800]
    assert set(result.manifest["metrics"]["per_signal"]) == set(SIGNALS)
    assert result.manifest["emulator"]["events"] == 2100
    assert (result.project_dir / "trigger" / "scores.npz").is_file()
