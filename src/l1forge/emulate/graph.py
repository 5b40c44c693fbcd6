"""Walk an hls4ml ModelGraph (after its optimizer passes) and plan one step per layer.

Layers are visited in the graph's order, which is the order of the calls in the generated
firmware. Each layer class maps to one builder below; a class without a builder is refused
by name, so nothing is ever computed by guesswork.

io_stream projects compute the same values: hls4ml's stream templates call the same layer
kernels with the same types, one stream word (a pixel's channels) at a time. The layers
only io_stream has move values without changing them: Repack regroups stream words
(a reshape) and Clone copies a stream to several readers. Every build checks the emulator
against the C-simulation, whatever the io type.
"""

from __future__ import annotations

from l1forge.emulate import (batchnorm, binary, conv, cropping, dense, depthwise, embedding, merge, nodes, piecewise,
                             pooling, recurrent, reshaping, softmax, wide)
from l1forge.emulate.emulator import Emulator
from l1forge.emulate.inputs import InputStep
from l1forge.emulate.signals import Signal
from l1forge.errors import UserError


def _build_activation(node, inputs, request_scale):
    return piecewise.build_activation(node, inputs, request_scale)


def _plain(builder):
    return lambda node, inputs, request_scale: builder(node, inputs)


BUILDERS = {
    # binary.binary_aware: binary data and XNOR products (binary.py); the rest as before
    "Dense": _plain(binary.binary_aware(dense.build_dense)),
    "Conv1D": _plain(binary.binary_aware(conv.build_conv1d)),
    "PointwiseConv1D": _plain(binary.binary_aware(conv.build_conv1d)),
    "Conv2D": _plain(binary.binary_aware(conv.build_conv2d)),
    # QKeras' QConv2DBatchnorm: hls4ml folds the normalization into the kernel and bias it
    # stores (layers.Conv2DBatchnorm), and the firmware is the Conv2D template on them
    "Conv2DBatchnorm": _plain(binary.binary_aware(conv.build_conv2d)),
    "PointwiseConv2D": _plain(binary.binary_aware(conv.build_conv2d)),
    "Activation": _build_activation,
    "ParametrizedActivation": _build_activation,
    "TernaryTanh": _build_activation,
    "DepthwiseConv1D": _plain(depthwise.build_depthwise1d),
    "DepthwiseConv2D": _plain(depthwise.build_depthwise2d),
    "Cropping1D": _plain(cropping.build_cropping),
    "Cropping2D": _plain(cropping.build_cropping),
    "HardActivation": _plain(piecewise.build_hard_activation),
    "PReLU": _plain(piecewise.build_prelu),
    "BatchNormalizationQuantizedTanh": _plain(binary.build_threshold),
    "Softmax": _plain(softmax.build_softmax),
    "BatchNormalization": _plain(batchnorm.build_batchnorm),
    "ApplyAlpha": _plain(batchnorm.build_batchnorm),  # QKeras alpha scales: a batchnorm (normalize)
    "Pooling1D": _plain(pooling.build_pooling1d),
    "Pooling2D": _plain(pooling.build_pooling2d),
    "GlobalPooling1D": _plain(pooling.build_global_pooling),
    "GlobalPooling2D": _plain(pooling.build_global_pooling),
    "Reshape": _plain(reshaping.build_reshape),
    "Repack": _plain(reshaping.build_reshape),
    "Transpose": _plain(reshaping.build_transpose),
    "ZeroPadding1D": _plain(reshaping.build_zero_padding),
    "ZeroPadding2D": _plain(reshaping.build_zero_padding),
    "Resize": _plain(reshaping.build_resize),
    "Merge": _plain(merge.build_merge),
    "Concatenate": _plain(merge.build_concatenate),
    "Embedding": _plain(embedding.build_embedding),
    "LSTM": _plain(recurrent.build_recurrent),  # nnet_recurrent.h, the Latency strategy (recurrent.py)
    "GRU": _plain(recurrent.build_recurrent),
    "Bidirectional": _plain(recurrent.build_recurrent),  # a forward and a backward LSTM/GRU cell
}

# classes refused with their own reason (the rest: "this layer type is not emulated")
REFUSED = {"SimpleRNN": recurrent.SIMPLE_RNN}


def _consumer_counts(graph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in graph.get_layers():
        for name in node.inputs:
            counts[name] = counts.get(name, 0) + 1
    for name in graph.outputs:
        counts[name] = counts.get(name, 0) + 1
    return counts


def from_graph(graph, manifest: dict | None = None) -> Emulator:
    """Plan the emulator of an hls4ml ModelGraph (converted, not necessarily compiled)."""
    consumers = _consumer_counts(graph)
    signals: dict[str, Signal] = {}
    producers: dict[str, object] = {}
    input_steps, steps = [], []
    aliases: dict[str, str] = {}  # io_stream Clone outputs -> the stream they copy

    def request_scale(signal: Signal, scale: int) -> Signal:
        """Let a rounding consumer take `signal` pre-scaled onto its own grid, when the
        producer can store it so for free and nobody else reads it."""
        producer = producers.get(signal.name)
        if consumers.get(signal.name) != 1 or not getattr(producer, "rescalable", False):
            return signal
        signals[signal.name] = producer.rescale(scale)
        return signals[signal.name]

    for node in graph.get_layers():
        if node.class_name in ("Input", "InputLayer"):
            ftype = nodes.output_type(node)
            step = InputStep(node.outputs[0], tuple(node.get_output_variable().shape), ftype)
            input_steps.append(step)
        elif node.class_name == "Clone":
            # every copy is the input stream itself; with several readers it may not be rescaled
            source = signals[node.inputs[0]]
            consumers[source.name] = max(consumers.get(source.name, 0), len(node.outputs), 2)
            for name in node.outputs:
                signals[name] = source
                aliases[name] = source.name
            continue
        else:
            builder = BUILDERS.get(node.class_name)
            if builder is None:
                reason = REFUSED.get(node.class_name, "this layer type is not emulated")
                raise UserError(f"{nodes.where(node)}: {reason}; supported: "
                                + ", ".join(sorted(BUILDERS)))
            missing = [name for name in node.inputs if name not in signals]
            if missing:
                raise UserError(f"{nodes.where(node)}: reads {missing}, which no earlier layer produces")
            step = wide.build_guarded(builder, node, [signals[name] for name in node.inputs], request_scale)
            step.inputs = tuple(aliases.get(name, name) for name in step.inputs)
            steps.append(step)
        signals[step.output.name] = step.output
        producers[step.output.name] = step
    order = {step.output.name: step for step in input_steps}
    inputs = [order[name] for name in graph.inputs if name in order] or input_steps
    outputs = [aliases.get(name, name) for name in graph.outputs]
    return Emulator(inputs, steps, outputs, signals, manifest)
