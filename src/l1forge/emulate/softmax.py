"""Softmax as nnet::softmax computes it: exp and 1/x tables addressed by the top bits.

stable:  d_i = inp_norm_t(max(x) - x_i); e_i = accum_t(exp_table[top bits of d_i]) with
         exp_table[a] = expf(-value(a) * exp_scale)
latency: e_i = accum_t(exp_table[top bits of x_i]) with exp_table[a] = expf(value(a) * exp_scale)
then     s = inv_inp_t(adder tree of the e_i in accum_t); r = invert_table[top bits of s];
         res_i = res_T(e_i * r)
argmax:  res = one-hot of the first maximum.
The adder tree's shape matters once accum_t saturates, so it is reproduced exactly
(nnet::reduce: split at the largest power of two below n). Types, table sizes and
exp_scale are read from the config struct hls4ml generated for the layer.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes, tables
from l1forge.emulate.compiled import _jit, enabled
from l1forge.emulate.overflow import apply_overflow, symmetric_min
from l1forge.emulate.quantize import cast_array, cast_codes, quantize_real
from l1forge.emulate.signals import Signal, Step, cast_bounds, typed_signal
from l1forge.errors import UserError

LOOKUP_LIMIT = 1 << 20  # entries of a folded exp lookup (int64: 8 MiB at most)


@_jit
def _lookup_softmax(x, factor, stable, mode, limit, offset, exp_lookup, sum_lo, inverse_lookup, out):
    """The folded softmax of one slice per row, in one compiled pass: codes = x * factor;
    start = max - code (stable) or code; clamped (mode 1), masked (2) or offset (0) into
    the exp lookup; the exp results summed (no partial sum can overflow: the caller's
    bound); the inverse read from a lookup indexed by the sum; out = exp * inverse, the
    products the result cast then rounds. Every value an exact integer in float64."""
    for e in range(x.shape[0]):
        row = out[e]
        top = x[e, 0] * factor
        for i in range(1, x.shape[1]):
            top = max(top, x[e, i] * factor)
        total = 0
        for i in range(x.shape[1]):
            code = np.int64(x[e, i] * factor)
            start = np.int64(top) - code if stable else code
            if mode == 1:
                start = min(start, limit)
            elif mode == 2:
                start = start & limit
            else:
                start = start - offset
            value = exp_lookup[start]
            row[i] = value
            total += value
        inverse = inverse_lookup[total - sum_lo]
        for i in range(x.shape[1]):
            row[i] = row[i] * inverse
    return out


def _adder_tree(columns: list[np.ndarray], accum, tally, site) -> np.ndarray:
    """nnet::reduce with Op_add<accum_t>: every partial sum is assigned to accum_t."""
    n = len(columns)
    if n == 1:
        return columns[0]
    if n == 2:
        total = columns[0] + columns[1]
    else:
        left = 1 << ((n - 1).bit_length() - 1)  # pow2(floorlog2(n - 1))
        total = _adder_tree(columns[:left], accum, tally, site) + _adder_tree(columns[left:], accum, tally, site)
    return apply_overflow(total, accum, tally, site)


class SoftmaxStep(Step):
    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, "softmax"
        self.inputs = (node.inputs[0],)
        self.x, self.dst = x, nodes.output_type(node)
        self.implementation = nodes.config_value(node, "implementation").rsplit("::", 1)[-1]
        if self.implementation not in ("stable", "latency", "argmax"):
            raise UserError(f"{nodes.where(node)}: softmax implementation '{self.implementation}' is not emulated; "
                            "expected stable, latency or argmax")
        self.n_slice = int(nodes.config_value(node, "n_slice"))
        self.n_outer = int(nodes.config_value(node, "n_outer"))
        self.n_inner = int(nodes.config_value(node, "n_inner"))
        if self.n_slice * self.n_outer * self.n_inner != x.size:
            raise UserError(f"{nodes.where(node)}: softmax slices do not cover its {x.size} inputs")
        if self.implementation != "argmax":
            self._build_tables(node)
        else:
            self.one = int(quantize_real(1.0, self.dst)[0])
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst,
                                   self.dst.code_min, self.dst.code_max)

    def _build_tables(self, node) -> None:
        exp_size = int(nodes.config_value(node, "exp_table_size"))
        inv_size = int(nodes.config_value(node, "inv_table_size"))
        exp_scale = float(nodes.config_value(node, "exp_scale").rstrip("fF"))
        exp_table_t = nodes.config_type(node, "exp_table_t", "exp_table_t")
        inv_table_t = nodes.config_type(node, "inv_table_t", "inv_table_t")
        self.accum = nodes.config_type(node, "accum_t", "accum_t")
        self.inv_inp = nodes.config_type(node, "inv_inp_t", "inv_inp_t")
        stable = self.implementation == "stable"
        self.address = nodes.config_type(node, "inp_norm_t") if stable else self.x.ftype
        exp_codes = tables.softmax_exp_table(exp_size, self.address, exp_scale, stable, exp_table_t)
        self.exp_table = cast_codes(exp_codes, exp_table_t.frac, self.accum)  # exp_res[i] = exp_table[x]
        self.inv_table = tables.softmax_invert_table(inv_size, self.inv_inp, inv_table_t)
        self.exp_size, self.inv_size, self.inv_frac = exp_size, inv_size, inv_table_t.frac
        self._plan_overflows()
        self._plan_exp_lookup()
        self._plan_compiled()

    def _plan_compiled(self) -> None:
        """The whole softmax as _lookup_softmax, where it is exact: one slice per event, an
        exp lookup, no overflowing partial sum, a sum range small enough for an inverse
        lookup (the generic path applied to every possible sum), products and codes within
        float64's exact range. None: the numpy path."""
        self.inverse_lookup = None
        if self.lookup_mode is None or self.tree_overflow or self.n_outer != 1 or self.n_inner != 1:
            return
        e_lo, e_hi = int(self.exp_lookup.min()), int(self.exp_lookup.max())
        sum_lo, sum_hi = self.n_slice * min(e_lo, 0), self.n_slice * max(e_hi, 0)
        i_widest = int(np.abs(self.inv_table).max())
        if sum_hi - sum_lo >= LOOKUP_LIMIT or max(abs(e_lo), abs(e_hi)) * i_widest >= 1 << 52 \
                or self.x.magnitude >= 1 << 52:
            return
        sums = np.arange(sum_lo, sum_hi + 1, dtype=np.int64)
        total = cast_array(sums, self.accum.frac, self.accum.frac, self.inv_inp, self.inv_inp_overflow)
        self.inverse_lookup = self.inv_table[tables.table_address(total, self.inv_inp, self.inv_size,
                                                                  self.sum_in_range)].astype(np.int64)
        self.sum_lo = sum_lo
        self.exp_lookup_i64 = np.ascontiguousarray(self.exp_lookup, dtype=np.int64)

    def _plan_overflows(self) -> None:
        """Which casts can overflow at all, from the inputs' bounds and the table contents;
        the others are skipped."""
        x = self.x
        self.spread_overflow = cast_bounds(0, x.hi - x.lo, x.ftype.frac, self.address)[2]
        e_lo, e_hi = int(self.exp_table.min()), int(self.exp_table.max())
        sum_lo, sum_hi = self.n_slice * min(e_lo, 0), self.n_slice * max(e_hi, 0)
        self.tree_overflow = sum_lo < symmetric_min(self.accum) or sum_hi > self.accum.code_max
        if self.tree_overflow:
            sum_lo, sum_hi = symmetric_min(self.accum), self.accum.code_max
        inv_lo, inv_hi, self.inv_inp_overflow = cast_bounds(sum_lo, sum_hi, self.accum.frac, self.inv_inp)
        self.sum_in_range = inv_lo >= 0 and inv_hi < 1 << self.inv_inp.width  # no need to mask the sign
        i_lo, i_hi = int(self.inv_table.min()), int(self.inv_table.max())
        corners = [e_lo * i_lo, e_lo * i_hi, e_hi * i_lo, e_hi * i_hi]
        self.result_overflow = cast_bounds(min(corners), max(corners), self.accum.frac + self.inv_frac, self.dst)[2]

    def _plan_exp_lookup(self) -> None:
        """Fold "cast to the address type, take the top bits, read the exp table" into one
        lookup indexed by the integer it starts from (the spread max - x, or x itself).

        The folded table is the generic path applied to every possible integer, so it is
        exact by construction. It is built when that domain is small, or when the cast
        saturates (every larger spread gives the last entry) or wraps (the table repeats).
        """
        x, address = self.x, self.address
        lo, hi = (0, x.hi - x.lo) if self.implementation == "stable" else (x.lo, x.hi)
        self.lookup_mode, self.lookup_offset, self.lookup_limit = None, lo, hi
        if self.implementation == "stable" and address.overflow in ("SAT", "SAT_SYM"):
            # The cast only grows with the spread until it saturates: every spread from the
            # first saturated one on gives the last entry (found by bisection).
            last = self._address_codes(np.array([hi]))[0]
            first, top = 0, hi
            while first < top:
                middle = (first + top) // 2
                below = self._address_codes(np.array([middle]))[0] < last
                first, top = (middle + 1, top) if below else (first, middle)
            if first < LOOKUP_LIMIT:
                self.lookup_mode, self.lookup_limit = "clamp", first
                domain = np.arange(0, first + 1, dtype=np.int64)
        elif hi - lo < LOOKUP_LIMIT:
            self.lookup_mode, domain = "direct", np.arange(lo, hi + 1, dtype=np.int64)
        elif self.implementation == "stable" and address.overflow == "WRAP":
            period_bits = address.width + x.ftype.frac - address.frac
            if 0 <= period_bits <= LOOKUP_LIMIT.bit_length() - 1:
                self.lookup_mode, self.lookup_limit = "wrap", (1 << period_bits) - 1
                domain = np.arange(0, 1 << period_bits, dtype=np.int64)
        if self.lookup_mode is not None:
            self.exp_lookup = self._exp_results(domain, None)

    def _address_codes(self, spread: np.ndarray, tally=None) -> np.ndarray:
        return cast_array(spread, self.x.ftype.frac, self.x.ftype.frac, self.address, self.spread_overflow,
                          tally, f"{self.name} inp_norm")

    def _exp_results(self, start: np.ndarray, tally) -> np.ndarray:
        """The generic path: exp_res from the spread (stable) or the input codes (latency)."""
        address_codes = self._address_codes(start, tally) if self.implementation == "stable" else start
        return self.exp_table[tables.table_address(address_codes, self.address, self.exp_size)]

    def _exp_stage(self, x: np.ndarray, tally) -> np.ndarray:
        start = x.max(axis=1, keepdims=True) - x if self.implementation == "stable" else x
        if self.lookup_mode is None or tally is not None:  # the overflow report counts each cast
            return self._exp_results(start, tally)
        if self.lookup_mode == "clamp":
            start = np.minimum(start, self.lookup_limit)
        elif self.lookup_mode == "wrap":
            start = start & self.lookup_limit
        elif self.lookup_offset:
            start = start - self.lookup_offset
        return self.exp_lookup[start]

    def _slices(self, codes: np.ndarray) -> np.ndarray:
        """(events, n_in) -> (events * n_outer * n_inner, n_slice), slice axis last."""
        if self.n_outer == self.n_inner == 1:
            return codes
        shaped = codes.reshape(-1, self.n_outer, self.n_slice, self.n_inner).transpose(0, 1, 3, 2)
        return shaped.reshape(-1, self.n_slice)

    def _unslice(self, values: np.ndarray, events: int) -> np.ndarray:
        if self.n_outer == self.n_inner == 1:
            return values
        shaped = values.reshape(events, self.n_outer, self.n_inner, self.n_slice).transpose(0, 1, 3, 2)
        return shaped.reshape(events, -1)

    def run(self, arrays, tally):
        events = arrays[0].shape[0]
        stored = arrays[0]
        if (getattr(self, "inverse_lookup", None) is not None and tally is None and enabled()
                and stored.dtype.kind == "f" and stored.ndim == 2):
            mode = {"clamp": 1, "wrap": 2}.get(self.lookup_mode, 0)
            products = _lookup_softmax(stored, 2.0 ** (self.x.ftype.frac - self.x.scale),
                                       self.implementation == "stable", mode, self.lookup_limit, self.lookup_offset,
                                       self.exp_lookup_i64, self.sum_lo, self.inverse_lookup,
                                       np.empty(stored.shape, dtype=np.float64))
            grid = self.accum.frac + self.inv_frac
            out = cast_array(products, grid, grid, self.dst, self.result_overflow, None, f"{self.name} result")
            return out.astype(self.output.dtype, copy=False)
        x = self._slices(self.x.codes(arrays[0]))
        if self.implementation == "argmax":
            out = np.zeros_like(x)
            out[np.arange(x.shape[0]), np.argmax(x, axis=1)] = self.one
        else:
            out = self._softmax(x, tally)
        return self._unslice(out, events).astype(self.output.dtype)

    def _softmax(self, x: np.ndarray, tally) -> np.ndarray:
        exp_res = self._exp_stage(x, tally)
        if self.tree_overflow:
            total = _adder_tree([exp_res[:, i] for i in range(self.n_slice)], self.accum, tally, f"{self.name} sum")
        else:  # no partial sum can overflow: the tree's shape cannot matter
            total = exp_res.sum(axis=1)
        total = cast_array(total, self.accum.frac, self.accum.frac, self.inv_inp, self.inv_inp_overflow,
                           tally, f"{self.name} inv_inp")
        inverse = self.inv_table[tables.table_address(total, self.inv_inp, self.inv_size, self.sum_in_range)]
        products = exp_res * inverse[:, None]
        grid = self.accum.frac + self.inv_frac
        return cast_array(products, grid, grid, self.dst, self.result_overflow, tally, f"{self.name} result")


def build_softmax(node, inputs: list[Signal]) -> Step:
    return SoftmaxStep(node, inputs[0])
