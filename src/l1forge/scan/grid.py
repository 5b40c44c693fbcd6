"""The points of a scan: the product of the `--grid KEY=V1,V2,...` lists, or N of them drawn
with a seed; each point is a dict of card overrides, named by a short hash."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import numpy as np
import yaml

from l1forge.errors import UserError


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """["quantization.weight_bits=4,6,8", ...] -> {"quantization.weight_bits": [4, 6, 8]}."""
    if not items:
        raise UserError("--grid: none given; expected at least one --grid KEY=V1,V2,... "
                        "(e.g. --grid quantization.weight_bits=4,6,8)")
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"--grid '{item}': expected KEY=V1,V2,... such as pruning.sparsity=0,0.5")
        if key in grid:
            raise UserError(f"--grid {key}: given twice; expected each card field once")
        parsed = [yaml.safe_load(v.strip()) for v in split_values(values) if v.strip()]
        if not parsed:
            raise UserError(f"--grid {key}: no values; expected a comma-separated list")
        if len({json.dumps(v, sort_keys=True) for v in parsed}) != len(parsed):
            raise UserError(f"--grid {key}: a value repeats in {values}; expected distinct values")
        grid[key] = parsed
    return grid


def split_values(text: str) -> list[str]:
    """Comma-separated values, a comma inside <...> or [...] kept (`ap_fixed<12,4>`, `[1, 2]`)."""
    values, depth, current = [], 0, []
    for char in text:
        depth += char in "<[" and 1 or (-1 if char in ">]" else 0)
        if char == "," and depth == 0:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


def grid_points(grid: dict[str, list[Any]], sample: int | None = None, seed: int = 0) -> list[dict]:
    """Every combination (in the order the lists are given), or `sample` of them drawn
    without replacement with `seed` (kept in grid order)."""
    keys = list(grid)
    points = [dict(zip(keys, values)) for values in itertools.product(*(grid[k] for k in keys))]
    if sample is None or sample >= len(points):
        if sample is not None and sample < 1:
            raise UserError(f"--sample: got {sample}, expected at least 1")
        return points
    if sample < 1:
        raise UserError(f"--sample: got {sample}, expected at least 1")
    chosen = np.sort(np.random.default_rng(seed).choice(len(points), size=sample, replace=False))
    return [points[i] for i in chosen]


def point_id(overrides: dict[str, Any]) -> str:
    """A stable name for a point's result file: the hash of its overrides."""
    blob = json.dumps(overrides, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def describe(overrides: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in overrides.items())


def short_label(overrides: dict[str, Any]) -> str:
    """The overrides by their last field name (weight_bits=4, sparsity=0.5), for plots."""
    return ", ".join(f"{key.split('.')[-1]}={value}" for key, value in overrides.items())
