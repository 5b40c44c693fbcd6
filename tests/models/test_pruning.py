"""Magnitude pruning during training: wrappers only inside a pruning session, the target
sparsity reached per layer, the wrappers stripped, masked weights exactly zero."""

from pathlib import Path

import numpy as np
import pytest

from l1forge.card_specs import network_spec
from l1forge.tasks import load_card
from l1forge.models.pruning import pruning_session, sparsity_record, strip
from l1forge.tasks.base import training_callbacks

REPO = Path(__file__).resolve().parents[2]
LAYERS = [{"type": "dense", "name": "fc1", "units": 16, "sparsity": 0.5},
          {"type": "relu", "name": "relu1"},
          {"type": "dense", "name": "fc2", "units": 16},
          {"type": "relu", "name": "relu2"},
          {"type": "dense", "name": "out", "units": 5},
          {"type": "softmax", "name": "softmax"}]


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def _card(**overrides):
    return load_card(REPO / "l1models" / "jet_id.yaml",
                     {"model.layers": LAYERS, "training.epochs": 4, "training.batch_size": 64,
                      "training.early_stopping_patience": 2, **overrides})


def _fit(tf, card, n=640):
    from l1forge.models.network import build_network

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 16)).astype(np.float32)
    y = tf.keras.utils.to_categorical(rng.integers(0, 5, n), 5)
    with pruning_session(network_spec(card), n) as session:
        model = build_network(network_spec(card), True)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(x, y, validation_data=(x[:64], y[:64]), epochs=card.training.epochs,
              batch_size=card.training.batch_size, verbose=0, callbacks=training_callbacks(card, session))
    return model, session


def test_every_pruned_layer_reaches_its_target_and_the_wrappers_are_stripped(tf):
    card = _card(**{"pruning.sparsity": 0.75, "pruning.end_epoch": 3})
    model, session = _fit(tf, card)
    assert len(session.wrappers) == 3
    stripped = strip(model, session)
    names = [layer.name for layer in stripped.layers]
    assert not any(name.startswith("prune_low_magnitude") for name in names)
    record = sparsity_record(network_spec(card), stripped)
    assert record["fc1"]["target"] == 0.5 and record["fc2"]["target"] == 0.75
    for name, row in record.items():
        assert row["zero_weights"] == pytest.approx(row["target"], abs=1.0 / row["weights"] + 1e-9), name
        assert row["zero_after_quantization"] >= row["zero_weights"]


def test_the_constant_schedule_also_reaches_its_target(tf):
    card = _card(**{"pruning.sparsity": 0.6, "pruning.schedule": "constant", "pruning.end_epoch": 2})
    model, session = _fit(tf, card)
    record = sparsity_record(network_spec(card), strip(model, session))
    assert record["fc2"]["zero_weights"] == pytest.approx(0.6, abs=1 / 256)


def test_without_pruning_nothing_is_wrapped_and_early_stopping_watches_every_epoch(tf):
    unpruned = [{key: value for key, value in layer.items() if key != "sparsity"} for layer in LAYERS]
    card = _card(**{"model.layers": unpruned})
    with pruning_session(network_spec(card), 640) as session:
        from l1forge.models.network import build_network

        model = build_network(network_spec(card), True)
    assert not session.wrappers and strip(model, session) is model
    (stopper,) = training_callbacks(card, session)
    assert stopper.start_from_epoch == 0


def test_with_pruning_early_stopping_starts_at_the_epoch_of_the_final_masks(tf):
    card = _card(**{"pruning.sparsity": 0.5, "pruning.end_epoch": 3})
    with pruning_session(network_spec(card), 640) as session:
        from l1forge.models.network import build_network

        build_network(network_spec(card), True)
    callbacks = training_callbacks(card, session)
    assert len(callbacks) == 2 and callbacks[1].start_from_epoch == 2
    # a layer's own sparsity prunes it even when the card's is 0
    with pruning_session(network_spec(_card()), 640) as session:
        from l1forge.models.network import build_network

        build_network(network_spec(_card()), True)
    assert [wrapper.layer.name for wrapper in session.wrappers] == ["fc1"]
