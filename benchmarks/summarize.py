"""Print the speed figures from a pytest-benchmark JSON (default benchmarks/results.json).

    python benchmarks/summarize.py [results.json]

For every design (each committed card, each hls4ml-style project) one row: events/s of the
emulator, of hls4ml's compiled predict and of the float32 numpy chain of the same shapes
(events / mean round time, all from the same run), and the emulator's ratio to each. The
scan's speed-up is the 1-worker wall time over the 2-worker one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SIDES = ("emulator", "hls4ml_predict", "float_chain")


def rates(results: dict) -> dict[str, dict[str, float]]:
    """model -> side -> events/s."""
    table: dict[str, dict[str, float]] = {}
    for bench in results["benchmarks"]:
        info = bench["extra_info"]
        if "events" in info and "model" in info:
            table.setdefault(info["model"], {})[info["side"]] = info["events"] / bench["stats"]["mean"]
    return table


def scan_seconds(results: dict) -> dict[str, float]:
    return {b["name"]: b["stats"]["mean"] for b in results["benchmarks"] if "points" in b["extra_info"]}


def table_lines(table: dict[str, dict[str, float]]) -> list[str]:
    """A Markdown table: one row per design."""
    lines = ["| design | emulator, events/s | hls4ml predict, events/s | float32 chain, events/s "
             "| emulator / predict | emulator / float32 |", "|---|---|---|---|---|---|"]
    for model, sides in table.items():
        emulator, predict, chain = (sides.get(side) for side in SIDES)
        cells = [f"{v:,.0f}" if v else "-" for v in (emulator, predict, chain)]
        ratio_predict = f"{emulator / predict:,.0f}x" if emulator and predict else "-"
        ratio_chain = f"{emulator / chain:.2f}x" if emulator and chain else "-"
        lines.append(f"| {model} | " + " | ".join(cells) + f" | {ratio_predict} | {ratio_chain} |")
    return lines


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).with_name("results.json")
    results = json.loads(path.read_text())
    print("\n".join(table_lines(rates(results))))
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
