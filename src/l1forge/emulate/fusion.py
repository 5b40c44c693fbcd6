"""Steps fused for `predict`: a layer with exact sums and the ReLU or linear activation
that is its only reader, run as one step.

A Dense layer (or a convolution run as patch_mac's direct kernel) whose sums are exact
stores its output as it is; the activation then adds nothing but a ReLU and a rounding
cast (activations.CastStep). Run apart, they cost the product plus three passes over the
chunk (bias, maximum, cast); fused, the bias, the ReLU and the cast are one compiled pass
(fused_cast.py) after the product, in place, or the direct convolution's write-back. The
numbers are the same: the same operations on the same exact floats, in the same order.

`trace` and the overflow tally run the unfused steps (they need every layer's output and
every cast's counts); a chunk the fused pass does not take (its sums need a dtype the
activation would convert from) runs the two steps too.
"""

from __future__ import annotations

from l1forge.emulate.activations import CastStep
from l1forge.emulate.dense import KernelStep
from l1forge.emulate.signals import Step


class KernelCastStep(Step):
    """A KernelStep and the CastStep that reads it, as one step."""

    def __init__(self, first: KernelStep, cast: CastStep):
        self.first, self.cast = first, cast
        self.name, self.kind = cast.name, f"{first.kind}+{cast.kind}"
        self.inputs = first.inputs
        self.output = cast.output

    def run(self, arrays, tally):
        if tally is None:
            out = self.first.kernel.run_fused(arrays[0], self.cast, self.first.geometry)
            if out is not None:
                return out.reshape(arrays[0].shape[0], -1)
        return self.cast.run([self.first.run(arrays, tally)], tally)


def _fusable(first, second, readers: dict[str, int]) -> bool:
    return (isinstance(first, KernelStep) and isinstance(second, CastStep) and second.fused is not None
            and second.inputs == (first.output.name,) and readers.get(first.output.name) == 1
            and first.kernel.fast and first.kernel.output_identity)


def fuse(steps: list, outputs: list[str]) -> list:
    """The steps `predict` runs: each fusable pair (a KernelStep followed by its only
    reader, a CastStep with a fused plan) replaced by a KernelCastStep."""
    readers: dict[str, int] = {}
    for step in steps:
        for name in step.inputs:
            readers[name] = readers.get(name, 0) + 1
    for name in outputs:
        readers[name] = readers.get(name, 0) + 1
    fused, k = [], 0
    while k < len(steps):
        if k + 1 < len(steps) and _fusable(steps[k], steps[k + 1], readers):
            fused.append(KernelCastStep(steps[k], steps[k + 1]))
            k += 2
        else:
            fused.append(steps[k])
            k += 1
    return fused
