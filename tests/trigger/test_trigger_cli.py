"""`l1forge trigger` on a project whose scores are cached (no TensorFlow, no compiler)."""

import json

import numpy as np
import pytest
from scipy.stats import binomtest

from l1forge import manifest
from l1forge.cli import main
from l1forge.project import TRIGGER, Project

TRIGGER_DIR = TRIGGER

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
    Project(folder).trigger_dir.mkdir()
    np.savez_compressed(Project(folder).scores_path, labels=labels, float_scores=float_scores,
                        firmware_scores=firmware_scores, processes=np.array(PROCESSES),
                        card_sha256=np.array("f" * 64))
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
    # 10 kHz of 50,000 events: 12 background events allowed; the achieved rate and its interval
    ci = binomtest(12, 50_000).proportion_ci(confidence_level=0.683, method="exact")
    assert f"achieved 9600 Hz [{40e6 * ci.low:.4g}, {40e6 * ci.high:.4g}] Hz" in out
    for name in ("score_distributions.png", "roc.png", "efficiency_vs_rate.png"):
        assert (project / TRIGGER_DIR / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = manifest.read_manifest(project)["metrics"]
    assert metrics["auc_qat"] == {}  # earlier metrics are kept
    per_signal = metrics["per_signal"]
    assert set(per_signal) == {"ato4l", "leptoquark"}
    for entry in per_signal.values():
        assert set(entry["eff_at_rate"]) == {"1000", "10000"}  # the card's rates
        assert entry["eff_at_rate"]["1000"]["value"] <= entry["eff_at_rate"]["10000"]["value"]
        eff = entry["eff_at_rate"]["10000"]
        assert eff["total"] == 2000 and eff["method"] == "clopper-pearson" and eff["cl"] == 0.683
        assert abs(entry["auc_firmware"] - entry["auc_float"]) < 0.01
        assert entry["auc"]["firmware"]["stderr"] > 0
        assert entry["auc"]["firmware_minus_float"]["method"] == "delong-paired"
    assert per_signal["leptoquark"]["auc_firmware"] > per_signal["ato4l"]["auc_firmware"]
    assert metrics["trigger_events"] == {"background": 50_000, "ato4l": 2000, "leptoquark": 2000}


def test_json_output(tmp_path, capsys):
    project = fake_project(tmp_path / "ad_fake")
    code, out, _ = run(capsys, "trigger", project, "--rate-hz", "1000", "--rate-hz", "1e4", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["kind"] == "anomaly_detection"
    tables = result["tables"]
    assert [t["rate_hz"] for t in tables] == [1000.0, 10000.0]
    effs = [row["eff_firmware"] for t in tables for row in t["signals"] if row["signal"] == "ato4l"]
    assert effs[0]["value"] <= effs[1]["value"]
    for eff in effs:
        ci = binomtest(eff["passed"], eff["total"]).proportion_ci(confidence_level=0.683, method="exact")
        assert eff["interval"] == pytest.approx([ci.low, ci.high], rel=1e-7)
    threshold = tables[1]["thresholds"]["firmware"]
    assert threshold["accepted"] == 12 and threshold["achieved_rate_hz"] == pytest.approx(9600.0)
    assert "threshold_interval" not in threshold  # only with --bootstrap


def test_bootstrap_is_seeded_and_adds_the_threshold_spread(tmp_path, capsys):
    project = fake_project(tmp_path / "ad_fake")
    outputs = [json.loads(run(capsys, "trigger", project, "--rate-hz", "1e4", "--bootstrap", "50",
                              "--seed", str(seed), "--json")[1])["tables"][0] for seed in (1, 1, 2)]
    assert outputs[0] == outputs[1] and outputs[0] != outputs[2]
    table = outputs[0]
    assert table["bootstrap"] == {"replicas": 50, "seed": 1, "cl": 0.683, "method": "percentile"}
    lo, hi = table["thresholds"]["firmware"]["threshold_interval"]
    assert lo < hi
    assert set(table["signals"][0]["efficiency_bootstrap_interval"]) == {"float", "firmware"}
    code, out, _ = run(capsys, "trigger", project, "--rate-hz", "1e4", "--bootstrap", "50")
    assert code == 0 and "bootstrap threshold [" in out and "threshold bootstrap: float [" in out


@pytest.mark.parametrize("count", ["0", "-3", "10001"])
def test_bad_bootstrap_counts_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, count):
    project = fake_project(tmp_path / "ad_fake")
    code, _, err = run(capsys, "trigger", project, f"--bootstrap={count}")
    assert code == 2 and len(err.splitlines()) == 1 and "10 to 10000 bootstrap replicas" in err
    assert "per_signal" not in manifest.read_manifest(project)["metrics"]


def test_jet_id_options_on_an_ad_project_are_refused(tmp_path, capsys):
    project = fake_project(tmp_path / "ad_fake")
    code, _, err = run(capsys, "trigger", project, "--background-efficiency", "0.1")
    assert code == 2 and "are for jet-ID projects" in err


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


def test_folders_that_are_not_projects(tmp_path, capsys):
    code, _, err = run(capsys, "trigger", tmp_path, "--rate-hz", "1000")
    assert code == 2 and "no l1forge.json" in err
