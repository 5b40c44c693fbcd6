"""A Flatten in io_stream: no process, no FIFO; the next layer reads the stream before it.

hls4ml's `inplace_stream_flatten` pass (1.3, Vivado and Vitis backends) replaces the output
of a Reshape that flattens to one dimension with an `InplaceTensorVariable` linked to its
input: no function is generated for it, and the Dense after it is instantiated on the
pre-flatten stream, whose words hold one pixel's channels. The Dense's read loop then reads
n_in / channels words, one per cycle (`DataPrepare`, pipelined when there are several).

The vendor reports agree for the three unseen public projects with a Flatten (Vivado HLS
2019.2 and 2020.1): no instance for the flatten, and the Dense reading the pre-flatten
words: 31 cycles for 16 words of 4 (a Latency dense 64 -> 16), 29 for 16 words of 8 (a
Resource dense at RF 1, 128 -> 16), 986 for 196 words of 4 at RF 784 (784 -> 13).
"""

from __future__ import annotations

from dataclasses import replace

from l1forge.report.cost import LayerCost, LayerIO, Target

# The kind of an in-place flatten: wiring, neither a process nor a FIFO (estimate.py).
INPLACE_KIND = "flatten (in place)"


def linked_source(variable):
    """The variable an in-place output is a link to (followed through chains), or None."""
    source = getattr(variable, "input_var", None)
    while source is not None and getattr(source, "input_var", None) is not None:
        source = source.input_var
    return source


def is_inplace_flatten(layer, target: Target) -> bool:
    """A layer whose io_stream output is only a link to its input's stream."""
    return (target.io_type == "io_stream" and layer.class_name != "Input"
            and linked_source(layer.get_output_variable()) is not None)


def inplace_flatten_cost(layer, io: LayerIO) -> LayerCost:
    return LayerCost(name=layer.name, kind=INPLACE_KIND, out_bits=io.live_in * io.out_bits.width,
                     notes=("io_stream flatten: in place (hls4ml's inplace_stream_flatten); "
                            "the next layer reads the stream before it",))


def input_words(layer, io: LayerIO) -> int:
    """Stream words a layer reads per inference in io_stream: one per pixel of the stream
    it is instantiated on (the pre-flatten stream where its input is an in-place flatten)."""
    names = [] if layer.class_name == "Input" else list(layer.inputs)
    variable = layer.model.get_layer_output_variable(names[0]) if names else None
    source = linked_source(variable) if variable is not None else None
    shape = tuple(source.shape) if source is not None else io.in_shape
    channels = int(shape[-1]) if shape else 1
    return max(io.n_in // max(channels, 1), 1) if shape else 1



def overlapped_reads(costs: list[LayerCost], words: dict[str, int]) -> tuple[list[LayerCost], dict[str, int]]:
    """The processes as the stream schedule should see them when a vector process (a
    Dense) reads several words: its read loop runs while its producers write those words,
    so it is split into a pixel-like reading stage of `words` + 1 cycles (estimate.streamed's read loop), which overlaps the
    pixel processes, and the tail after its last read, which adds to the latency. Returns
    the costs for schedule_stream.schedule_stream and each split layer's whole cycles (to report
    per layer). On the three vendor reports above: the dense ends 15, 13 and 790 cycles
    after its last word (31 - 16, 29 - 16, 986 - 196); in the SVHN CNN's (Vivado HLS
    2020.1) its first dense reads 4 words in 7 cycles."""
    split, whole = [], {}
    for cost in costs:
        n = words.get(cost.name, 1) + 1  # the read loop: one word a cycle, and its pipeline's end
        if cost.process and cost.kind == "dense" and n > 2 and cost.cycles > n:
            whole[cost.name] = cost.cycles
            split.append(replace(cost, name=f"{cost.name} (reads)", kind="stream reads", cycles=n, ii=n,
                                 dsp=0.0, lut=0.0, ff=0.0, bram_18k=0.0, out_bits=0, notes=()))
            split.append(replace(cost, cycles=cost.cycles - n))
        else:
            split.append(cost)
    return split, whole


def stream_schedule(costs: list[LayerCost], words: dict[str, int], target: Target):
    """schedule_stream.schedule_stream over the processes with their overlapped reads split off
    (overlapped_reads), each layer's cycles reported whole."""
    from l1forge.report.schedule_stream import schedule_stream

    split, whole = overlapped_reads(costs, words)
    schedule = schedule_stream(split, target)
    cycles_of = {cost.name: whole.get(cost.name, schedule.cycles_of[cost.name]) for cost in costs}
    registers = {cost.name: schedule.registers_after[cost.name] for cost in costs}
    return replace(schedule, cycles_of=cycles_of, registers_after=registers)
