"""Pre-synthesis estimate of latency, interval and resources of an hls4ml ModelGraph.

The model, in one paragraph per idea (constants in calibration.py, with their sources):

1. Products. With the Latency strategy every weight is a constant the HLS tool sees, so
   each product is specialised by its canonical-signed-digit (CSD) form: a zero weight
   (pruned or quantized to zero) costs nothing, a power of two is a shift, two CSD digits
   are one LUT adder, three or more digits on an input of 10+ bits take a DSP slice
   (multiplies wider than one DSP take several). hls4ml's ALLOCATION pragma caps the DSPs
   at ceil(n_in*n_out/RF) - n_zeros/RF. With the Resource strategy the weights sit in a
   ROM and each of the ceil(n_in*n_out/RF) shared multipliers is a real one.
2. LUTs are adder bits: the shift-and-add multipliers, the accumulation trees (one
   accum_t adder per non-zero term beyond the first, per output), the casts into the
   output type (more when it rounds or saturates), and small per-value logic for
   activations. Outputs that are constants (every weight of the neuron is zero) are free.
3. Timing: each layer is a combinational delay (DSP, LUT multiplier, adder levels of
   its tree, comparators); logic longer than the clock period minus the clock
   uncertainty gets internal registers. The schedule chains consecutive layers into one
   cycle while they fit and registers the boundary where they do not (schedule.py).
   Flip-flops are those boundary registers (live output bits), the pipeline registers
   inside cut adder trees, and the top-level input register. A slower fabric or grade
   leaves less of the period for the same logic (timing.py); where a DSP multiply fills
   the cycle the sums go through DSP post-adders, one registered level per cycle, with
   every product and partial sum in a register (dense_cost).
   Vitis HLS on 7-series parts schedules otherwise (series7.py, from 18 reports there):
   every layer is a registered instance and every adder level a cycle.
   A reuse factor: with the Latency strategy the capped multiplies (3+ CSD digits, any
   binding) are issued `cap` per cycle, and a layer pipelined at II = RF whose schedule
   is shorter runs every latency + 1 cycles (dense_cost.pipelined_interval); the design's
   interval is the largest layer interval; with the Resource strategy
   hls4ml builds a dataflow region whose latency is the sum of its layer processes and
   whose interval is the largest of their own intervals (schedule.py).
4. io_stream: every layer is a dataflow process; its latency is the pixels it reads
   plus its logic depth, and the region's latency is the slowest process plus one cycle
   per process (schedule_stream.py). In Vitis HLS a line-buffer convolution takes its kernel's
   cycles + 2 per pixel (stream_conv.vitis_pixel_interval); with the Resource strategy its
   pixel loop is not pipelined and each pixel is a sequential iteration (window shift loop,
   kernel call; stream_conv.resource_pixel_cycles); Vivado HLS's zero padding runs plain
   loops over the padded image (stream_padding.py); a 2D pooling reads a pixel per cycle only where
   the cycle's logic budget holds its carried loop, else one per two (stream_pooling.py). Element-wise
   processes (activations, batch normalization)
   hold one pixel's hardware, used once per pixel; a process registers what its pixel
   loop reads and writes (2x the flip-flops of the same logic in io_parallel). FIFOs
   between processes cost flip-flops, LUTs or block RAM by their depth (hls4ml sizes
   them to one image).
5. Block RAM: softmax and table activations (one ROM per two values, dual port), the
   weight ROMs of the Resource strategy, and deep FIFOs.

A distributed-arithmetic design in io_parallel is then costed as a whole from the model of
the RTL `l1forge rtl` writes for it (da_cost.da_design_costs: da4ml's cost of each operation
and the register bits of its latency cut, calibrated on yosys netlists).

Which function costs which hls4ml layer class is registry.py's one table; weights and
types are read through the emulator's exact readers (bits.py). Where a rule has at most
one vendor report behind it, the report says so (extrapolation.py).

The estimate is of the C-synthesis report (what Vivado/Vitis HLS prints), the figure
hardware teams compare first; post-synthesis Vivado usually needs fewer LUTs and FFs.
"""

from __future__ import annotations

import math
from dataclasses import replace

from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target, layer_io, stream_words
from l1forge.report.da_cost import da_design_costs
from l1forge.report.dense_cost import kernel_codes
from l1forge.report.liveness import folded_masks
from l1forge.errors import UserError
from l1forge.report import registry
from l1forge.report import series7, vitis_instance_ff
from l1forge.report.stream_flatten import (INPLACE_KIND, inplace_flatten_cost, input_words, is_inplace_flatten,
                                           stream_schedule)
from l1forge.report.stream_softmax import per_pixel_softmax, shared_stream_softmax
from l1forge.report.schedule import (dataflow_top, predecessors, schedule_instances, schedule_parallel,
                                     schedule_parallel_dataflow)
from l1forge.report.softmax_tables import wide_table_cost

BRAM18_BITS = 18 * 1024


def streamed(cost: LayerCost, io: LayerIO, target: Target, words: int) -> LayerCost:
    """Turn a layer's logic into a dataflow process (io_stream); `words` is the stream words
    it reads (stream_flatten.input_words)."""
    if cost.process or cost.kind in ("input", INPLACE_KIND):
        return cost  # already a process (convolution, pooling, stream copies), a port or a link
    if cost.kind == "dense":
        # nnet::dense (stream): a loop reading the input words (pipelined when there are
        # several), the pipelined dense kernel, then the output word written.
        reads = words + 1 if words > 1 else 0
        # (the kernel's cycles already hold what a reuse factor adds: shared multipliers
        # in dense_cost.kernel_cost, the RF-cycle loop in resource_cost.resource_cost)
        latency = reads + cost.cycles + C.stream_dense_write_cycles
        # Vitis HLS rewinds a Resource dense that reads its input in one word: its RF-cycle
        # loop (`PIPELINE II=1 rewind`) takes the next inference's word as the last cycle
        # ends, so the process runs every RF cycles (9 such layers of 3 Vitis HLS 2022.2 /
        # 2023.1 reports: interval RF, latency RF + 3 to 10). Read over several words, or in
        # Vivado HLS, it runs once per latency + 1 (3 Vitis and 6 Vivado HLS layers).
        rewound = target.tool == "Vitis HLS" and io.strategy == "resource" and words <= 1 and io.reuse_factor > 1
        return replace(cost, cycles=latency, ii=min(io.reuse_factor, latency + 1) if rewound else latency + 1,
                       process=True)
    if cost.kind.startswith("softmax"):
        latency = 1 + cost.cycles + C.stream_overhead_cycles
        return replace(cost, cycles=latency, ii=latency + 1, process=True)
    # element-wise: pipelined over the words (pixels); the last value needs a read and a write
    latency = words + cost.cycles + 1
    return replace(cost, cycles=latency, ii=max(words, 1), process=True)


def fifo_cost(io: LayerIO, target: Target) -> dict[str, float]:
    """FIFOs after a layer in io_stream: one per output channel, one image deep.

    A FIFO in block RAM holds its read and write pointers and flags around the memory.
    Vivado HLS counts them at 61 LUT and 4 log2(depth) + 12 FF for 16-bit data, a LUT per
    bit and a FF per bit more for wider data: read from the FIFO tables and totals of seven
    Vivado HLS 2019.2 / 2020.1 streamed CNNs (a U-Net whose 208 FIFOs are all in block RAM:
    12,715 LUT, 38 FF at 64 deep, 44 at 256, 51 at 1,024; the SVHN CNN, the MNIST CNNs, the
    4-bit CNN, the separable CNN, the conv autoencoder's 32-bit FIFOs 54-67 FF), where the
    shift-register FIFOs take about 30 LUT each, as C.fifo_lut has it."""
    channels = io.out_shape[-1] if io.out_shape else 1
    depth = stream_words(io.n_out, io.out_shape)
    bits = io.out_bits.width
    if depth * bits > C.fifo_srl_max_bits:
        per = {"bram_18k": math.ceil(depth * bits / BRAM18_BITS)}
        if target.tool == "Vivado HLS":
            wider = max(bits - 16, 0)
            per.update(ff=4 * math.log2(depth) + 12 + wider, lut=C.vivado_bram_fifo_lut + wider)
        else:
            per.update(ff=2 * math.ceil(math.log2(depth)) + C.fifo_ff, lut=C.fifo_lut)
    else:
        per = {"bram_18k": 0, "ff": C.fifo_ff + (2 if depth > 2 else 0), "lut": C.fifo_lut}
    return {key: value * channels for key, value in per.items()}


def one_pixel(io: LayerIO) -> tuple[LayerIO, int]:
    """An element-wise io_stream process holds the hardware for one pixel (one stream word:
    the channels), used once per pixel; returns that pixel's view and the pixel count."""
    channels = io.in_shape[-1] if io.in_shape else 1
    pixels = stream_words(io.n_in, io.in_shape)  # the words it reads
    if pixels == 1:
        return io, 1
    view = replace(io, n_in=channels, n_out=max(io.n_out // pixels, 1),
                   live_in=math.ceil(io.live_in / pixels), in_shape=(channels,),
                   out_shape=(io.out_shape[-1],) if io.out_shape else ())
    return view, pixels


def _layer_cost(layer, live: dict[str, int], target: Target, fold=None) -> tuple[LayerIO, LayerCost]:
    io = layer_io(layer, live)
    if fold is not None:
        io = replace(io, fold=fold)
    if is_inplace_flatten(layer, target):
        return io, inplace_flatten_cost(layer, io)
    if target.io_type == "io_stream" and layer.class_name in registry.ELEMENTWISE:
        view, pixels = one_pixel(io)
        cost = registry.cost_function(layer.class_name)(layer, view, target)
        cost = replace(cost, out_bits=cost.out_bits * pixels)
    else:
        cost = registry.cost_function(layer.class_name)(layer, io, target)
    if target.io_type == "io_stream" and cost.kind == "softmax" and stream_words(io.n_in, io.in_shape) > 1:
        # a softmax over each pixel's channels (a convolution's activation): one word's
        # hardware, run once per pixel (stream_softmax.per_pixel_softmax)
        view, pixels = one_pixel(io)
        word = shared_stream_softmax(registry.cost_function(layer.class_name)(layer, view, target), view, target)
        return io, wide_table_cost(layer, per_pixel_softmax(word, view, pixels), target)
    cost = shared_stream_softmax(cost, io, target)  # its multipliers capped at ceil(n / RF)
    if target.io_type == "io_stream":
        cost = streamed(cost, io, target, input_words(layer, io))
    cost = wide_table_cost(layer, cost, target)  # a table loop HLS builds (softmax_tables)
    return io, cost


def _weight_codes(layer):
    try:
        return kernel_codes(layer)[0]
    except UserError as err:  # name the layer whose weights cannot be read
        raise UserError(f"layer '{layer.name}' ({layer.class_name}): {err}") from None


def _costs(graph, target: Target) -> tuple[list[LayerCost], list[LayerIO]]:
    live: dict[str, int] = {}
    costs, ios = [], []
    folds = folded_masks(graph, _weight_codes) if target.io_type == "io_parallel" else {}
    for layer in graph.get_layers():
        try:
            io, cost = _layer_cost(layer, live, target, folds.get(layer.name))
        except UserError as err:  # name the layer whose types or weights cannot be read
            raise UserError(f"layer '{layer.name}' ({layer.class_name}): {err}") from None
        live[layer.get_output_variable().name] = cost.out_bits // max(io.out_bits.width, 1)
        costs.append(cost)
        ios.append(io)
    return costs, ios


def _finish(costs: list[LayerCost], ios: list[LayerIO], target: Target, schedule,
            registered_instance_inputs: bool = False, channel_fifos: bool = False) -> list[LayerCost]:
    """Add what the composition costs: boundary registers, FIFOs, top-level ports; with
    `registered_instance_inputs` (a Vitis HLS pipelined top, vitis_instance_ff) the top also
    registers the input of each pipelined Dense instance. With `channel_fifos` (an
    io_parallel dataflow region) each value a process hands to the next crosses a FIFO
    (channel_fifo_cost)."""
    done = []
    last = len(costs) - 1
    for i, (cost, io) in enumerate(zip(costs, ios)):
        feeds_instance = (registered_instance_inputs and i < last and cost.kind != "input"
                          and costs[i + 1].kind == "dense" and costs[i + 1].cycles >= 1)
        if target.io_type == "io_stream":
            cost = replace(cost, ff=cost.ff * C.stream_ff_scale + cost.ff_counted, ff_counted=0.0)
            if 0 < i < last and cost.kind != INPLACE_KIND:  # an in-place flatten has no FIFO
                cost = cost.plus(**fifo_cost(io, target))
        else:
            cost = replace(cost, ff=cost.ff + cost.ff_counted, ff_counted=0.0)
            registers = max(schedule.registers_after[cost.name], 1 if feeds_instance else 0)
            if channel_fifos and registers:
                cost = cost.plus(**channel_fifo_cost(cost, io, target))
            else:
                cost = cost.plus(ff=registers * cost.out_bits)
            if i == 0:  # the registered top-level input (ap_vld port)
                cost = cost.plus(ff=io.n_out * io.out_bits.width)
        done.append(cost)
    return done


def channel_fifo_cost(cost: LayerCost, io: LayerIO, target: Target) -> dict[str, float]:
    """An io_parallel dataflow region (schedule.dataflow_top): each value a process
    hands to the next is registered at the process's output and crosses a FIFO of depth 2,
    one per value. Vivado HLS builds it as a shift register, C.fifo_ff FFs and C.fifo_lut
    LUTs of control with the words in the LUTs; Vitis HLS holds both words in registers
    with the same control LUTs. Read after their held-out runs from the FIFO and instance
    tables of the thirty-first and thirty-second unseen sets' VAE encoders (Vivado HLS
    2019.2: 96 FIFOs of 5 FF and 43 LUT, instances holding 32 FF a value; Vitis HLS 2023.1:
    68 FF and 40 LUT a FIFO, the same instances) and the Artix-7 MLP (Vitis HLS 2023.2:
    99 FF and 68 LUT a FIFO), and checked on the FIFO tables of three earlier Vivado HLS
    2019.2 designs (two GRUs, 30 LUT a FIFO; a PYNQ-Z2 tagger, 24; all 5 FF)."""
    words = 2 * cost.out_bits if target.tool == "Vitis HLS" else C.fifo_ff * io.n_out
    return {"ff": cost.out_bits + words, "lut": C.fifo_lut * io.n_out}


def estimate_graph(graph, clock_ns: float, io_type: str, tool: str, dsp_shape: tuple[int, int],
                   delay_scale: float = 1.0, family: str = "", multiplier_impl: str | None = None,
                   clock_uncertainty_ns: float | None = None) -> dict:
    """The `estimate` section of a report for one ModelGraph; `delay_scale` is the part's
    logic delay over that of the calibration part (timing.delay_scale), `family` the
    part's family, `multiplier_impl` a forced multiplier binding (dsp, fabric) and
    `clock_uncertainty_ns` the project's clock uncertainty (None: 12.5% of the period)."""
    target = Target(clock_ns=float(clock_ns), io_type=io_type, tool=tool, dsp_shape=dsp_shape,
                    delay_scale=float(delay_scale), family=family, multiplier_impl=multiplier_impl,
                    clock_uncertainty_ns=clock_uncertainty_ns)
    costs, ios = _costs(graph, target)
    preds = predecessors(graph)
    dataflow = True
    region = io_type == "io_parallel" and dataflow_top(graph)  # what hls4ml's pipeline-style pass picks
    if series7.applies(target) and not region and not any(io.strategy == "resource" for io in ios):
        schedule, dataflow = schedule_instances(costs, target, preds), io_type == "io_stream"
    elif io_type == "io_stream":
        words = {layer.name: input_words(layer, io) for layer, io in zip(graph.get_layers(), ios)}
        schedule = stream_schedule(costs, words, target)  # a Dense's reads overlap its producers
    elif region:
        schedule = schedule_parallel_dataflow(costs, target, preds)
    else:
        schedule, dataflow = schedule_parallel(costs, target, preds), False
    costs = _finish(costs, ios, target, schedule, registered_instance_inputs=(
        not dataflow and vitis_instance_ff.applies(target)),
        channel_fifos=dataflow and io_type == "io_parallel")
    scale = C.lut_scale.get(tool, 1.0)
    costs = [replace(cost, lut=cost.lut * scale) for cost in costs]
    if io_type == "io_parallel" and _strategy(ios) == "distributed_arithmetic":  # da4ml's RTL, modelled
        costs = da_design_costs(graph, costs, target)
    classes = [layer.class_name for layer in graph.get_layers()]
    per_layer = [{
        "name": cost.name, "class": layer_class, "kind": cost.kind,
        "latency_cycles": int(schedule.cycles_of[cost.name]),
        "ii": int(cost.ii), "dsp": int(round(cost.dsp)), "lut": int(round(cost.lut)),
        "ff": int(round(cost.ff)), "bram_18k": int(math.ceil(cost.bram_18k)),
        "notes": list(cost.notes),
    } for cost, layer_class in zip(costs, classes)]
    top_lut = C.top_control_lut
    # One pipeline (io_parallel, Latency): a valid bit per stage. A dataflow region's processes
    # hand over by FIFO or ping-pong handshakes; its top level keeps no per-cycle shift register.
    top_ff = (math.ceil(math.log2(schedule.latency_cycles + 1)) if dataflow
              else schedule.latency_cycles) + C.top_control_ff
    return {
        "latency_cycles": int(schedule.latency_cycles),
        "latency_ns": round(schedule.latency_cycles * target.clock_ns, 3),
        "ii": int(schedule.ii),
        "dsp": sum(row["dsp"] for row in per_layer),
        "lut": sum(row["lut"] for row in per_layer) + top_lut,
        "ff": sum(row["ff"] for row in per_layer) + top_ff,
        "bram_18k": sum(row["bram_18k"] for row in per_layer),
        "per_layer": per_layer,
        "tool": tool, "clock_ns": target.clock_ns, "io_type": io_type,
        "strategy": _strategy(ios),
        "reuse_factor": max([io.reuse_factor for io in ios] or [1]),
        "multiplier_impl": multiplier_impl,
        # layers counted as free for want of a rule: the figures above are lower bounds
        "unmodelled": [cost.name for cost in costs if not cost.modelled],
    }


def _strategy(ios) -> str:
    """The design's strategy as the estimate costed it: resource where any layer shares its
    multipliers in a dataflow region, else distributed_arithmetic where any layer is
    da4ml's adder program, else latency."""
    strategies = {io.strategy for io in ios}
    for name in ("resource", "distributed_arithmetic"):
        if name in strategies:
            return name
    return "latency"
