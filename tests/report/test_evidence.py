"""The evidence a report quotes (report/evidence.py): current, and matched by region."""

import json

from l1forge.report import evidence
from l1forge.report.evidence import (estimator_digest, fabric_checked, region, region_line, reuse_band,
                                     summary)


def row(role, **where):
    base = region("Vitis HLS 2021.1", "7-series", "io_parallel", "latency", 2, 3.33)
    base.update(where)
    return {"role": role, "fabric": "Artix-7", "grade": 2, "region": base, "latency_ok": role == "validation",
            "ii_exact": True, "dsp_error": 0.0, "lut_error": 0.1, "ff_error": 0.3 if role == "validation" else 0.9}


def test_the_committed_evidence_is_the_current_estimators():
    """Fails when an estimator module changed and `make evidence` was not run again: the
    figures every report quotes would be another estimator's."""
    committed = json.loads(evidence.EVIDENCE_FILE.read_text())
    assert committed["estimator_digest"] == estimator_digest(), "run `make evidence`"
    roles = {r["role"] for r in committed["rows"]}
    assert {"calibration", "validation"} <= roles
    assert all(set(r["region"]) == set(evidence.KEYS) for r in committed["rows"])


def test_the_digest_follows_the_rules_not_the_presentation(tmp_path):
    package = tmp_path / "report"
    package.mkdir()
    (tmp_path / "firmware").mkdir()
    (tmp_path / "firmware" / "legacy_config.py").write_text("x = 1\n")
    (package / "dense_cost.py").write_text("CYCLES = 1\n")
    (package / "html_page.py").write_text("TITLE = 'a'\n")
    first = estimator_digest(package)
    (package / "html_page.py").write_text("TITLE = 'b'\n")
    assert estimator_digest(package) == first
    (package / "dense_cost.py").write_text("CYCLES = 2\n")
    assert estimator_digest(package) != first


def test_bands_and_tool_names():
    assert [reuse_band(rf) for rf in (0, 1, 2, 16, 17, 784)] == ["RF 1", "RF 1", "RF 2-16", "RF 2-16", "RF > 16",
                                                                "RF > 16"]
    where = region("Vivado HLS 2019.2", "UltraScale+", "io_stream", "resource", 64, 10.0)
    assert where == {"tool": "Vivado HLS", "family": "UltraScale+", "io_type": "io_stream", "strategy": "resource",
                     "reuse": "RF > 16", "clock": "clock > 6 ns"}


def test_held_out_reports_are_quoted_apart_from_calibration():
    text = summary([row("calibration"), row("validation"), row("validation")])
    assert text.startswith("3 report(s) (1 calibration, 2 validation): validation latency")
    assert "within max(2 cycles, 10%) 2 of 2" in text and "FF 30%" in text  # the calibration 90% is not quoted
    assert "calibration latency within max(2 cycles, 10%) 0 of 1" in summary([row("calibration")])


def test_a_region_without_reports_names_the_nearest_and_says_extrapolated():
    data = {"date": "2026-12-06", "rows": [row("validation"), row("validation", strategy="resource"),
                                           row("older-hls4ml", io_type="io_stream")]}
    where = region("Vitis HLS 2022.2", "7-series", "io_parallel", "latency", 2, 3.0)
    line, backed = region_line(where, data)
    assert "backed by 1 report(s)" in line and backed
    streamed, _ = region_line(region("Vitis HLS", "7-series", "io_stream", "latency", 2, 3.0), data)
    assert "no vendor report in this region" in streamed and "nearest, Vitis HLS, 7-series: 2 report(s)" in streamed
    assert "older" not in streamed  # hls4ml 0.x builds back no rule of this estimator
    nothing, _ = region_line(region("Vivado HLS", "7-series", "io_parallel", "latency", 1, 5), data)
    assert "no vendor report of Vivado HLS backs these rules" in nothing and "every figure" in nothing


def test_a_fabric_and_grade_is_checked_only_by_a_calibration_or_validation_report():
    data = {"rows": [row("validation"), dict(row("older-hls4ml"), fabric="UltraScale+", grade=1)]}
    assert fabric_checked("Artix-7", 2, data)
    assert not fabric_checked("Artix-7", 1, data) and not fabric_checked("UltraScale+", 1, data)
