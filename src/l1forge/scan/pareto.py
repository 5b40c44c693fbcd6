"""The Pareto front of a scan: what a hardware team chooses from.

A done point is on the front when no other done point matches or beats it on all of
(objective higher; LUT, DSP, latency_cycles lower) while beating it on at least one."""

from __future__ import annotations

from typing import Any

COSTS = ("lut", "dsp", "latency_cycles")


def _vector(point: dict[str, Any], objective: str) -> tuple[float, ...]:
    estimate = point["estimate"]
    return (-float(point[objective]), *(float(estimate[c]) for c in COSTS))


def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """a is at least as good as b everywhere and better somewhere (all to be minimized)."""
    return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))


def mark_front(points: list[dict[str, Any]], objective: str) -> None:
    """Set `pareto` on every point (False for failed ones)."""
    done = [p for p in points if p.get("status") == "done"]
    vectors = [_vector(p, objective) for p in done]
    for point in points:
        point["pareto"] = False
    for i, point in enumerate(done):
        point["pareto"] = not any(dominates(other, vectors[i])
                                  for j, other in enumerate(vectors) if j != i)
