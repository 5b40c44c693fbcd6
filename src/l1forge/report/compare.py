"""Side-by-side figures: estimate vs vendor, part usage, and the trigger budget verdicts."""

from __future__ import annotations

from l1forge.report.parts import Part

FIGURES = ("latency_cycles", "ii", "dsp", "lut", "ff", "bram_18k")
BUNCH_CROSSING_NS = 25.0  # LHC: a new collision every 25 ns; the trigger must accept each


def relative_error(estimate: float | None, actual: float | None) -> float | None:
    """|estimate - actual| / actual; None when either is missing. Where actual is 0 and the
    estimate is not, 1.0 (100%): counted in the medians as a miss, never left out."""
    if estimate is None or actual is None:
        return None
    if actual == 0:
        return 0.0 if estimate == 0 else 1.0
    return abs(estimate - actual) / abs(actual)


def comparison(estimate: dict | None, vendor: dict | None) -> list[dict] | None:
    """One row per figure with both values, the difference and the relative error."""
    if estimate is None or vendor is None or vendor.get("latency_cycles") is None and vendor.get("dsp") is None:
        return None
    rows = []
    for key in FIGURES:
        est, ven = estimate.get(key), vendor.get(key)
        diff = None if est is None or ven is None else est - ven
        error = relative_error(est, ven)
        rows.append({"figure": key, "estimate": est, "vendor": ven, "difference": diff,
                     "relative_error": None if error is None else round(error, 4)})
    return rows


def part_section(part: Part, estimate: dict | None, vendor: dict | None) -> dict:
    capacity = part.capacity()

    def used(figures: dict | None) -> dict | None:
        if not figures or all(figures.get(k) is None for k in capacity):
            return None
        return {k: (None if figures.get(k) is None else round(100.0 * figures[k] / capacity[k], 2))
                for k in capacity}

    post = (vendor or {}).get("post_route") or (vendor or {}).get("post_synthesis")
    return {"name": part.name, "family": part.family, "speed_fabric": part.speed_fabric, "capacity": capacity,
            "used_percent": {"estimate": used(estimate), "vendor": used(vendor),
                             "vendor_implemented": used(post)}}


def part_fit(part: Part, estimate: dict | None, vendor: dict | None) -> dict | None:
    """`fits the part`: fail when the estimate (the vendor HLS figures when there is no
    estimate) needs more than 100% of the part's LUTs, flip-flops, DSPs or block RAM."""
    figures, source = (estimate, "estimate") if estimate else (vendor, "vendor HLS")
    if not figures:
        return None
    capacity = part.capacity()
    over = {key: round(100.0 * figures[key] / capacity[key], 1) for key in ("lut", "ff", "dsp", "bram_18k")
            if figures.get(key) is not None and capacity.get(key) and figures[key] > capacity[key]}
    unmodelled = (estimate or {}).get("unmodelled") if source == "estimate" else None
    verdict = "fail" if over else ("lower bound" if unmodelled else "pass")
    detail = ("; ".join(f"{key.upper()} {share:g}% of {part.name}" for key, share in over.items())
              if over else f"every resource within {part.name}'s capacity")
    if unmodelled and not over:
        detail += f", counting {_named(unmodelled)} as free"
    return {"verdict": verdict, "source": source, "over_percent": over, "detail": detail}


def _lower_bound(checks: list[dict], unmodelled: list[str]) -> list[dict]:
    """An estimate that counts some layers as free (no rule for them) is a lower bound: a
    check it fails stands, a check it passes is not established."""
    if not unmodelled:
        return checks
    return [{**check, "pass": None, "detail": f"{check['detail']}; a lower bound: the estimate counts "
             f"{_named(unmodelled)} as free (not modelled)"} if check["pass"] else check for check in checks]


def _named(layers: list[str]) -> str:
    """The first three layer names, and how many more."""
    return ", ".join(layers[:3]) + (f" and {len(layers) - 3} more" if len(layers) > 3 else "")


def _verdicts(source: str, latency_ns: float | None, ii: int | None, clock_ns: float | None,
              budget_ns: float | None) -> list[dict]:
    checks = []
    if ii is not None and clock_ns:
        interval = ii * clock_ns
        checks.append({"check": "accepts every bunch crossing", "source": source,
                       "value_ns": round(interval, 3), "limit_ns": BUNCH_CROSSING_NS,
                       "pass": interval <= BUNCH_CROSSING_NS,
                       "detail": f"II {ii} x {clock_ns:g} ns = {interval:g} ns"})
    if latency_ns is not None:
        checks.append({"check": "latency within the card's budget", "source": source,
                       "value_ns": round(latency_ns, 3), "limit_ns": budget_ns,
                       "pass": None if budget_ns is None else latency_ns <= budget_ns,
                       "detail": "no latency budget set (latency_budget_ns)" if budget_ns is None
                       else f"{latency_ns:g} ns against {budget_ns:g} ns"})
    return checks


def budget_section(estimate: dict | None, vendor: dict | None, budget_ns: float | None) -> dict:
    checks = []
    if estimate:
        checks += _lower_bound(_verdicts("estimate", estimate["latency_ns"], estimate["ii"], estimate["clock_ns"],
                                         budget_ns), estimate.get("unmodelled") or [])
    if vendor and vendor.get("latency_cycles") is not None:
        checks += _verdicts(f"vendor ({vendor['tool']} {vendor['version']})", vendor["latency_ns"],
                            vendor["ii"], vendor.get("clock_achieved_ns") or vendor.get("clock_target_ns"),
                            budget_ns)
    return {"bunch_crossing_ns": BUNCH_CROSSING_NS, "latency_budget_ns": budget_ns, "checks": checks}
