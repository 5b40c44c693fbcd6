"""One emulator step at a time, as da4ml traced operations on the step's input elements.

Each function takes the step the emulator planned from the ModelGraph node (its types,
weights and da4ml program, all read from the graph) and the traced input elements (flat,
in the firmware's channels-last order), and returns the traced output elements. The
arithmetic is the emulator's, operation for operation:
- distributed-arithmetic Dense/Conv (DAStep): da4ml's own shift-and-add program as hls4ml
  generated it, every line assigned to its declared type (AP_TRN, AP_WRAP), the outputs'
  shifts, signs and casts, then the layer's result type; a convolution runs the program on
  every output pixel's receptive field (padding taps are the constant 0);
- linear / ReLU activations (CastStep): the (ReLU'd) input assigned to the result type;
- batch normalization: x * scale + bias exact, assigned to the result type;
- pooling: max over the taps (padding holds the type's most negative pattern), or the sum
  (accumulator-typed, tap by tap where the emulator does so) divided by a power-of-two count
  towards zero; then the result type;
- element-wise merges (add, subtract, multiply, maximum, minimum), concatenation, and the
  reshapes/transposes that only move elements.
Any other step is refused by the caller, naming the layer.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate.activations import CastStep
from l1forge.emulate.batchnorm import BatchNormStep
from l1forge.emulate.dense import DAStep
from l1forge.emulate.merge import ConcatenateStep, ElementwiseStep
from l1forge.emulate.pooling import PoolingStep
from l1forge.emulate.reshaping import GatherStep
from l1forge.errors import UserError
from l1forge.rtl.casts import assign, assign_trn_wrap, check_type, constant, times_constant


def where(step) -> str:
    return f"layer '{step.name}' ({step.kind})"


def da_program(step: DAStep, x: list) -> list:
    program, result = step.program, step.result
    rows = [x] if step.geometry is None else _patches(step.geometry, x)
    out = []
    for row in rows:
        out.extend(assign(v, result, where(step)) for v in _run_program(program, row, step))
    return out


def _patches(geometry, x: list) -> list[list]:
    zero = constant(0.0, x[0])
    padded = list(x) + [zero]
    return [[padded[i] for i in pixel] for pixel in geometry.patches()]


def _run_program(program, row: list, step) -> list:
    values: dict[int, object] = {}
    for op in program.ops:
        if op.kind == "input":
            value = row[op.a]
        elif op.kind == "add":
            term = values[op.b] * (2.0 ** op.shift)
            value = values[op.a] + term if op.sign > 0 else values[op.a] - term
        elif op.kind == "copy":
            value = values[op.a] if op.sign > 0 else -values[op.a]
        elif op.kind == "const_add":
            value = values[op.a] + op.constant
        else:  # const
            value = constant(op.constant, row[0])
        values[op.dest] = assign_trn_wrap(value, op.ftype)
    outputs = []
    for out in program.outputs:
        if out.source < 0:
            outputs.append(constant(0.0, row[0]))
            continue
        value = values[out.source] * (2.0 ** out.shift)
        outputs.append(assign_trn_wrap(-value if out.negate else value, out.ftype))
    return outputs


def cast_activation(step: CastStep, x: list) -> list:
    return [assign(v.relu() if step.relu else v, step.dst, where(step)) for v in x]


def batchnorm(step: BatchNormStep, x: list) -> list:
    # the emulator's integer scale and bias live on grid `step.grid`; as reals:
    scale_lsb = 2.0 ** -(step.grid - step.x.ftype.frac)
    bias_lsb = 2.0 ** -step.grid
    out = []
    for v, s, b in zip(x, np.asarray(step.scale_vec, dtype=np.int64), np.asarray(step.bias_vec, dtype=np.int64)):
        product = times_constant(v, float(s) * scale_lsb)
        out.append(assign(product + float(b) * bias_lsb, step.dst, where(step)))
    return out


def pooling(step: PoolingStep, x: list) -> list:
    check_type(step.accum, where(step))
    pad = constant(step.pad_code * 2.0 ** -step.x.ftype.frac, x[0])
    n_chan = step.n_chan
    out = []
    for p, taps in enumerate(step.taps):
        for c in range(n_chan):
            elements = [x[t * n_chan + c] if t >= 0 else pad for t in taps]
            if step.op == "max":
                acc = elements[0]
                for e in elements[1:]:
                    acc = acc.max_of(e)
                acc = assign(acc, step.accum, where(step))
            else:
                acc = _average(step, elements, int(step.counts[p]))
            out.append(assign(acc, step.dst, where(step)))
    return out


def _average(step: PoolingStep, elements: list, count: int):
    if count & (count - 1):
        raise UserError(f"{where(step)}: an average over {count} taps (not a power of two) divides; "
                        "da4ml's RTL cannot express the division")
    if step.sum_is_plain:
        total = elements[0]
        for e in elements[1:]:
            total = total + e
        total = assign_trn_wrap(total, step.accum)  # the emulator proved the plain sum fits
    else:
        total = assign(constant(0.0, elements[0]), step.accum, where(step))
        for e in elements:
            total = assign(total + e, step.accum, where(step))
    shift = count.bit_length() - 1
    if shift == 0:
        return total
    lsb = 2.0 ** -step.accum.frac
    # integer division towards zero: floor for a positive sum, floor of (sum + count - 1) below zero
    down = assign_trn_wrap(total * 2.0 ** -shift, step.accum)
    up = assign_trn_wrap((total + (count - 1) * lsb) * 2.0 ** -shift, step.accum)
    return total.msb_mux(up, down) if total.low < 0 else down


def merge(step: ElementwiseStep, a: list, b: list) -> list:
    out = []
    for ia, ib in zip(step.index_a, step.index_b):
        va, vb = a[ia], b[ib]
        if step.op == "add":
            value = va + vb
        elif step.op == "subtract":
            value = va - vb
        elif step.op == "multiply":
            value = va * vb
        elif step.op == "maximum":
            value = va.max_of(vb)
        elif step.op == "minimum":
            value = va.min_of(vb)
        else:
            raise UserError(f"{where(step)}: merge '{step.op}' cannot be expressed in da4ml's RTL; "
                            "expected add, subtract, multiply, maximum or minimum")
        out.append(assign(value, step.dst, where(step)))
    return out


def concatenate(step: ConcatenateStep, a: list, b: list) -> list:
    if step.axis != 0:
        raise UserError(f"{where(step)}: concatenation along axis {step.axis} is not traced; expected a flat one")
    return [assign(v, step.dst, where(step)) for v in [*a, *b]]


def gather(step: GatherStep, x: list) -> list:
    values = x if step.same_type else [assign(v, step.dst, where(step)) for v in x]
    if step.index is None:
        return list(values)
    zero = constant(0.0, x[0])
    return [values[i] if i >= 0 else zero for i in step.index]


ONE_INPUT = {DAStep: da_program, CastStep: cast_activation, BatchNormStep: batchnorm,
             PoolingStep: pooling, GatherStep: gather}
TWO_INPUTS = {ElementwiseStep: merge, ConcatenateStep: concatenate}
