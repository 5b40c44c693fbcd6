"""The table activations of nnet_activation.h beyond sigmoid and tanh: softplus, softsign, selu.

softplus and softsign are looked up exactly like sigmoid (a table over [-8, 8), index =
trunc(x * N / 16) + N / 2, clamped), so they reuse activations.TableStep's lookup.
selu keeps x >= 0 as res_T(lambda * x), lambda = 1.0507009873554805 as ap_ufixed<16,1>, and
looks the negative side up like ELU (index = trunc(x * N / -8), clamped to [0, N - 1]).

The tables are filled as the C++ fills them: the abscissa in double stored as float, expf
from the C library, the rest of each formula in double, the result returned as float, then
converted to table_t.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.activations import TableStep
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.quantize import cast_codes, quantize_real, quantize_to_ints
from l1forge.emulate.signals import Signal, Step, typed_signal
from l1forge.emulate.tables import _symmetric_inputs, libm_float
from l1forge.errors import UserError

SELU_LAMBDA = FixedType(16, 1, signed=False)  # typedef ap_ufixed<16, 1> selu_const_t


@functools.lru_cache(maxsize=None)
def _libm_double(name: str):
    fn = getattr(ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6"), name)
    fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
    return fn


def softplus_table(size: int, table_t: FixedType) -> np.ndarray:
    """`std::log(std::exp(x) + 1.)`: expf, then a double sum and log, returned as float."""
    x = _symmetric_inputs(size, 8.0)
    log = _libm_double("log")
    sums = libm_float("expf", x).astype(np.float64) + 1.0
    values = np.array([log(float(v)) for v in sums], dtype=np.float64).astype(np.float32)
    return quantize_to_ints(values.astype(np.float64), table_t)


def softsign_table(size: int, table_t: FixedType) -> np.ndarray:
    """`x / (std::abs(x) + 1.)` in double, returned as float."""
    x = _symmetric_inputs(size, 8.0).astype(np.float64)
    values = (x / (np.abs(x) + 1.0)).astype(np.float32)
    return quantize_to_ints(values.astype(np.float64), table_t)


def selu_table(size: int, table_t: FixedType) -> np.ndarray:
    """`1.0507... * (1.6732... * (expf(x) - 1.))` over x = -8 i / N, double, returned as float."""
    x = (-8.0 * np.arange(size, dtype=np.float64) / np.float64(np.float32(size))).astype(np.float32)
    values = 1.0507009873554804934193349852946 * (
        1.6732632423543772848170429916717 * (libm_float("expf", x).astype(np.float64) - 1.0))
    return quantize_to_ints(values.astype(np.float32).astype(np.float64), table_t)


SYMMETRIC = {"softplus": softplus_table, "softsign": softsign_table}


class SymmetricTableStep(TableStep):
    """softplus / softsign: activations.TableStep's lookup over [-8, 8) with these tables."""

    def __init__(self, node, x: Signal, function: str):
        self.name, self.kind = node.name, function
        self.inputs = (node.inputs[0],)
        self.size = int(node.get_attr("table_size"))
        table_t, self.dst = nodes.named_type(node, "table_t"), nodes.output_type(node)
        entries = SYMMETRIC[function](self.size, table_t)
        self.table = quantize_real(entries * table_t.lsb, self.dst).astype(np.int64)  # res_T(table[i])
        self.x, self.range = x, 16
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst,
                                   int(self.table.min()), int(self.table.max()))


class SeluStep(Step):
    """nnet::selu."""

    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, "selu"
        self.inputs = (node.inputs[0],)
        self.size = int(node.get_attr("table_size"))
        table_t, self.dst = nodes.named_type(node, "table_t"), nodes.output_type(node)
        entries = selu_table(self.size, table_t)
        self.table = cast_codes(entries, table_t.frac, self.dst)  # res_T(selu_table[i])
        self.lam = int(quantize_real(1.0507009873554805, SELU_LAMBDA)[0])
        self.x, self.grid = x, x.ftype.frac + SELU_LAMBDA.frac
        self.output = typed_signal(node.outputs[0], node.get_output_variable().shape, self.dst,
                                   self.dst.code_min, self.dst.code_max)

    def run(self, arrays, tally):
        codes = self.x.codes(arrays[0])
        negative = codes < 0
        positive = cast_codes(np.where(negative, 0, codes) * self.lam, self.grid, self.dst, tally, self.name)
        frac = self.x.ftype.frac
        scaled = -codes * self.size  # trunc(x * N / -8): a positive quotient for x < 0
        index = scaled >> np.int64(3 + frac) if frac >= -3 else (scaled << np.int64(-frac - 3))
        np.clip(index, 0, self.size - 1, out=index)
        return np.where(negative, self.table[index], positive).astype(self.output.dtype)


def build_table_activation(node, x: Signal, function: str) -> Step:
    if node.get_attr("table_size") is None or node.get_attr("table_t") is None:
        raise UserError(f"{nodes.where(node)}: {function} without table_size/table_t; expected a graph converted by hls4ml")
    return SeluStep(node, x) if function == "selu" else SymmetricTableStep(node, x, function)
