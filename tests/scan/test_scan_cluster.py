"""A small real scan on an external Dask cluster (`dask scheduler` + `dask worker` started by
the fixture on 127.0.0.1): scan.json, the front, the figures, and resuming."""

import json

import pytest

from l1forge.scan import run_scan
from l1forge.scan.grid import point_id
from l1forge.scan.point import point_file

TINY = {"data.max_events": 1000, "training.epochs": 2, "training.batch_size": 256,
        "training.early_stopping_patience": 0}
GRID = ["quantization.weight_bits=3,6", "target.reuse_factor=1,2"]


def test_a_scan_on_a_running_cluster_resumes_where_it_stopped(tmp_path, external_scheduler):
    out = tmp_path / "scan"
    content = run_scan("l1models/jet_id.yaml", GRID, out, overrides=TINY,
                       scheduler=external_scheduler, budget="lut=5%,dsp=0")
    assert content["objective"] == "firmware_accuracy" and content["card"] == "jet_id"
    points = content["points"]
    assert [p["overrides"] for p in points] == [
        {"quantization.weight_bits": b, "target.reuse_factor": r} for b in (3, 6) for r in (1, 2)]
    assert all(p["status"] == "done" for p in points)
    for p in points:
        assert set(p["estimate"]) == {"latency_cycles", "latency_ns", "ii", "dsp", "lut", "ff", "bram_18k"}
        assert p["firmware_events"] == 200  # the emulator over the whole test split
        assert p["fits_budget"] == (p["estimate"]["dsp"] == 0 and p["estimate"]["lut"] <= 0.05 * 1728000)
    # reuse factor 2 halves the multipliers and doubles the interval; the same training serves both
    assert points[1]["estimate"]["ii"] == 2 and points[0]["estimate"]["ii"] == 1
    assert points[0]["qat_accuracy"] == points[1]["qat_accuracy"]
    assert any(p["pareto"] for p in points)
    assert (out / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "scan.html").read_text()
    assert "sortBy" in page and page.count("<tr class=") == 4 and "data:image/png;base64," in page
    assert json.loads((out / "scan.json").read_text()) == content

    # resume: only the point whose file is gone runs again
    files = {point_id(p["overrides"]): point_file(out, point_id(p["overrides"])) for p in points}
    before = {pid: path.stat().st_mtime_ns for pid, path in files.items()}
    lost = point_id(points[2]["overrides"])
    files[lost].unlink()
    again = run_scan("l1models/jet_id.yaml", GRID, out, overrides=TINY, scheduler=external_scheduler)
    assert [p["status"] for p in again["points"]] == ["done"] * 4
    changed = {pid for pid, path in files.items() if path.stat().st_mtime_ns != before[pid]}
    assert changed == {lost}


def test_a_first_scan_interrupted_after_one_point_is_continued_without_force(tmp_path, external_scheduler):
    out = tmp_path / "scan"
    grid = ["quantization.weight_bits=3,6"]

    def interrupt(state):
        if state.done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scan("l1models/jet_id.yaml", grid, out, overrides=TINY, scheduler=external_scheduler,
                 progress=interrupt)
    record = json.loads((out / "scan.json").read_text())
    assert sorted(p["status"] for p in record["points"]) == ["done", "pending"]
    finished = next(p for p in record["points"] if p["status"] == "done")
    kept = point_file(out, point_id(finished["overrides"])).stat().st_mtime_ns
    content = run_scan("l1models/jet_id.yaml", grid, out, overrides=TINY, scheduler=external_scheduler)
    assert [p["status"] for p in content["points"]] == ["done", "done"]
    assert point_file(out, point_id(finished["overrides"])).stat().st_mtime_ns == kept
