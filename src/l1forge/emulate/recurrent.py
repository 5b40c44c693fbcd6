"""LSTM and GRU layers as hls4ml's Vivado/Vitis firmware computes them (nnet_recurrent.h;
io_parallel, or io_stream, whose stack reads one stream word per time step and calls the
same cell; the Latency or the Resource strategy, whose Dense kernels differ only in the
order they add products, which MacKernel follows as for a Dense layer).

The layer runs one cell per time step over the sequence (time steps outer, features inner
in the input array), its state zeroed before the first step. Every quantity of a step is a
fixed-point value of a declared type:

    xw    = accum_t dense(x_t; weight, bias)           the Dense kernel, products cast to accum_t
    hw    = accum_t dense(h; recurrent_weight, recurrent_bias)
    LSTM (gates i, f, c, o in Keras' order):
    a     = accum_t(xw + hw)                           gate by gate
    i,f,o = recurrent_activation(a)  -> accum_t        sigmoid / tanh tables of table_t, or relu
    g     = activation(a_c)          -> accum_t
    s     = result_t(g * i + s * f)                    exact products and sum, one cast
    h     = result_t(o * activation(s))                activation read on result_t, into accum_t
    GRU (gates z, r, h in Keras' order; the reset gate applied after the product, reset_after):
    z,r   = recurrent_activation(accum_t(xw + hw))
    q     = activation(accum_t(xw_h + accum_t(r * hw_h)))
    h     = result_t(q * (1 - z) + h * z)              exact products and sum, one cast

The state h (and the LSTM's s) is of the layer's result type. hls4ml's non-static variant
(`static: False`) computes the same values: the state lives in the caller's array instead
of a static one, zeroed at the start of the sequence just the same. The output is the last
h, or every step's h (`return_sequences`).

Bidirectional (bidirectional_stack, io_parallel) runs a forward cell over the sequence and a
backward one (LSTM or GRU, its own weights and types under backward_*) over it reversed; it
writes [h_forward, h_backward] after the last step, or, with return_sequences, each step's
forward h beside the backward h of the same time step. Its static cells call only the static
LSTM, so the LSTM's one-type rule below holds only for its non-static variant.

Refused, each in one line: streams packed otherwise, resource_unrolled and distributed
arithmetic, activations other than sigmoid, tanh and relu (the firmware's recurrent
activations), returned or passed-in states, backward or time-major sequences, PyTorch's gate
order, a GRU with reset_after=False (the firmware applies the reset gate after the product
whatever Keras asked), a Bidirectional stream or merge other than concat, and an LSTM whose
input, result and accumulator types differ (g++ rejects that firmware: see lstm_types).
"""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.recurrent_cell import Cell
from l1forge.emulate.signals import Signal, Step, typed_signal
from l1forge.errors import UserError

# the Dense kernels hls4ml's recurrent template picks: Latency, or Resource by reuse factor
KERNELS = ("nnet::DenseLatency", "nnet::DenseResource_rf_leq_nin", "nnet::DenseResource_rf_gt_nin_rem0")
# hls4ml's Vivado and Vitis backends write no firmware call for SimpleRNN (only its Quartus
# and oneAPI templates implement one): there is nothing to emulate
SIMPLE_RNN = "hls4ml's Vivado/Vitis firmware has no SimpleRNN (it writes no call for it), so it is not emulated"
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SUPPORTED = ("io_parallel or io_stream (a word a time step; Bidirectional io_parallel), the Latency or Resource "
             f"strategy, forward sequences without passed or returned states, activations {', '.join(ACTIVATIONS)}")


def refuse(node, what: str):
    raise UserError(f"{nodes.where(node)}: {what} is not emulated; supported: {SUPPORTED}")


def _check_stream_words(node) -> None:
    """io_stream: lstm_stack / gru_stack read one stream word per time step and write one
    per state; other packings would feed the cell part of a step."""
    if node.class_name == "Bidirectional":
        refuse(node, "a Bidirectional stream (bidirectional_stack has no stream version)")
    for variable in (node.get_input_variable(), node.get_output_variable()):
        packing = getattr(variable.type, "n_elem", variable.shape[-1]), getattr(variable.type, "n_pack", 1)
        if packing != (variable.shape[-1], 1):
            refuse(node, f"a stream of {packing[0]} x {packing[1]} values a word for {variable.shape[-1]} a step")


def _check_cell(node, kind: str, prefix: str) -> None:
    if kind == "GRU" and str(node.get_attr(prefix + "apply_reset_gate", "after")) != "after":
        refuse(node, "reset_after=False (the firmware applies the reset gate after the product)")
    for key in (prefix + "activation", prefix + "recurrent_activation"):
        if str(node.get_attr(key)).lower() not in ACTIVATIONS:
            refuse(node, f"{key} '{node.get_attr(key)}'")


def _check_node(node, cells: list[tuple[str, str]], blocks: int) -> None:
    io_type = str(node.model.config.get_config_value("IOType"))
    if io_type == "io_stream":
        _check_stream_words(node)
    elif io_type != "io_parallel":
        refuse(node, f"io type '{io_type}'")
    if nodes.strategy(node) not in ("latency", "resource"):
        refuse(node, f"strategy '{nodes.strategy(node)}'")
    for attribute, what in (("return_state", "returning the states"), ("pass_initial_states", "initial states"),
                            ("time_major", "time-major input"), ("pytorch", "PyTorch's gate order")):
        if node.get_attr(attribute, False):
            refuse(node, what)
    if node.class_name != "Bidirectional" and str(node.get_attr("direction", "forward")) != "forward":
        refuse(node, "a backward sequence (the firmware runs it forward)")
    if str(node.get_attr("merge_mode", "concat")) != "concat":
        refuse(node, f"merge mode '{node.get_attr('merge_mode')}'")
    for kind, prefix in cells:
        _check_cell(node, kind, prefix)
    products = set(re.findall(r"product::(\w+)<", nodes.config_text(node)))
    kernels = {kernel for kernel, _ in mult_configs(node, blocks)}
    if products - {"mult"} or kernels - set(KERNELS):
        refuse(node, f"products {sorted(products)} with kernels {sorted(kernels)}")


def mult_configs(node, count: int) -> list[tuple[str, int]]:
    """(kernel, reuse factor) of the Dense configs the layer's config holds: per cell the
    input's (mult_config1), then the state's (mult_config2)."""
    blocks = re.findall(r"struct \w+ : nnet::dense_config \{(.*?)\n\};", nodes.config_text(node), re.S)
    if len(blocks) != count:
        raise UserError(f"{nodes.where(node)}: expected {count} Dense configs in the generated config, "
                        f"found {len(blocks)}")
    found = []
    for block in blocks:
        kernel, rf = re.search(r"using kernel = ([\w:]+)<", block), re.search(r"reuse_factor = (\d+);", block)
        found.append((kernel.group(1) if kernel else "none", int(rf.group(1)) if rf else 1))
    return found


def lstm_types(node, x: Signal, kinds: list[str]) -> None:
    """nnet_recurrent.h instantiates the non-static lstm wherever its stack may call it (every
    LSTM layer, a non-static Bidirectional one), and that lstm's Dense calls take the result
    type for the accumulator's and the input's arrays: g++ refuses any other types."""
    accum, res = nodes.named_type(node, "accum_t"), nodes.output_type(node)
    static_only = node.class_name == "Bidirectional" and node.get_attr("static", True)
    if "LSTM" in kinds and not static_only and not x.ftype == res == accum:
        refuse(node, f"an LSTM whose input ({x.ftype}), result ({res}) and accumulator ({accum}) types differ "
               "(hls4ml's firmware compiles only with one type for the three)")
    if accum.frac < 0:
        refuse(node, f"accumulator {accum} without fractional bits")


class RecurrentStep(Step):
    """An LSTM, GRU or Bidirectional layer over the whole sequence (see the module docstring)."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        if len(x.shape) != 2:
            raise UserError(f"{nodes.where(node)}: reads {x.name} of shape {x.shape}; expected (time steps, features)")
        self.x, (self.n_seq, self.n_in) = x, x.shape
        self.sequences = bool(node.get_attr("return_sequences", False))
        specs = self._cell_specs(node)
        _check_node(node, [(kind, prefix) for kind, prefix, _ in specs], 2 * len(specs))
        lstm_types(node, x, [kind for kind, _, _ in specs])
        step = Signal(x.name, (self.n_in,), x.ftype, x.lo, x.hi, x.dtype, x.ftype.frac)  # one time step
        configs = mult_configs(node, 2 * len(specs))
        self.cells = [Cell(node, kind, prefix, n, step, configs[2 * i : 2 * i + 2], f"{node.name} {prefix}".strip())
                      for i, (kind, prefix, n) in enumerate(specs)]
        res = nodes.output_type(node)
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), res, res.code_min,
                                   res.code_max)

    @staticmethod
    def _cell_specs(node) -> list[tuple[str, str, int]]:
        """(kind, attribute prefix, states) of each direction's cell."""
        if node.class_name != "Bidirectional":
            return [(node.class_name, "", int(node.get_attr("n_out")))]
        return [(str(node.get_attr(f"{d}_class_name")), f"{d}_", int(node.get_attr(f"{d}_n_states")))
                for d in ("forward", "backward")]

    def run(self, arrays, tally):
        x = arrays[0] if self.x.scale == self.x.ftype.frac else self.x.codes(arrays[0])
        events = x.shape[0]
        steps = x.reshape(events, self.n_seq, self.n_in)
        rows = lambda sequence: np.ascontiguousarray(sequence.reshape(-1, self.n_in))  # noqa: E731
        runs = [self.cells[0].run(rows(steps), events, tally)]
        if len(self.cells) == 2:  # the backward cell reads the sequence reversed
            runs.append(self.cells[1].run(rows(steps[:, ::-1]), events, tally))
        if not self.sequences:
            out = np.concatenate([states[-1] for states in runs], axis=1)
        else:  # the backward h of time step t is the one after its (n_seq - t)-th step
            aligned = runs[:1] + [states[::-1] for states in runs[1:]]
            out = np.concatenate([states[t] for t in range(self.n_seq) for states in aligned], axis=1)
        return out.astype(self.output.dtype)


def build_recurrent(node, inputs: list[Signal]) -> Step:
    return RecurrentStep(node, inputs[0])
