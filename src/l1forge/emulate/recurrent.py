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

Refused, each in one line: streams packed otherwise, resource_unrolled and distributed
arithmetic, activations other than sigmoid, tanh and relu (the firmware's recurrent
activations), returned or passed-in states, backward or time-major sequences, PyTorch's gate
order, a GRU with reset_after=False (the firmware applies the reset gate after the product
whatever Keras asked), and an LSTM whose input, result and accumulator types differ (g++
rejects that firmware: see RecurrentStep).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.activations import TABLE_FUNCTIONS, table_codes, table_index
from l1forge.emulate.dense import resource_order
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.quantize import cast_codes
from l1forge.emulate.signals import I64_EXACT, Signal, Step, cast_bounds, type_magnitude, typed_signal
from l1forge.errors import UserError

GATES = {"LSTM": 4, "GRU": 3}
# the Dense kernels hls4ml's recurrent template picks: Latency, or Resource by reuse factor
KERNELS = ("nnet::DenseLatency", "nnet::DenseResource_rf_leq_nin", "nnet::DenseResource_rf_gt_nin_rem0")
# hls4ml's Vivado and Vitis backends write no firmware call for SimpleRNN (only its Quartus
# and oneAPI templates implement one): there is nothing to emulate
SIMPLE_RNN = "hls4ml's Vivado/Vitis firmware has no SimpleRNN (it writes no call for it), so it is not emulated"
ACTIVATIONS = ("sigmoid", "tanh", "relu")
SUPPORTED = ("io_parallel or io_stream (a word a time step), the Latency or Resource strategy, forward "
             f"sequences without passed or returned states, activations {', '.join(ACTIVATIONS)}")


def refuse(node, what: str):
    raise UserError(f"{nodes.where(node)}: {what} is not emulated; supported: {SUPPORTED}")


class GateActivation:
    """nnet::activation::{sigmoid, tanh, relu} into `dst` (accum_t): a table of table_t
    indexed on the input's own type, each entry assigned to dst, or relu assigned to dst."""

    def __init__(self, function: str, size: int, table_t, dst):
        self.function, self.size, self.dst = function, size, dst
        self.table = None if function == "relu" else table_codes(function, size, table_t, dst)
        self.range = 2 * TABLE_FUNCTIONS[function][0] if self.table is not None else 0

    def bounds(self, source) -> tuple[int, int]:
        """Bounds of the result codes for any input of type `source`."""
        if self.table is not None:
            return int(self.table.min()), int(self.table.max())
        return cast_bounds(0, source.code_max, source.frac, self.dst)[:2]

    def __call__(self, codes: np.ndarray, source, tally, site: str) -> np.ndarray:
        if self.table is not None:
            return self.table[table_index(codes, source.frac, self.size, self.range)]
        return cast_codes(np.maximum(codes, 0), source.frac, self.dst, tally, site)


class ProductSum:
    """dst(a1 * b1 + a2 * b2 + ...): every product exact on its own grid, the sum exact on the
    finest of them, then one assignment to `dst` (ap_fixed products and sums never round)."""

    def __init__(self, where: str, terms: list[tuple[int, int, int, int]], dst):
        """`terms`: (a bound, a frac, b bound, b frac) per product, bounds as code magnitudes."""
        self.dst = dst
        self.grid = max(fa + fb for _, fa, _, fb in terms)
        self.shifts = [self.grid - fa - fb for _, fa, _, fb in terms]
        need = sum((a * b) << s for (a, _, b, _), s in zip(terms, self.shifts)) + (1 << self.grid)
        if need >= I64_EXACT:
            raise UserError(f"{where}: state products need {need.bit_length()} bits; at most 62 are emulated")

    def __call__(self, pairs, tally, site: str) -> np.ndarray:
        total = sum((a * b) << np.int64(s) for (a, b), s in zip(pairs, self.shifts))
        return cast_codes(total, self.grid, self.dst, tally, site)


def _check_stream_words(node) -> None:
    """io_stream: lstm_stack / gru_stack read one stream word per time step and write one
    per state; other packings would feed the cell part of a step."""
    for variable in (node.get_input_variable(), node.get_output_variable()):
        packing = getattr(variable.type, "n_elem", variable.shape[-1]), getattr(variable.type, "n_pack", 1)
        if packing != (variable.shape[-1], 1):
            refuse(node, f"a stream of {packing[0]} x {packing[1]} values a word for {variable.shape[-1]} a step")


def _check_node(node) -> None:
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
    if str(node.get_attr("direction", "forward")) != "forward":
        refuse(node, "a backward sequence (the firmware runs it forward)")
    if node.class_name == "GRU" and str(node.get_attr("apply_reset_gate", "after")) != "after":
        refuse(node, "reset_after=False (the firmware applies the reset gate after the product)")
    for key in ("activation", "recurrent_activation"):
        if str(node.get_attr(key)).lower() not in ACTIVATIONS:
            refuse(node, f"{key} '{node.get_attr(key)}'")
    products = set(re.findall(r"product::(\w+)<", nodes.config_text(node)))
    kernels = {kernel for kernel, _ in mult_configs(node)}
    if products - {"mult"} or kernels - set(KERNELS):
        refuse(node, f"products {sorted(products)} with kernels {sorted(kernels)}")


def mult_configs(node) -> list[tuple[str, int]]:
    """(kernel, reuse factor) of the two Dense configs the layer's config holds: the input's
    (mult_config1), then the state's (mult_config2)."""
    blocks = re.findall(r"struct \w+ : nnet::dense_config \{(.*?)\n\};", nodes.config_text(node), re.S)
    if len(blocks) != 2:
        raise UserError(f"{nodes.where(node)}: expected two Dense configs in the generated config, found {len(blocks)}")
    found = []
    for block in blocks:
        kernel, rf = re.search(r"using kernel = ([\w:]+)<", block), re.search(r"reuse_factor = (\d+);", block)
        found.append((kernel.group(1) if kernel else "none", int(rf.group(1)) if rf else 1))
    return found


def sum_order(kernel: str, rf: int, n_in: int) -> tuple[bool, np.ndarray | None]:
    """The order the Dense kernel adds each output's products in (dense.resource_order for
    the Resource kernels at this config's reuse factor)."""
    if kernel == "nnet::DenseLatency":
        return True, None
    reuse = SimpleNamespace(get_attr=lambda key, default=None: rf if key == "reuse_factor" else default)
    return resource_order(reuse, n_in, None)


class RecurrentStep(Step):
    """An LSTM or GRU layer over the whole sequence (see the module docstring)."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        _check_node(node)
        where, self.cell = nodes.where(node), node.class_name
        if len(x.shape) != 2:
            raise UserError(f"{where}: reads {x.name} of shape {x.shape}; expected (time steps, features)")
        self.n_seq, self.n_in = x.shape
        self.n = int(node.get_attr("n_out"))
        self.sequences = bool(node.get_attr("return_sequences", False))
        self.accum, self.res = nodes.named_type(node, "accum_t"), nodes.output_type(node)
        if self.accum.frac < 0:
            refuse(node, f"accumulator {self.accum} without fractional bits")
        if self.cell == "LSTM" and not x.ftype == self.res == self.accum:
            # nnet_recurrent.h instantiates the non-static lstm too, whose dense calls take the
            # result type for the accumulator's and the input's arrays: g++ refuses other types
            refuse(node, f"an LSTM whose input ({x.ftype}), result ({self.res}) and accumulator ({self.accum}) "
                   "types differ (hls4ml's firmware compiles only with one type for the three)")
        self.x = x  # the input kernel reads one time step's features at a time
        step = Signal(x.name, (self.n_in,), x.ftype, x.lo, x.hi, x.dtype, x.ftype.frac)
        configs = mult_configs(node)
        self.input_kernel = self._kernel(node, step, "weight", "bias", configs[0])
        self.state_signal = typed_signal(f"{node.name}_h", (self.n,), self.res, self.res.code_min, self.res.code_max)
        self.state_kernel = self._kernel(node, self.state_signal, "recurrent_weight", "recurrent_bias", configs[1])
        size, table_t = int(node.get_attr("table_size")), nodes.named_type(node, "table_t")
        self.recr = GateActivation(str(node.get_attr("recurrent_activation")).lower(), size, table_t, self.accum)
        self.act = GateActivation(str(node.get_attr("activation")).lower(), size, table_t, self.accum)
        self.mixes = self._plan_mixes(where)
        shape = tuple(node.get_output_variable().shape)
        self.output = typed_signal(node.outputs[0], shape, self.res, self.res.code_min, self.res.code_max)

    def _kernel(self, node, x: Signal, weight: str, bias: str, config: tuple[str, int]) -> MacKernel:
        w, w_type = nodes.weight_codes(node, weight)
        if node.get_attr("_weights_transposed", False):
            w = w.T  # the Resource strategy stores (gates, inputs)
        b, b_type = nodes.weight_codes(node, bias) if bias in node.weights else (None, w_type)
        width = GATES[node.class_name] * self.n
        b = np.zeros(width, dtype=np.int64) if b is None else b.reshape(-1)
        if w.shape != (x.size, width) or b.shape != (width,):
            raise UserError(f"{nodes.where(node)}: {weight} {w.shape} does not match {x.size} inputs, {width} gates")
        ordered, order = sum_order(*config, x.size)
        return MacKernel(f"{nodes.where(node)} {weight}", w, w_type, b, b_type, self.accum, self.accum, x,
                         ordered=ordered, order=order)

    def _plan_mixes(self, where: str) -> dict[str, ProductSum]:
        fa, fr = self.accum.frac, self.res.frac
        recr = max(abs(v) for v in self.recr.bounds(self.accum))
        act = max(abs(v) for v in self.act.bounds(self.accum))
        act_state = max(abs(v) for v in self.act.bounds(self.res))
        state, accum = type_magnitude(self.res), type_magnitude(self.accum)
        if self.cell == "LSTM":
            return {"s": ProductSum(where, [(act, fa, recr, fa), (state, fr, recr, fa)], self.res),
                    "h": ProductSum(where, [(recr, fa, act_state, fa)], self.res)}
        one_minus = (1 << fa) + recr
        return {"rh": ProductSum(where, [(recr, fa, accum, fa)], self.accum),
                "h": ProductSum(where, [(act, fa, one_minus, fa), (state, fr, recr, fa)], self.res)}

    def _input_sums(self, array: np.ndarray, tally) -> np.ndarray:
        """accum_t dense(x_t) for every time step at once: (events, steps, gates * n)."""
        events = array.shape[0]
        if self.x.scale != self.x.ftype.frac:
            array = self.x.codes(array)
        rows = np.ascontiguousarray(array.reshape(events * self.n_seq, self.n_in))
        sums = self.input_kernel.run(rows, tally, f"{self.name} input")
        return sums.astype(np.int64).reshape(events, self.n_seq, -1)

    def _state_sums(self, h: np.ndarray, tally) -> np.ndarray:
        rows = h.astype(self.state_signal.dtype)
        return self.state_kernel.run(rows, tally, f"{self.name} recurrent").astype(np.int64)

    def _add(self, a: np.ndarray, b: np.ndarray, tally, site: str) -> np.ndarray:
        return cast_codes(a + b, self.accum.frac, self.accum, tally, f"{self.name} {site}")

    def _lstm_step(self, xw, h, s, tally):
        n, site = self.n, self.name
        a = self._add(xw, self._state_sums(h, tally), tally, "gates")
        gates = self.recr(a, self.accum, tally, f"{site} recurrent activation")
        i, f, o = gates[:, :n], gates[:, n : 2 * n], gates[:, 3 * n :]
        g = self.act(a[:, 2 * n : 3 * n], self.accum, tally, f"{site} activation")
        s = self.mixes["s"]([(g, i), (s, f)], tally, f"{site} cell state")
        h = self.mixes["h"]([(o, self.act(s, self.res, tally, f"{site} state activation"))], tally, f"{site} state")
        return h, s

    def _gru_step(self, xw, h, s, tally):
        n, site = self.n, self.name
        hw = self._state_sums(h, tally)
        zr = self.recr(self._add(xw[:, : 2 * n], hw[:, : 2 * n], tally, "gates"), self.accum, tally,
                       f"{site} recurrent activation")
        z, r = zr[:, :n], zr[:, n:]
        rh = self.mixes["rh"]([(r, hw[:, 2 * n :])], tally, f"{site} reset product")
        q = self.act(self._add(xw[:, 2 * n :], rh, tally, "candidate"), self.accum, tally, f"{site} activation")
        one = np.int64(1 << self.accum.frac)  # the literal 1, exact on accum_t's grid
        h = self.mixes["h"]([(q, one - z), (h, z)], tally, f"{site} state")
        return h, s

    def run(self, arrays, tally):
        xw = self._input_sums(arrays[0], tally)
        events = xw.shape[0]
        h = np.zeros((events, self.n), dtype=np.int64)
        s = np.zeros_like(h)
        cell = self._lstm_step if self.cell == "LSTM" else self._gru_step
        outputs = []
        for t in range(self.n_seq):
            h, s = cell(xw[:, t], h, s, tally)
            outputs.append(h)
        out = np.concatenate(outputs, axis=1) if self.sequences else h
        return out.astype(self.output.dtype)


def build_recurrent(node, inputs: list[Signal]) -> Step:
    return RecurrentStep(node, inputs[0])
