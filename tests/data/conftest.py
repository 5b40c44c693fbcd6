"""What the data tests share: a small jet table (file writers are in sample_writers.py); the
external Dask scheduler fixture is in tests/conftest.py."""

from __future__ import annotations

import numpy as np
import pytest

from l1forge.data import JET_CLASSES, JET_FEATURES


@pytest.fixture
def jets_table():
    """12 jets: features (12, 16) and class names, two or three of each class."""
    rng = np.random.default_rng(5)
    features = rng.uniform(0.1, 2.0, size=(12, len(JET_FEATURES)))
    names = np.array([JET_CLASSES[i % len(JET_CLASSES)] for i in range(12)])
    return features, names
