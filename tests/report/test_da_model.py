"""The estimator's model of a distributed-arithmetic design (l1forge.rtl.da_model, used by
report/da_cost.py): its da4ml cost, register bits and stage count against da4ml's own trace
and latency cut of the same design (what `l1forge rtl` writes as Verilog), and how the
estimate takes the model's figures. No g++, no yosys: da4ml's Python only."""

import functools
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("da4ml")

from l1forge.emulate.activations import CastStep  # noqa: E402
from l1forge.emulate.da_program import parse  # noqa: E402
from l1forge.emulate.dense import DAStep  # noqa: E402
from l1forge.emulate.fixed import parse_cpp_type  # noqa: E402
from l1forge.report import da_cost  # noqa: E402
from l1forge.report.cost import LayerCost, Target  # noqa: E402
from l1forge.rtl.da_model import DesignModel, _cut, _Values, levels_per_cycle, model_design  # noqa: E402

INPUT_TYPE = "ap_fixed<8,3,AP_RND,AP_SAT,0>"


def _program(kernel: np.ndarray, kif: tuple[int, int, int]):
    """da4ml's solution of `x @ kernel` for inputs of sign bit, integer and fractional bits
    `kif`, as hls4ml writes it (da_codegen text), parsed."""
    from da4ml.codegen.hls import hls_logic_and_bridge_gen
    from da4ml.trace import FixedVariableArray, HWConfig, comb_trace

    n = kernel.shape[0]
    k, i, f = kif
    inp = FixedVariableArray.from_kif(np.full(n, k, np.int16), np.full(n, i, np.int16), np.full(n, f, np.int16),
                                      HWConfig(1, -1, -1), solver_options={"hard_dc": 2})
    solution = comb_trace(inp, inp @ kernel)
    code, _ = hls_logic_and_bridge_gen(solution, "dense_da", "vitis", pragmas=["#pragma HLS INLINE"],
                                       print_latency=True)
    return parse(code, "test"), float(solution.cost)


def _signal(name, size, ftype):
    return SimpleNamespace(name=name, size=size, shape=(size,), ftype=ftype)


def _da_step(name, source, kernel, kif, result):
    step = object.__new__(DAStep)
    step.program, cost = _program(kernel, kif)
    step.name, step.kind, step.inputs, step.geometry = name, "Dense", (source,), None
    step.result = parse_cpp_type(result)
    step.output = _signal(f"{name}_out", kernel.shape[1], step.result)
    return step, cost


def _relu(name, source, size, dst):
    step = object.__new__(CastStep)
    step.name, step.kind, step.inputs, step.relu = name, "Activation:relu", (source,), True
    step.dst = parse_cpp_type(dst)
    step.output = _signal(f"{name}_out", size, step.dst)
    return step


@functools.lru_cache(maxsize=None)
def _design(sparsity=0.0, seed=3):
    """inputs(12) -> DA dense 12x16 -> quantized ReLU (rounding, saturating) -> DA dense 16x4."""
    rng = np.random.default_rng(seed)
    k1 = rng.integers(-15, 16, (12, 16)) / 16.0
    k1[rng.random(k1.shape) < sparsity] = 0.0
    k2 = rng.integers(-15, 16, (16, 4)) / 16.0
    first = SimpleNamespace(name="inputs", ftype=parse_cpp_type(INPUT_TYPE),
                            output=_signal("inputs_out", 12, parse_cpp_type(INPUT_TYPE)))
    fc1, cost1 = _da_step("fc1", "inputs_out", k1, (1, 2, 5), "ap_fixed<18,8>")
    relu = _relu("relu1", "fc1_out", 16, "ap_ufixed<6,0,AP_RND_CONV,AP_SAT,0>")
    fc2, cost2 = _da_step("fc2", "relu1_out", k2, (0, 0, 6), "ap_fixed<16,6>")
    emulator = SimpleNamespace(input_steps=[first], steps=[fc1, relu, fc2], outputs=["fc2_out"])
    return emulator, {"fc1": cost1, "fc2": cost2}


def _da4ml_own(emulator, cutoff):
    """da4ml's trace of the design (the RTL flow's trace) and its retimed latency cut."""
    from da4ml.trace import to_pipeline

    from l1forge.rtl.trace import trace_emulator

    traced = trace_emulator(emulator)
    pipeline = to_pipeline(traced.comb, cutoff, verbose=False)
    return float(traced.comb.cost), int(pipeline.reg_bits), len(pipeline.solutions)


@pytest.mark.parametrize("cutoff", [2, 4, 7])
def test_the_model_follows_da4mls_own_cost_and_cut(cutoff):
    emulator, kernels = _design()
    model = model_design(emulator, cutoff)
    cost, reg_bits, stages = _da4ml_own(emulator, cutoff)
    assert model.stages == stages
    assert model.total_cost == pytest.approx(cost, rel=0.06)
    assert model.total_reg_bits == pytest.approx(reg_bits, rel=0.12)
    assert set(model.cost) == {"inputs", "fc1", "relu1", "fc2"} and model.left_out == ()
    # the ReLU's rounding and saturating cast from 18 bits: a rounding adder and two
    # comparisons of about the input's width per value (the old rule costed about 97)
    assert 18 < model.cost["relu1"] / 16 < 3 * 18


def test_pruning_shrinks_the_modelled_kernel():
    dense = model_design(_design(sparsity=0.0)[0], 7)
    pruned = model_design(_design(sparsity=0.7)[0], 7)
    assert pruned.cost["fc1"] < 0.6 * dense.cost["fc1"]


def test_registers_are_the_bits_live_across_each_cut():
    values = _Values()
    a = values.add(0.0, "inputs", (-4.0, 4.0 - 2**-5, 2**-5))  # 8 bits, an input, read at level 5
    b = values.add(3.0, "fc1", (-16.0, 16.0 - 2**-5, 2**-5))  # 10 bits, formed at 3, read at 6
    c = values.add(6.0, "fc1", (-64.0, 64.0 - 2**-5, 2**-5))  # 12 bits, the output, formed at 6
    assert [values.bits[n] for n in (a, b, c)] == [8, 10, 12]
    values.read(a, 5.0)
    values.read(b, 6.0)
    model = DesignModel(cost={"inputs": 0.0, "fc1": 1.0})
    _cut(model, values, [c], "inputs", cutoff=2)  # 6 levels: 3 stages at 2 (cuts at 2 and 4)
    assert (model.stages, model.cutoff, model.levels) == (3, 2, 6)
    # a (8 bits) crosses the cuts at 2 and 4; b (10 bits) the cut at 4; plus input and output registers
    assert model.reg_bits == {"inputs": 2 * 8 + 8, "fc1": 10 + 12}


def test_levels_per_cycle_at_5_ns_is_seven():
    assert levels_per_cycle(5.0) == 7 and levels_per_cycle(1.0) == 1


def _costs():
    return [LayerCost(name="inputs", kind="input", ff=100.0), LayerCost(name="fc1", kind="dense", lut=1000.0),
            LayerCost(name="softmax", kind="softmax", lut=500.0, ff=50.0, dsp=5)]


def test_the_estimate_takes_the_models_figures_times_the_netlist_calibration(monkeypatch):
    model = DesignModel(cost={"inputs": 0.0, "fc1": 2000.0}, reg_bits={"inputs": 64, "fc1": 300}, levels=9,
                        stages=2, cutoff=5, left_out=("softmax",))
    monkeypatch.setattr("l1forge.emulate.graph.from_graph", lambda graph: graph)
    monkeypatch.setattr("l1forge.rtl.da_model.model_design", lambda emulator, cutoff: model)
    graph = SimpleNamespace(get_layers=lambda: [])
    target = Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(27, 18))
    done = {cost.name: cost for cost in da_cost.da_design_costs(graph, _costs(), target)}
    assert done["fc1"].lut == pytest.approx(2000.0 * da_cost.LUT_PER_DA4ML_COST)
    assert done["fc1"].ff == pytest.approx(300 * da_cost.FF_PER_REGISTER_BIT)
    assert done["inputs"].ff == pytest.approx(64 * da_cost.FF_PER_REGISTER_BIT)
    assert done["softmax"] == _costs()[2]  # left out of the RTL: its HLS estimate stays
    assert "da4ml cost 2000" in done["fc1"].notes[-1]


def test_a_design_the_rtl_cannot_express_keeps_its_per_layer_estimate(monkeypatch):
    from l1forge.errors import UserError

    def refuse(emulator, cutoff):
        raise UserError("layer 'act' (Activation:sigmoid) cannot be expressed in da4ml's RTL")

    monkeypatch.setattr("l1forge.emulate.graph.from_graph", lambda graph: graph)
    monkeypatch.setattr("l1forge.rtl.da_model.model_design", refuse)
    graph = SimpleNamespace(get_layers=lambda: [])
    target = Target(clock_ns=5.0, io_type="io_parallel", tool="Vitis HLS", dsp_shape=(27, 18))
    done = da_cost.da_design_costs(graph, _costs(), target)
    assert [c.lut for c in done] == [c.lut for c in _costs()]
    assert "sigmoid" in done[0].notes[-1] and "not applied" in done[0].notes[-1]


def test_calibration_constants_are_set():
    assert 0.5 < da_cost.LUT_PER_DA4ML_COST < 1.5 and 0.5 < da_cost.FF_PER_REGISTER_BIT < 1.5
