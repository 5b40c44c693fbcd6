"""Firmware outputs per second for every committed card, three sides in one run: l1forge's
emulator, hls4ml's compiled predict (the firmware C++ through ctypes, one event at a time)
and a float32 numpy chain of the same layer shapes (float_chain.py). The predict benchmark
also checks that the emulator equals the firmware bit for bit on its events.
`python benchmarks/summarize.py` prints the three and their ratios."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from bench_support import compiled_graph, event_counts, record_rate, repeat_events
from conftest import CARDS
from float_chain import FloatChain


@functools.lru_cache(maxsize=None)
def _emulator(project):
    from l1forge import emulate

    return emulate.load(project)


@functools.lru_cache(maxsize=2)
def _events(project) -> np.ndarray:
    with np.load(project / "trained" / "test_split.npz") as split:
        x = split["x_test"]
    fast, _ = event_counts(int(np.prod(x.shape[1:])))
    return repeat_events(x, fast)


@pytest.mark.parametrize("card", CARDS)
def test_emulator(benchmark, card, card_project):
    project = card_project(card)
    emulator, x = _emulator(project), _events(project)
    scores = benchmark.pedantic(emulator.predict, args=(x,), rounds=3, warmup_rounds=1)
    record_rate(benchmark, len(x), card, "emulator")
    assert len(scores if not isinstance(scores, list) else scores[0]) == len(x)


@pytest.mark.parametrize("card", CARDS)
def test_float_chain(benchmark, card, card_project):
    project = card_project(card)
    chain, x = FloatChain(_emulator(project)), _events(project)
    out = benchmark.pedantic(chain.predict, args=(x,), rounds=3, warmup_rounds=1)
    record_rate(benchmark, len(x), card, "float_chain")
    assert len(out) == len(x)


@pytest.mark.parametrize("card", CARDS)
def test_hls4ml_predict(benchmark, card, card_project):
    project = card_project(card)
    emulator, x = _emulator(project), _events(project)
    _, slow = event_counts(int(np.prod(x.shape[1:])))
    x = np.ascontiguousarray(x[:slow])
    graph = compiled_graph(project)
    firmware = benchmark.pedantic(graph.predict, args=(x,), rounds=2)
    record_rate(benchmark, len(x), card, "hls4ml_predict")
    ours = emulator.predict(x)
    ours = ours if isinstance(ours, list) else [ours]
    theirs = firmware if isinstance(firmware, list) else [firmware]
    for a, b in zip(ours, theirs):  # the two sides compute the same thing, bit for bit
        assert np.array_equal(np.asarray(b).reshape(a.shape), a)
