"""`l1forge trigger PROJECT --against OTHER`: two jet taggers on the same test jets."""

import json

import numpy as np
import pytest

from l1forge import manifest
from l1forge.cli import main
from l1forge.project import Project
from l1forge.trigger.jet_comparison import paired_difference
from l1forge.trigger.jet_project import OUTPUTS_FILE

from jet_fakes import CLASSES, fake_outputs


def fake_project(folder, labels, outputs, seed=42):
    folder.mkdir(parents=True)
    manifest.write_manifest(folder, {
        "card": folder.name, "task": "jet_id", "card_sha256": "e" * 64,
        "card_content": {"data": {"max_events": None, "test_fraction": 0.2, "validation_fraction": 0.2},
                         "training": {"seed": seed}},
        "data": {"class_names": CLASSES, "path": "jets.h5"}, "metrics": {},
        "emulator": {"events": len(labels), "mismatches": 0}})
    project = Project(folder)
    project.trigger_dir.mkdir()
    np.savez_compressed(project.trigger_dir / OUTPUTS_FILE, labels=labels, class_names=np.array(CLASSES),
                        card_sha256=np.array("e" * 64), **outputs)
    return folder


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.strip()


def test_paired_difference_counts_the_jets_each_gets_right_alone():
    a = np.array([1, 1, 0, 0, 1, 0, 1, 1], bool)
    b = np.array([1, 0, 1, 1, 1, 0, 1, 1], bool)
    d = b.astype(float) - a
    result = paired_difference(a, b)
    assert result["value"] == pytest.approx(1 / 8)
    assert result["stderr"] == pytest.approx(np.std(d, ddof=1) / np.sqrt(8))
    assert (result["only_project_right"], result["only_other_right"]) == (1, 2)
    assert paired_difference(a, a)["z"] is None and paired_difference(a, a)["stderr"] == 0


def test_the_paired_error_is_the_spread_over_many_test_samples():
    # two taggers that agree on most jets: over fresh test samples their accuracy difference
    # spreads by the paired error, well below the two binomial errors in quadrature
    rng = np.random.default_rng(5)
    n, differences, errors = 4000, [], []
    for _ in range(300):
        a = rng.uniform(size=n) < 0.7
        b = np.where(rng.uniform(size=n) < 0.9, a, rng.uniform(size=n) < 0.75)
        result = paired_difference(a, b)
        differences.append(result["value"])
        errors.append(result["stderr"])
    assert np.std(differences) == pytest.approx(np.mean(errors), rel=0.12)
    assert np.mean(errors) < 0.5 * np.sqrt(2 * 0.7 * 0.3 / n)


def test_compares_every_model_pair_on_the_same_jets(tmp_path, capsys):
    labels, outputs = fake_outputs(n=5000, seed=3)
    _, better = fake_outputs(n=5000, seed=3)
    better["firmware"] = better["firmware"].copy()
    better["firmware"][np.arange(500), labels[:500]] += 1.0   # 500 more jets right (at most)
    hlf = fake_project(tmp_path / "hlf", labels, outputs)
    sets = fake_project(tmp_path / "sets", labels, better)
    code, out, _ = run(capsys, "trigger", hlf, "--against", sets, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["events"] == 5000 and len(result["differences"]) == 9
    accuracy = result["accuracy"]
    assert accuracy["project"]["float"] == pytest.approx(np.mean(outputs["float"].argmax(1) == labels))
    row = next(r for r in result["differences"] if r["other_model"] == "firmware" and r["project_model"] == "firmware")
    gained = np.mean(better["firmware"].argmax(1) == labels) - np.mean(outputs["firmware"].argmax(1) == labels)
    assert row["value"] == pytest.approx(gained) and row["value"] > 0 and row["only_project_right"] == 0
    assert row["only_other_right"] == round(gained * 5000)
    code, out, _ = run(capsys, "trigger", hlf, "--against", sets)
    assert code == 0 and "sets firmware - hlf firmware" in out and "points" in out


def test_projects_on_other_jets_or_with_other_options_are_refused(tmp_path, capsys):
    labels, outputs = fake_outputs(n=2000, seed=4)
    hlf = fake_project(tmp_path / "hlf", labels, outputs)
    other_seed = fake_project(tmp_path / "seed1", labels, outputs, seed=1)
    shuffled = fake_project(tmp_path / "shuffled", np.roll(labels, 1), outputs)
    code, out, err = run(capsys, "trigger", hlf, "--against", other_seed)
    assert code == 2 and not out and "expected two projects built on the same jets" in err
    assert len(err.splitlines()) == 1
    code, _, err = run(capsys, "trigger", hlf, "--against", shuffled)
    assert code == 2 and "(labels differ)" in err
    code, _, err = run(capsys, "trigger", hlf, "--against", shuffled, "--bootstrap", "100")
    assert code == 2 and "--against compares accuracies only; expected no --bootstrap with it" in err
    code, _, err = run(capsys, "trigger", hlf, "--against", tmp_path / "missing")
    assert code == 2 and "missing" in err
