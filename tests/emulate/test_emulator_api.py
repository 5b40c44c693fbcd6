"""The Emulator object: predict, trace, overflow report, and its refusals of bad events."""

from __future__ import annotations

import numpy as np
import pytest
from emulate_fakes import dense_relu_graph, fixed

from l1forge.emulate import from_graph
from l1forge.emulate.tables import sigmoid_table, softmax_invert_table, table_address, value_of_address
from l1forge.errors import UserError


@pytest.fixture
def emulator():
    return from_graph(dense_relu_graph())


def test_predict_in_chunks_equals_one_pass(emulator):
    x = np.random.default_rng(0).normal(0, 3, (5000, 3))
    whole = emulator.predict(x, chunk_size=10_000)
    assert np.array_equal(emulator.predict(x, chunk_size=7), whole)
    assert whole.shape == (5000, 2) and whole.dtype == np.float64


def test_trace_gives_every_layer(emulator):
    x = np.array([[1.0, 2.0, 0.5], [9.0, -9.0, 0.3]])
    trace = emulator.trace(x)
    assert list(trace) == ["inp", "fc", "relu"]
    assert trace["inp"].tolist() == [[1.0, 2.0, 0.5], [7.984375, -8.0, 0.296875]]  # saturated, truncated
    assert trace["fc"][0].tolist() == [0.3125, 0.765625]  # before the relu's rounding
    assert np.array_equal(trace["relu"], emulator.predict(x))


def test_overflow_report_counts_saturation(emulator):
    x = np.array([[1.0, 2.0, 0.5], [9.0, -9.0, 0.3], [3.0, 3.0, -3.0]])
    rows = {row["site"]: row for row in emulator.overflow_report(x)}
    assert rows["inp input"]["overflowed"] == 2 and rows["inp input"]["values"] == 9
    assert rows["relu"]["overflowed"] == 2  # 4.9375 and 9.0-ish saturate at 1.875; negatives are the relu
    assert rows["fc result"]["overflowed"] == 0


@pytest.mark.parametrize("bad, message", [
    (np.zeros((4, 5)), r"shape \(4, 5\); expected \(events, 3\)"),
    (np.zeros(3), r"expected \(events, 3\)"),
    (np.array([["a", "b", "c"]]), "dtype"),
])
def test_wrong_events_are_refused(emulator, bad, message):
    with pytest.raises(UserError, match=message):
        emulator.predict(bad)


def test_non_finite_events(emulator):
    x = np.zeros((6, 3))
    x[4, 1] = np.nan
    x[5, 0] = np.inf
    with pytest.raises(UserError, match="event 4 holds NaN"):
        emulator.predict(x)
    zeroed = emulator.predict(x, non_finite="zero")
    assert np.array_equal(zeroed[4], emulator.predict(np.zeros((1, 3)))[0])
    with pytest.raises(UserError, match="policy"):
        emulator.predict(x, non_finite="ignore")


def test_describe_lists_types(emulator):
    rows = emulator.describe()
    assert [r["layer"] for r in rows] == ["inp", "fc", "relu"]
    assert rows[2]["type"] == "ap_ufixed<4,1,AP_RND_CONV,AP_SAT>"


def test_tables_address_and_contents():
    t = fixed(8, 3, False)
    from l1forge.emulate.fixed import from_precision

    address_type = from_precision(t, "t")
    # 16 entries addressed by the top 4 bits: entry i holds i * 2^(3-4)
    assert value_of_address(np.arange(16), address_type, 16).tolist() == [i / 2 for i in range(16)]
    codes = np.array([0, 15, 16, 255])
    assert table_address(codes, address_type, 16).tolist() == [0, 0, 1, 15]
    table_t = from_precision(fixed(18, 2), "t")
    table = sigmoid_table(1024, table_t)
    assert table[512] == 0.5 * 2**16 and table[0] < table[1023]  # 16 fractional bits
    inverse = softmax_invert_table(16, address_type, from_precision(fixed(10, 4, False, "RND", "SAT"), "t"))
    assert inverse[0] == 2**10 - 1  # 1/0 = +inf saturates
    assert inverse[2] * 2.0**-6 == 1.0  # 1/1
