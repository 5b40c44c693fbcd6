"""A DA program as one integer matrix product, where that is provably the same computation.

da4ml declares every adder's type wide enough for its operands in the usual case, so no
assignment of the program ever truncates or wraps: each value is then an exact affine
function of the input codes, and the whole program is `codes @ M + c` on the grid F of
da_program.DAExecutor. Running that product costs one BLAS call where the line-by-line
program costs one pass over the events per adder (a Deep Sets phi layer has hundreds).

`linear_form` proves it or gives up: it carries through the program, for every value, the
interval of its integers on grid F over all input codes of the input type, and the power of
two all its values are multiples of (its grain). An assignment is lossless when the value's
grain reaches the declared type's grid (no bit below the type's last is ever set, so AP_TRN
drops nothing) and its interval lies within the type's range (AP_WRAP never wraps); a right
shift is exact when it drops only zero bits. If any assignment could lose a bit the form is
None and the executor runs the program line by line, as before. The outputs' own casts
(model_out's type, then the layer's result type) are applied to the product exactly as the
line-by-line program applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.emulate.fixed import FixedType

# float32 and float64 sums of integers are exact below 2^24 and 2^53
_FLOAT32_EXACT = 2**24
_FLOAT_EXACT = 2**53


@dataclass(frozen=True)
class LinearForm:
    """values[source] = codes @ matrix[:, k] + offset[k] for the k-th entry of `sources`."""

    sources: tuple[int, ...]
    matrix: np.ndarray   # (n_in, len(sources)) int64
    offset: np.ndarray   # (len(sources),) int64
    bound: int           # the largest |partial sum| any event can form

    def select(self, sources: list[int], factors: list[int], addends: list[int]) -> "LinearForm":
        """The form whose k-th column is factors[k] times source sources[k]'s plus
        addends[k] (an output's sign and shifts folded in)."""
        columns = [self.sources.index(s) for s in sources]
        matrix = [[int(self.matrix[i, c]) * f for c, f in zip(columns, factors)]
                  for i in range(self.matrix.shape[0])]
        offset = [int(self.offset[c]) * f + a for c, f, a in zip(columns, factors, addends)]
        bound = max([abs(f) for f in factors], default=0) * self.bound + max(addends, default=0)
        return LinearForm(tuple(sources), np.array(matrix, dtype=np.int64).reshape(len(matrix), len(sources)),
                          np.array(offset, dtype=np.int64), bound)

    def values(self, codes: np.ndarray) -> np.ndarray:
        """(events, len(sources)) int64: every source value on grid F, exact."""
        codes = np.asarray(codes)
        if self.bound < _FLOAT32_EXACT:
            product = codes.astype(np.float32) @ self.matrix.astype(np.float32)
            return product.astype(np.int64) + self.offset
        if self.bound < _FLOAT_EXACT:
            product = codes.astype(np.float64) @ self.matrix.astype(np.float64)
            return product.astype(np.int64) + self.offset
        return codes.astype(np.int64) @ self.matrix + self.offset


@dataclass
class _Value:
    coefficients: list   # per input: the value's change per input code (Python ints, grid F)
    constant: int
    lo: int
    hi: int
    grain: int           # every value is a multiple of 2^grain on grid F (large for 0)


_ZERO_GRAIN = 1 << 20


def _grain_of(number: int) -> int:
    return _ZERO_GRAIN if number == 0 else (number & -number).bit_length() - 1


def _lossless(value: _Value, ftype: FixedType, frac: int) -> bool:
    drop = frac - ftype.frac
    return (value.grain >= drop and value.lo >= ftype.code_min << drop
            and value.hi <= ftype.code_max << drop)


def _scaled(value: _Value, shift: int, sign: int) -> _Value | None:
    """sign * value * 2^shift, or None when a right shift would drop a set bit."""
    if shift < 0 and value.grain < -shift:
        return None
    if shift >= 0:
        coefficients = [c << shift for c in value.coefficients]
        constant, lo, hi = value.constant << shift, value.lo << shift, value.hi << shift
    else:
        coefficients = [c >> -shift for c in value.coefficients]
        constant, lo, hi = value.constant >> -shift, value.lo >> -shift, value.hi >> -shift
    if sign < 0:
        coefficients, constant, lo, hi = [-c for c in coefficients], -constant, -hi, -lo
    return _Value(coefficients, constant, lo, hi, value.grain + shift)


def _sum(a: _Value, b: _Value) -> _Value:
    return _Value([x + y for x, y in zip(a.coefficients, b.coefficients)], a.constant + b.constant,
                  a.lo + b.lo, a.hi + b.hi, min(a.grain, b.grain))


def _constant(number: int, n_in: int) -> _Value:
    return _Value([0] * n_in, number, number, number, _grain_of(number))


def linear_form(program, input_type: FixedType, frac: int) -> LinearForm | None:
    """The program's output sources as one affine map of the input codes, or None when some
    assignment could truncate or wrap (then only the line-by-line program is exact)."""
    n_in, scale = program.n_in, 2**frac
    up = frac - input_type.frac
    values: dict[int, _Value] = {}
    for op in program.ops:
        if op.kind == "input":
            coefficients = [0] * n_in
            coefficients[op.a] = 1 << up
            value = _Value(coefficients, 0, input_type.code_min << up, input_type.code_max << up, up)
        elif op.kind == "add":
            term = _scaled(values[op.b], op.shift, op.sign)
            if term is None:
                return None
            value = _sum(values[op.a], term)
        elif op.kind == "copy":
            value = _scaled(values[op.a], 0, op.sign)
        elif op.kind == "const_add":
            value = _sum(values[op.a], _constant(int(round(op.constant * scale)), n_in))
        else:  # const
            value = _constant(int(round(op.constant * scale)), n_in)
        if not _lossless(value, op.ftype, frac):
            return None
        values[op.dest] = value
    sources = tuple(sorted({out.source for out in program.outputs if out.source >= 0}))
    matrix = np.array([[values[s].coefficients[i] for s in sources] for i in range(n_in)],
                      dtype=object).reshape(n_in, len(sources))
    offset = [values[s].constant for s in sources]
    largest_code = max(abs(input_type.code_min), abs(input_type.code_max))
    bound = max([sum(abs(int(c)) for c in matrix[:, k]) * largest_code + abs(offset[k])
                 for k in range(len(sources))], default=0)
    if bound >= 2**62:
        return None
    return LinearForm(sources, matrix.astype(np.int64), np.array(offset, dtype=np.int64), bound)
