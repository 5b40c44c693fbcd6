"""The emulator's compiled fast paths (l1forge.emulate.compiled) against the C-simulation,
and against the numpy paths they replace, on one tiny hls4ml project built for them.

The project is io_stream (hls4ml's stream templates: line buffers, Repack): a 3x3
convolution whose ap_fixed<10,3,AP_TRN,AP_SAT> accumulator truncates every product and
saturates (so its sums must run in the firmware's order), ReLU, a 2x2 max pooling (its
windows tile the image: the reshape path of pooling.py), a 2x2 convolution and a Dense
with wide accumulators (exact sums), each read by a ReLU (fused with it in `predict`:
fusion.py), then a Dense whose ap_fixed<12,5> accumulator truncates products and wraps. It is converted and its l1forge
test bench compiled (g++) once per module; the events are random images plus range edges
(the input type's extremes, far beyond them, ties half an LSB off the grid, zeros).
CI compares VERIFY_EVENTS events (10,000); `make verify` 100,000.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from bit_exact import VERIFY_EVENTS, firmware_events
from project_cache import build_group

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++ to compile the firmware")

hls4ml = pytest.importorskip("hls4ml")
tf = pytest.importorskip("tensorflow")

INPUT = "ap_fixed<10,4,AP_RND,AP_SAT>"  # 6 fraction bits, range [-8, 8)
PIXELS = 8 * 8 * 2  # the input image's values
DA_EVENTS = 1_000  # crafted events for jet_deepsets: its C-simulation is the slow part of the test


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    from qkeras import QActivation, QConv2D, QDense, quantized_bits, quantized_relu
    from tensorflow.keras import layers as kl

    from l1forge import csim

    tf.random.set_seed(5)
    q = quantized_bits(6, 2, alpha=1)
    inp = kl.Input((8, 8, 2), name="inp")
    x = QConv2D(4, 3, kernel_quantizer=q, bias_quantizer=q, name="conv")(inp)
    x = QActivation(quantized_relu(8, 3), name="relu")(x)
    x = kl.MaxPooling2D(2, name="pool")(x)
    x = QConv2D(3, 2, kernel_quantizer=q, bias_quantizer=q, name="conv2")(x)
    x = QActivation(quantized_relu(8, 3), name="relu2")(x)
    x = kl.Flatten(name="flatten")(x)
    x = QDense(8, kernel_quantizer=q, bias_quantizer=q, name="hidden")(x)
    x = QActivation(quantized_relu(8, 3), name="relu3")(x)
    out = QDense(5, kernel_quantizer=q, bias_quantizer=q, name="dense")(x)
    model = tf.keras.Model(inp, out)
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vitis")
    config["LayerName"]["inp"]["Precision"]["result"] = INPUT
    config["LayerName"]["conv"]["Precision"]["accum"] = "ap_fixed<10,3,AP_TRN,AP_SAT>"
    config["LayerName"]["dense"]["Precision"]["accum"] = "ap_fixed<12,5>"
    for name in ("conv2", "hidden"):  # exact sums, stored as they are: fused with their ReLU
        config["LayerName"][name]["Precision"]["accum"] = config["LayerName"][name]["Precision"]["result"] = \
            "ap_fixed<24,12>"
    folder = tmp_path_factory.mktemp("fastpaths") / "prj"
    graph = hls4ml.converters.convert_from_keras_model(model, hls_config=config, output_dir=str(folder),
                                                       backend="Vitis", io_type="io_stream")
    graph.write()
    csim.build_testbench(graph, folder)
    return graph, folder


def edge_images(events: int, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lsb, limit = 2.0**-6, 8.0
    x = rng.normal(0, 2.0, (events, PIXELS))
    n = events // 10
    x[:n] = (np.round(x[:n] / lsb) + 0.5) * lsb  # ties on the input LSB, both signs
    x[n : 2 * n] = limit - lsb
    x[2 * n : 3 * n] = -limit
    x[3 * n : 4 * n] = 100.0 * np.sign(rng.normal(size=(n, PIXELS)))  # far beyond the range
    x[4 * n : 5 * n] = 0.0
    x[5 * n : 6 * n] = np.where(rng.random((n, PIXELS)) < 0.5, limit - lsb, -limit)
    return x


def _csim_outputs(folder, x):
    from l1forge import csim

    return csim.run_binary(folder, x, 5).outputs


def _kernels(emulator):
    return [step.kernel for step in emulator.steps if hasattr(step, "kernel")]


def test_compiled_paths_equal_csim_and_numpy_paths(project, monkeypatch):
    from l1forge import csim, emulate

    graph, folder = project
    x = edge_images(VERIFY_EVENTS)
    fast = emulate.from_graph(graph)
    kernels = _kernels(fast)
    assert len(kernels) == 4 and kernels[0].compiled is not None and kernels[3].compiled is not None
    assert kernels[0].acc_overflow and kernels[0].accum.overflow == "SAT"  # the firmware order matters
    assert kernels[3].products_round  # truncated products: no matrix product gives these sums
    assert [type(step).__name__ for step in fast.fused_steps].count("KernelCastStep") == 2  # conv2, hidden
    ours, layers = fast.predict(x), fast.trace(x[:2000])
    comparison = csim.compare(_csim_outputs(folder, x), ours)
    assert comparison.events == len(x) and comparison.mismatches == 0, comparison.examples[:3]

    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")  # forces every numpy fallback
    slow = emulate.from_graph(graph)
    assert all(k.compiled is None for k in _kernels(slow))
    assert not any(type(step).__name__ == "KernelCastStep" for step in slow.fused_steps)
    slow_layers = slow.trace(x[:2000])
    for name, values in layers.items():  # layer by layer, the same values
        assert np.array_equal(values, slow_layers[name]), name
    comparison = csim.compare(_csim_outputs(folder, x), slow.predict(x))
    assert comparison.mismatches == 0, comparison.examples[:3]


@build_group("jet_deepsets")
def test_fused_da_layers_equal_csim_and_the_int64_path(l1forge_builds, monkeypatch):
    """Every layer of the cut-small jet_deepsets build is distributed arithmetic (phi as a
    pointwise convolution over the particles, rho dense): da_fused.py runs each as one
    product and a compiled finishing pass. Against the build's C-simulation on crafted
    events (bit_exact.firmware_events), and layer by layer against the int64 path."""
    from l1forge import csim, emulate
    from l1forge.data import default_jets_path
    from l1forge.project import Project

    if not default_jets_path().is_file():
        pytest.skip(f"needs the committed jet sample {default_jets_path()}")
    project = l1forge_builds.build("jet_deepsets").project_dir
    graph = Project(project).graph()  # loaded once: both emulators are planned from it
    fast = emulate.from_graph(graph)
    da_steps = [step for step in fast.steps if hasattr(step, "executor")]
    assert len(da_steps) >= 4 and all(step.fused is not None for step in da_steps)
    with np.load(project / "trained" / "test_split.npz") as split:
        x = firmware_events(split["x_test"], fast.input_steps[0].ftype, seed=26, events=DA_EVENTS)
    ours = fast.predict(x)
    comparison = csim.compare(csim.run_binary(project, x, ours.shape[1]).outputs, ours)
    assert comparison.events == len(x) and comparison.mismatches == 0, comparison.examples[:3]

    monkeypatch.setenv("L1FORGE_EMULATOR_JIT", "0")  # the int64 path of every DA layer
    slow = emulate.from_graph(graph)
    assert all(step.fused is None for step in slow.steps if hasattr(step, "executor"))
    fast_layers, slow_layers = fast.trace(x), slow.trace(x)
    for name, values in fast_layers.items():
        assert np.array_equal(values, slow_layers[name]), name
