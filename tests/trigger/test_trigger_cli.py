"""`l1forge trigger` on a project whose scores are cached (no TensorFlow, no compiler)."""

import json

import numpy as np
import pytest

from l1forge import manifest
from l1forge.cli import main
from l1forge.trigger_project import SCORES_FILE, TRIGGER_DIR

PROCESSES = ["background", "ato4l", "leptoquark"]


def fake_project(folder, n_background=50_000, task="autoencoder", seed=0):
    """A project folder as `l1forge build` leaves it, minus the firmware: manifest + scores."""
    rng = np.random.default_rng(seed)
    labels = np.r_[np.zeros(n_background), np.ones(2000), np.full(2000, 2)].astype(np.int64)
    float_scores = np.r_[rng.exponential(1.0, n_background), rng.exponential(4.0, 2000),
                         rng.exponential(8.0, 2000)]
    firmware_scores = np.round(float_scores * 256) / 256  # a fixed-point version of them
    folder.mkdir(parents=True)
    manifest.write_manifest(folder, {
        "card": "ad_fake", "task": task, "card_sha256": "f" * 64,
        "card_content": {"trigger": {"rates_hz": [1000.0, 10000.0]}},
        "data": {"processes": PROCESSES}, "metrics": {"auc_qat": {}}})
    (folder / TRIGGER_DIR).mkdir()
    np.savez_compressed(folder / TRIGGER_DIR / SCORES_FILE, labels=labels, float_scores=float_scores,
                        firmware_scores=firmware_scores, processes=np.array(PROCESSES),
                        card_sha256=np.array("f" * 64),
                        emulator=np.array(json.dumps({"events": len(labels), "mismatches": 0})))
    return folder


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.strip()


def test_table_plots_and_manifest(tmp_path, capsys):
    project = fake_project(tmp_path / "ad_fake")
    code, out, _ = run(capsys, "trigger", project, "--rate-hz", "10000")
    assert code == 0
    assert "ad_fake at 10000 Hz: 50000 background events" in out
    assert "ato4l" in out and "leptoquark" in out
    assert "FPR 1e-5 needs 100000 background events" in out
    for name in ("score_distributions.png", "roc.png", "efficiency_vs_rate.png"):
        assert (project / TRIGGER_DIR / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = manifest.read_manifest(project)["metrics"]
    assert metrics["auc_qat"] == {}  # earlier metrics are kept
    per_signal = metrics["per_signal"]
    assert set(per_signal) == {"ato4l", "leptoquark"}
    for entry in per_signal.values():
        assert set(entry["eff_at_rate"]) == {"1000", "10000"}  # the card's rates
        assert abs(entry["auc_firmware"] - entry["auc_float"]) < 0.01
    assert per_signal["leptoquark"]["auc_firmware"] > per_signal["ato4l"]["auc_firmware"]
    assert metrics["emulator_vs_csim"]["mismatches"] == 0


def test_json_output(tmp_path, capsys):
    project = fake_project(tmp_path / "ad_fake")
    code, out, _ = run(capsys, "trigger", project, "--rate-hz", "1000", "--rate-hz", "1e4", "--json")
    assert code == 0
    tables = json.loads(out)["tables"]
    assert [t["rate_hz"] for t in tables] == [1000.0, 10000.0]
    effs = [row["eff_firmware"] for t in tables for row in t["signals"] if row["signal"] == "ato4l"]
    assert effs[0] <= effs[1]


@pytest.mark.parametrize("rate", ["4e7", "0", "-10"])
def test_bad_rates_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, rate):
    project = fake_project(tmp_path / "ad_fake")
    code, _, err = run(capsys, "trigger", project, f"--rate-hz={rate}")
    assert code == 2 and len(err.splitlines()) == 1 and "below 40 MHz" in err
    assert "per_signal" not in manifest.read_manifest(project)["metrics"]
    assert not (project / TRIGGER_DIR / "roc.png").exists()


def test_a_background_too_small_for_the_rate(tmp_path, capsys):
    project = fake_project(tmp_path / "ad_fake", n_background=10_000)
    code, _, err = run(capsys, "trigger", project, "--rate-hz", "1000")
    assert code == 2 and len(err.splitlines()) == 1
    assert "smallest measurable rate is 4000 Hz" in err
    assert "per_signal" not in manifest.read_manifest(project)["metrics"]


def test_projects_that_are_not_anomaly_detection(tmp_path, capsys):
    code, _, err = run(capsys, "trigger", tmp_path, "--rate-hz", "1000")
    assert code == 2 and "no l1forge.json" in err
    project = fake_project(tmp_path / "jets", task="jet_id")
    code, _, err = run(capsys, "trigger", project)
    assert code == 2 and "trigger figures need an anomaly-detection project" in err
