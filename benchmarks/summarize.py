"""Print the speed figures from a pytest-benchmark JSON (default benchmarks/results.json).

    python benchmarks/summarize.py [results.json]

events/s is extra_info.events divided by the mean round time; the speed-up is the ratio of
the emulator's events/s to hls4ml predict's, both from the same run, per model; the scan's
speed-up is the 1-worker wall time over the 2-worker one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


MODELS = ("jet_id", "deepsets")


def rates(results: dict) -> dict[str, float]:
    return {b["name"]: b["extra_info"]["events"] / b["stats"]["mean"] for b in results["benchmarks"]
            if "events" in b["extra_info"]}


def scan_seconds(results: dict) -> dict[str, float]:
    return {b["name"]: b["stats"]["mean"] for b in results["benchmarks"] if "points" in b["extra_info"]}


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).with_name("results.json")
    results = json.loads(path.read_text())
    measured = rates(results)
    for name, rate in measured.items():
        print(f"{name:30s} {rate:12,.0f} events/s")
    for model in MODELS:
        emulator, predict = measured.get(f"test_emulator_{model}"), measured.get(f"test_hls4ml_predict_{model}")
        if emulator and predict:
            print(f"{model + ': over hls4ml predict':30s} {emulator / predict:12,.0f} x")
    scans = scan_seconds(results)
    for name, seconds in scans.items():
        print(f"{name:30s} {seconds:12,.1f} s")
    one, two = scans.get("test_scan_local_workers[1]"), scans.get("test_scan_local_workers[2]")
    if one and two:
        print(f"{'scan: 2 workers over 1':30s} {one / two:12,.2f} x")
    print(f"machine: {results['machine_info'].get('cpu', {}).get('brand_raw', '?')}, "
          f"{results['machine_info'].get('cpu', {}).get('count', '?')} cores; {results['datetime']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
