"""One direction of an LSTM or GRU layer, step by step, as nnet_recurrent.h computes it
(the arithmetic is written out in recurrent.py's docstring): the two Dense kernels, the gate
activations and the exact state products, for LSTM and GRU layers and for each direction of
a Bidirectional one."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.activations import TABLE_FUNCTIONS, table_codes, table_index
from l1forge.emulate.dense import resource_order
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.quantize import cast_codes
from l1forge.emulate.signals import I64_EXACT, Signal, cast_bounds, type_magnitude, typed_signal
from l1forge.errors import UserError

GATES = {"LSTM": 4, "GRU": 3}


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

    def magnitude(self, source) -> int:
        return max(abs(v) for v in self.bounds(source))

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


def sum_order(kernel: str, rf: int, n_in: int) -> tuple[bool, np.ndarray | None]:
    """The order the Dense kernel adds each output's products in (dense.resource_order for
    the Resource kernels at this config's reuse factor)."""
    if kernel == "nnet::DenseLatency":
        return True, None
    reuse = SimpleNamespace(get_attr=lambda key, default=None: rf if key == "reuse_factor" else default)
    return resource_order(reuse, n_in, None)


class Cell:
    """One direction's cell: the weights and attributes of `node` named with `prefix` ("" for
    an LSTM or GRU layer, "forward_" / "backward_" in a Bidirectional one), `kind` LSTM or
    GRU, `n` states, `configs` the (kernel, reuse factor) of its input and state Dense."""

    def __init__(self, node, kind: str, prefix: str, n: int, x: Signal, configs, site: str):
        self.kind, self.n, self.site, self.where = kind, n, site, nodes.where(node)
        self.accum, self.res = nodes.named_type(node, "accum_t"), nodes.output_type(node)
        self.input_kernel = self._kernel(node, prefix + "weight", prefix + "bias", x, configs[0])
        self.state_signal = typed_signal(f"{site}_h", (n,), self.res, self.res.code_min, self.res.code_max)
        self.state_kernel = self._kernel(node, prefix + "recurrent_weight", prefix + "recurrent_bias",
                                         self.state_signal, configs[1])
        size, table_t = int(node.get_attr("table_size")), nodes.named_type(node, "table_t")
        self.recr = GateActivation(str(node.get_attr(prefix + "recurrent_activation")).lower(), size, table_t,
                                   self.accum)
        self.act = GateActivation(str(node.get_attr(prefix + "activation")).lower(), size, table_t, self.accum)
        self.mixes = self._plan_mixes()

    def _kernel(self, node, weight: str, bias: str, x: Signal, config: tuple[str, int]) -> MacKernel:
        w, w_type = nodes.weight_codes(node, weight)
        if node.get_attr("_weights_transposed", False):
            w = w.T  # the Resource strategy stores (gates, inputs)
        b, b_type = nodes.weight_codes(node, bias) if bias in node.weights else (None, w_type)
        width = GATES[self.kind] * self.n
        b = np.zeros(width, dtype=np.int64) if b is None else b.reshape(-1)
        if w.shape != (x.size, width) or b.shape != (width,):
            raise UserError(f"{self.where}: {weight} {w.shape} does not match {x.size} inputs, {width} gates")
        ordered, order = sum_order(*config, x.size)
        return MacKernel(f"{self.where} {weight}", w, w_type, b, b_type, self.accum, self.accum, x,
                         ordered=ordered, order=order)

    def _plan_mixes(self) -> dict[str, ProductSum]:
        fa, fr, where = self.accum.frac, self.res.frac, self.where
        recr, act = self.recr.magnitude(self.accum), self.act.magnitude(self.accum)
        state, accum = type_magnitude(self.res), type_magnitude(self.accum)
        if self.kind == "LSTM":
            return {"s": ProductSum(where, [(act, fa, recr, fa), (state, fr, recr, fa)], self.res),
                    "h": ProductSum(where, [(recr, fa, self.act.magnitude(self.res), fa)], self.res)}
        one_minus = (1 << fa) + recr
        return {"rh": ProductSum(where, [(recr, fa, accum, fa)], self.accum),
                "h": ProductSum(where, [(act, fa, one_minus, fa), (state, fr, recr, fa)], self.res)}

    def run(self, rows: np.ndarray, events: int, tally) -> list[np.ndarray]:
        """h after each time step (int64 codes), from the input codes of every event and step
        (events * steps rows, steps inner), the state zeroed before the first step."""
        xw = self.input_kernel.run(rows, tally, f"{self.site} input").astype(np.int64)
        xw = xw.reshape(events, -1, GATES[self.kind] * self.n)
        h = np.zeros((events, self.n), dtype=np.int64)
        s = np.zeros_like(h)
        step = self._lstm_step if self.kind == "LSTM" else self._gru_step
        states = []
        for t in range(xw.shape[1]):
            h, s = step(xw[:, t], h, s, tally)
            states.append(h)
        return states

    def _state_sums(self, h: np.ndarray, tally) -> np.ndarray:
        rows = h.astype(self.state_signal.dtype)
        return self.state_kernel.run(rows, tally, f"{self.site} recurrent").astype(np.int64)

    def _add(self, a: np.ndarray, b: np.ndarray, tally, site: str) -> np.ndarray:
        return cast_codes(a + b, self.accum.frac, self.accum, tally, f"{self.site} {site}")

    def _lstm_step(self, xw, h, s, tally):
        n, site = self.n, self.site
        a = self._add(xw, self._state_sums(h, tally), tally, "gates")
        gates = self.recr(a, self.accum, tally, f"{site} recurrent activation")
        i, f, o = gates[:, :n], gates[:, n : 2 * n], gates[:, 3 * n :]
        g = self.act(a[:, 2 * n : 3 * n], self.accum, tally, f"{site} activation")
        s = self.mixes["s"]([(g, i), (s, f)], tally, f"{site} cell state")
        h = self.mixes["h"]([(o, self.act(s, self.res, tally, f"{site} state activation"))], tally, f"{site} state")
        return h, s

    def _gru_step(self, xw, h, s, tally):
        n, site = self.n, self.site
        hw = self._state_sums(h, tally)
        zr = self.recr(self._add(xw[:, : 2 * n], hw[:, : 2 * n], tally, "gates"), self.accum, tally,
                       f"{site} recurrent activation")
        z, r = zr[:, :n], zr[:, n:]
        rh = self.mixes["rh"]([(r, hw[:, 2 * n :])], tally, f"{site} reset product")
        q = self.act(self._add(xw[:, 2 * n :], rh, tally, "candidate"), self.accum, tally, f"{site} activation")
        one = np.int64(1 << self.accum.frac)  # the literal 1, exact on accum_t's grid
        h = self.mixes["h"]([(q, one - z), (h, z)], tally, f"{site} state")
        return h, s
