"""The estimate of a distributed-arithmetic Dense (report/da_cost.py) from da4ml's own
solution: no DSP, LUT from da4ml's adder bits, fewer adders when weights are pruned, and
registers where da4ml's adder depth outlasts the clock period."""

import numpy as np
import pytest

from l1forge.report.bits import Bits
from l1forge.report.cost import LayerIO, Target
from l1forge.report.da_cost import adder_bits, da_dense_cost, live_bits_at, program_of


class FakeSource:
    def __init__(self, code):
        self.code = code


class FakeLayer:
    def __init__(self, code, cost):
        self.name, self.class_name = "fc1", "Dense"
        self.attributes = {"da_codegen": FakeSource(code), "da_kernel_cost": cost}

    def get_attr(self, key, default=None):
        return self.attributes.get(key, default)


def _layer(kernel):
    pytest.importorskip("da4ml")
    from da4ml.codegen.hls import hls_logic_and_bridge_gen
    from da4ml.trace import FixedVariableArray, HWConfig, comb_trace

    n = kernel.shape[0]
    inp = FixedVariableArray.from_kif(np.ones(n, np.int16), np.full(n, 3, np.int16), np.full(n, 6, np.int16),
                                      HWConfig(1, -1, -1), solver_options={"hard_dc": 2, "search_all_decompose_dc": True})
    solution = comb_trace(inp, inp @ kernel)
    code, _ = hls_logic_and_bridge_gen(solution, "dense_da_2", "vitis", pragmas=["#pragma HLS INLINE"],
                                       print_latency=True)
    return FakeLayer(code, solution.cost)


def _io(kernel):
    return LayerIO(name="fc1", in_bits=Bits(10, 4, True), out_bits=Bits(20, 8, True), n_in=kernel.shape[0],
                   n_out=kernel.shape[1], in_shape=(kernel.shape[0],), out_shape=(kernel.shape[1],),
                   live_in=kernel.shape[0], reuse_factor=1, strategy="distributed_arithmetic")


def _kernel(sparsity, seed=1):
    rng = np.random.default_rng(seed)
    kernel = rng.integers(-31, 32, (16, 16)) / 32.0
    kernel[rng.random(kernel.shape) < sparsity] = 0.0
    return kernel


def test_da_layers_cost_adders_and_no_dsp_and_pruning_makes_them_cheaper():
    target = Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(27, 18))
    dense, pruned = _kernel(0.0), _kernel(0.75)
    cost_dense = da_dense_cost(_layer(dense), _io(dense), target)
    cost_pruned = da_dense_cost(_layer(pruned), _io(pruned), target)
    assert cost_dense.dsp == 0 and cost_pruned.dsp == 0
    assert cost_dense.lut == _layer(dense).get_attr("da_kernel_cost")  # da4ml's own adder bits
    assert cost_pruned.lut < 0.5 * cost_dense.lut
    assert "distributed arithmetic" in cost_dense.notes[0] and "no vendor report" in cost_dense.notes[0]
    program = program_of(_layer(dense))
    assert adder_bits(program) >= cost_dense.lut  # declared widths bound da4ml's cost from above


def test_a_fast_clock_cuts_the_adder_tree_and_registers_the_live_values():
    kernel = _kernel(0.0)
    layer = _layer(kernel)
    program = program_of(layer)
    slow = da_dense_cost(layer, _io(kernel), Target(10.0, "io_parallel", "Vitis HLS", (27, 18)))
    fast = da_dense_cost(layer, _io(kernel), Target(1.0, "io_parallel", "Vitis HLS", (27, 18)))
    assert program.depth >= 3
    assert slow.cycles == 0 and slow.ff == 0
    assert fast.cycles >= 2 and fast.ff > 0
    # after the last level only the outputs' sources are still live
    assert live_bits_at(program, program.depth) == sum(
        next(op.ftype.width for op in program.ops if op.dest == out.source)
        for out in program.outputs if out.source >= 0)


@pytest.mark.parametrize("strategies, expected", [
    (("latency", "latency"), "latency"),
    (("latency", "distributed_arithmetic"), "distributed_arithmetic"),
    (("distributed_arithmetic", "resource"), "resource"),
])
def test_the_estimate_names_the_strategy_it_costed(strategies, expected):
    from types import SimpleNamespace

    from l1forge.report.estimate import _strategy

    assert _strategy([SimpleNamespace(strategy=s) for s in strategies]) == expected
