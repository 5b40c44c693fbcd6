"""Batch normalization as nnet::normalize: `res[i] = res_T(data[i] * scale[c] + bias[c])`.

The product and the sum are exact ap_fixed expressions (full-width result types); only the
assignment to res_T rounds and overflows. c is the channel, i % n_filt, when n_filt is set.
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.compiled import affine_cast
from l1forge.emulate.fused_cast import plan_affine, usable
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.signals import Signal, Step, cast_bounds, exact_dtype, type_magnitude
from l1forge.errors import UserError


class BatchNormStep(Step):
    def __init__(self, node, x: Signal):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        # power-of-two scales (QKeras alpha="auto_po2") arrive as exact shifts (special_types.py)
        if not any(f"product::{p}<" in nodes.config_text(node) for p in ("mult", "weight_exponential")):
            raise UserError(f"{nodes.where(node)}: only the plain multiplier and power-of-two products are emulated")
        scale, s_type = nodes.weight_codes(node, "scale")
        bias, b_type = nodes.weight_codes(node, "bias")
        n_filt = int(node.get_attr("n_filt", -1) or -1)
        channel = np.arange(x.size) % n_filt if n_filt > 0 else np.arange(x.size)
        if n_filt <= 0 and scale.size != x.size:
            raise UserError(f"{nodes.where(node)}: {scale.size} scales for {x.size} inputs")
        self.x, self.dst = x, nodes.output_type(node)
        self.grid = max(x.ftype.frac + s_type.frac, b_type.frac)
        s = scale.ravel()[channel].astype(object) << (self.grid - x.ftype.frac - s_type.frac)
        b = bias.ravel()[channel].astype(object) << (self.grid - b_type.frac)
        ends = np.stack([s * x.lo + b, s * x.hi + b])
        lo, hi = int(min(ends.ravel())), int(max(ends.ravel()))
        out_lo, out_hi, self.may_overflow = cast_bounds(lo, hi, self.grid, self.dst)
        partial = max(abs(v) for v in s) * x.magnitude + max(abs(v) for v in b)  # x * s before + b
        magnitude = max(partial, 1 << max(self.grid - self.dst.frac, 0), 2 * type_magnitude(self.dst))
        self.dtype = exact_dtype(magnitude)
        self.scale_vec = s.astype(np.int64).astype(self.dtype)
        self.bias_vec = b.astype(np.int64).astype(self.dtype)
        self._scale64, self._bias64 = self.scale_vec.astype(np.float64), self.bias_vec.astype(np.float64)
        self.fused = x.scale == x.ftype.frac and magnitude < 1 << 52  # one compiled pass (compiled.affine_cast)
        rounds = self.dst.frac < self.grid
        # the same pass with its modes as constants (fused_cast.py; None: affine_cast's loop).
        # Stored in its own dtype: a batch normalization usually feeds a Dense layer whose
        # wide sums run in float64 (ad_vae's first layer), which would convert float32 back.
        self.plan = plan_affine(2.0 ** (self.dst.frac - self.grid), self.dst.rounding if rounds else None,
                                self.dst if self.may_overflow else None) if self.fused else None
        self.output = Signal(node.outputs[0], tuple(node.get_output_variable().shape), self.dst,
                             out_lo, out_hi, self.dtype, self.dst.frac)

    def run(self, arrays, tally):
        out = self._run(arrays, tally)
        return out.astype(self.dtype) if out.dtype != self.dtype and out.dtype.kind == "f" else out

    def _run(self, arrays, tally):
        if self.plan is not None and tally is None and usable(arrays[0]):
            return self.plan(arrays[0], self._scale64, self._bias64, self.dtype)
        if self.fused and tally is None:
            rounds = self.dst.frac < self.grid
            out = affine_cast(arrays[0], self._scale64, self._bias64, self.dtype, 2.0 ** (self.dst.frac - self.grid),
                              self.dst.rounding if rounds else None, self.dst if self.may_overflow else None)
            if out is not None:
                return out
        y = arrays[0].astype(self.dtype, copy=False) * self.scale_vec
        y += self.bias_vec
        return cast_array(y, self.grid, self.grid, self.dst, self.may_overflow, tally, self.name)


def build_batchnorm(node, inputs: list[Signal]) -> Step:
    return BatchNormStep(node, inputs[0])
