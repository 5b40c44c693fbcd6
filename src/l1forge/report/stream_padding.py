"""Cycles of hls4ml's streamed zero padding (`zeropad1d_cl`, `zeropad2d_cl`) in Vivado HLS.

The templates (nnet_padding_stream.h) write the padded image with plain loops and no
PIPELINE pragma: 1D `PadLeft`, `CopyMain` (one read and one write per input pixel),
`PadRight`; 2D `PadTop` rows, `PadMain` (per input row: `PadLeft`, `CopyMain`,
`PadRight`), `PadBottom` rows, each row a `PadTopWidth`/`PadBottomWidth` loop over the
output width. Vivado HLS schedules such a loop with a one-cycle body as N cycles plus
one to leave it; a loop of one trip is unrolled and its single write shares a state with
its neighbour (no cycle of its own); an outer loop adds one cycle per iteration and one
to leave. The process is not pipelined: its interval is its latency + 1.

Read from the loop table of the PYNQ ECON encoder's zeropad2d report (Vivado HLS 2020.1:
`PadMain` 8 x 10 = 80, `CopyMain` 8, `PadBottomWidth` 9, function 91) and the four
zeropad1d instances of the Conv1D encoder (65, 71, 68, 36 for pads 1/1, 2/2, 1/2, 1/2);
the conv autoencoder's four zeropad2d instances (Vivado HLS 2019.2: 39, 103, 327, 1159,
a validation set) come out exact as well. Vitis HLS pipelines loops by itself, so this
count is for Vivado HLS only.
"""

from __future__ import annotations


def write_loop(trips: int) -> int:
    """Cycles of a non-pipelined loop of one-cycle iterations (module docs)."""
    return trips + 1 if trips > 1 else 0


def _rows(count: int, row: int) -> int:
    """Cycles of an outer loop over `count` rows of `row` cycles each."""
    if count <= 0:
        return 0
    return row if count == 1 else count * (row + 1) + 1


def zeropad_cycles(layer) -> int:
    """Latency of a streamed ZeroPadding1D/2D process in Vivado HLS (module docs)."""
    attr = lambda key: int(layer.get_attr(key, 0) or 0)  # noqa: E731
    line = write_loop(attr("pad_left")) + write_loop(attr("in_width")) + write_loop(attr("pad_right"))
    if layer.class_name.endswith("1D"):
        return line
    row = write_loop(attr("out_width"))
    return _rows(attr("pad_top"), row) + _rows(attr("in_height"), line) + _rows(attr("pad_bottom"), row)
