"""The emulator, hls4ml's compiled predict and the float32 chain on hls4ml projects built
the way hls4ml's users build them (hls4ml_models.py): a QKeras MLP whose ap_fixed<16,6>
accumulators truncate every product, and a small 2-D CNN in io_stream. The predict
benchmark also checks the emulator against the firmware bit for bit."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from bench_support import event_counts, record_rate
from float_chain import FloatChain
from hls4ml_models import convert, events

MODELS = ("qkeras_mlp", "stream_cnn")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hls4ml_models")

    @functools.lru_cache(maxsize=None)
    def get(name):
        from l1forge import emulate

        graph, shape = convert(name, folder)
        fast, slow = event_counts(int(np.prod(shape)))
        return graph, emulate.from_graph(graph), events(shape, fast)
    return get


@pytest.mark.parametrize("model", MODELS)
def test_emulator(benchmark, model, built):
    _, emulator, x = built(model)
    scores = benchmark.pedantic(emulator.predict, args=(x,), rounds=3, warmup_rounds=1)
    record_rate(benchmark, len(x), model, "emulator")
    assert scores.shape[0] == len(x)


@pytest.mark.parametrize("model", MODELS)
def test_float_chain(benchmark, model, built):
    _, emulator, x = built(model)
    chain = FloatChain(emulator)
    out = benchmark.pedantic(chain.predict, args=(x,), rounds=3, warmup_rounds=1)
    record_rate(benchmark, len(x), model, "float_chain")
    assert len(out) == len(x)


@pytest.mark.parametrize("model", MODELS)
def test_hls4ml_predict(benchmark, model, built):
    graph, emulator, x = built(model)
    _, slow = event_counts(int(np.prod(x.shape[1:])))
    x = np.ascontiguousarray(x[:slow])
    firmware = benchmark.pedantic(graph.predict, args=(x,), rounds=2)
    record_rate(benchmark, len(x), model, "hls4ml_predict")
    ours = emulator.predict(x)
    assert np.array_equal(np.asarray(firmware).reshape(ours.shape), ours)
