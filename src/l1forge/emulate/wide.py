"""Values past 62 bits: exact Python integers (numpy object arrays) where int64 cannot hold them.

The planner keeps float32/float64/int64 wherever they hold every value exactly. Past 62
bits (an ap_fixed<64,32> signal, 78-bit products of 48-bit inputs and 32-bit weights, a
96-bit accumulator) a signal is stored as an object array of Python integers, and only
the steps that know such arrays read it:

- the input (`quantize_wide`): the double converted exactly as ap_fixed's constructor does;
- Dense, Latency or Resource (kernel.MacKernel): object sums (one exact product, or the
  firmware's order with every product cast), chunk by chunk only where the chunk's values
  need it, and the cast to the result type on Python integers;
- linear and relu activations (`WideCastStep`).

Every other step given a wide signal, or needing wide values itself, is refused by name
(`build_guarded`). Python integers cost about 50-100 ns per operation and value: such
designs run far slower than the float paths (docs/emulator.md gives a figure).
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.activations import cast_magnitude, init_cast
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import OverflowTally, apply_overflow
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.rounding import round_to_integer
from l1forge.emulate.signals import (I64_EXACT, WIDE, Signal, Step, TooWide, as_objects, type_magnitude,
                                     wide_dtype)
from l1forge.errors import UserError

_F64_INTEGERS = 2.0**52  # from here on every double is an integer


def wide_signal(name: str, shape, ftype: FixedType, lo: int, hi: int) -> Signal:
    """A signal of plain codes in the narrowest exact dtype for its bounds, object past 62 bits."""
    magnitude = max(abs(lo), abs(hi), type_magnitude(ftype))
    return Signal(name, tuple(shape), ftype, lo, hi, wide_dtype(magnitude), ftype.frac)


def quantize_wide(x: np.ndarray, ftype: FixedType, tally: OverflowTally | None = None, site: str = "") -> np.ndarray:
    """Codes (Python integers) of the doubles `x` converted to a type of any width: the
    exact binary value rounded onto the grid with the type's mode, then its overflow mode."""
    x = np.asarray(x, dtype=np.float64)
    if ftype.overflow == "WRAP":  # the real values repeat every 2^integer: fmod is exact
        x = np.fmod(np.where(np.isinf(x), 0.0, x), 2.0**ftype.integer)
    else:  # twice the range saturates (or zeroes) as anything beyond it does
        x = np.clip(x, -(2.0 ** (ftype.integer + 1)), 2.0 ** (ftype.integer + 1))
    scaled = x * 2.0**ftype.frac  # exact: a power-of-two scale
    small = np.abs(scaled) < _F64_INTEGERS  # only these have fractional bits to round
    scaled[small] = round_to_integer(scaled[small], ftype.rounding)
    if ftype.is_int:  # ap_int's double constructor turns (-0.5, 0) into 1
        scaled[(x < 0) & (x > -0.5)] = 1.0
    codes = np.array([int(v) for v in scaled.ravel()], dtype=object).reshape(scaled.shape)
    return apply_overflow(codes, ftype, tally, site)


def needs_wide_cast(x: Signal, dst: FixedType) -> bool:
    """Whether assigning `x` (plain codes) to `dst` needs values past 62 bits."""
    return x.dtype == WIDE or cast_magnitude(x, x.ftype.frac, dst) >= I64_EXACT


class WideCastStep(Step):
    """`res = res_T(f(data))` for f = identity (linear) or max(., 0) (relu), on Python
    integers: activations.CastStep for wide values."""

    reads_wide = True

    def __init__(self, node, x: Signal, relu: bool):
        out_lo, out_hi = init_cast(self, node, x, relu, "(wide)")
        self.output = wide_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst, out_lo, out_hi)

    def run(self, arrays, tally):
        x = arrays[0]
        x = as_objects(x if x.dtype == WIDE else self.x.codes(x))
        if self.relu:
            x = np.where(x > 0, x, 0)
        out = cast_array(x, self.x.ftype.frac, self.x.ftype.frac, self.dst, self.may_overflow, tally, self.name)
        return out if self.output.dtype == WIDE else out.astype(self.output.dtype)


def _takes_wide(node) -> bool:
    """Whether `node` may get a step that reads Python integers (checked again once built)."""
    function = str(node.get_attr("activation", "")).lower()
    return node.class_name == "Dense" or (node.class_name == "Activation" and function in ("linear", "relu"))


def build_guarded(builder, node, inputs: list[Signal], request_scale) -> Step:
    """`builder`'s step for `node`, or a one-line refusal naming the layer where values past
    62 bits reach a step without a Python-integer path."""
    refusal = (f"{nodes.where(node)}: reads values past 62 bits, emulated only by Dense (not convolutions, "
               "not distributed arithmetic) and linear/relu activations")
    reads_wide = any(signal.dtype == WIDE for signal in inputs)
    if reads_wide and not _takes_wide(node):
        raise UserError(refusal)
    try:
        step = builder(node, inputs, request_scale)
    except TooWide as error:
        raise UserError(f"{nodes.where(node)}: {error}") from None
    if reads_wide and not getattr(step, "reads_wide", False):
        raise UserError(refusal)
    return step
