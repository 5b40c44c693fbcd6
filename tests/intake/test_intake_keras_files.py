"""Every form of a trained model loads to the same network: same layers, same weights,
bit-equal outputs. The .keras file with QKeras quantizer objects is the one tf.keras 2.14
cannot load itself (checked here, so the test shows the fallback is what loads it)."""

from __future__ import annotations

import numpy as np
import pytest
from intake_models import predict

from l1forge.intake import load_keras, load_source


@pytest.mark.parametrize("name", ["qdense", "qconv", "plain"])
@pytest.mark.parametrize("form", ["h5", "keras", "json"])
def test_every_form_loads_the_same_network(saved, name, form):
    entry = saved[name]
    weights = entry.paths["weights"] if form == "json" else None
    model = load_keras(entry.paths[form], weights)
    assert [type(layer).__name__ for layer in model.layers] == [type(layer).__name__ for layer in entry.model.layers]
    for got, want in zip(model.get_weights(), entry.model.get_weights()):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(predict(model, entry.x), predict(entry.model, entry.x))


def test_keras_cannot_load_quantizer_objects_itself(saved):
    from tensorflow import keras

    from l1forge.intake.qkeras_objects import custom_objects

    with pytest.raises(TypeError, match="could not be deserialized"):
        keras.models.load_model(saved["qdense"].paths["keras"], custom_objects=custom_objects(), compile=False)
    assert load_keras(saved["qdense"].paths["keras"]).get_layer("relu1").quantizer.bits == 6


def test_json_with_a_whole_model_file_as_weights(saved):
    entry = saved["qconv"]
    model = load_keras(entry.paths["json"], entry.paths["h5"])
    np.testing.assert_array_equal(predict(model, entry.x), predict(entry.model, entry.x))


@pytest.mark.parametrize("form,kind", [("h5", "keras_h5"), ("keras", "keras_zip"), ("json", "keras_json")])
def test_source_of_a_model_file(saved, form, kind):
    import hashlib

    entry = saved["qdense"]
    weights = entry.paths["weights"] if form == "json" else None
    source = load_source(entry.paths[form], weights)
    assert source.kind == kind
    assert source.input_shape == (8,)
    assert source.settings() == {"part": None, "clock_ns": None, "io_type": None, "backend": None,
                                 "project_name": None, "hls_config": None}
    expected = {str(p.resolve()): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (entry.paths[form], weights) if p is not None}
    assert source.files == expected


def test_model_saved_with_pruning_wrappers_loads_stripped(saved, tmp_path):
    import tensorflow_model_optimization as tfmot

    entry = saved["plain"]
    schedule = tfmot.sparsity.keras.ConstantSparsity(0.5, 0)
    wrapped = tfmot.sparsity.keras.prune_low_magnitude(entry.model, pruning_schedule=schedule)
    wrapped.save(tmp_path / "pruned.h5")
    model = load_keras(tmp_path / "pruned.h5")
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dense"]
    np.testing.assert_array_equal(predict(model, entry.x), predict(entry.model, entry.x))
