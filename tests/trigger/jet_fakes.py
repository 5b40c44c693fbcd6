"""Fake jet-tagger outputs the working-point and CLI tests share."""

import numpy as np

CLASSES = ["g", "q", "w", "z", "t"]


def fake_outputs(n=6000, seed=0):
    """Softmax-like outputs where each class's own output is higher on its own jets."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 5, n)
    logits = rng.normal(size=(n, 5))
    logits[np.arange(n), labels] += 1.5
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    firmware = np.round(p * 64) / 64  # a 6-bit output: many ties
    return labels, {"float": p, "qat": p + 1e-3 * rng.normal(size=p.shape), "firmware": firmware}
