"""`--budget lut=5%,dsp=0,latency_ns=50`: which points fit the card's part and timing.

Resources (lut, ff, dsp, bram_18k) are counts or percentages of the part; latency_ns,
latency_cycles and ii are upper limits on the estimate."""

from __future__ import annotations

from typing import Any

from l1forge.errors import UserError

RESOURCES = {"lut": "lut", "ff": "ff", "dsp": "dsp", "bram_18k": "bram_18k"}
TIMING = ("latency_ns", "latency_cycles", "ii")


def parse_budget(text: str | None, part) -> dict[str, float]:
    """{"lut": limit in LUTs, "latency_ns": 50, ...}; percentages resolved against `part`."""
    if not text:
        return {}
    limits: dict[str, float] = {}
    known = (*RESOURCES, *TIMING)
    for item in text.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or key not in known:
            raise UserError(f"--budget '{item.strip()}': expected KEY=LIMIT with KEY one of "
                            f"{', '.join(known)} (resources may be a % of the part), e.g. lut=5%")
        percent = value.endswith("%")
        try:
            number = float(value[:-1] if percent else value)
        except ValueError:
            raise UserError(f"--budget {key}={value}: expected a number or a percentage") from None
        if number < 0:
            raise UserError(f"--budget {key}={value}: expected a limit of 0 or more")
        if percent:
            if key not in RESOURCES:
                raise UserError(f"--budget {key}={value}: a percentage needs a resource of the part "
                                f"({', '.join(RESOURCES)})")
            available = getattr(part, key, None)
            if not available:
                raise UserError(f"--budget {key}={value}: the part {part.name} has no {key} count")
            number = number / 100.0 * available
        limits[key] = number
    return limits


def fits(estimate: dict[str, Any], limits: dict[str, float]) -> bool:
    return all(float(estimate[key]) <= limit for key, limit in limits.items())
