"""The cheaper-firmware knobs (issue 11), C-simulated: pruned, per-layer-precision and
distributed-arithmetic builds of jet-ID and of the VAE, and the Deep Sets tagger in both
strategies (distributed arithmetic over a set of particles; its Latency twin and the
per-layer VAE's run in `make verify` only: VERIFY_ONLY). For each, hls4ml's compiled model
equals the C-simulation (the build's own check) and the emulator equals the C-simulation
bit for bit with the crafted range edges of bit_exact.py (10,000 events; `make verify`
100,000).

Cut-small builds (project_cache): the weights need not be good, only real (pruned, narrow).
"""

from __future__ import annotations

import pytest

from bit_exact import assert_emulator_equals_csim
from project_cache import build_group

PRUNED = {"pruning.sparsity": 0.75, "pruning.schedule": "constant"}
DA = {"target.strategy": "distributed_arithmetic"}
JET_LAYERS = [
    {"type": "dense", "name": "fc1", "units": 32, "weight_bits": 4, "weight_integer": 1, "bias_bits": 8,
     "bias_integer": 2, "sparsity": 0.5},
    {"type": "relu", "name": "relu1", "activation_bits": 5, "activation_integer": 2},
    {"type": "dense", "name": "fc2", "units": 16, "weight_bits": 8, "weight_integer": 1},
    # a leaky ReLU whose own integer bits set the clip of the sum before it (leaky_relu_clip)
    {"type": "leaky_relu", "name": "lrelu2", "alpha": 0.25, "activation_bits": 7, "activation_integer": 3},
    {"type": "dense", "name": "output", "units": 5, "weight_bits": 5},
    {"type": "softmax", "name": "softmax"},
]
VAE_LAYERS = [
    {"type": "batchnorm", "name": "input_bn"},
    {"type": "dense", "name": "enc1", "units": 16, "weight_bits": 6, "weight_integer": 1, "sparsity": 0.8},
    {"type": "relu", "name": "enc1_act", "activation_bits": 6, "activation_integer": 2},
    {"type": "dense", "name": "enc2", "units": 8, "bias_bits": 10, "bias_integer": 3},
    {"type": "relu", "name": "enc2_act", "activation_bits": 10, "activation_integer": 4},
    {"type": "dense", "name": "dec1", "units": 16},
    {"type": "relu", "name": "dec1_act"},
    {"type": "dense", "name": "output", "units": 57},
]
NARROW_INPUT = {"quantization.input_bits": 10, "quantization.input_integer": 4}
BUILDS = {
    "jet_id-pruned-per_layer-da": ("jet_id", {"model.layers": JET_LAYERS, **PRUNED, **DA, **NARROW_INPUT}),
    "jet_id-pruned-per_layer-latency": ("jet_id", {"model.layers": JET_LAYERS, **PRUNED}),
    "ad_vae-pruned-per_layer-da": ("ad_vae", {"model.layers": VAE_LAYERS, "model.encoder_layers": 5, **PRUNED, **DA}),
    "ad_vae-per_layer-latency": ("ad_vae", {"model.layers": VAE_LAYERS, "model.encoder_layers": 5}),
    # phi as a pointwise Conv1D over the 32 particles: da4ml's program of one particle, run on
    # each. The committed card is distributed arithmetic: the build test_emulator_cards checks.
    "jet_deepsets-da": ("jet_deepsets", {}),
    "jet_deepsets-latency": ("jet_deepsets", {"target.strategy": "Latency"}),
}


# Two Latency-strategy twins run only in `make verify` (CI time): the Deep Sets tagger in the
# Latency strategy (a second phi/rho build, 80 s in the fresh-clone run of 2026-12-06; its
# pointwise Conv1D and Dense kernels are the Latency kernels every other build checks) and the
# per-layer VAE in the Latency strategy (the per-layer types are checked by its DA twin and by
# jet_id's per-layer Latency build).
VERIFY_ONLY = {"jet_deepsets-latency", "ad_vae-per_layer-latency"}


def build_marks(name: str) -> list:
    marks = [build_group(*BUILDS[name])]
    return marks + [pytest.mark.verify] if name in VERIFY_ONLY else marks


@pytest.mark.parametrize("build", [pytest.param(name, marks=build_marks(name)) for name in sorted(BUILDS)])
def test_knobs_build_bit_exact_firmware(build, l1forge_builds):
    name, knobs = BUILDS[build]
    result = l1forge_builds.build(name, knobs)
    manifest = result.manifest
    strategy = manifest["card_content"]["target"]["strategy"]
    assert manifest["csim"]["mismatches"] == 0
    assert manifest["emulator"]["supported"] and manifest["emulator"]["mismatches"] == 0
    estimate = manifest["report"]["estimate"]
    dense_rows = [row for row in estimate["per_layer"] if row["class"] == "Dense"]
    assert strategy == ("distributed_arithmetic" if build.endswith("-da") else "Latency")
    if strategy == "distributed_arithmetic":
        assert manifest["target"]["strategy"] == "distributed_arithmetic"
        assert all(row["dsp"] == 0 for row in dense_rows)
        assert all("distributed arithmetic" in " ".join(row["notes"]) for row in dense_rows)
        per_particle = [row for row in estimate["per_layer"] if row["class"] in ("Conv1D", "PointwiseConv1D")]
        assert all(row["dsp"] == 0 and "32 kernel copies" in " ".join(row["notes"]) for row in per_particle)
        assert len(per_particle) == (2 if name == "jet_deepsets" else 0)
    if "pruning.sparsity" in knobs:
        sparsity = manifest["metrics"]["sparsity"]
        assert sparsity["enc1" if name == "ad_vae" else "fc1"]["zero_weights"] == pytest.approx(
            0.8 if name == "ad_vae" else 0.5, abs=0.01)
        assert all(row["zero_weights"] >= row["target"] - 0.01 for row in sparsity.values())
    assert_emulator_equals_csim(result.project_dir, seed=len(build))
