"""Resources of hls4ml's streamed line-buffer 2D pooling (stream_pooling.pool2d_resources) and
of the window bookkeeping around Vivado HLS's Resource-strategy streamed convolutions
(stream_conv.vivado_resource_conv_lut), checked against the module reports they were read
from (docs/estimator.md, eighteenth pass)."""

import pytest

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import Target
from l1forge.report.stream_pooling import pool2d_resources, pool2d_resources_apply

VITIS_US = Target(clock_ns=5.0, io_type="io_stream", tool="Vitis HLS", dsp_shape=(27, 18))
VIVADO_US = Target(clock_ns=25.0, io_type="io_stream", tool="Vivado HLS", dsp_shape=(27, 18))


def tool_lut(lut: float, target: Target) -> float:
    return lut * C.lut_scale.get(target.tool, 1.0)  # what the estimate reports after its tool scale


def test_registers_are_the_line_buffer_cores_the_window_and_the_counters():
    # Vivado HLS 2020.1, 4 channels, 4x4 max pool: 12 cores x 64 + 48 window values x 16 + 180
    # (the report: 768 + 768 + 180 = 1,716)
    _, ff = pool2d_resources(4, 4, 4, 16, False, VIVADO_US)
    assert ff == 12 * 64 + 3 * 4 * 4 * 16 + 180
    # Vitis HLS 2022.1, 4 channels, 2x2 max pool: 4 cores, 8 window values, and the
    # reduction's 2 registers a channel of its 3-cycle iteration (the report: 695)
    _, ff = pool2d_resources(2, 2, 4, 16, False, VITIS_US)
    assert ff == 4 * 64 + 1 * 2 * 4 * 16 + 180 + 2 * 4 * 16
    # an average pool registers one value a channel fewer (Vitis HLS 2023.1, 64 channels,
    # 2x2: 4,096 + 2,048 + 1,024 + 186 in the report)
    _, ff = pool2d_resources(2, 2, 64, 16, True, VITIS_US)
    assert ff == 64 * 64 + 1 * 2 * 64 * 16 + 180 + 1 * 64 * 16


@pytest.mark.parametrize("shape, average, target, vendor", [
    ((2, 2, 4), False, VITIS_US, 955),     # Vitis HLS 2022.1, xczu7ev, 5 ns
    ((2, 2, 64), False, VITIS_US, 8458),   # same build, 64 channels
    ((4, 4, 32), True, VITIS_US, 14348),   # Vitis HLS 2023.1, xcvu11p, average 4x4
    ((2, 2, 64), True, VITIS_US, 10199),   # same build, average 2x2
])
def test_luts_follow_the_module_reports(shape, average, target, vendor):
    lut, _ = pool2d_resources(*shape[:2], shape[2], 16, average, target)
    assert tool_lut(lut, target) == pytest.approx(vendor, rel=0.06)


@pytest.mark.parametrize("pool, n_chan, cores, vendor", [(4, 4, 28, 3998), (2, 8, 8, 1958)])
def test_the_vivado_max_pools_multiplexer_cores_are_not_modelled(pool, n_chan, cores, vendor):
    # the Vivado HLS 2020.1 build (xcu50, 25 ns) adds multiplexer cores of 55 LUTs (7 a
    # channel at 4x4, 1 at 2x2) that the SVHN CNNs' pools (Vivado HLS 2020.1, 5 ns) do not
    # have: the estimate stays that far under the 25 ns reports
    lut, _ = pool2d_resources(pool, pool, n_chan, 16, False, VIVADO_US)
    assert tool_lut(lut, VIVADO_US) == pytest.approx(vendor - 55 * cores, rel=0.1)


def test_not_on_7_series_parts():
    assert pool2d_resources_apply(VITIS_US) and pool2d_resources_apply(VIVADO_US)
    assert not pool2d_resources_apply(Target(clock_ns=10.0, io_type="io_stream", tool="Vivado HLS",
                                             dsp_shape=(25, 18), family="7-series"))


def test_vivado_resource_convolutions_add_their_line_buffer_and_window_control():
    # the twenty-eighth unseen set's 16 -> 8 channel 3x3 convolution (Vivado HLS 2020.1,
    # module reports): shift_line_buffer 1,024, compute_output_buffer_2d 344 + 144, the
    # process 32 + 270; the rule 1,024 + 457 + 9 x (2 x 8 + 16) = 1,769 against 1,814
    from l1forge.report.stream_conv import vivado_resource_conv_lut
    assert vivado_resource_conv_lut(3, 16, 8, 16) == 2 * 16 * 32 + 457 + 9 * 32
    assert vivado_resource_conv_lut(3, 16, 8, 16) == pytest.approx(1024 + 344 + 144 + 32 + 270, rel=0.03)


def test_vivado_block_ram_fifos_hold_pointers_and_flags():
    # the U-Net's 64-deep 16-bit FIFOs (Vivado HLS 2020.1): one BRAM_18K, 38 FF; its 208
    # block-RAM FIFOs 12,715 LUT (61 each); a shift-register FIFO keeps C.fifo_lut
    from dataclasses import replace as swap

    from l1forge.report.cost import LayerIO
    from l1forge.report.bits import Bits
    from l1forge.report.estimate import fifo_cost
    bits = Bits(width=16, integer=6, signed=True)
    io = LayerIO(name="conv", n_in=64, n_out=64 * 8, in_bits=bits, out_bits=bits, in_shape=(8, 8, 1),
                 out_shape=(8, 8, 8), live_in=64, reuse_factor=1, strategy="latency")
    vivado = fifo_cost(io, swap(VIVADO_US, clock_ns=5.0))
    assert vivado["bram_18k"] == 8 and vivado["lut"] == 8 * 61
    assert vivado["ff"] == pytest.approx(8 * 36, abs=8 * 3)  # the report: 38 each
    assert fifo_cost(io, VITIS_US)["lut"] == 8 * C.fifo_lut
    small = swap(io, n_out=4 * 8, out_shape=(2, 2, 8))
    assert fifo_cost(small, VIVADO_US)["lut"] == 8 * C.fifo_lut
