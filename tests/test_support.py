"""Atomic outputs, the manifest, preprocessing contracts, metrics."""

import json

import numpy as np
import pytest

from l1forge import manifest, metrics, preprocessing
from l1forge.atomic import atomic_dir
from l1forge.errors import UserError


def test_atomic_dir_leaves_nothing_on_interrupt(tmp_path):
    dest = tmp_path / "project"
    with pytest.raises(KeyboardInterrupt):
        with atomic_dir(dest) as tmp:
            (tmp / "half.txt").write_text("half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_replaces_only_when_complete(tmp_path):
    dest = tmp_path / "project"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_dir(dest, replace=True) as tmp:
            (tmp / "new.txt").write_text("new")
            raise RuntimeError("compile failed")
    assert (dest / "old.txt").is_file() and not (dest / "new.txt").exists()
    with atomic_dir(dest, replace=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    assert (dest / "new.txt").is_file() and not (dest / "old.txt").exists()


def test_manifest_round_trip_and_bad_manifests(tmp_path):
    manifest.write_manifest(tmp_path, {"card": "jet_id", "metrics": {"qat_accuracy": 0.75}})
    content = manifest.read_manifest(tmp_path)
    assert content["metrics"]["qat_accuracy"] == 0.75 and "created" in content
    manifest.update_manifest(tmp_path, csim={"events": 10, "mismatches": 0})
    assert json.loads((tmp_path / "l1forge.json").read_text())["csim"]["events"] == 10
    (tmp_path / "l1forge.json").write_text("{not json")
    with pytest.raises(UserError, match="not valid JSON"):
        manifest.read_manifest(tmp_path)
    (tmp_path / "l1forge.json").write_text("[1, 2]")
    with pytest.raises(UserError, match="not an l1forge manifest"):
        manifest.read_manifest(tmp_path)
    with pytest.raises(UserError, match="no l1forge.json"):
        manifest.read_manifest(tmp_path / "elsewhere")


def test_versions_name_the_stack():
    found = manifest.versions()
    assert {"l1forge", "hls4ml", "tensorflow", "qkeras", "g++"} <= set(found)


def test_standardization_is_fitted_and_applied():
    x = np.array([[1.0, 5.0], [3.0, 5.0]])
    spec = preprocessing.fit_standardize(x)
    assert spec["mean"] == [2.0, 5.0] and spec["scale"] == [1.0, 1.0]
    assert np.array_equal(preprocessing.apply(spec, x), [[-1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(UserError, match=r"events of shape \(1, 3\); the model's preprocessing \(standardize\) expects \(events, 2\)"):
        preprocessing.apply(spec, np.zeros((1, 3)))
    with pytest.raises(UserError, match="unknown preprocessing kind"):
        preprocessing.apply({"kind": "magic"}, x)


def test_auc_of_known_cases():
    assert metrics.auc(np.array([0.1, 0.2]), np.array([0.8, 0.9])) == 1.0
    assert metrics.auc(np.array([0.8, 0.9]), np.array([0.1, 0.2])) == 0.0
    assert metrics.auc(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0.5   # ties count half
    rng = np.random.default_rng(0)
    neg, pos = rng.normal(0, 1, 20000), rng.normal(1, 1, 20000)
    # Two unit Gaussians one sigma apart: AUC = Phi(1/sqrt(2)) = 0.7602
    assert abs(metrics.auc(neg, pos) - 0.7602) < 0.01


def test_per_class_auc_and_accuracy():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    labels = np.array([0, 1, 1, 1])
    assert metrics.accuracy(probs, labels) == 0.75
    aucs = metrics.per_class_auc(probs, labels, ["a", "b"])
    assert aucs["a"] == 1.0 and aucs["b"] == 1.0


def test_what_l1forge_writes_follows_the_umask(tmp_path):
    import os
    import stat

    from l1forge.atomic import atomic_file, write_text_atomic

    previous = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "project") as tmp:
            (tmp / "inside.txt").write_text("x")
        write_text_atomic(tmp_path / "project" / "l1forge.json", "{}")
        with atomic_file(tmp_path / "scores.h5") as tmp:
            tmp.write_bytes(b"x")
        os.umask(0o002)
        write_text_atomic(tmp_path / "group.json", "{}")
    finally:
        os.umask(previous)
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(tmp_path / "project") == 0o755
    assert mode(tmp_path / "project" / "l1forge.json") == 0o644
    assert mode(tmp_path / "scores.h5") == 0o644
    assert mode(tmp_path / "group.json") == 0o664


def test_a_closed_pipe_ends_quietly():
    import subprocess
    import sys

    # argparse itself swallows write errors of --help (exit 0); a command's output does not
    for argv, status in ((["--help"], {0, 141}), (["data", "info"], {141})):
        process = subprocess.Popen([sys.executable, "-m", "l1forge", *argv],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        process.stdout.close()  # the reader is gone before l1forge writes anything
        stderr = process.communicate()[1].decode()
        assert stderr == "" and process.returncode in status, (argv, process.returncode, stderr)


def test_versions_record_the_cpu_and_its_vector_extensions(monkeypatch):
    from l1forge.machine import cpu_description

    cpuinfo = ("processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6338\n"
               "flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512bw avx512vl amx_tile\n"
               "processor\t: 1\nmodel name\t: ignored second core\n")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    assert cpu_description(cpuinfo) == {
        "cpu": "Intel(R) Xeon(R) Gold 6338",
        "cpu_vector_extensions": "sse4_2 avx avx2 fma avx512f avx512bw avx512vl amx_tile",
        "tf_enable_onednn_opts": "0", "onednn_max_cpu_isa": "default"}
    found = manifest.versions()
    assert found["cpu"] and found["cpu_vector_extensions"]
