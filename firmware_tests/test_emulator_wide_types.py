"""Types wider than 62 bits against hls4ml's compiled firmware (g++), bit for bit.

A 7 -> Dense 16 -> ReLU -> Dense 4 network (Vivado, io_parallel), converted three times
with hls4ml, 6,000 events each, random and at the range edges (and beyond):
- an ap_fixed<48,24> input and ap_fixed<32,16> weights (78-bit products): the first Dense
  sums exactly in an ap_fixed<96,48> accumulator and wraps into an ap_fixed<64,26> result,
  the ReLU shifts it into ap_fixed<70,30> (saturating), the second Dense rounds every product into a
  saturating ap_fixed<72,24> accumulator (the firmware's order) and assigns a narrow
  result, which its own linear activation casts once more; the same again with the
  Resource strategy (RF 7 and 4: the saturating sums in that loop's order);
- an ap_fixed<64,32> input (saturating), its sums wrapping in an ap_fixed<96,34>
  accumulator, then narrow types.
The emulator runs the wide signals on exact Python integers.
"""

from __future__ import annotations

import shutil

import bit_exact
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to compile the firmware")

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")
from tensorflow.keras import layers as kl  # noqa: E402

from l1forge import emulate  # noqa: E402

EVENTS = 3_000
PRECISIONS = {
    "inp": {"result": "fixed<48,24>"},
    "d1": {"weight": "fixed<32,16>", "bias": "fixed<32,16>", "accum": "fixed<96,48>",
           "result": "fixed<64,26,RND_ZERO,WRAP>"},
    "d1_linear": {"result": "fixed<64,26,RND_ZERO,WRAP>"},  # the Dense's own (linear) activation
    "r1": {"result": "fixed<70,30,RND_INF,SAT>"},
    "d2": {"weight": "fixed<32,16>", "bias": "fixed<32,16>", "accum": "fixed<72,24,RND,SAT>",
           "result": "fixed<40,20,RND_CONV,SAT>"},
    "d2_linear": {"result": "fixed<24,12,RND,WRAP>"},
}
# an ap_fixed<64,32> input, its sums wrapping in a 96-bit accumulator (62 fraction bits)
INPUT_PRECISIONS = {
    "inp": {"result": "fixed<64,32,RND,SAT>"},
    "d1": {"weight": "fixed<32,16>", "bias": "fixed<32,16>", "accum": "fixed<96,34>", "result": "fixed<32,16,RND,SAT>"},
    "d1_linear": {"result": "fixed<32,16,RND,SAT>"},
    "r1": {"result": "fixed<16,8,RND_CONV,SAT>"},
    "d2": {"weight": "fixed<16,8>", "bias": "fixed<16,8>", "accum": "fixed<40,20>", "result": "fixed<24,12>"},
}


def edge_events(shape, lsb, limit, seed):
    return bit_exact.edge_events(shape, lsb, limit, seed, EVENTS)


def wide_model():
    inp = kl.Input((7,), name="inp")
    x = kl.Dense(16, bias_initializer="glorot_uniform", name="d1")(inp)
    x = kl.Activation("relu", name="r1")(x)
    x = kl.Dense(4, bias_initializer="glorot_uniform", name="d2")(x)
    model = tf.keras.Model(inp, x)
    rng = np.random.default_rng(17)  # weights and biases of both signs, most with all 16 fraction bits
    for layer in model.layers[1:]:
        if layer.get_weights():
            layer.set_weights([rng.uniform(-1.5, 1.5, w.shape) for w in layer.get_weights()])
    return model


def converted(tmp_path_factory, precisions, folder, layers=None):
    model = wide_model()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name")
    for name, precision in precisions.items():
        config["LayerName"].setdefault(name, {})["Precision"] = dict(precision)
    for name, settings in (layers or {}).items():
        config["LayerName"][name].update(settings)
    out = tmp_path_factory.mktemp(folder) / "prj"
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(out),
                                                       backend="Vivado", io_type="io_parallel")
    graph.compile()
    return graph


@pytest.fixture(scope="module")
def wide_graph(tmp_path_factory):
    return converted(tmp_path_factory, PRECISIONS, "wide")


@pytest.fixture(scope="module")
def wide_resource_graph(tmp_path_factory):
    """The first design with the Resource strategy: its sums in that loop's order."""
    layers = {"d1": {"Strategy": "Resource", "ReuseFactor": 7}, "d2": {"Strategy": "Resource", "ReuseFactor": 4}}
    return converted(tmp_path_factory, PRECISIONS, "wide_resource", layers)


@pytest.fixture(scope="module")
def wide_input_graph(tmp_path_factory):
    return converted(tmp_path_factory, INPUT_PRECISIONS, "wide_input")


def wide_events(integer_bits, frac_bits):
    """Events at the input's full range (and beyond) and at a small one (fine grid)."""
    lsb = 2.0**-frac_bits
    return np.concatenate([edge_events((7,), lsb, 2.0 ** (integer_bits - 1), 31), edge_events((7,), lsb, 8.0, 32)])


def assert_equal_compiled(graph, emulator, x):
    ours = emulator.predict(x)
    theirs = np.asarray(graph.predict(np.ascontiguousarray(x))).reshape(ours.shape)
    bad = np.flatnonzero(np.any(ours != theirs, axis=1))
    assert bad.size == 0, f"{bad.size} events differ, first {bad[:5]}: {ours[bad[:2]]} against {theirs[bad[:2]]}"
    assert len(np.unique(ours)) > 1000  # outputs vary: not a constant that would match by accident


def test_wide_sums_and_activations_equal_compiled_firmware(wide_graph):
    accum = str(wide_graph.graph["d1"].get_attr("accum_t").precision)
    assert accum.startswith("fixed<96,48") and "d1_linear" not in wide_graph.graph, accum
    emulator = emulate.from_graph(wide_graph)
    dtypes = {row["layer"]: row["dtype"] for row in emulator.describe()}
    assert dtypes["d1"] == dtypes["r1"] == "object" and dtypes["d2_linear"] != "object", dtypes
    x = wide_events(24, 24)
    sites = {row["site"]: row["overflowed"] for row in emulator.overflow_report(x)}
    assert sites["d1 result"] and sites["d2 accum"] and sites["r1"] == 0, sites  # wide wraps, saturated sums
    assert_equal_compiled(wide_graph, emulator, x)
    assert np.abs(emulator.trace(x[:50])["d1"]).max() > 2.0**22  # the wide signal holds wide values


def test_wide_resource_strategy_equals_compiled_firmware(wide_resource_graph):
    assert wide_resource_graph.graph["d2"].get_attr("strategy") == "resource"
    emulator = emulate.from_graph(wide_resource_graph)
    x = wide_events(24, 24)
    sites = {row["site"]: row["overflowed"] for row in emulator.overflow_report(x)}
    assert sites["d2 accum"], sites  # saturated sums: their order shows
    assert_equal_compiled(wide_resource_graph, emulator, x)


def test_wide_input_equals_compiled_firmware(wide_input_graph):
    emulator = emulate.from_graph(wide_input_graph)
    dtypes = {row["layer"]: row["dtype"] for row in emulator.describe()}
    assert dtypes["inp"] == "object" and dtypes["d1"] != "object", dtypes
    x = wide_events(32, 32)
    sites = {row["site"]: row["overflowed"] for row in emulator.overflow_report(x)}
    assert sites["inp input"] and sites["d1 accum"], sites  # the input saturates, the sums wrap
    assert_equal_compiled(wide_input_graph, emulator, x)


def measure_speed(repeat: int = 10) -> None:
    """Events per second of the emulator (and of hls4ml's compiled predict) on both designs
    and on the same network in hls4ml's default types:
    `python firmware_tests/test_emulator_wide_types.py` (docs/emulator.md quotes it)."""
    import tempfile
    import time
    from pathlib import Path

    class Folders:  # tmp_path_factory's mktemp, under one temporary folder
        def __init__(self, root):
            self.root = Path(root)

        def mktemp(self, name):
            (self.root / name).mkdir()
            return self.root / name

    designs = (("wide sums", PRECISIONS, (24, 24)), ("wide input", INPUT_PRECISIONS, (32, 32)),
               ("narrow (hls4ml's default ap_fixed<16,6>)", {}, (6, 10)))
    with tempfile.TemporaryDirectory() as root:
        for k, (name, precisions, bits) in enumerate(designs):
            graph = converted(Folders(root), precisions, f"design{k}")
            x = np.concatenate([wide_events(*bits)] * repeat)
            emulator = emulate.from_graph(graph)
            emulator.predict(x[:1000])
            start = time.perf_counter()
            emulator.predict(x)
            ours = len(x) / (time.perf_counter() - start)
            start = time.perf_counter()
            graph.predict(np.ascontiguousarray(x))
            theirs = len(x) / (time.perf_counter() - start)
            print(f"{name}: {len(x):,} events, emulator {ours:,.0f} events/s, hls4ml predict {theirs:,.0f} events/s")


if __name__ == "__main__":
    measure_speed()
