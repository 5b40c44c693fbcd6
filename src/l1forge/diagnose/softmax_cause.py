"""The softmax's tables against the values they meet.

nnet::softmax reads exp from a table addressed by the top bits of the spread max(x) - x_i
cast to inp_norm_t (stable) or of x_i itself (latency), and 1/sum from a table addressed by
the top bits of the sum cast to inv_inp_t. hls4ml derives inp_norm_t from the softmax's
input type: a wide input type (an "auto" Dense result such as ap_fixed<38,18>) gives a
table stepping by 128 or more, so every realistic spread reads its first entry and all
outputs come out equal. The fix sizes both address types from the observed values.
"""

from __future__ import annotations

import math

import numpy as np

from l1forge.diagnose import exact
from l1forge.diagnose.compare import compare, type_range
from l1forge.diagnose.result import AGREEMENT_THRESHOLD, Cause, Fix
from l1forge.diagnose.types import integer_bits, spell
from l1forge.emulate import nodes, tables
from l1forge.emulate.fixed import FixedType

TABLE_TYPE_WIDTH = 18  # hls4ml's width for softmax table types


def _address_step(address: FixedType, table_size: int) -> float:
    return address.lsb * 2.0 ** (address.width - tables.address_bits(table_size))


def explain(ctx, key) -> tuple[Cause, Fix | None] | float:
    """(cause, fix) when the softmax itself departs from exact softmax of its firmware
    inputs; otherwise that local agreement (a float) for the caller to report."""
    step = ctx.step
    if step.implementation == "argmax":
        return (Cause("unexplained", f"{ctx.name} is an argmax softmax: it outputs a one-hot vector, not "
                                     "probabilities; compare the argmax agreement instead"), None)
    ideal = exact.exact_softmax(ctx.firmware_input, step.n_outer, step.n_slice, step.n_inner)
    local = compare(ctx.firmware, ideal, step.dst, False).agreement
    if local >= AGREEMENT_THRESHOLD:
        return local
    z = exact.softmax_slices(ctx.firmware_input, step.n_outer, step.n_slice, step.n_inner)
    stable = step.implementation == "stable"
    values = z.max(axis=1, keepdims=True) - z if stable else z
    per_event = values.reshape(len(ctx.firmware_input), -1)
    exp_step = _address_step(step.address, step.exp_size)
    lo, hi = type_range(step.address)
    flat = float((per_event < exp_step).all(axis=1).mean()) if stable else 0.0
    beyond = float(((per_event > hi) | (per_event < lo)).any(axis=1).mean())
    inv_step = _address_step(step.inv_inp, step.inv_size)
    what = "inp_norm_t, the spread max(x) - x_i" if stable else "the input type"
    detail = [f"{ctx.name}'s exp table ({step.exp_size} entries) is addressed by the top "
              f"{tables.address_bits(step.exp_size)} bits of {spell(step.address)} ({what}): it steps by "
              f"{exp_step:g} over [{lo:g}, {hi:g}] while the observed {'spreads' if stable else 'inputs'} span "
              f"{float(values.min()):.3g} .. {float(values.max()):.3g}"]
    if flat:
        detail.append(f"on {flat:.1%} of events every spread falls in the first entry, so all {step.n_slice} "
                      f"outputs are equal (1/{step.n_slice})")
    if beyond:
        detail.append(f"on {beyond:.1%} of events some value lies beyond the table")
    detail.append(f"the 1/sum table is addressed by the top bits of inv_inp_t {spell(step.inv_inp)}, stepping by "
                  f"{inv_step:g} over sums in [1, {step.n_slice}]")
    detail.append(f"against exact softmax of its firmware inputs the layer agrees on {local:.1%} of events")
    return Cause("table_input_range", "; ".join(detail)), _fix(ctx, key, values, stable)


def _fix(ctx, key, values: np.ndarray, stable: bool) -> Fix:
    step = ctx.step
    exp_table_t = nodes.config_type(ctx.node, "exp_table_t", "exp_table_t")
    # Beyond -ln(LSB) the exp table holds 0 anyway: no need to address further.
    cutoff = math.log(1.0 / exp_table_t.lsb)
    spread = min(float(values.max()) if stable else float(np.ptp(values)), cutoff)
    inp = FixedType(TABLE_TYPE_WIDTH, max(integer_bits(spread, signed=False), 1), False, "RND", "SAT")
    inv = FixedType(TABLE_TYPE_WIDTH, integer_bits(step.n_slice, signed=False), False, "RND", "SAT")
    changes = [(key(ctx.name, "inp_norm_t"), spell(inp)), (key(ctx.name, "inv_inp_t"), spell(inv))]
    if not stable:
        changes.insert(0, (key(ctx.name, "Implementation"), "stable"))
    return Fix(tuple(changes),
               f"inp_norm_t {spell(inp)} addresses spreads up to {2.0 ** inp.integer:g} in steps of "
               f"{_address_step(inp, step.exp_size):g} (beyond {cutoff:.3g}, exp is below exp_table_t's LSB) and "
               f"saturates beyond; inv_inp_t {spell(inv)} holds sums up to {step.n_slice} in steps of "
               f"{_address_step(inv, step.inv_size):g}")
