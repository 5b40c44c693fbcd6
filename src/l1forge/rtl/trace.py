"""The firmware as one da4ml program: the emulator's plan of the ModelGraph, traced layer by
layer into da4ml's `CombLogic` (layers.py says what each layer becomes).

The firmware input is traced from its declared type (`ap_fixed<W,I>` codes: the RTL takes
the codes the C++ input type holds; the conversion from doubles happens before the chip).
A trailing softmax is left out of the RTL (its exponential and inverse tables and products
are not traced): the RTL then gives the outputs of the layer before it, which
`outputs_of` names. Any other layer da4ml cannot express is refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from da4ml.trace import FixedVariableArray, HWConfig, comb_trace

from l1forge.emulate.emulator import Emulator
from l1forge.emulate.fixed import FixedType
from l1forge.errors import UserError
from l1forge.rtl import layers
from l1forge.rtl.casts import check_type

# hls4ml's own settings for da4ml (adder size 1, no carry look-ahead, no cut while tracing)
HW_CONFIG = HWConfig(1, -1, -1)
LEFT_OUT_AT_END = ("softmax",)  # step kinds the RTL may stop before, when they come last
COVERED = ("Dense and Conv1D/Conv2D in distributed arithmetic", "linear and ReLU activations",
           "BatchNormalization", "max and power-of-two average pooling", "add/subtract/multiply/"
           "maximum/minimum merges", "flat Concatenate", "Reshape/Flatten/Transpose",
           "a trailing Softmax (left out)")


@dataclass(frozen=True)
class TracedDesign:
    comb: object               # da4ml CombLogic
    input_name: str
    input_shape: tuple[int, ...]
    input_type: FixedType
    outputs_of: str            # the ModelGraph layer whose outputs the RTL gives
    output_steps: int          # how many of the emulator's steps the RTL computes
    left_out: tuple[str, ...]  # layers after outputs_of that the RTL leaves out


def trace_emulator(emulator: Emulator) -> TracedDesign:
    """Trace the planned firmware into da4ml. Refuses (UserError) a layer it cannot express."""
    if len(emulator.input_steps) != 1 or len(emulator.outputs) != 1:
        raise UserError(f"the firmware has {len(emulator.input_steps)} inputs and {len(emulator.outputs)} outputs; "
                        "the RTL is traced for one input and one output")
    first = emulator.input_steps[0]
    check_type(first.ftype, f"input '{first.name}'")
    inputs = input_variables(first.ftype, first.output.size)
    values: dict[str, list] = {first.output.name: list(inputs._vars.ravel())}
    producer = {first.output.name: first.name}
    steps = emulator.steps
    count = len(steps)
    for index, step in enumerate(steps):
        if handler_of(step) is None and _may_leave_out(steps, index, emulator):
            count = index
            break
        values[step.output.name] = trace_step(step, [values[name] for name in step.inputs])
        producer[step.output.name] = step.name
    last = steps[count - 1].output.name if count else first.output.name
    comb = comb_trace(inputs, np.array(values[last], dtype=object))
    return TracedDesign(comb, first.name, tuple(first.output.shape), first.ftype, producer[last], count,
                        tuple(step.name for step in steps[count:]))


def input_variables(ftype: FixedType, size: int) -> FixedVariableArray:
    """`size` da4ml inputs holding any code of the fixed-point type `ftype`."""
    signed = int(ftype.signed)
    return FixedVariableArray.from_kif(np.full(size, signed), np.full(size, ftype.integer - signed),
                                       np.full(size, ftype.frac), HW_CONFIG)


def handler_of(step):
    """The layers.py function that traces `step`, or None."""
    return layers.ONE_INPUT.get(type(step)) or layers.TWO_INPUTS.get(type(step))


def trace_step(step, args: list[list]) -> list:
    """The step's traced outputs from its traced inputs; refuses a step da4ml cannot express."""
    handler = handler_of(step)
    if handler is None:
        raise UserError(f"{layers.where(step)} cannot be expressed in da4ml's RTL; covered: " + ", ".join(COVERED))
    return handler(step, *args)


def _may_leave_out(steps: list, index: int, emulator: Emulator) -> bool:
    """Whether steps[index:] is a trailing softmax on the one output."""
    rest = steps[index:]
    return (len(rest) == 1 and rest[0].kind in LEFT_OUT_AT_END
            and rest[0].output.name == emulator.outputs[0] and index > 0)
