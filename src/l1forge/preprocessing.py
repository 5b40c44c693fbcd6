"""Input contracts between physics events and firmware inputs, stored in the manifest.

A spec is a plain dict (JSON in `l1forge.json`), so any tool can apply it:
- {"kind": "standardize", "mean": [...], "scale": [...]}: x_fw = (x - mean) / scale, the
  jet-ID contract (constants fitted on the training split only);
- {"kind": "identity"}: the events already are firmware inputs.
Other kinds are added here, next to `apply`, with the stage that needs them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from l1forge.errors import UserError


def fit_standardize(x: np.ndarray) -> dict[str, Any]:
    mean = x.mean(axis=0, dtype=np.float64)
    scale = x.std(axis=0, dtype=np.float64)
    # A constant feature carries no information; dividing by 1 keeps it finite.
    scale = np.where(scale > 0, scale, 1.0)
    return {"kind": "standardize", "mean": mean.tolist(), "scale": scale.tolist()}


def apply(spec: dict[str, Any] | None, x: np.ndarray) -> np.ndarray:
    """Map events to firmware inputs (float64, before the firmware's input quantization)."""
    kind = (spec or {"kind": "identity"}).get("kind")
    x = np.asarray(x, dtype=np.float64)
    if kind == "identity":
        return x
    if kind == "standardize":
        mean = np.asarray(spec["mean"], dtype=np.float64)
        scale = np.asarray(spec["scale"], dtype=np.float64)
        if x.shape[-1] != mean.shape[0]:
            raise UserError(f"events have {x.shape[-1]} features; the model's preprocessing "
                            f"expects {mean.shape[0]}")
        return (x - mean) / scale
    raise UserError(f"unknown preprocessing kind '{kind}' in the project manifest; "
                    "expected standardize or identity")
