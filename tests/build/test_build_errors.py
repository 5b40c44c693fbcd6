"""Bad-input paths of build and csim that are decided before any training or compiling."""

from pathlib import Path

from l1forge import manifest
from l1forge.cli import main

REPO = Path(__file__).resolve().parents[2]
JET_ID = REPO / "l1models" / "jet_id.yaml"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err.strip()
    return code, err


def test_missing_compiler_is_one_line_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CXX", "no-such-compiler-l1forge")
    projects = tmp_path / "projects"
    code, err = run(capsys, "build", JET_ID, "--projects", projects)
    assert code == 2
    assert "C++ compiler 'no-such-compiler-l1forge' not found" in err
    assert len(err.splitlines()) == 1
    assert not (projects / "jet_id").exists()


def test_a_folder_of_another_card_is_refused_without_force(tmp_path, capsys):
    projects = tmp_path / "projects"
    other = projects / "jet_id"
    other.mkdir(parents=True)
    manifest.write_manifest(other, {"card": "jet_id", "card_source": "/elsewhere/jet_id.yaml"})
    code, err = run(capsys, "build", JET_ID, "--projects", projects)
    assert code == 2
    assert "holds the project of card /elsewhere/jet_id.yaml" in err and "--force" in err
    assert manifest.read_manifest(other)["card_source"] == "/elsewhere/jet_id.yaml"


def test_a_foreign_folder_is_refused(tmp_path, capsys):
    projects = tmp_path / "projects"
    (projects / "jet_id").mkdir(parents=True)
    (projects / "jet_id" / "notes.txt").write_text("mine")
    code, err = run(capsys, "build", JET_ID, "--projects", projects)
    assert code == 2 and "is not an l1forge project" in err
    assert (projects / "jet_id" / "notes.txt").read_text() == "mine"


def test_csim_of_a_folder_that_is_not_a_project(tmp_path, capsys):
    code, err = run(capsys, "csim", tmp_path)
    assert code == 2 and "no l1forge.json" in err


def test_csim_events_must_be_positive(tmp_path, capsys):
    manifest.write_manifest(tmp_path, {"card": "x"})
    (tmp_path / "trained").mkdir()
    (tmp_path / "trained" / "test_split.npz").write_bytes(b"")
    code, err = run(capsys, "csim", tmp_path, "--events", "0")
    assert code == 2 and "--events must be at least 1" in err
