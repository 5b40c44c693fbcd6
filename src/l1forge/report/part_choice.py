"""Which part and clock a report compares: like with like.

A project's hls4ml config and the vendor report beside it can disagree: the config says one
part and the report was synthesised for another (the build script set its own, or the
config was edited after the build), and the tool may not meet the target clock. The
estimate is then made for the report's part, and the vendor latency in nanoseconds is
taken at the clock the tool says it reaches, each with one warning.
"""

from __future__ import annotations

import re


def _device_and_grade(part: str) -> str:
    """A part string without its separators, lower case (`xc7z020clg400-1` and
    `xc7z020-clg400-1` are the same part)."""
    return re.sub(r"[^a-z0-9]", "", str(part).strip().lower())


def same_part(a: str, b: str) -> bool:
    return _device_and_grade(a) == _device_and_grade(b)


def estimate_part(cli_part: str | None, config_part: str | None, vendor: dict | None) -> tuple[str | None, list[str]]:
    """The part to estimate for, and the warning when it is not the config's: the `--part`
    given, else the vendor report's part where the config names another, else the config's
    (the vendor's when the config names none)."""
    if cli_part:
        return cli_part, []
    vendor_part = (vendor or {}).get("part")
    if config_part and vendor_part and not same_part(config_part, vendor_part):
        return vendor_part, [f"the hls4ml config's part {config_part} is not the part the vendor report was "
                             f"synthesised for ({vendor_part}): estimated for {vendor_part}, to compare like "
                             f"with like (pass --part to choose)"]
    return config_part or vendor_part, []


def achieved_clock(target_ns: float | None, estimated_ns: float | None) -> tuple[float | None, list[str]]:
    """The clock period the vendor's cycles run at: the target, or the tool's estimated
    clock where that is longer (the design does not close timing at the target), with a
    warning then."""
    if not target_ns:
        return target_ns, []
    if estimated_ns and estimated_ns > target_ns:
        return estimated_ns, [f"the vendor tool's estimated clock {estimated_ns:g} ns exceeds the target "
                              f"{target_ns:g} ns: the vendor latency in ns is taken at {estimated_ns:g} ns"]
    return target_ns, []
