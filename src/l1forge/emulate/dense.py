"""Dense layers, and the step that runs a MacKernel for dense and convolution layers alike."""

from __future__ import annotations

import re

import numpy as np

from l1forge.emulate import nodes
from l1forge.emulate.da_fused import plan_fused
from l1forge.emulate.da_program import DAExecutor, parse
from l1forge.emulate.kernel import MacKernel
from l1forge.emulate.quantize import cast_array
from l1forge.emulate.signals import Signal, Step, typed_signal
from l1forge.errors import UserError

SUPPORTED_STRATEGIES = ("latency", "resource")


class KernelStep(Step):
    def __init__(self, node, x: Signal, weights: np.ndarray, w_type, bias, b_type, geometry=None):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        strategy = nodes.strategy(node)
        if strategy not in SUPPORTED_STRATEGIES:
            raise UserError(f"{nodes.where(node)}: strategy '{strategy}' is not emulated; expected Latency or Resource")
        self.geometry = geometry  # a conv.ConvGeometry for convolutions
        _check_product(node, weights)
        accum = nodes.named_type(node, "accum_t")
        ordered, order = (True, None) if strategy == "latency" else resource_order(node, weights.shape[0], geometry)
        self.kernel = MacKernel(nodes.where(node), weights, w_type, bias, b_type, accum,
                                nodes.output_type(node), x, ordered=ordered, order=order, wide=geometry is None)
        self.reads_wide = geometry is None  # Dense: values past 62 bits as Python integers (wide.py)
        self.shape = tuple(node.get_output_variable().shape)
        self.output = self.kernel.output_signal(node.outputs[0], self.shape)

    @property
    def rescalable(self) -> bool:
        return self.kernel.rescalable

    def rescale(self, scale: int) -> Signal:
        """Store the output at `scale` for a consumer that rounds onto that grid."""
        self.kernel.set_output_scale(scale)
        self.output = self.kernel.output_signal(self.output.name, self.shape)
        return self.output

    def run(self, arrays, tally):
        x = arrays[0]
        out = self.kernel.run(x, tally, self.name, self.geometry)
        return out.reshape(x.shape[0], -1)


def resource_order(node, n_in: int, geometry) -> tuple[bool, np.ndarray | None]:
    """The order in which hls4ml's Resource-strategy dense kernel (nnet_dense_resource.h)
    adds each output's products: (known, a permutation of the inputs or None for input
    order). rf_leq_nin (RF <= n_in, n_in a multiple of RF): loop iteration `ir` adds inputs
    ir, ir + RF, ir + 2 RF, ... to every output, so the order is that for ir = 0 .. RF - 1;
    rf_gt_nin_rem0 (RF a multiple of n_in): one input per iteration, in input order. The
    other body (rf_gt_nin) sums partial products before the accumulator, and io_parallel
    convolutions run their own Resource loops: unknown (a saturating accumulator is then
    refused, MacKernel). Streamed convolutions call the dense kernel on each window."""
    rf = int(node.get_attr("reuse_factor", 1) or 1)
    if geometry is not None and str(node.model.config.get_config_value("IOType")) != "io_stream":
        return False, None
    body = nodes.resource_case(n_in, rf)
    if body == nodes.LEQ and n_in % rf == 0:
        return True, np.array([ir + k * rf for ir in range(rf) for k in range(n_in // rf)], dtype=np.int64)
    return (True, None) if body == nodes.REM0 else (False, None)


def _check_product(node, weights) -> None:
    """The multiplier the config selects: a plain product, or the ternary one (w in -1, 0, 1,
    where it equals the product; it would turn a -2 into +1 times the input, so refuse it)."""
    match = re.search(r"product::(\w+)<", node.get_attr("config_cpp") or "")
    product = match.group(1) if match else "mult"
    if product == "weight_ternary" and np.any(np.asarray(weights) == -2):
        raise UserError(f"{nodes.where(node)}: ternary product with a weight of -2 is not emulated")
    # binary weights arrive as +-1 and power-of-two ones as exact shifts (special_types.py);
    # binary data is mapped to +-1 by binary.py before the kernel
    if product not in ("mult", "weight_ternary", "weight_binary", "weight_exponential", "data_binary"):
        raise UserError(f"{nodes.where(node)}: product '{product}' is not emulated here; expected mult, "
                        "weight_ternary, weight_binary, data_binary or weight_exponential")


def weights_and_bias(node):
    w, w_type = nodes.weight_codes(node, "weight")
    if "bias" in node.weights:
        b, b_type = nodes.weight_codes(node, "bias")
    else:
        b, b_type = np.zeros(w.shape[-1], dtype=np.int64), w_type
    return w, w_type, b, b_type


class DAStep(Step):
    """A Dense layer built by hls4ml's distributed arithmetic: da4ml's shift-and-add program
    (da_program.py) on the input codes, then the assignment to the layer's result type.
    For a convolution (`geometry`, a conv.ConvGeometry) the program is the kernel of one
    output pixel: hls4ml's io_parallel DA convolution (nnet_da_wrappers.h, conv1d_cl /
    conv2d_cl) gathers every pixel's receptive field and runs the same program on each, so
    the emulator runs it on the im2col rows."""

    def __init__(self, node, x: Signal, geometry=None):
        self.name, self.kind = node.name, node.class_name
        self.inputs = (node.inputs[0],)
        source = node.get_attr("da_codegen")
        if source is None:
            raise UserError(f"{nodes.where(node)}: distributed arithmetic without generated code (da_codegen)")
        self.x, self.geometry = x, geometry
        self.program = parse(getattr(source, "code", str(source)), nodes.where(node))
        n_in = x.size if geometry is None else geometry.taps
        if self.program.n_in != n_in:
            raise UserError(f"{nodes.where(node)}: DA function reads {self.program.n_in} inputs, "
                            f"the layer's {'input' if geometry is None else 'receptive field'} has {n_in}")
        self.executor = DAExecutor(self.program, x.ftype, nodes.where(node))
        self.result = nodes.output_type(node)
        shape = tuple(node.get_output_variable().shape)
        self.output = typed_signal(node.outputs[0], shape, self.result, self.result.code_min, self.result.code_max)
        # the product and every cast after it in one compiled pass (None: the int64 path)
        self.fused = plan_fused(self.executor, self.result, self.output.dtype) \
            if self.output.dtype.kind == "f" else None

    def run(self, arrays, tally):
        events = arrays[0].shape[0]
        if self.fused is not None and tally is None:  # the tally needs the int64 path's counts
            return self.fused.run(arrays[0], self.x.scale, self.geometry).reshape(events, -1)
        x = self.x.codes(arrays[0])
        if self.geometry is not None:
            x = self.geometry.im2col(x)
        values = self.executor.run(x)
        frac = self.executor.frac
        codes = cast_array(values, frac, frac, self.result, True, tally, f"{self.name} result")
        return codes.astype(self.output.dtype).reshape(events, -1)


def build_dense(node, inputs: list[Signal]) -> Step:
    if nodes.strategy(node) == "distributed_arithmetic":
        return DAStep(node, inputs[0])
    w, w_type, b, b_type = weights_and_bias(node)
    if node.get_attr("_weights_transposed", False):
        w = w.T  # the Resource strategy stores (n_out, n_in)
    n_in, n_out = int(node.get_attr("n_in")), int(node.get_attr("n_out"))
    if w.shape != (n_in, n_out) or inputs[0].size != n_in:
        raise UserError(f"{nodes.where(node)}: weights {w.shape} do not match n_in={n_in}, n_out={n_out}")
    return KernelStep(node, inputs[0], w, w_type, b, b_type)
