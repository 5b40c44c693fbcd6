"""Arrays Vivado HLS will not partition or reshape in io_parallel (build_limits.array_warnings)."""

from report_fakes import FixedPrecisionType, Graph

from l1forge.report.build_limits import array_warnings, hls_limit_warnings


def test_a_layer_output_over_the_partition_threshold_is_named():
    small = Graph().input(64).relu("act", 4096)
    big = Graph().input(64).relu("act", 4097)
    assert array_warnings(small, "io_parallel", "Vivado HLS") == []
    (warning,) = array_warnings(big, "io_parallel", "Vivado HLS")
    assert "act" in warning and "4,097" in warning and "XFORM 203-103" in warning and "4,096" in warning
    assert array_warnings(big, "io_stream", "Vivado HLS") == []  # streams are not partitioned
    assert array_warnings(big, "io_parallel", "Vitis HLS") == []  # no -maximum_size in Vitis HLS


def test_the_config_maximum_size_moves_the_threshold():
    class Config:
        def get_config_value(self, key, default=None):
            return 8192 if key == "MaximumSize" else default

    graph = Graph().input(64).relu("act", 5000)
    assert array_warnings(graph, "io_parallel", "Vivado HLS")
    graph.config = Config()
    assert array_warnings(graph, "io_parallel", "Vivado HLS") == []


def test_an_input_reshaped_wider_than_65536_bits_is_named():
    narrow = Graph().input(4096, FixedPrecisionType(16, 6))  # 65,536 bits: the limit itself
    wide = Graph().input(4097, FixedPrecisionType(16, 6))
    assert array_warnings(narrow, "io_parallel", "Vivado HLS") == []
    (warning,) = array_warnings(wide, "io_parallel", "Vivado HLS")
    assert "input" in warning and "65,552-bit" in warning and "XFORM 203-133" in warning
    assert array_warnings(wide, "io_parallel", "Vivado HLS")[0] in hls_limit_warnings(
        wide, "UltraScale+", 5.0, None, "io_parallel", "Vivado HLS")
