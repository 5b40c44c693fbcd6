"""hls4ml's distributed arithmetic (DA) layers: the shift-and-add program da4ml generated,
read from the ModelGraph and run with exact integers.

With `Strategy: distributed_arithmetic` hls4ml 1.3 drops a Dense layer's weights from the
graph and writes the layer as the C++ function da4ml solved (the node's `da_codegen`), one
static single assignment per adder:

    ap_fixed<16,6> v0 = model_inp[0];                    // 0.0    an input, cast
    ap_fixed<19,7> v16 = v7 - bit_shift<-2>(v7);         // 1.0    a +- b * 2^s
    ap_fixed<21,7> v90 = v71 + ap_ufixed<4,0>(0.3125);   // 3.0    a + constant (a bias)
    model_out[0] = ap_fixed<24,9>(bit_shift<-1>(v103));           an output, cast

`bit_shift<s>` reinterprets the bits with the point moved by s (a multiplication by 2^s);
each assignment converts to the declared type with its default modes (AP_TRN, AP_WRAP);
the output array's element type (the layer's result_t) then applies its own rounding and
overflow. The comment is da4ml's latency of that value, in adder levels.

Every value is kept as an int64 multiple of 2^-F, F the finest grid any value of the
program uses, so each line is the exact integer operation the C++ performs. A line of any
other form is refused by name, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from l1forge.emulate.da_linear import linear_form
from l1forge.emulate.fixed import FixedType, parse_cpp_type
from l1forge.emulate.overflow import apply_overflow
from l1forge.errors import UserError

_TYPE = r"ap_u?fixed<\s*\d+\s*,\s*-?\d+\s*>"
_SIGNATURE = re.compile(r"void\s+(\w+)\s*\(\s*inp_t\s+model_inp\[(\d+)\]\s*,\s*out_t\s+model_out\[(\d+)\]\s*\)")
_ASSIGN = re.compile(rf"^({_TYPE})\s+v(\d+)\s*=\s*(.+?);\s*(?://\s*(-?[\d.]+))?$")
_OUTPUT = re.compile(rf"^model_out\[(\d+)\]\s*=\s*(?:0|({_TYPE})\((-?)(?:bit_shift<(-?\d+)>\(v(\d+)\)|v(\d+))\));$")
_INPUT = re.compile(r"^model_inp\[(\d+)\]$")
_ADD = re.compile(r"^v(\d+)\s*([+-])\s*(?:bit_shift<(-?\d+)>\(v(\d+)\)|v(\d+))$")
_CONST_ADD = re.compile(rf"^v(\d+)\s*([+-])\s*({_TYPE})\(([-+0-9.eE]+)\)$")
_COPY = re.compile(r"^(-?)v(\d+)$")
_NUMBER = re.compile(r"^[-+]?[0-9.]+(?:[eE][-+]?\d+)?$")


@dataclass(frozen=True)
class Op:
    """One assignment `dest = a +- b * 2^shift` (kind 'add'), `dest = +-a` ('copy'),
    `dest = input[a]` ('input'), `dest = a + constant` ('const_add'), `dest = constant`
    ('const'); `ftype` is the declared type, `level` da4ml's latency in adder levels."""

    kind: str
    dest: int
    ftype: FixedType
    a: int = -1
    b: int = -1
    sign: int = 1
    shift: int = 0
    constant: float = 0.0
    level: float = 0.0


@dataclass(frozen=True)
class Output:
    index: int
    source: int  # -1: the constant 0
    ftype: FixedType | None
    negate: bool = False
    shift: int = 0


@dataclass(frozen=True)
class DAProgram:
    name: str
    n_in: int
    n_out: int
    ops: tuple[Op, ...]
    outputs: tuple[Output, ...]

    @property
    def adders(self) -> tuple[Op, ...]:
        """The operations that are adders in hardware (two operands, or one and a constant)."""
        return tuple(op for op in self.ops if op.kind in ("add", "const_add"))

    @property
    def depth(self) -> float:
        """da4ml's latency of the slowest value, in adder levels."""
        return max((op.level for op in self.ops), default=0.0)

    def fraction_bits(self, input_type: FixedType) -> int:
        """F: the finest grid of any value the program forms (inputs, shifted operands,
        constants, declared and output types)."""
        fracs = [input_type.frac]
        declared = {op.dest: op.ftype for op in self.ops}
        for op in self.ops:
            fracs.append(op.ftype.frac)
            if op.kind == "add":
                fracs.append(declared[op.b].frac - op.shift)
            if op.kind in ("const_add", "const"):
                fracs.append(_constant_frac(op.constant))
        for out in self.outputs:
            if out.source >= 0:
                fracs.append(declared[out.source].frac - out.shift)
                fracs.append(out.ftype.frac)
        return max(fracs)


def _constant_frac(value: float) -> int:
    frac = 0
    while value != int(value):
        value *= 2
        frac += 1
        if frac > 60:
            raise UserError(f"DA constant {value} is not a short binary fraction")
    return frac


def parse(source: str, where: str) -> DAProgram:
    """The program of one DA function's C++ text (the node's `da_codegen`)."""
    signature = _SIGNATURE.search(source)
    if not signature:
        raise UserError(f"{where}: no DA function 'void NAME(inp_t model_inp[N], out_t model_out[M])' "
                        "in its generated code")
    name, n_in, n_out = signature.group(1), int(signature.group(2)), int(signature.group(3))
    body = source[signature.end():]
    body = body[body.index("{") + 1:]
    ops, outputs = [], []
    for raw in body.splitlines():
        line = raw.strip()
        if not line or line.startswith("#pragma") or line.startswith("//"):
            continue
        if line.startswith("}"):
            break
        if line.startswith("model_out"):
            outputs.append(_parse_output(line, where))
        else:
            ops.append(_parse_assignment(line, where))
    known = {op.dest for op in ops}
    for op in ops:
        for ref in (op.a if op.kind != "input" else -1, op.b):
            if ref >= 0 and ref not in known:
                raise UserError(f"{where}: DA line for v{op.dest} reads v{ref}, which is never assigned")
    if sorted(out.index for out in outputs) != list(range(n_out)):
        raise UserError(f"{where}: DA function {name} does not assign each of its {n_out} outputs once")
    return DAProgram(name, n_in, n_out, tuple(ops), tuple(sorted(outputs, key=lambda o: o.index)))


def _parse_assignment(line: str, where: str) -> Op:
    match = _ASSIGN.match(line)
    if not match:
        raise UserError(f"{where}: DA line not emulated: '{line}'")
    ftype = parse_cpp_type(match.group(1))
    dest, expr = int(match.group(2)), match.group(3).strip()
    level = float(match.group(4) or 0.0)
    if m := _INPUT.match(expr):
        return Op("input", dest, ftype, a=int(m.group(1)), level=level)
    if m := _ADD.match(expr):
        b = int(m.group(4) if m.group(4) is not None else m.group(5))
        return Op("add", dest, ftype, a=int(m.group(1)), b=b, sign=1 if m.group(2) == "+" else -1,
                  shift=int(m.group(3) or 0), level=level)
    if m := _CONST_ADD.match(expr):
        value = float(m.group(4)) * (1 if m.group(2) == "+" else -1)
        return Op("const_add", dest, ftype, a=int(m.group(1)), constant=value, level=level)
    if m := _COPY.match(expr):
        return Op("copy", dest, ftype, a=int(m.group(2)), sign=-1 if m.group(1) else 1, level=level)
    if _NUMBER.match(expr):
        return Op("const", dest, ftype, constant=float(expr), level=level)
    raise UserError(f"{where}: DA operation not emulated: '{line}' (expected a +- b, a + constant, "
                    "an input, a copy or a constant)")


def _parse_output(line: str, where: str) -> Output:
    match = _OUTPUT.match(line)
    if not match:
        raise UserError(f"{where}: DA output line not emulated: '{line}'")
    index = int(match.group(1))
    if match.group(2) is None:
        return Output(index, -1, None)
    source = int(match.group(5) if match.group(5) is not None else match.group(6))
    return Output(index, source, parse_cpp_type(match.group(2)), negate=match.group(3) == "-",
                  shift=int(match.group(4) or 0))


class DAExecutor:
    """Runs a DAProgram on input codes; returns the output values on grid F (int64). Where
    no assignment can lose a bit (da_linear.py proves it) the program runs as one matrix
    product, otherwise line by line."""

    def __init__(self, program: DAProgram, input_type: FixedType, where: str):
        self.program, self.input_type = program, input_type
        self.frac = program.fraction_bits(input_type)
        widest = max([op.ftype.integer for op in program.ops] +
                     [out.ftype.integer for out in program.outputs if out.ftype] + [input_type.integer])
        if widest + self.frac + 2 > 62:
            raise UserError(f"{where}: DA values need {widest + self.frac} bits; more than 62 are not emulated")
        # None when an assignment could truncate or wrap: then only the program itself is exact
        self.linear = linear_form(program, input_type, self.frac)
        self._live = [o for o in program.outputs if o.source >= 0]
        self._live_index = [o.index for o in self._live]
        self._all_live = self._live_index == list(range(program.n_out))
        # the outputs' casts, per live output (one scalar each where all agree)
        self._drop = _per_output(self._live, lambda o: self.frac - o.ftype.frac)
        self._low = _per_output(self._live, lambda o: o.ftype.code_min)
        self._mask = _per_output(self._live, lambda o: (1 << o.ftype.width) - 1)
        # The outputs' shifts and signs fold into the product: sign * (v << s) is linear, and
        # -(v >> r) = (-v + 2^r - 1) >> r, whose floor shift joins the cast's own (>> drop).
        self._folded, self._right = None, self._drop
        if self.linear is not None:
            right = [max(-o.shift, 0) for o in self._live]
            folded = self.linear.select(
                [o.source for o in self._live],
                [(-1 if o.negate else 1) << max(o.shift, 0) for o in self._live],
                [(1 << r) - 1 if o.negate and r else 0 for o, r in zip(self._live, right)])
            if folded.bound < 2**62:
                self._folded, self._right = folded, self._drop + _per_output(right, lambda r: r)

    def _cast(self, values: np.ndarray, ftype: FixedType) -> np.ndarray:
        """Assign values (grid F) to `ftype` with AP_TRN and AP_WRAP, back on grid F."""
        drop = self.frac - ftype.frac
        codes = values >> np.int64(drop) if drop > 0 else values.copy()
        codes = apply_overflow(codes, FixedType(ftype.width, ftype.integer, ftype.signed, "TRN", "WRAP"))
        return codes << np.int64(drop) if drop > 0 else codes

    def _shifted(self, values: np.ndarray, shift: int) -> np.ndarray:
        return values << np.int64(shift) if shift >= 0 else values >> np.int64(-shift)

    def run(self, input_codes: np.ndarray) -> np.ndarray:
        """input_codes: (events, n_in) int64 codes of the input type; returns (events,
        n_out) int64 values on grid F (zero where an output is the constant 0)."""
        if self._folded is None:
            return self.run_lines(input_codes)
        out = np.zeros((len(input_codes), self.program.n_out), dtype=np.int64)
        if not self._live:
            return out
        codes = self._assign(self._folded.values(input_codes), self._right)
        if self._all_live:
            return codes
        out[:, self._live_index] = codes
        return out

    def run_lines(self, input_codes: np.ndarray) -> np.ndarray:
        """`run`, always line by line: every assignment with its own cast."""
        up = self.frac - self.input_type.frac
        x = input_codes.astype(np.int64) << np.int64(up)
        values: dict[int, np.ndarray] = {}
        scale = float(2**self.frac)
        for op in self.program.ops:
            if op.kind == "input":
                result = x[:, op.a]
            elif op.kind == "add":
                term = self._shifted(values[op.b], op.shift)
                result = values[op.a] + term if op.sign > 0 else values[op.a] - term
            elif op.kind == "copy":
                result = values[op.a] if op.sign > 0 else -values[op.a]
            elif op.kind == "const_add":
                result = values[op.a] + np.int64(round(op.constant * scale))
            else:  # const
                result = np.full(x.shape[0], round(op.constant * scale), dtype=np.int64)
            values[op.dest] = self._cast(result, op.ftype)
        return self._outputs(values, x.shape[0])

    def _outputs(self, values: dict[int, np.ndarray], events: int) -> np.ndarray:
        """model_out: each live output's source shifted, negated where asked, and assigned
        to its type (AP_TRN, AP_WRAP), all outputs in one pass (their own shifts and types)."""
        out = np.zeros((events, self.program.n_out), dtype=np.int64)
        live = self._live
        if not live:
            return out
        value = np.stack([values[o.source] for o in live], axis=1)
        shift = _per_output(live, lambda o: o.shift)
        value = (value << np.maximum(shift, 0)) >> np.maximum(-shift, 0)
        value *= _per_output(live, lambda o: -1 if o.negate else 1)
        out[:, self._live_index] = self._assign(value, self._drop)
        return out

    def _assign(self, value: np.ndarray, right: np.ndarray) -> np.ndarray:
        """(events, live outputs) values on grid F, floor-shifted right by `right` (the
        cast's drop, and any output shift folded in), assigned to each output's type."""
        drop, low, mask = self._drop, self._low, self._mask
        codes = value >> right
        codes -= low
        codes &= mask
        codes += low
        codes <<= drop
        return codes


def _per_output(outputs: list, value_of) -> np.ndarray | np.int64:
    """One int64 per output, or the one value all of them share (a scalar broadcasts
    faster than an array of equal entries)."""
    values = np.array([value_of(o) for o in outputs], dtype=np.int64)
    return values[0] if len(values) and (values == values[0]).all() else values
