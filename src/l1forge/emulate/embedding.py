"""Embedding as nnet::embedding computes it: `res[j * n_out + i] = res_T(embeddings[data[j] *
n_out + i])`, each input value an index into the table of `vocab_size` rows of `n_out`.

The firmware converts `data[j] * n_out + i` (an exact ap_fixed expression) to the array
index; for the non-negative values a table is read with, that is the floor. A value that is
negative or reaches past the table's last row makes the firmware read memory outside the
table, which C++ leaves undefined: such an event is refused with its row, not guessed.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.signals import Signal, Step, cast_bounds, typed_signal
from l1forge.errors import UserError


class EmbeddingStep(Step):
    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        self.where = nodes.where(node)
        table, self.t_type = nodes.weight_codes(node, "embeddings")
        self.vocab, self.n_out = int(node.get_attr("vocab_size")), int(node.get_attr("n_out"))
        if table.size != self.vocab * self.n_out:
            raise UserError(f"{self.where}: {table.size} embedding values for {self.vocab} rows of {self.n_out}")
        self.table = table.reshape(-1).astype(np.int64)
        self.x, self.dst = x, nodes.output_type(node)
        lo, hi, self.may_overflow = cast_bounds(int(self.table.min()), int(self.table.max()), self.t_type.frac,
                                                self.dst)
        self.output = typed_signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst, lo, hi)

    def _base(self, codes: np.ndarray) -> np.ndarray:
        """floor(data * n_out): the table index of each value's first element."""
        frac = self.x.ftype.frac
        scaled = codes * self.n_out
        return scaled >> frac if frac >= 0 else scaled << -frac

    def run(self, arrays, tally):
        x = arrays[0]
        codes = self.x.codes(x)
        base = self._base(codes)
        outside = (codes < 0) | (base > (self.vocab - 1) * self.n_out)
        if outside.any():
            row, col = (int(v[0]) for v in np.nonzero(outside))
            value = float(codes[row, col]) * 2.0 ** -self.x.ftype.frac
            raise UserError(f"{self.where}: event {row} reads the embedding table with {value:g} (input {col}), "
                            f"outside its rows 0..{self.vocab - 1}; the firmware's read is undefined there")
        index = (base[:, :, None] + np.arange(self.n_out)).reshape(len(x), -1)
        gathered = self.table[index]
        out = cast_array(gathered, self.t_type.frac, self.t_type.frac, self.dst, self.may_overflow, tally, self.name)
        return out.astype(self.output.dtype, copy=False)


def build_embedding(node, inputs: list[Signal]) -> Step:
    return EmbeddingStep(node, inputs[0])
