"""The cheaper-firmware knobs of a card (issue 11): pruning, per-layer precision, and
distributed arithmetic; every bad value is one line naming the field, exit 2, nothing written."""

import importlib.util
from pathlib import Path

import pytest

from l1forge.card_specs import network_spec
from l1forge.tasks import load_card
from l1forge.card.schema import LayerSpec
from l1forge.cli import main
from l1forge.errors import UserError
from l1forge.models import layers as layer_registry
from l1forge.models.layers import LayerKind, layer_quant, quantizer_strings
from l1forge.models.pruning import end_epoch, is_pruned, target_sparsity

REPO = Path(__file__).resolve().parents[2]
JET_ID = REPO / "l1models" / "jet_id.yaml"
COMPACT_LAYERS = [{"type": "dense", "name": "fc1", "units": 8, "weight_bits": 4, "weight_integer": 1,
                   "bias_bits": 8, "bias_integer": 2, "sparsity": 0.5},
                  {"type": "relu", "name": "relu1", "activation_bits": 4, "activation_integer": 2},
                  {"type": "dense", "name": "out", "units": 5},
                  {"type": "softmax", "name": "softmax"}]


def test_pruning_defaults_to_off_and_set_turns_it_on():
    card = load_card(JET_ID)
    assert card.pruning.sparsity == 0 and not is_pruned(network_spec(card))
    pruned = load_card(JET_ID, {"pruning.sparsity": 0.75})
    assert is_pruned(network_spec(pruned)) and card.pruning.schedule == "polynomial"
    assert end_epoch(network_spec(pruned)) == pruned.training.epochs // 2  # null: half of the training
    assert end_epoch(network_spec(load_card(JET_ID, {"pruning.sparsity": 0.5, "pruning.end_epoch": 7}))) == 7
    # a short run ends pruned: end_epoch never lies beyond the training
    assert end_epoch(network_spec(load_card(JET_ID, {"pruning.sparsity": 0.5, "pruning.end_epoch": 7, "training.epochs": 2}))) == 2


def test_a_layer_s_own_sparsity_and_precision_override_the_card():
    card = load_card(JET_ID, {"model.layers": COMPACT_LAYERS, "pruning.sparsity": 0.25})
    fc1, relu1, out = card.model.layers[0], card.model.layers[1], card.model.layers[2]
    assert target_sparsity(network_spec(card), fc1) == 0.5 and target_sparsity(network_spec(card), out) == 0.25
    assert quantizer_strings(network_spec(card), fc1)["kernel"] == "quantized_bits(4,1,alpha=1)"
    assert quantizer_strings(network_spec(card), fc1)["bias"] == "quantized_bits(8,2,alpha=1)"
    assert quantizer_strings(network_spec(card), relu1)["relu"] == "quantized_relu(4,2)"
    assert quantizer_strings(network_spec(card), out)["kernel"] == "quantized_bits(6,0,alpha=1)"  # the card's
    assert layer_quant(network_spec(card), out).activation_bits == card.quantization.activation_bits


def _layers_with(index, **fields):
    layers = [dict(layer) for layer in COMPACT_LAYERS]
    layers[index].update(fields)
    return layers


BAD = [
    ({"pruning.sparsity": 1.0}, "pruning.sparsity", "[0, 1)"),
    ({"pruning.sparsity": -0.1}, "pruning.sparsity", "[0, 1)"),
    ({"pruning.schedule": "cubic"}, "pruning.schedule", "constant, polynomial"),
    ({"pruning.sparsity": 0.5, "pruning.begin_epoch": 30, "pruning.end_epoch": 40}, "pruning.begin_epoch",
     "before training.epochs"),
    ({"pruning.begin_epoch": 4, "pruning.end_epoch": 4}, "pruning.end_epoch", "after pruning.begin_epoch"),
    ({"model.layers": _layers_with(0, sparsity=1.5)}, "model.layers[0].sparsity", "[0, 1)"),
    ({"model.layers": _layers_with(1, sparsity=0.5)}, "model.layers[1].sparsity", "no sparsity on a 'relu'"),
    ({"model.layers": _layers_with(0, weight_bits=33)}, "model.layers[0].weight_bits", "from 2 to 32"),
    ({"model.layers": _layers_with(0, weight_integer=5)}, "model.layers[0].weight_integer", "from 0 to 4"),
    ({"model.layers": _layers_with(0, bias_integer=-1)}, "model.layers[0].bias_integer", "from 0 to 8"),
    ({"model.layers": _layers_with(1, activation_integer=5)}, "model.layers[1].activation_integer", "from 0 to 4"),
    ({"model.layers": _layers_with(1, weight_bits=4)}, "model.layers[1].weight_bits", "no weight_bits on a 'relu'"),
    ({"model.layers": _layers_with(3, bias_integer=1)}, "model.layers[3].bias_integer", "no bias_integer on a 'softmax'"),
    ({"model.layers": _layers_with(0, activation_bits=4)}, "model.layers[0].activation_bits",
     "no activation_bits on a 'dense'"),
    ({"target.strategy": "distributed_arithmetic", "target.reuse_factor": 2}, "target.reuse_factor",
     "1 with target.strategy distributed_arithmetic"),
    ({"target.strategy": "distributed_arithmetic", "target.io_type": "io_stream"}, "target.io_type",
     "io_parallel with target.strategy distributed_arithmetic"),
    ({"target.strategy": "DA"}, "target.strategy", "distributed_arithmetic"),
    ({"training.lr_decay_patience": -1}, "training.lr_decay_patience", "0 (off) or more"),
    ({"training.lr_decay_factor": 1.0}, "training.lr_decay_factor", "between 0 and 1"),
    ({"training.lr_decay_factor": 0}, "training.lr_decay_factor", "between 0 and 1"),
]


@pytest.mark.parametrize("overrides, field, expected", BAD, ids=[b[1] + "-" + b[2][:12] for b in BAD])
def test_a_bad_knob_names_its_field(overrides, field, expected):
    with pytest.raises(UserError) as err:
        load_card(JET_ID, overrides)
    message = str(err.value)
    assert f"'{field}'" in message and expected in message and "\n" not in message


def test_distributed_arithmetic_refuses_a_weighted_layer_type_it_does_not_implement(monkeypatch):
    kind = LayerKind(layer_registry.LAYERS["dense"].build, has_weights=True, distributed_arithmetic=False)
    monkeypatch.setitem(layer_registry.LAYERS, "dense_without_da", kind)
    layers = [{"type": "dense_without_da", "name": "odd", "units": 4}, {"type": "dense", "units": 5},
              {"type": "softmax"}]
    load_card(JET_ID, {"model.layers": layers})  # fine with the Latency strategy
    with pytest.raises(UserError, match=r"'model.layers\[0\].type'.*distributed arithmetic \(dense;"):
        load_card(JET_ID, {"model.layers": layers, "target.strategy": "distributed_arithmetic"})


def test_distributed_arithmetic_refuses_conv2d_which_l1forge_does_not_emulate_in_da():
    with pytest.raises(UserError, match=r"'model.layers\[2\].type'.*got 'conv2d'"):
        load_card(REPO / "l1models" / "ad_cnn_ae.yaml", {"target.strategy": "distributed_arithmetic"})


def test_distributed_arithmetic_without_da4ml_is_one_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "da4ml" else real(name, *a))
    with pytest.raises(UserError, match=r"'target.strategy'.*da4ml installed.*pip install"):
        load_card(JET_ID, {"target.strategy": "distributed_arithmetic"})


def test_the_cli_exits_2_and_writes_nothing(tmp_path, capsys):
    projects = tmp_path / "projects"
    code = main(["build", str(JET_ID), "--projects", str(projects), "--set", "pruning.sparsity=1.2"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "pruning.sparsity" in err[0]
    assert not projects.exists() or not any(projects.iterdir())


def test_layer_spec_defaults_mean_the_card_s_quantization():
    spec = LayerSpec(type="dense", units=3)
    assert spec.weight_integer is None and spec.bias_bits == 0 and spec.sparsity is None


def test_the_learning_rate_decays_only_when_the_card_asks():
    from l1forge.tasks.base import training_callbacks

    def decays(card):
        return [c for c in training_callbacks(card) if type(c).__name__ == "ReduceLROnPlateau"]

    assert decays(load_card(JET_ID)) == []
    (decay,) = decays(load_card(JET_ID, {"training.lr_decay_patience": 3, "training.lr_decay_factor": 0.25}))
    assert decay.patience == 3 and decay.factor == 0.25 and decay.monitor == "val_loss"
