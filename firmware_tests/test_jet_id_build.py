"""Jet-ID end to end on a small sample: train, convert, compile, C-simulate, manifest.

The build is the session's cut-small jet_id (project_cache.JET_SMALL, shared with
test_emulator_cards); the tests that write into a project or rebuild it work on a copy."""

import json
from pathlib import Path

import numpy as np
import pytest

from l1forge import api, csim
from l1forge.build import build_project
from l1forge.cli import main
from project_cache import JET_SMALL, build_group, card_path

JET_ID = card_path("jet_id")
SMALL = JET_SMALL
# a network small enough that a build interrupted after its compilation costs seconds
TINY_NETWORK = {"model.layers": [{"type": "dense", "name": "fc1", "units": 8}, {"type": "relu", "name": "relu1"},
                                 {"type": "dense", "name": "output", "units": 5},
                                 {"type": "softmax", "name": "softmax"}]}
pytestmark = build_group("jet_id")


@pytest.fixture(scope="module")
def built(l1forge_builds):
    result = l1forge_builds.build("jet_id")
    return result.project_dir.parent, result


def test_project_is_complete_and_manifest_holds_the_contract(built):
    projects, result = built
    project = result.project_dir
    assert project == projects / "jet_id"
    for name in ("hls4ml_config.yml", "build_prj.tcl", "firmware/jet_id.cpp", "l1forge_tb.cpp",
                 "l1forge_csim", "trained/qat_model.h5", "tb_data/tb_input_features.dat"):
        assert (project / name).exists(), name
    m = json.loads((project / "l1forge.json").read_text())
    assert m["card"] == "jet_id" and len(m["card_sha256"]) == 64
    assert {"l1forge", "hls4ml", "tensorflow", "qkeras", "g++"} <= set(m["versions"])
    assert m["seed"] == 42
    # the firmware accuracy is that of the C-simulated outputs the project holds
    outputs = np.loadtxt(project / "tb_data" / "tb_output_predictions.dat")
    labels = np.load(project / "trained" / "test_split.npz")["y_test"][:600]
    assert m["metrics"]["firmware_accuracy"] == pytest.approx(np.mean(outputs.argmax(1) == labels))
    assert m["metrics"]["firmware_events"] == 600 and m["emulator"]["events"] == 600
    assert set(m["metrics"]["per_class_auc"]) == {"g", "q", "w", "z", "t"}
    assert m["csim"]["events"] == 600 and m["csim"]["mismatches"] == 0
    assert m["emulator"]["supported"] and m["emulator"]["mismatches"] == 0
    assert m["report"]["estimate"]["ii"] == 1 and m["report"]["estimate"]["latency_cycles"] > 0
    assert (project / "report.html").is_file()
    assert m["target"]["reuse_factor"] == 1 and m["target"]["io_type"] == "io_parallel"
    assert m["preprocessing"]["kind"] == "standardize" and len(m["preprocessing"]["mean"]) == 16
    # The trained network beats chance by far even on a tiny sample and few epochs.
    assert m["metrics"]["qat_accuracy"] > 0.4
    assert m["metrics"]["firmware_qat_agreement"] > 0.95
    assert not [p for p in projects.iterdir() if ".partial-" in p.name]


def test_a_planted_bit_flip_in_the_csim_outputs_is_caught(built):
    _, result = built
    project = result.project_dir
    lines = (project / "tb_data" / "tb_input_features.dat").read_text().splitlines()[:50]
    xq = np.array([[float(v) for v in line.split()] for line in lines])
    run = csim.run_binary(project, xq, 5)
    expected = np.loadtxt(project / "tb_data" / "tb_output_predictions.dat")[:50]
    assert csim.compare(run.outputs, expected).mismatches == 0
    flipped = run.outputs.copy()
    flipped[7, 2] = np.float64(flipped[7, 2]) + 2.0**-16     # the result type's last bit
    assert csim.compare(flipped, expected).mismatches == 1


BRIDGE_CALL = """
import ctypes, sys
import numpy as np
library, n_in, n_out, events = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
x = np.loadtxt(events, ndmin=2)
lib = ctypes.CDLL(library)
out = np.zeros(n_out)
rows = []
for event in x:
    inp = np.ascontiguousarray(event, dtype=np.float64)
    lib.jet_id_double(inp.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p))
    rows.append(out.copy())
np.save(sys.argv[5], np.array(rows))
"""


def test_the_compiled_library_works_wherever_the_project_is_copied(built, tmp_path):
    """The library hls4ml compiled (firmware/jet_id-*.so) must not read its weights from the
    temporary folder the project was assembled in: copied elsewhere, called through ctypes
    in a fresh process, it computes what the C-simulation computed."""
    import shutil
    import subprocess
    import sys

    _, result = built
    copy = tmp_path / "elsewhere" / "jet_id"
    shutil.copytree(result.project_dir, copy)
    [library] = sorted((copy / "firmware").glob("*.so"))
    events = copy / "tb_data" / "tb_input_features.dat"
    run = subprocess.run([sys.executable, "-c", BRIDGE_CALL, str(library), "16", "5", str(events),
                          str(tmp_path / "out.npy")], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "ERROR" not in run.stdout + run.stderr
    expected = np.loadtxt(copy / "tb_data" / "tb_output_predictions.dat")
    assert np.array_equal(np.load(tmp_path / "out.npy"), expected)
    # The C-simulation binary links the copy's own library (found beside the binary), not
    # the one in the folder it was built in.
    linked = subprocess.run(["ldd", str(copy / "l1forge_csim")], capture_output=True, text=True).stdout
    assert f"{library.name} => {library}" in linked
    inputs = np.loadtxt(copy / "tb_data" / "tb_input_features.dat")
    assert np.array_equal(csim.run_binary(copy, inputs, 5).outputs, expected)


def test_rerun_csim_updates_the_manifest(built, l1forge_builds, tmp_path):
    _, result = built
    project = l1forge_builds.private_copy(result, tmp_path)
    summary = api.csim(project, events=300, log=lambda m: None)
    assert summary["events"] == 300 and summary["mismatches"] == 0
    m = json.loads((project / "l1forge.json").read_text())
    assert m["csim"]["events"] == 300


def test_rebuild_reuses_the_trained_model_and_interrupt_leaves_the_old_project(built, l1forge_builds,
                                                                                tmp_path, monkeypatch):
    """A rebuild of a built card finds its trained model (no training), and a build
    interrupted while g++ compiles leaves the project that was there untouched."""
    import l1forge.build
    from l1forge import firmware

    _, result = built
    projects = l1forge_builds.link_trained_store(tmp_path / "projects")
    project = l1forge_builds.private_copy(result, projects)
    before = (project / "l1forge.json").read_text()

    def retrained(*args, **kwargs):
        raise AssertionError("the rebuild trained the card again")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(l1forge.build, "train", retrained)
    monkeypatch.setattr(firmware, "compile_graph", interrupted)
    code = main(["build", str(JET_ID), "--projects", str(projects), "--events", "100",
                 *[f"--set={k}={v}" for k, v in SMALL.items()]])
    assert code == 2
    assert (project / "l1forge.json").read_text() == before
    assert not [p for p in projects.iterdir() if p.name.startswith(".jet_id")]


def test_test_bench_compiles_only_after_hls4ml_has_rewritten_the_project(l1forge_builds, tmp_path,
                                                                          monkeypatch):
    """hls4ml's compile() deletes and re-copies firmware/ap_types; a test bench compiled
    alongside it once failed on a missing ap_fixed.h. The build must order the two."""
    from l1forge import build, firmware

    projects = l1forge_builds.link_trained_store(tmp_path / "projects")
    events = []
    real_compile = firmware.compile_graph

    def compile_graph(graph):
        events.append("compile starts")
        real_compile(graph)
        events.append("compile returns")

    def start_testbench_build(graph, project_dir, library=None):
        events.append("test bench starts")
        assert (Path(project_dir) / "firmware" / "ap_types" / "ap_fixed.h").is_file()
        raise KeyboardInterrupt  # enough has been seen; abandon the build

    monkeypatch.setattr(firmware, "compile_graph", compile_graph)
    monkeypatch.setattr(build.csim, "start_testbench_build", start_testbench_build)
    with pytest.raises(KeyboardInterrupt):
        build_project(JET_ID, projects, overrides={**SMALL, **TINY_NETWORK}, csim_events=100,
                      log=lambda m: None)
    assert events == ["compile starts", "compile returns", "test bench starts"]
    assert not (projects / "jet_id").exists()
