"""The lookup tables the firmware fills at start-up (sigmoid, tanh, softmax exp and 1/x).

nnet_activation.h fills them in single precision with the C library's `expf` and `tanhf`.
numpy's own float32 exp and tanh differ from glibc in the last bit for many arguments,
and a last-bit difference can move a table entry across a rounding boundary, so the entries
are computed with the very libm functions the compiled firmware calls, through ctypes.
Each entry is then converted to the table type like any double (quantize.quantize_real).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

from l1forge.emulate.fixed import FixedType
from l1forge.emulate.quantize import quantize_to_ints
from l1forge.errors import UserError


@functools.lru_cache(maxsize=None)
def _libm_function(name: str):
    path = ctypes.util.find_library("m") or "libm.so.6"
    fn = getattr(ctypes.CDLL(path), name)
    fn.restype = ctypes.c_float
    fn.argtypes = [ctypes.c_float]
    return fn


def libm_float(name: str, values: np.ndarray) -> np.ndarray:
    """Apply the C library's single-precision function `name` (e.g. "expf") elementwise."""
    fn = _libm_function(name)
    return np.array([fn(float(v)) for v in np.asarray(values, dtype=np.float32)], dtype=np.float32)


def _symmetric_inputs(table_size: int, half_range: float) -> np.ndarray:
    """Table abscissae `2*R*(i - N/2)/N`, computed in double and stored as float like the C++."""
    i = np.arange(table_size, dtype=np.float64)
    return (2.0 * half_range * (i - table_size / 2.0) / table_size).astype(np.float32)


def sigmoid_table(table_size: int, table_t: FixedType) -> np.ndarray:
    """Codes of `1.0 / (1 + expf(-x))` over [-8, 8): the float sum, then a double division."""
    x = _symmetric_inputs(table_size, 8.0)
    denominator = np.float32(1) + libm_float("expf", -x)  # float + float stays float
    values = (1.0 / denominator.astype(np.float64)).astype(np.float32)
    return quantize_to_ints(values.astype(np.float64), table_t)


def tanh_table(table_size: int, table_t: FixedType) -> np.ndarray:
    """Codes of `tanhf(x)` over [-4, 4)."""
    x = _symmetric_inputs(table_size, 4.0)
    return quantize_to_ints(libm_float("tanhf", x).astype(np.float64), table_t)


def elu_table(table_size: int, table_t: FixedType) -> np.ndarray:
    """Codes of `expf(x) - 1.` (double subtraction, float result) over x = -8 i / N."""
    x = (-8.0 * np.arange(table_size, dtype=np.float64) / np.float64(np.float32(table_size))).astype(np.float32)
    values = (libm_float("expf", x).astype(np.float64) - 1.0).astype(np.float32)
    return quantize_to_ints(values.astype(np.float64), table_t)


def address_bits(table_size: int) -> int:
    """ceillog2(table_size): the number of top bits that address a softmax table."""
    return max(int(table_size - 1).bit_length(), 0)


def value_of_address(index: np.ndarray, address_type: FixedType, table_size: int) -> np.ndarray:
    """The value whose top address bits are `index` and all other bits zero, as float32."""
    n = address_bits(table_size)
    if address_type.width < n:
        raise UserError(
            f"softmax table of {table_size} entries is addressed by {n} bits but type {address_type} "
            f"has only {address_type.width}; expected a table size of at most 2^{address_type.width}"
        )
    pattern = np.asarray(index, dtype=np.int64) << (address_type.width - n)
    if address_type.signed:
        pattern = np.where(pattern >= 1 << (address_type.width - 1), pattern - (1 << address_type.width), pattern)
    return (pattern * address_type.lsb).astype(np.float32)


def softmax_exp_table(
    table_size: int, address_type: FixedType, exp_scale: float, negative: bool, table_t: FixedType
) -> np.ndarray:
    """Codes of expf(+-x * exp_scale) at each address of `address_type`."""
    x = value_of_address(np.arange(table_size), address_type, table_size) * np.float32(exp_scale)
    if negative:
        x = -x
    return quantize_to_ints(libm_float("expf", x).astype(np.float64), table_t)


def softmax_invert_table(table_size: int, address_type: FixedType, table_t: FixedType) -> np.ndarray:
    """Codes of the float quotient 1/x at each address (1/0 is +inf, which saturates or wraps)."""
    x = value_of_address(np.arange(table_size), address_type, table_size)
    with np.errstate(divide="ignore"):
        inverse = np.float32(1) / x
    return quantize_to_ints(inverse.astype(np.float64), table_t)


def table_address(codes: np.ndarray, address_type: FixedType, table_size: int, in_range: bool = False) -> np.ndarray:
    """Top address bits of `codes` (int64) of `address_type`: the slice x(W-1, W-N) as unsigned.
    `in_range`: the codes are known to lie in [0, 2^W), so the bit pattern is the code."""
    n = address_bits(table_size)
    pattern = codes if in_range else codes & np.int64((1 << address_type.width) - 1)
    return pattern >> np.int64(address_type.width - n)
