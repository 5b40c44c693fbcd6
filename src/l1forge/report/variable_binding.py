"""Which shared (non-constant-weight) multiplies of hls4ml's Resource strategy Vivado/Vitis
HLS puts on DSP slices.

The template's inner statement is `acc[out] += (accum_t) product(data[i], weights[w])`:
a multiply whose product is cast to the accumulator type, then added. Two rules, read from
every Resource-strategy layer with a vendor instance row in the study sets (docs/estimator.md,
"Ninth pass: which shared multiplies go to DSPs"; Vivado HLS 2019.1 to Vitis 2024.2,
7-series, UltraScale and UltraScale+):

- *By width*: a multiply whose operand widths add up to `variable_dsp_min_bits` (calibration)
  or more is a DSP `mul` whatever follows it (16x6, 16x16, 24x8, 32x32: every one on DSPs;
  8x8 and 9x9 products: none, in four projects).
- *As a multiply-add*: a narrower multiply goes into a DSP only together with the add that
  follows it (P = A*B + C), and only when the cast to the accumulator keeps every bit of the
  product (no fractional bit dropped, no saturation): a cast that truncates sits between
  the multiply and the add, where a DSP cannot do it. Then the tool pairs each output's
  products, one per DSP `muladd` and one fabric `mul` feeding its C input, so ceil(k / 2)
  DSPs for the k multiplies an output takes per cycle (one each when k is 1).
"""

from __future__ import annotations

import math
from dataclasses import replace

from l1forge.report.bits import Bits
from l1forge.report.multipliers import Census


def product_cast_exact(data: Bits, weight: Bits, accum: Bits) -> bool:
    """Whether `(accum_t)(data * weight)` keeps the whole product: the accumulator has at
    least the product's fractional bits, and it saturates only if it also has the
    product's integer bits (wrapping drops high bits, which a DSP's adder wraps alike)."""
    frac = (data.width - data.integer) + (weight.width - weight.integer)
    if accum.width - accum.integer < frac:
        return False
    if accum.saturates:
        unsigned_times_signed = (not data.signed) and weight.signed
        integer = data.integer + weight.integer + (1 if unsigned_times_signed else 0)
        return accum.integer >= integer
    return True


def multiply_add_dsps(multipliers: int, n_out: int, n_in: int, reuse_factor: int) -> int:
    """DSP `muladd`s of a Resource layer's shared multiplies: with RF <= n_in each output
    takes multipliers / n_out products per cycle and gets ceil of half of them; with
    RF > n_in each multiplier adds into its own accumulator and each gets one."""
    if reuse_factor > n_in or multipliers <= n_out:
        return multipliers
    per_output = multipliers // max(n_out, 1)
    return min(multipliers, n_out * math.ceil(per_output / 2))


def shared_multiply_dsps(census: Census, n_out: int, n_in: int, reuse_factor: int,
                         data: Bits, weight: Bits, accum: Bits, multiplier_impl: str | None) -> Census:
    """The census of a Resource layer's shared multiplies with its narrow (fabric by width)
    multiplies moved to DSP multiply-adds where the rule above says the tool does so."""
    if not census.n_lut or multiplier_impl == "fabric" or not product_cast_exact(data, weight, accum):
        return census
    mac = multiply_add_dsps(census.n_lut, n_out, n_in, reuse_factor)
    kept = census.n_lut - mac
    return replace(census, n_lut=kept, n_dsp=census.n_dsp + mac, dsp_per_product=max(census.dsp_per_product, 1),
                   lut_adder_bits=round(census.lut_adder_bits * kept / census.n_lut))
