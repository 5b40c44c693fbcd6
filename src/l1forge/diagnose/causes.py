"""Why a layer departs from Keras, and the hls4ml configuration change that removes it.

Each layer kind is first checked against exact arithmetic on its own firmware inputs: a
layer that computes those faithfully only carries earlier layers' rounding. Otherwise the
mechanism is named from what the layer's types do to the observed values, and the fix is
sized from the observed range (and, for accumulators, measured by rerunning the layer)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from l1forge.diagnose import exact, softmax_cause, weight_rounding
from l1forge.diagnose.compare import Comparison, compare, type_range
from l1forge.diagnose.result import AGREEMENT_THRESHOLD, Cause, Fix
from l1forge.diagnose.types import spell, widened, with_fraction
from l1forge.emulate.activations import CastStep, TableStep
from l1forge.emulate.dense import KernelStep
from l1forge.emulate.softmax import SoftmaxStep

TABLE_SLOPES = {"sigmoid": 0.25, "tanh": 1.0}  # largest derivative, for the table step needed


@dataclass(frozen=True)
class LayerContext:
    """Everything known about one compared layer: firmware, its firmware input, Keras."""

    name: str
    node: object
    step: object
    firmware: np.ndarray
    firmware_input: np.ndarray | None
    keras: np.ndarray
    comparison: Comparison
    quantized: bool
    unbounded: np.ndarray | None
    keras_weights: tuple | None = None  # the Keras layer's weights, for Dense layers


def key(layer: str, *path: str) -> str:
    return ".".join(("HLSConfig", "LayerName", layer, *path))


def _upstream(ctx: LayerContext, local: float) -> tuple[Cause, None]:
    return Cause("upstream_rounding",
                 f"{ctx.name} computes its own firmware inputs faithfully ({local:.1%} of events within tolerance "
                 "of exact arithmetic on them); its difference from Keras is rounding carried from earlier layers, "
                 "each within tolerance there"), None


def _result_overflow(ctx: LayerContext, reference: np.ndarray, verify=None) -> tuple[Cause, Fix] | None:
    """The result type's range, if the unbounded values beyond it explain the disagreement."""
    ftype = ctx.step.output.ftype
    disagree = ~ctx.comparison.agrees
    explained = ctx.comparison.outside & disagree
    if not disagree.any() or explained.sum() < 0.5 * disagree.sum():
        return None
    lo, hi = type_range(ftype)
    magnitude = float(np.abs(reference).max())
    wider = widened(ftype, magnitude)
    mode = "wrapping" if ftype.overflow == "WRAP" else "saturating"
    cause = Cause(f"result_{mode}",
                  f"{ctx.name}'s result type {spell(ftype)} holds [{lo:g}, {hi:g}] but its values reach "
                  f"{float(reference.min()):.4g} .. {float(reference.max()):.4g} on {ctx.comparison.outside.mean():.1%} "
                  f"of events, which {'wrap' if mode == 'wrapping' else 'saturate'}")
    after = verify(wider) if verify else None
    fix = Fix(((key(ctx.name, "Precision", "result"), spell(wider)),),
              f"give {ctx.name}'s result {wider.integer} "
              f"integer bits (observed |value| up to {magnitude:.4g}), keeping its {ftype.frac} fractional bits",
              agreement_after=after)
    return cause, fix


def _kernel(ctx: LayerContext) -> tuple[Cause, Fix | None]:
    step, node = ctx.step, ctx.node
    sums, ideal = exact.exact_kernel(step, node, ctx.firmware_input)
    result = step.output.ftype

    def agreement_with(accum, res):
        values = exact.kernel_output(step, node, ctx.firmware_input, accum, res)
        return compare(values, ctx.keras, res, ctx.quantized).agreement

    if ideal is not None:
        changed = (ctx.firmware != ideal).any(axis=1)
        ideal_agreement = compare(ideal, ctx.keras, result, ctx.quantized).agreement
        if changed.mean() > 1 - AGREEMENT_THRESHOLD and ideal_agreement > ctx.comparison.agreement:
            return _accumulator(ctx, sums, changed, ideal_agreement, agreement_with)
    reference = sums if sums is not None else ctx.keras
    overflow = _result_overflow(ctx, reference, (lambda res: agreement_with(exact.exact_accumulator(step, node), res))
                                if sums is not None else None)
    if overflow:
        return overflow
    if ideal is not None:
        return _upstream(ctx, compare(ctx.firmware, ideal, result, True).agreement)
    return Cause("unexplained", f"{ctx.name}: its sums are too wide to recompute exactly"), None


def _accumulator(ctx, sums, changed, ideal_agreement, agreement_with) -> tuple[Cause, Fix]:
    step = ctx.step
    accum, result = step.kernel.accum, step.output.ftype
    magnitude = float(np.abs(sums).max())
    lo, hi = type_range(accum)
    wraps = float((np.abs(sums) > hi).any(axis=1).mean())
    cause = Cause("accumulator_truncating",
                  f"{ctx.name}'s accumulator {spell(accum)} (range [{lo:g}, {hi:g}], LSB {accum.lsb:g}) changes the "
                  f"result on {changed.mean():.1%} of events: its exact sums reach |{magnitude:.4g}| "
                  f"({wraps:.1%} of events beyond the accumulator), products are {step.kernel.prod_frac} fractional "
                  f"bits wide; with an exact accumulator the layer agrees with Keras on {ideal_agreement:.1%}")
    candidates = [widened(accum, magnitude),
                  with_fraction(accum, magnitude, max(accum.frac, result.frac + 2)),
                  with_fraction(accum, magnitude, step.kernel.prod_frac)]
    best = None
    for candidate in dict.fromkeys(candidates):  # in order, without repeats
        if candidate == accum or candidate.width > exact.MAX_EXACT_WIDTH:
            continue
        agreement = agreement_with(candidate, result)
        if best is None or agreement > best[1]:
            best = (candidate, agreement)
        if agreement >= AGREEMENT_THRESHOLD:
            break
    if best is None:
        return cause, None
    candidate, agreement = best
    return cause, Fix(((key(ctx.name, "Precision", "accum"), spell(candidate)),),
                      f"an accumulator of {candidate.integer} integer and {candidate.frac} fractional bits holds every "
                      f"observed sum; rerunning {ctx.name} with it gives {agreement:.1%} agreement at this layer",
                      agreement_after=agreement)


def _activation(ctx: LayerContext) -> tuple[Cause, Fix | None]:
    step = ctx.step
    ideal = exact.exact_activation(step.kind if isinstance(step, TableStep) else
                                   ("relu" if step.relu else "linear"), ctx.firmware_input)
    overflow = _result_overflow(ctx, ideal)
    if overflow:
        return overflow
    local = compare(ctx.firmware, ideal, step.output.ftype, isinstance(step, CastStep)).agreement
    if local >= AGREEMENT_THRESHOLD or isinstance(step, CastStep):
        return _upstream(ctx, local)
    return _table(ctx, local)


def _table(ctx: LayerContext, local: float) -> tuple[Cause, Fix | None]:
    """Sigmoid or tanh table: hls4ml fixes its input range ([-8, 8) or [-4, 4)); only its size is configurable."""
    step = ctx.step
    half = step.range / 2
    beyond = float((np.abs(ctx.firmware_input) >= half).any(axis=1).mean())
    if beyond > 0.5 * (1 - ctx.comparison.agreement):
        return Cause("table_input_range",
                     f"{ctx.name}'s {step.kind} table covers [-{half:g}, {half:g}); inputs beyond it on {beyond:.1%} "
                     "of events read its end entries; hls4ml's table range is fixed, so scale the layer's inputs "
                     "(in training) into it"), None
    table_step = step.range / step.size
    tolerance = ctx.comparison.tolerance
    size = step.size
    while TABLE_SLOPES[step.kind] * step.range / size > tolerance / 2 and size < 1 << 16:
        size *= 2
    return (Cause("table_resolution",
                  f"{ctx.name}'s {step.kind} table of {step.size} entries steps by {table_step:g} in its input; "
                  f"against exact {step.kind} of its firmware inputs it agrees on {local:.1%} of events"),
            Fix(((key(ctx.name, "TableSize"), size),),
                f"a table of {size} entries steps by {step.range / size:g} in the input, moving {step.kind} by at "
                f"most {TABLE_SLOPES[step.kind] * step.range / size:g} per entry, below half the tolerance "
                f"{tolerance:g}"))


def _input(ctx: LayerContext) -> tuple[Cause, Fix | None]:
    overflow = _result_overflow(ctx, ctx.keras)
    if overflow:
        cause, fix = overflow
        return Cause("input_clipped", cause.detail + " (the input type clips the events)"), fix
    return Cause("unexplained", f"input {ctx.name}: events differ from their firmware value by more than one LSB "
                                "without leaving the type's range"), None


def explain(ctx: LayerContext, earlier=()) -> tuple[Cause, Fix | None]:
    """Cause and fix at a divergent layer; `earlier`: the contexts of the layers before it."""
    cause, fix = _explain(ctx)
    if cause.kind == "upstream_rounding" and fix is None:
        sentence, fix = weight_rounding.explain([*earlier, ctx], key)
        cause = Cause(cause.kind, cause.detail + sentence)
    return cause, fix


def _explain(ctx: LayerContext) -> tuple[Cause, Fix | None]:
    step = ctx.step
    if ctx.firmware_input is None:
        return _input(ctx)
    if isinstance(step, KernelStep):
        return _kernel(ctx)
    if isinstance(step, SoftmaxStep):
        found = softmax_cause.explain(ctx, key)
        return _upstream(ctx, found) if isinstance(found, float) else found
    if isinstance(step, (CastStep, TableStep)):
        return _activation(ctx)
    overflow = _result_overflow(ctx, ctx.keras)
    if overflow:
        return overflow
    return Cause("unexplained", f"{ctx.name} ({step.kind}): l1forge names causes for inputs, dense and "
                                "convolution, relu/linear, sigmoid/tanh and softmax layers"), None
