"""The multiply-accumulate shared by Dense and convolutions (nnet_dense_latency.h).

Per output j the firmware computes, all in fixed point:
    mult[i][j] = accum_t(x[i] * w[i][j])        exact product, then cast (may round/overflow)
    acc[j]     = accum_t(b[j])
    acc[j]     = accum_t(acc[j] + mult[i][j])   for i = 0 .. n_in-1, in this order
    res[j]     = result_t(acc[j])
When no product rounds and no partial sum can overflow (checked on the actual weights and
the input's code bounds), this is an exact integer matrix product, done by BLAS in the
narrowest float dtype that holds it exactly. A wrapping accumulator may overflow too: the
sum is exact modulo 2^width, so one wrap at the end gives the same result. Otherwise the
kernel falls back to the firmware's own order, one input at a time, exact in float64/int64.
Past 62 bits (`wide`: Dense layers only) both run on Python integers (wide.py).
"""

from __future__ import annotations

import numpy as np

from l1forge.emulate.compiled import enabled, plan_ordered_mac
from l1forge.emulate.fixed import FixedType
from l1forge.emulate.overflow import OverflowTally, apply_overflow
from l1forge.emulate.patch_mac import PatchMac, plan_exact, plan_patch_mac
from l1forge.emulate.quantize import cast_array, cast_codes
from l1forge.emulate.reshaping import _gather
from l1forge.emulate.signals import (I64_EXACT, WIDE, Signal, TooWide, cast_bounds, exact_dtype, stored,
                                     type_magnitude, wide_dtype)
from l1forge.errors import UserError


# Below this many input channels a convolution's exact sums run as one product over im2col
# rows: a product per filter tap would multiply a (pixels, channels) slab by so few rows of
# weights that BLAS's call overhead dominates (ad_cnn_ae's one-channel image).
FEW_CHANNELS = 8
UNROLL = True  # small convolutions as one product with their unrolled matrix (tests switch it off)
FLOAT_KERNEL = True  # the firmware order in float registers (patch_mac.py); tests switch it off
DIRECT_CONV = True  # exact convolutions as patch_mac's direct kernel (tests switch it off)


SPARSE_COLUMNS = True  # one-weight-per-output dense layers as a gather and a product (tests switch it off)


def _picked_products(x: np.ndarray, picks: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x @ w for a w with at most one nonzero weight per column, at row picks[j] of column
    j: the same exact products, without the zeros (a 57 x 57 mask: 57 products, not 3,249)."""
    weights = w[picks, np.arange(w.shape[1])]
    if enabled() and x.flags.c_contiguous:
        return _gather(x, picks, np.empty((x.shape[0], picks.size), dtype=x.dtype)) * weights
    return np.take(x, picks, axis=1) * weights


def narrowed(dtype: np.dtype, cast) -> np.dtype:
    """The dtype the activation `cast` stores a result computed in `dtype` in."""
    return cast.out_dtype if dtype.char == "d" else dtype


def widen(a: np.dtype, b: np.dtype) -> np.dtype:
    """The wider of two exact dtypes (float32 < float64 < int64)."""
    order = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)]
    return max(np.dtype(a), np.dtype(b), key=order.index)


class FieldsInOrder:
    """A convolution's receptive fields with their taps in the order the firmware adds them
    (MacKernel.order): what the ordered paths read (field_index, im2col)."""

    def __init__(self, geometry, order: np.ndarray):
        self.geometry, self.order = geometry, order
        self._field_index = None

    def field_index(self) -> np.ndarray:
        if self._field_index is None:
            self._field_index = np.ascontiguousarray(self.geometry.field_index()[:, self.order])
        return self._field_index

    def im2col(self, x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(self.geometry.im2col(x)[:, self.order])


class MacKernel:
    """x (events, n_in) codes -> result codes (events, n_out), as the firmware's Latency dense."""

    def __init__(self, where: str, weights: np.ndarray, w_type: FixedType, bias: np.ndarray, b_type: FixedType,
                 accum: FixedType, result: FixedType, x: Signal, ordered: bool, order: np.ndarray | None = None,
                 wide: bool = False):
        """`ordered`: the firmware adds each output's products in input order (the Latency
        strategy), or in `order`, a permutation of the inputs (the Resource strategy's
        loop, resource_order); else the order is unknown. `wide`: values past 62 bits run
        on Python integers (else they are refused)."""
        self.where, self.accum, self.result, self.x, self.wide = where, accum, result, x, wide
        weights = np.asarray(weights, dtype=np.int64)
        self.w = weights if order is None else weights[np.asarray(order)]  # partial sums in the firmware's order
        self.prod_frac = x.ftype.frac + w_type.frac
        self.bias_acc = _bias_codes(np.asarray(bias, dtype=np.int64), b_type.frac, accum)
        self.products_round = self.prod_frac > accum.frac
        self._bound_products()
        self.fast = not self.products_round and not self.products_overflow and (
            not self.acc_overflow or accum.overflow == "WRAP")
        # the exact paths sum in any order: the weights keep the layer's own
        self.order = None if self.fast or order is None else np.asarray(order, dtype=np.int64)
        if self.fast and order is not None:
            self.w = weights
            self._bound_products()
        # Each product is cast to the accumulator before it is added, so rounding and a
        # wrapping accumulator (modular sums) give the same result in any order; only an
        # accumulator that saturates depends on the order of the sums.
        if not self.fast and not ordered and self.acc_overflow and accum.overflow != "WRAP":
            raise UserError(f"{where}: a saturating accumulator that can overflow is only emulated for the "
                            "Latency strategy (other strategies sum in another order)")
        self.res_lo, self.res_hi, self.res_overflow = cast_bounds(self.acc_lo, self.acc_hi, accum.frac, result)
        # the firmware's order, compiled (None: numba off or too wide; the numpy loop runs)
        self.compiled = None
        if not self.fast and FLOAT_KERNEL:
            self.compiled = plan_patch_mac(self.w, self.bias_acc, type_magnitude(x.ftype), self.prod_frac, accum,
                                           self.products_overflow, self.acc_overflow, result, self.res_overflow)
        if not self.fast and self.compiled is None:
            self.compiled = plan_ordered_mac(self.w, self.bias_acc, type_magnitude(x.ftype), self.prod_frac, accum,
                                             self.products_overflow, self.acc_overflow)
        # a dense layer whose every output reads at most one input (a mask, a permutation, a
        # scale per value): the input each output reads (or None)
        per_column = (self.w != 0).sum(axis=0) if self.w.ndim == 2 and self.w.size else None
        self.picks = (np.abs(self.w).argmax(axis=0) if per_column is not None and per_column.max() <= 1
                      and self.w.shape[0] > 1 else None)
        self.set_output_scale(result.frac)

    def _bound_products(self) -> None:
        """Static bounds of products, partial sums and final sums, on the accumulator grid."""
        shift = self.accum.frac - self.prod_frac
        w = self.w.astype(object)
        p_a, p_b = w * self.x.lo, w * self.x.hi
        p_min = np.minimum(p_a, p_b)
        p_max = np.maximum(p_a, p_b)
        if shift >= 0:
            p_min, p_max = p_min * (1 << shift), p_max * (1 << shift)
        else:  # any rounding lands between floor and floor + 1
            p_min, p_max = p_min // (1 << -shift), p_max // (1 << -shift) + 1
        lo_a, hi_a = self.accum.code_min, self.accum.code_max
        outside = (p_min < lo_a) | (p_max > hi_a)
        self.products_overflow = bool(outside.any())
        if self.products_overflow:  # after its cast an overflowing product may be anywhere in range
            if self.accum.overflow in ("SAT", "SAT_SYM"):
                p_min, p_max = np.clip(p_min, lo_a, hi_a), np.clip(p_max, lo_a, hi_a)
            else:
                p_min, p_max = np.where(outside, lo_a, p_min), np.where(outside, hi_a, p_max)
        bias = self.bias_acc.astype(object)
        neg = np.where(p_min < 0, p_min, 0).sum(axis=0) if p_min.size else 0
        pos = np.where(p_max > 0, p_max, 0).sum(axis=0) if p_max.size else 0
        part_lo, part_hi = bias + neg, bias + pos
        self.acc_overflow = bool(min(part_lo) < lo_a or max(part_hi) > hi_a)
        self.sum_magnitude = int(max(max(abs(v) for v in part_lo), max(abs(v) for v in part_hi)))
        shift_up = 1 << max(shift, 0)
        self.column_magnitude = int(np.abs(self.w).sum(axis=0).max()) * shift_up if self.w.size else 0
        self.bias_magnitude = int(np.abs(self.bias_acc).max()) if self.bias_acc.size else 0
        if self.acc_overflow and self.accum.overflow != "WRAP":
            self.acc_lo, self.acc_hi = max(int(min(part_lo)), lo_a), min(int(max(part_hi)), hi_a)
        elif self.acc_overflow:
            self.acc_lo, self.acc_hi = lo_a, hi_a
        else:
            self.acc_lo = int(min(bias + (p_min.sum(axis=0) if p_min.size else 0)))
            self.acc_hi = int(max(bias + (p_max.sum(axis=0) if p_max.size else 0)))

    @property
    def output_identity(self) -> bool:
        """The result cast changes nothing: the array may then be stored at any scale."""
        return (self.fast and self.result.frac >= self.accum.frac and not self.res_overflow
                and not self.acc_overflow)

    @property
    def rescalable(self) -> bool:
        return self.output_identity and self.dtype.kind == "f"

    def set_output_scale(self, scale: int) -> None:
        """Plan storage: the result array holds `real * 2**scale` (scale != frac only when
        `output_identity`, for a consumer that rounds onto that grid)."""
        self.scale = scale
        self._mac_weights: dict = {}  # dtype -> (weights, bias); ("unrolled", dtype) -> matrix or None
        if self.fast:
            # Besides the sums themselves: a wrap subtracts code_min, the result cast adds
            # half an LSB and may wrap into result_t.
            self.static_need = max(2 * type_magnitude(self.accum) if self.acc_overflow else 0,
                                   1 << max(self.accum.frac - self.result.frac, 0),
                                   2 * type_magnitude(self.result) if self.res_overflow else 0)
            self.dtype = wide_dtype(max(self.sum_magnitude, self.static_need))
            self.mac_scale = scale if self.output_identity else self.accum.frac
        else:
            widest_product = type_magnitude(self.x.ftype) * (int(np.abs(self.w).max()) if self.w.size else 0)
            need = max(widest_product << max(self.accum.frac - self.prod_frac, 0), 4 * type_magnitude(self.accum))
            # the numpy loop's working dtype; its results are stored in it too
            self.ordered_dtype = np.dtype(np.float64) if need < 1 << 52 else wide_dtype(need)
            if self.ordered_dtype == WIDE:
                self.compiled = None
            self.dtype = self.ordered_dtype
            if self.compiled is not None:  # result codes of an integer kernel: any exact dtype holds them
                self.dtype = widen(exact_dtype(max(2 * type_magnitude(self.result), 2 * type_magnitude(self.accum))),
                                   self.ordered_dtype if self.ordered_dtype.kind == "i" else np.dtype(np.float32))
        self._plan_storage()

    def _plan_storage(self) -> None:
        """The result's storage (`store_dtype`): the working dtype, except narrow result
        codes of wide sums; refuse wide values where the caller cannot take them."""
        self.store_dtype = self.dtype
        if self.dtype != WIDE:
            return
        if not self.wide:
            raise TooWide("sums need more than 62 bits; such wide types are emulated for Dense layers only "
                          "(not convolutions or recurrent layers)")
        if not self.output_identity:
            self.store_dtype = wide_dtype(max(abs(self.res_lo), abs(self.res_hi), type_magnitude(self.result)))

    def _weights_for(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """Weights and bias scaled so that x @ w + b lands on `mac_scale`, in `dtype`."""
        cached = self._mac_weights.get(dtype.str)
        if cached is None:
            if dtype.kind == "f":
                w = (self.w.astype(np.float64) * 2.0 ** (self.mac_scale - self.prod_frac)).astype(dtype)
                b = (self.bias_acc * 2.0 ** (self.mac_scale - self.accum.frac)).astype(dtype)
            else:  # integer sums: exact shifts (mac_scale >= accum.frac >= prod_frac here)
                w = stored(self.w, dtype) << (self.mac_scale - self.prod_frac)
                b = stored(self.bias_acc, dtype) << (self.mac_scale - self.accum.frac)
            cached = self._mac_weights[dtype.str] = (w, b)
        return cached

    def _unrolled_for(self, dtype: np.dtype, geometry) -> np.ndarray | None:
        """The convolution's unrolled matrix (conv.ConvGeometry.unrolled) of the scaled
        weights in `dtype`, or None where it would be too large. Its sums are the same exact
        integers as the per-pixel ones: only zero products are added."""
        key = ("unrolled", dtype.str)
        if key not in self._mac_weights:
            w = self._weights_for(dtype)[0]
            self._mac_weights[key] = geometry.unrolled(w) if UNROLL else None
        return self._mac_weights[key]

    def _direct_for(self, dtype: np.dtype, geometry, cast=None) -> PatchMac | None:
        """The compiled direct convolution (patch_mac.plan_exact) of the scaled weights in
        `dtype`: the exact sums pixel by pixel, the same integers as any product's
        (`cast`: the reading activation's fused_cast.CastPlan, run at write-back)."""
        key = ("direct", dtype.str, id(cast))
        if key not in self._mac_weights:
            w, b = self._weights_for(dtype)
            self._mac_weights[key] = plan_exact(w, b, dtype, cast) if DIRECT_CONV else None
        return self._mac_weights[key]

    def run_fused(self, x: np.ndarray, cast, geometry=None) -> np.ndarray | None:
        """The exact sums with the reading activation's cast (`cast`, an
        activations.CastStep with a fused plan) in the same pass: the bias, the ReLU and
        the cast in one pass after a BLAS product, or at a direct convolution's write-back. None where
        this chunk does not allow it (the caller then runs the two steps)."""
        if not (self.fast and self.output_identity) or x.size == 0:
            return None
        dtype = self._chunk_dtype(x)
        if not cast.takes_as_is(dtype):
            return None
        w, b = self._weights_for(dtype)
        if geometry is not None:  # the direct kernel reads any float input (exact codes) as it transposes it
            direct = self._direct_for(dtype, geometry, cast.fused)
            return None if direct is None else direct(x, geometry.field_index(), narrowed(dtype, cast))
        if x.dtype != dtype:
            x = x.astype(dtype)
        if self.picks is not None and SPARSE_COLUMNS:
            acc = _picked_products(x, self.picks, w)
        else:
            acc = x @ w
        return cast.fused(acc, b, narrowed(dtype, cast))

    def _chunk_dtype(self, x: np.ndarray) -> np.dtype:
        """The narrowest exact dtype for this chunk: the static plan covers any input of
        the input type, but the actual inputs are usually far smaller."""
        if self.dtype.kind == "f" and self.dtype.itemsize == 4 or x.size == 0:
            return self.dtype
        largest = int(max(-x.min(), x.max()))  # kernel inputs hold plain codes
        need = self.bias_magnitude + self.column_magnitude * largest
        return wide_dtype(max(need, self.static_need))

    def output_signal(self, name: str, shape) -> Signal:
        return Signal(name, tuple(shape), self.result, self.res_lo, self.res_hi, self.store_dtype, self.scale)

    def run(self, x: np.ndarray, tally: OverflowTally | None, site: str, geometry=None) -> np.ndarray:
        """Result codes, one row per event (dense) or per event and output pixel
        (convolution: `geometry` says how input rows map to receptive fields)."""
        if self.order is not None:  # the inputs in the order the firmware adds them
            if geometry is None:
                x = np.ascontiguousarray(x[:, self.order])
            else:
                geometry = FieldsInOrder(geometry, self.order)
        if self.fast:
            acc = self._run_blas(x, tally, site, geometry)
        elif isinstance(self.compiled, PatchMac) and tally is None:  # result codes, cast in the kernel
            return self.compiled(x, None if geometry is None else geometry.field_index(), self.dtype)
        elif self.compiled is not None and tally is None:  # the tally needs the per-step counts
            x = x.astype(self.compiled.dtype)  # before im2col: its rows are filter-size times wider
            acc = self.compiled(x if geometry is None else geometry.im2col(x))
        else:
            acc = self._run_ordered(x if geometry is None else geometry.im2col(x), tally, site)
        if self.output_identity:
            if tally is not None:
                tally.add(f"{site} result", 0, acc.size, self.result.overflow)
            return acc
        out = cast_array(acc, self.accum.frac, self.accum.frac, self.result, self.res_overflow,
                         tally, f"{site} result")
        return stored(out, self.store_dtype)

    def _run_blas(self, x: np.ndarray, tally, site: str, geometry=None) -> np.ndarray:
        dtype = self._chunk_dtype(x)
        w, b = self._weights_for(dtype)
        x = stored(x, dtype)
        if geometry is None and self.picks is not None and SPARSE_COLUMNS and dtype != WIDE:  # one weight per output
            acc = _picked_products(x, self.picks, w)
        elif geometry is None:
            acc = x @ w
        elif (direct := self._direct_for(dtype, geometry)) is not None:
            return self._finish_sums(direct(x, geometry.field_index()), tally, site)
        elif (full := self._unrolled_for(dtype, geometry)) is not None:  # a small image: one product
            acc = (x @ full).reshape(-1, w.shape[1])
        elif geometry.chans < FEW_CHANNELS:  # tap-by-tap products would be nearly outer products
            acc = geometry.im2col(x) @ w
        else:  # exact sums: any order gives the same integers, so add tap by tap
            taps = w.reshape(geometry.f_h * geometry.f_w, geometry.chans, -1)
            acc = None
            for tap, rows in geometry.tap_rows(x):
                term = rows @ taps[tap]
                acc = term if acc is None else np.add(acc, term, out=acc)
        acc += b
        return self._finish_sums(acc, tally, site)

    def _finish_sums(self, acc: np.ndarray, tally, site: str) -> np.ndarray:
        if self.acc_overflow:  # wrapping accumulator: one wrap of the exact sum
            acc = apply_overflow(acc, self.accum, tally, f"{site} accum")
        elif tally is not None:
            tally.add(f"{site} accum", 0, acc.size, self.accum.overflow)
        return acc

    def _run_ordered(self, x: np.ndarray, tally, site: str) -> np.ndarray:
        """The firmware's order: every product cast to accum_t, summed input by input."""
        dtype = self.ordered_dtype
        x = stored(x, dtype)
        w = stored(self.w, dtype)
        acc = np.repeat(self.bias_acc.astype(dtype)[None, :], x.shape[0], axis=0)
        for i in range(self.w.shape[0]):
            product = x[:, i : i + 1] * w[i]
            product = cast_array(product, self.prod_frac, self.prod_frac, self.accum, self.products_overflow,
                                 tally, f"{site} product")
            acc += product
            if self.acc_overflow:
                acc = apply_overflow(acc, self.accum, tally, f"{site} accum")
        return acc


def _bias_codes(bias: np.ndarray, b_frac: int, accum: FixedType) -> np.ndarray:
    """The bias in accum_t (int64 codes; Python integers where they pass 62 bits)."""
    if type_magnitude(accum) < I64_EXACT:
        return cast_codes(bias.copy(), b_frac, accum)
    codes = cast_codes(bias.astype(object), b_frac, accum)
    return codes.astype(np.int64) if max(np.abs(codes), default=0) < I64_EXACT else codes
