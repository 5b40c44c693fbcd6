"""The dataflow region hls4ml makes of an io_parallel design with a Resource layer
(schedule.schedule_parallel_dataflow): each process adds its cycles and the cycle that
writes its buffer, except the last one, which writes the ports."""

from l1forge.report.cost import LayerCost, Target
from l1forge.report.schedule import schedule_parallel_dataflow


def _target(tool: str) -> Target:
    return Target(clock_ns=25.0, io_type="io_parallel", tool=tool, dsp_shape=(27, 18))


def _chain(cycles: list[int]) -> list[LayerCost]:
    layers = [LayerCost(name="inputs", kind="input")]
    return layers + [LayerCost(name=f"p{i}", kind="dense", cycles=c, ii=max(c, 1)) for i, c in enumerate(cycles)]


def test_five_combinational_processes_take_four_cycles_in_either_tool():
    # the VAE encoder's report: three Resource dense and two ReLU processes of latency 0,
    # the region 4 cycles (Vitis HLS 2023.1, 25 ns)
    for tool in ("Vitis HLS", "Vivado HLS"):
        assert schedule_parallel_dataflow(_chain([0, 0, 0, 0, 0]), _target(tool)).latency_cycles == 4


def test_process_cycles_add_up_and_the_interval_is_the_slowest_process():
    schedule = schedule_parallel_dataflow(_chain([19, 0, 67, 0]), _target("Vitis HLS"))
    assert schedule.latency_cycles == 19 + 67 + 4 - 1
    assert schedule.ii == 67


def test_branches_take_their_longest_path():
    costs = _chain([5, 9, 2])
    preds = {"inputs": [], "p0": ["inputs"], "p1": ["inputs"], "p2": ["p0", "p1"]}
    # p1 (9 + 1) then p2 (2 + 1), less the ports' cycle
    assert schedule_parallel_dataflow(costs, _target("Vivado HLS"), preds).latency_cycles == 12


def test_the_graphs_pipeline_style_decides_the_region():
    # hls4ml's SetPipelineStyle pass leaves its choice in the ModelGraph's config: a
    # convolution computed in several partitions (ParallelizationFactor below its pixels)
    # makes a Latency-strategy design a dataflow region too
    from types import SimpleNamespace

    import numpy as np

    from l1forge.report.estimate import estimate_graph
    from l1forge.report.schedule import dataflow_top
    from report_fakes import Graph

    def mlp(strategy):
        rng = np.random.default_rng(1)
        return (Graph().input(8).dense("fc1", rng.normal(0, 0.3, (8, 8)), strategy=strategy)
                .relu("relu1", 8).dense("fc2", rng.normal(0, 0.3, (8, 2)), strategy=strategy))

    latency, resource = mlp("latency"), mlp("resource")
    assert not dataflow_top(latency) and dataflow_top(resource)  # no pass: the Resource rule
    latency.config = SimpleNamespace(pipeline_style="dataflow")
    resource.config = SimpleNamespace(pipeline_style="pipeline")
    assert dataflow_top(latency) and not dataflow_top(resource)
    pipelined = estimate_graph(mlp("latency"), 5.0, "io_parallel", "Vivado HLS", (27, 18))
    region = estimate_graph(latency, 5.0, "io_parallel", "Vivado HLS", (27, 18))
    # three processes, each taking its cycles and one to hand its outputs on, less the
    # last one's (it writes the ports); a pipeline chains them instead
    processes = [row for row in region["per_layer"] if row["kind"] != "input"]
    assert region["latency_cycles"] == sum(row["latency_cycles"] for row in processes) - 1
    assert [row["latency_cycles"] for row in processes] == [1, 1, 1]
    assert region["ff"] != pipelined["ff"]
