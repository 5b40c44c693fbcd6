"""Input contracts between physics events and firmware inputs, stored in the manifest.

A spec is a plain dict (JSON in `l1forge.json`), so any tool can apply it:
- {"kind": "standardize", "mean": [...], "scale": [...]}: x_fw = (x - mean) / scale, the
  jet-ID contract (constants fitted on the training split only);
  A standardize spec may also name "log_columns" (feature indices) and "log_floor": those
  features are first replaced by ln(max(x, log_floor)) (the Deep Sets pT and energy
  fractions, where zero-padded particles sit at ln(log_floor));
- {"kind": "identity"}: the events already are firmware inputs;
- {"kind": "l1_pt_shift", "shift": k}: L1-object events (N, 19, 4) as (pT, eta, phi,
  class id) -> (N, 57) firmware inputs, one row after the other (MET, 4 e, 4 mu, 10 jets),
  each as pT / 2**k, eta, phi; the class id is implied by the row and dropped. Dividing by
  a power of two is a wire shift in firmware, so the trigger can feed its own pT words;
  zero-padded objects stay all zero (the anomaly scores rely on that to mask them).
Other kinds are added here, next to `apply`, with the stage that needs them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from l1forge.errors import UserError


# Floor of the logarithm of a fraction: 2^-12 (0.24 GeV in a 1 TeV jet), below the softest
# constituents the generator keeps; zero padding maps to ln(2^-12) = -8.3.
LOG_FLOOR = 2.0**-12


def take_log(x: np.ndarray, columns, floor: float = LOG_FLOOR) -> np.ndarray:
    """x (float64 copy) with the feature columns `columns` (last axis) replaced by
    ln(max(x, floor))."""
    x = np.array(x, dtype=np.float64)
    if len(columns):
        cols = list(columns)
        x[..., cols] = np.log(np.maximum(x[..., cols], floor))
    return x


def fit_standardize(x: np.ndarray) -> dict[str, Any]:
    mean = x.mean(axis=0, dtype=np.float64)
    scale = x.std(axis=0, dtype=np.float64)
    # A constant feature carries no information; dividing by 1 keeps it finite.
    scale = np.where(scale > 0, scale, 1.0)
    return {"kind": "standardize", "mean": mean.tolist(), "scale": scale.tolist()}


def check_shape(spec: dict[str, Any] | None, shape: tuple[int, ...]) -> None:
    """Refuse events of `shape` that a standardize spec cannot apply to (other kinds check
    their own input when applied)."""
    if (spec or {}).get("kind") != "standardize":
        return
    features = len(spec["mean"])
    # per_element: a set per event (events, elements, features), each element's features
    # standardized alike (constituents of a jet)
    rank = 3 if spec.get("per_element") else 2
    if len(shape) != rank or shape[-1] != features:
        expected = "(events, elements, " if rank == 3 else "(events, "
        raise UserError(f"events of shape {tuple(shape)}; the model's preprocessing "
                        f"(standardize) expects {expected}{features})")


def apply(spec: dict[str, Any] | None, x: np.ndarray) -> np.ndarray:
    """Map events to firmware inputs (float64, before the firmware's input quantization)."""
    kind = (spec or {"kind": "identity"}).get("kind")
    x = np.asarray(x, dtype=np.float64)
    if kind == "identity":
        return x
    if kind == "standardize":
        check_shape(spec, x.shape)
        x = take_log(x, spec.get("log_columns", ()), float(spec.get("log_floor", LOG_FLOOR)))
        return (x - np.asarray(spec["mean"], dtype=np.float64)) / np.asarray(spec["scale"], dtype=np.float64)
    if kind == "l1_pt_shift":
        return l1_pt_shift(x, int(spec["shift"]))
    raise UserError(f"unknown preprocessing kind '{kind}' in the project manifest; "
                    "expected standardize, identity or l1_pt_shift")


L1_FEATURES_PER_OBJECT = 3  # pT, eta, phi


def l1_pt_shift(x: np.ndarray, shift: int) -> np.ndarray:
    """(N, objects, >=3) L1 events -> (N, objects * 3) with pT divided by 2**shift."""
    if x.ndim != 3 or x.shape[-1] < L1_FEATURES_PER_OBJECT:
        raise UserError(f"events have shape {tuple(x.shape)}; the l1_pt_shift preprocessing "
                        "expects L1 objects (N, 19, 4) as pT, eta, phi, class id")
    features = x[:, :, :L1_FEATURES_PER_OBJECT].copy()
    features[:, :, 0] /= 2.0**shift
    return features.reshape(len(x), -1)
