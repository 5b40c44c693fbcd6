"""Recurrent layers (GRU, LSTM, Bidirectional): hls4ml's `gru_stack`, `lstm_stack` and
`bidirectional_stack`.

The template (nnet_recurrent.h) loops over the sequence's n_timesteps steps. Each step
copies its slice of the input, `data[j + iloop * n_in]`, and calls the cell (`gru_static`,
`lstm_static`, or their non-static forms), which runs

- the input kernel (n_in -> G x n_state; G = 3 gates for a GRU, 4 for an LSTM) and the
  recurrent kernel (n_state -> G x n_state), two dense calls of the layer's strategy and
  reuse factors (`reuse_factor`, `recurrent_reuse_factor`),
- the recurrent activation (a table: 2 x n_state values in a GRU, 3 x n_state in an LSTM)
  and the activation (n_state values; an LSTM also applies it to its new cell state),
- element-wise products: a GRU's reset gate times the recurrent candidate, then the mix
  `h~ (1 - z) + h z`; an LSTM's `g i + c f`, then `o tanh(c)`. 3 x n_state products in both.

Where the loop runs (a dataflow top: any Resource-strategy layer, or io_stream), it is not
pipelined: the cell is a state machine whose states are its calls. Read from the one
report of a recurrent layer (a GRU of 20 steps x 6 features, 5 states; Resource, RF 1;
Vivado HLS 2019.2, xcvu13p -2, 5 ns; its `gru_static` and `gru_stack` module reports):
the two dense calls side by side, then the recurrent activation, the reset product, the
activation and the mix, each call its latency plus one state, each product one (8 cycles
for 1-cycle kernels and tables); the loop adds three states a step (the input slice, the
call, the state copy) and one on exit: 20 x (8 + 3) + 1 = 221 cycles; the process starts
again the cycle after it is done, so the design's interval is 222.
The input slice of a layer that reads the design's input (one packed ap_vld word) is a
variable right shift of the whole word per input element (2,171 LUTs each for 2,160 bits
in the report); read from a partitioned array it is a T:1 multiplexer per input bit.

Where the top is a pipeline (every layer Latency strategy, io_parallel), HLS unrolls the
loop: n_timesteps copies of the cell in a chain, interval 1. No report covers that case.

A Bidirectional layer (`bidirectional_stack`) runs a forward cell on step t and a backward
cell (LSTM or GRU, its own weights, reuse factors and states) on step T-1-t in the same
loop body. The two calls share no data, so the state machine is taken to run them side by
side: a step lasts as long as the longer cell, the hardware is both cells and both input
slices. No report of a bidirectional layer backs this.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from l1forge.report.activation_cost import table_cost
from l1forge.report.bits import Bits, bits_of
from l1forge.report.calibration import CALIBRATION as C
from l1forge.report.cost import LayerCost, LayerIO, Target
from l1forge.report.dense_cost import dense_cost
from l1forge.report.multipliers import product_type
from l1forge.report.schedule import dataflow_top, reads_design_input

GATES = {"GRU": 3, "LSTM": 4}
RECURRENT_ACTIVATED = {"GRU": 2, "LSTM": 3}  # gates through the recurrent activation


class CellKernel:
    """One of a recurrent layer's two product matrices, seen as the Dense that prices it."""

    class_name = "Dense"

    def __init__(self, layer, name: str, weight: str, bias: str, reuse_attr: str):
        self.layer, self.name, self.reuse_attr = layer, name, reuse_attr
        self.weights = {"weight": layer.weights[weight], "bias": layer.weights.get(bias)}

    def get_attr(self, key, default=None):
        if key == "reuse_factor":
            return self.layer.get_attr(self.reuse_attr, self.layer.get_attr("reuse_factor", default))
        return self.layer.get_attr(key, default)

    def get_input_variable(self):
        return self.layer.get_input_variable()


def kernel_io(io: LayerIO, name: str, data: Bits, n_in: int, n_out: int, reuse_factor: int) -> LayerIO:
    return replace(io, name=name, in_bits=data, n_in=n_in, n_out=n_out, in_shape=(n_in,), out_shape=(n_out,),
                   live_in=n_in, reuse_factor=reuse_factor, fold=None)


def input_slice_lut(layer, steps: int, n_in: int, width: int) -> float:
    """The LUTs that pick a step's inputs out of the sequence (module docs)."""
    if reads_design_input(layer):
        return n_in * (steps * n_in * width + C.recurrent_shift_overhead_lut)
    return n_in * width * math.ceil(steps / C.mux_inputs_per_lut)


def product_cost(n: int, width: int, target: Target) -> tuple[float, float]:
    """(DSP, LUT) of n element-wise products of two `width`-bit variables."""
    if 2 * width >= C.variable_dsp_min_bits and target.multiplier_impl != "fabric":
        return float(n), 0.0
    return 0.0, n * width * width * C.lut_per_variable_product_bit


@dataclass(frozen=True)
class CellCost:
    """One direction's cell: the cycles of a step as a state machine (`step`) and as an
    unrolled chain (`chain`), and its hardware."""

    step: int
    chain: int
    dsp: float
    lut: float
    ff: float
    bram_18k: float


def cell_cost(layer, io: LayerIO, target: Target, cell: str, prefix: str, n_in: int, n_state: int) -> CellCost:
    """One cell of a recurrent layer (module docs); `prefix` names its weights and reuse
    factors (`forward_`, `backward_` in a Bidirectional layer, none in a GRU or LSTM)."""
    gates = GATES[cell]
    accum = bits_of(layer.get_attr("accum_t").precision) if layer.get_attr("accum_t") else io.out_bits
    state = io.out_bits
    kernels = []
    for name, weight, bias, reuse, data, width in (
            ("kernel", "weight", "bias", "reuse_factor", io.in_bits, n_in),
            ("recurrent", "recurrent_weight", "recurrent_bias", "recurrent_reuse_factor", state, n_state)):
        view = CellKernel(layer, f"{layer.name}.{prefix}{name}", prefix + weight, prefix + bias, prefix + reuse)
        kio = kernel_io(io, view.name, data, width, gates * n_state, max(1, int(view.get_attr("reuse_factor") or 1)))
        kernels.append(dense_cost(view, kio, target, product_type(data, bits_of(view.weights["weight"].type.precision))))
    activated = RECURRENT_ACTIVATED[cell] * n_state
    tables = [table_cost(kernel_io(io, f"{layer.name}.{prefix}{kind}", accum, n, n, 1), layer, kind)
              for kind, n in (("recurrent_activation", activated),
                              ("activation", n_state * (2 if cell == "LSTM" else 1)))]
    product_dsp, product_lut = product_cost(3 * n_state, accum.width, target)
    dense_cycles = max(max(k.cycles for k in kernels), 1)  # a called kernel registers its outputs
    table_cycles = max(t.cycles for t in tables)
    call = C.recurrent_call_states
    # a GRU: kernels, recurrent activation, reset product, activation, mix; an LSTM: kernels,
    # both activations side by side, the cell update, the activation of the cell, the output
    step = (dense_cycles + call) + 2 * (table_cycles + call) + 2 * C.recurrent_product_cycles
    lut = (sum(k.lut for k in kernels) + sum(t.lut for t in tables) + product_lut
           + gates * n_state * accum.width * C.lut_per_adder_bit)
    registered = 2 * gates * n_state + activated + n_state + 3 * n_state  # each call's and product's outputs
    return CellCost(step=step, chain=dense_cycles + 2 * table_cycles + 2 * C.recurrent_product_cycles,
                    dsp=sum(k.dsp for k in kernels) + product_dsp, lut=lut,
                    ff=sum(k.ff + k.ff_counted for k in kernels) + registered * accum.width,
                    bram_18k=sum(k.bram_18k for k in kernels) + sum(t.bram_18k for t in tables))


def directions(layer) -> list[tuple[str, str, int]]:
    """(cell, weight prefix, states) of each direction a recurrent layer runs."""
    if layer.class_name == "Bidirectional":
        return [(str(layer.get_attr(f"{side}_class_name")), f"{side}_", int(layer.get_attr(f"{side}_n_states")))
                for side in ("forward", "backward")]
    return [(layer.class_name, "", int(layer.get_attr("n_out")))]


def recurrent_cost(layer, io: LayerIO, target: Target) -> LayerCost:
    steps = int(layer.get_attr("n_timesteps"))
    n_in = int(layer.get_attr("n_in"))
    runs = directions(layer)
    cells = [cell_cost(layer, io, target, cell, prefix, n_in, n_state) for cell, prefix, n_state in runs]
    kind = layer.class_name.lower()
    state = io.out_bits
    # A Bidirectional layer calls its forward and backward cells one after the other in the
    # loop body; they share nothing, so the state machine runs them side by side (no report
    # of a bidirectional layer backs this)
    step, chain = max(c.step for c in cells), max(c.chain for c in cells)
    dsp, lut = sum(c.dsp for c in cells), sum(c.lut for c in cells)
    ff, bram = sum(c.ff for c in cells), sum(c.bram_18k for c in cells)
    what = " and ".join(f"{prefix.rstrip('_') + ' ' if prefix else ''}{cell}" for cell, prefix, _ in runs)
    notes = (f"{what}: {steps} steps of {step} cycles (two dense calls, two table calls, two product "
             "stages per cell), one recurrent-layer report behind the rule"
             + ("; the two directions side by side (no report of a bidirectional layer)" if len(runs) > 1 else ""),)
    if target.io_type == "io_parallel" and not dataflow_top(layer.model):
        # a pipelined top unrolls the loop: a chain of `steps` cells (no report of this case)
        return LayerCost(name=io.name, kind=kind, dsp=steps * dsp, lut=steps * lut, ff=steps * ff,
                         bram_18k=steps * bram, cycles=steps * chain, ii=1, out_bits=io.n_out * state.width,
                         notes=(f"{what}: the pipelined top unrolls its {steps} steps (no report of this case)",))
    n_states = sum(n for _, _, n in runs)
    lut += len(runs) * input_slice_lut(layer, steps, n_in, io.in_bits.width)
    ff += (len(runs) * n_in + n_states) * max(io.in_bits.width, state.width)  # each step's input slices and states
    cycles = steps * (step + C.recurrent_loop_states) + C.recurrent_exit_states
    # not pipelined: the process starts again the cycle after it is done (the report's
    # dataflow top runs every 222 cycles, its gru_stack instance 221); in io_stream the loop
    # reads each step's input word itself, so the layer is already a dataflow process
    return LayerCost(name=io.name, kind=kind, dsp=dsp, lut=lut, ff=ff, bram_18k=bram,
                     cycles=cycles, ii=cycles + 1, out_bits=io.n_out * state.width, notes=notes,
                     process=target.io_type == "io_stream")

