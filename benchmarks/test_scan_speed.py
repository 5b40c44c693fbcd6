"""`l1forge scan` wall time on a LocalCluster of 1 and of 2 worker processes, side by side in
one run: four small jet-ID points (1,000 jets, 3 epochs), each trained, converted, estimated
and emulated. The speed-up is the ratio of the two means."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GRID = ["quantization.weight_bits=4,6", "quantization.input_bits=12,16"]
SMALL = {"data.max_events": 1000, "training.epochs": 3, "training.early_stopping_patience": 0}


@pytest.mark.parametrize("workers", [1, 2])
def test_scan_local_workers(benchmark, tmp_path_factory, workers):
    from l1forge.scan import run_scan

    def scan():
        out = tmp_path_factory.mktemp(f"scan{workers}")  # a fresh folder: nothing to resume
        return run_scan(REPO / "l1models" / "jet_id.yaml", GRID, out, overrides=SMALL, workers=workers)

    content = benchmark.pedantic(scan, rounds=1)
    benchmark.extra_info["points"] = len(content["points"])
    assert [p["status"] for p in content["points"]] == ["done"] * 4
