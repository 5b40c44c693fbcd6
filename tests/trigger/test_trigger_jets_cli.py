"""`l1forge trigger` on a jet-ID project whose outputs are cached (no TensorFlow)."""

import json

import numpy as np
import pytest

from l1forge import manifest
from l1forge.cli import main
from l1forge.project import Project
from l1forge.trigger.jet_project import OUTPUTS_FILE

from jet_fakes import CLASSES, fake_outputs


def fake_jet_project(folder):
    labels, outputs = fake_outputs(n=8000, seed=11)
    folder.mkdir(parents=True)
    manifest.write_manifest(folder, {
        "card": "jets_fake", "task": "jet_id", "card_sha256": "e" * 64,
        "data": {"class_names": CLASSES}, "metrics": {"qat_accuracy": 0.7},
        "emulator": {"events": 8000, "mismatches": 0}})
    project = Project(folder)
    project.trigger_dir.mkdir()
    np.savez_compressed(project.trigger_dir / OUTPUTS_FILE, labels=labels, class_names=np.array(CLASSES),
                        card_sha256=np.array("e" * 64), **outputs)
    return folder, labels, outputs


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.strip()


def test_table_json_plots_and_manifest(tmp_path, capsys):
    project, labels, outputs = fake_jet_project(tmp_path / "jets_fake")
    code, out, _ = run(capsys, "trigger", project)
    assert code == 0
    assert "t_vs_qcd" in out and "w_vs_qcd" in out and "g_vs_rest" in out
    assert "at background   10%" in out and "at background    1%" in out
    for name in ("roc_one_vs_rest.png", "roc_vs_qcd.png"):
        assert (project / "trigger" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = manifest.read_manifest(project)["metrics"]
    assert metrics["qat_accuracy"] == 0.7  # earlier metrics are kept
    figures = metrics["tagging_working_points"]
    assert figures["background_efficiencies"] == [0.1, 0.01]
    assert figures["firmware_outputs"]["emulator_vs_csim_at_build"]["mismatches"] == 0

    code, out, _ = run(capsys, "trigger", project, "--background-efficiency", "0.05", "--class", "t", "--json")
    result = json.loads(out)
    assert code == 0 and result["kind"] == "jet_id"
    assert [s["name"] for s in result["studies"]] == ["t_vs_rest", "t_vs_qcd"]
    recorded = manifest.read_manifest(project)["metrics"]["tagging_working_points"]
    assert recorded["background_efficiencies"] == [0.1, 0.01] and len(recorded["studies"]) == 7  # the defaults
    point = result["studies"][1]["models"]["firmware"]["working_points"][0]
    qcd = np.isin(labels, [0, 1])
    assert point["background_efficiency"]["total"] == qcd.sum()
    assert point["signal_efficiency"]["passed"] == np.sum(outputs["firmware"][labels == 4, 4] > point["threshold"])


def test_bootstrap_on_a_jet_project(tmp_path, capsys):
    project, _, _ = fake_jet_project(tmp_path / "jets_fake")
    code, out, _ = run(capsys, "trigger", project, "--class", "w", "--bootstrap", "20", "--json")
    point = json.loads(out)["studies"][0]["models"]["qat"]["working_points"][0]
    assert code == 0 and len(point["threshold_interval"]) == 2 and len(point["efficiency_bootstrap_interval"]) == 2


@pytest.mark.parametrize("argv,expected", [
    (["--class", "top"], "no class 'top'; its classes are g, q, w, z, t"),
    (["--background-efficiency", "0"], "strictly between 0 and 1"),
    (["--background-efficiency", "1.2"], "strictly between 0 and 1"),
    (["--bootstrap", "0"], "10 to 10000 bootstrap replicas"),
    (["--rate-hz", "1000"], "--rate-hz is for anomaly-detection projects"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, argv, expected):
    project, _, _ = fake_jet_project(tmp_path / "jets_fake")
    code, _, err = run(capsys, "trigger", project, *argv)
    assert code == 2 and len(err.splitlines()) == 1 and expected in err
    assert "tagging_working_points" not in manifest.read_manifest(project)["metrics"]
    assert not (project / "trigger" / "roc_vs_qcd.png").exists()


def test_a_project_of_a_task_without_a_trigger_study_is_refused(tmp_path, capsys):
    folder = tmp_path / "odd"
    folder.mkdir()
    manifest.write_manifest(folder, {"card": "odd", "task": "regression", "card_sha256": "d" * 64,
                                     "data": {}, "metrics": {}})
    code, _, err = run(capsys, "trigger", folder)
    assert code == 2 and len(err.splitlines()) == 1 and "task 'regression' has no trigger study" in err
