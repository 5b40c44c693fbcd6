"""Streamed wiring processes: a cycle per word read, or per word written where a process
writes more words than it reads (misc_cost._stream_copy)."""

from report_fakes import FixedPrecisionType, Graph

from l1forge.report.estimate import estimate_graph


def stream_rows(graph, tool="Vitis HLS"):
    estimate = estimate_graph(graph, clock_ns=5.0, io_type="io_stream", tool=tool, dsp_shape=(27, 18))
    return {row["name"]: row for row in estimate["per_layer"]}


def test_an_upsampling_writes_its_output_words_one_a_cycle():
    # UpSampling1D(2) over 40 words of 64 channels (hls4ml's resize_nearest): 80 words written
    # through one stream port; the tenth unseen set's Vitis HLS 2023.1 instance took 79 cycles
    graph = Graph().image_input([40, 64])._add("up", "Resize", [80, 64], FixedPrecisionType())
    assert stream_rows(graph)["up"]["latency_cycles"] == 81


def test_a_copy_that_does_not_grow_takes_a_cycle_per_word_read():
    graph = Graph().image_input([40, 64])._add("flat_copy", "Concatenate", [40, 64], FixedPrecisionType())
    assert stream_rows(graph)["flat_copy"]["latency_cycles"] == 41


def test_vitis_zero_padding_counts_the_padded_words():
    # 80 words padded to 82 ('same' padding of a 3-tap Conv1D); the RFSoC CNN's Vitis HLS
    # 2023.1 instances take 85 (80 -> 82) and 45 (40 -> 42)
    graph = (Graph().image_input([80, 32])
             ._add("pad", "ZeroPadding1D", [82, 32], FixedPrecisionType(), {"pad_left": 1, "pad_right": 1,
                                                                               "in_width": 80, "out_width": 82}))
    assert stream_rows(graph)["pad"]["latency_cycles"] == 83
