"""Print the jet-ID speed figures from a pytest-benchmark JSON (default benchmarks/results.json).

    python benchmarks/summarize.py [results.json]

events/s is extra_info.events divided by the mean round time; the speed-up is the ratio of
the emulator's events/s to hls4ml predict's, both from the same run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def rates(results: dict) -> dict[str, float]:
    return {b["name"]: b["extra_info"]["events"] / b["stats"]["mean"] for b in results["benchmarks"]}


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).with_name("results.json")
    results = json.loads(path.read_text())
    measured = rates(results)
    for name, rate in measured.items():
        print(f"{name:30s} {rate:12,.0f} events/s")
    emulator, predict = measured.get("test_emulator_jet_id"), measured.get("test_hls4ml_predict_jet_id")
    if emulator and predict:
        print(f"{'speed-up over hls4ml predict':30s} {emulator / predict:12,.0f} x")
    print(f"machine: {results['machine_info'].get('cpu', {}).get('brand_raw', '?')}, "
          f"{results['machine_info'].get('cpu', {}).get('count', '?')} cores; {results['datetime']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
