"""Jet-ID firmware outputs per second: l1forge's emulator against hls4ml's compiled predict,
measured side by side in one run (`make bench` writes benchmarks/results.json)."""

from __future__ import annotations

import numpy as np
import pytest
from bench_support import record_rate

PREDICT_EVENTS = 20_000  # hls4ml's predict runs about 8,000 events/s: a few seconds per round


@pytest.fixture(scope="module")
def emulator(jet_id_project):
    from l1forge import emulate

    return emulate.load(jet_id_project)


@pytest.fixture(scope="module")
def compiled_graph(jet_id_project):
    from l1forge.firmware.loading import load_graph

    graph = load_graph(jet_id_project)
    graph.compile()
    return graph


def test_emulator_jet_id(benchmark, emulator, jet_id_events):
    scores = benchmark.pedantic(emulator.predict, args=(jet_id_events,), rounds=5, warmup_rounds=1)
    record_rate(benchmark, len(jet_id_events))
    assert scores.shape == (len(jet_id_events), 5)


def test_hls4ml_predict_jet_id(benchmark, compiled_graph, emulator, jet_id_events):
    x = np.ascontiguousarray(jet_id_events[:PREDICT_EVENTS])
    firmware = benchmark.pedantic(compiled_graph.predict, args=(x,), rounds=3)
    record_rate(benchmark, len(x))
    # The two sides compute the same thing: the emulator equals the firmware bit for bit.
    assert np.array_equal(np.asarray(firmware).reshape(len(x), -1), emulator.predict(x))
