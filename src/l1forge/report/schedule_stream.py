"""io_stream: every layer is a dataflow process connected by FIFOs. Processes that stream
pixels (convolutions, pooling, padding, element-wise layers over an image) overlap: the
region takes as long as the slowest of them. A vector process (a dense layer or softmax
reading its whole input as one stream word, an element-wise layer on such a word) cannot
start before its predecessor has written that word, at the predecessor's end (a softmax
over each pixel's channels streams pixels: stream_softmax.per_pixel_softmax), so the
vector processes' latencies add up. The region's latency is the slowest pixel process
plus the sum of the vector processes plus the start handshake: Vivado HLS 2020.1's Dense
16->5 report (two vector processes, 7 + 2 + 1 = 10 cycles) and its SVHN CNN report (1027
for the first convolution + 17 for the dense chain after the flatten + 1 = 1045 against
1044). A softmax that fills its table in hardware before its first read (softmax_tables)
overlaps that fill with the pixel processes. The interval is the slowest process's interval.
"""

from __future__ import annotations

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, Target
from l1forge.report.schedule import Schedule
from l1forge.report.stream_softmax import PER_PIXEL_KIND


def vector_process(cost: LayerCost) -> bool:
    """A dataflow process that reads one stream word per inference (module docs): a
    dense layer or softmax, or an element-wise process whose interval is one word."""
    if cost.kind == PER_PIXEL_KIND:  # a softmax over each pixel's channels streams pixels
        return False
    if cost.kind == "dense" and cost.ii < cost.cycles + 1:
        # a rewound Resource dense (Vitis HLS, estimate.streamed): the region's latency is
        # its slowest such process, the others run inside it (two Vitis HLS 2023.1 reports:
        # streamed Resource MLPs at RF 3,360 / 512 / 48 and 1,272 / 288 / 12 take 3,363 and
        # 1,275 cycles, their first process's latency)
        return False
    return cost.kind == "dense" or cost.kind.startswith("softmax") or (
        cost.ii == 1 and cost.kind not in ("conv", "pooling"))


def schedule_stream(costs: list[LayerCost], target: Target) -> Schedule:
    processes = [cost for cost in costs if cost.process]
    if not processes:
        return Schedule(0, 1, {c.name: 0 for c in costs}, {c.name: 0 for c in costs})
    pixel = [cost for cost in processes if not vector_process(cost)]
    vector = [cost for cost in processes if vector_process(cost)]
    # a table filled before the first read overlaps the pixel processes (softmax_tables)
    overlapped = max([cost.cycles for cost in pixel] + [cost.fill_cycles for cost in vector] + [0])
    total = (overlapped + len(pixel) * C.stream_cycles_per_process
             + sum(cost.cycles - cost.fill_cycles for cost in vector) + C.stream_start_cycles
             + C.extra_cycles.get(target.tool, 0))
    ii = max(cost.ii for cost in processes)
    return Schedule(latency_cycles=total, ii=ii, registers_after={c.name: 0 for c in costs},
                    cycles_of={c.name: c.cycles for c in costs})
