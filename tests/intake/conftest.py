"""Models saved once per session in every form (tests/intake/intake_models.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest


@dataclass
class SavedModel:
    model: object           # the Keras model as built
    paths: dict             # form -> file (h5, keras, json, weights)
    x: np.ndarray           # a few input events


@pytest.fixture(scope="session")
def saved(tmp_path_factory) -> dict[str, SavedModel]:
    import intake_models as im

    folder = tmp_path_factory.mktemp("models")
    rng = np.random.default_rng(0)
    found = {}
    for name, build, shape in (("qdense", im.qkeras_dense, (8,)), ("qconv", im.qkeras_conv, (6, 6, 1)),
                               ("plain", im.plain_dense, (5,))):
        model = build()
        found[name] = SavedModel(model, im.save_every_form(model, folder, name),
                                 rng.normal(0, 1, (16,) + shape))
    return found


@pytest.fixture(scope="session")
def dense_folder(saved, tmp_path_factory) -> Path:
    """The QKeras dense model converted and written by hls4ml (keras_model.keras inside)."""
    import intake_models as im

    folder = tmp_path_factory.mktemp("hls") / "qdense_prj"
    im.hls4ml_folder(saved["qdense"].model, folder)
    return folder
