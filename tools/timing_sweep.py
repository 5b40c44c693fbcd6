"""The estimate of the two reference jet taggers over clocks, fabrics and speed grades.

    python tools/timing_sweep.py ../shared/reference/vivado_reports

Prints latency (cycles) and flip-flops for each clock period and part class: what the
delay scaling and the DSP post-adder cascade of report/timing.py and dense_cost do
outside the fitted range (UltraScale+ -2). A developer script: it needs TensorFlow to
convert the Keras models, which the installed package does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

from l1forge.report.estimate import estimate_graph
from l1forge.report.timing import delay_scale

PROJECTS = ("jet-tagger-float-vivado2019", "jet-tagger-qkeras-vivado2019")
PARTS = (("UltraScale+", 2), ("UltraScale+", 1), ("Kintex-7", 1), ("Artix-7", 1))
CLOCKS_NS = (10.0, 5.0, 3.33)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    from l1forge.firmware.loading import load_graph

    print("| project | clock (ns) | " + " | ".join(f"{fabric} -{grade}" for fabric, grade in PARTS) + " |")
    print("|---|---|" + "---|" * len(PARTS))
    for project in PROJECTS:
        graph = load_graph(Path(args[0]) / project)
        for clock in CLOCKS_NS:
            cells = []
            for fabric, grade in PARTS:
                e = estimate_graph(graph, clock, "io_parallel", "Vivado HLS", (27, 18), delay_scale(fabric, grade))
                cells.append(f"{e['latency_cycles']} cycles, {e['ff']:,} FF")
            print(f"| {project} | {clock:g} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
