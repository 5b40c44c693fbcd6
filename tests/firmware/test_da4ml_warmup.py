"""da4ml's solver is compiled by one process at a time (firmware/da4ml_warmup.py)."""

from __future__ import annotations

import threading

from l1forge.firmware import da4ml_warmup


def test_only_configs_that_use_distributed_arithmetic_ready_da4ml(monkeypatch):
    calls = []
    monkeypatch.setattr(da4ml_warmup, "ensure_compiled", lambda: calls.append(1))
    da4ml_warmup.before_conversion({"Model": {"Strategy": "Latency", "ReuseFactor": 1}})
    assert calls == []
    da4ml_warmup.before_conversion({"Model": {"Strategy": "Latency"},
                                    "LayerName": {"fc1": {"Strategy": "Distributed_Arithmetic"}}})
    assert calls == [1]


def test_the_lock_follows_numba_s_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    beside_da4ml = da4ml_warmup.lock_path()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert da4ml_warmup.lock_path() != beside_da4ml
    assert da4ml_warmup.lock_path().name.startswith("l1forge-da4ml-jit-")


def test_a_second_process_waits_for_the_one_compiling(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # a lock of this test's own
    traced = threading.Event()
    monkeypatch.setattr(da4ml_warmup, "trace_tiny_product", traced.set)
    with da4ml_warmup.jit_lock():  # another process compiling (flock: per open file)
        waiting = threading.Thread(target=da4ml_warmup.ensure_compiled.__wrapped__)
        waiting.start()
        assert not traced.wait(0.5)  # it waits for the lock, not for the trace
    waiting.join(10)
    assert traced.is_set() and not waiting.is_alive()
