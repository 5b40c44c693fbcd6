"""What `l1forge build` prints at the end (figures, budget verdicts, report warnings) and
its verdict: a C-simulation or emulator mismatch makes the exit status 1, with or without
--json."""

from pathlib import Path

import pytest

import l1forge.build
from l1forge.build import BuildResult
from l1forge.cli import main
from l1forge.cli.build import print_summary

CONTENT = {
    "metrics": {"qat_accuracy": 0.5, "per_class_auc": {"g": 0.9}},
    "csim": {"events": 100, "mismatches": 0, "seconds": 0.1},
    "emulator": {"supported": True, "events": 100, "mismatches": 0},
    "report": {
        "estimate": {"latency_cycles": 17, "latency_ns": 85.0, "ii": 8, "dsp": 1, "lut": 2, "ff": 3,
                     "bram_18k": 0},
        "budget": {"checks": [
            {"check": "accepts every bunch crossing", "pass": False, "detail": "II 8 x 5 ns = 40 ns",
             "source": "estimate"},
            {"check": "latency within the card's budget", "pass": True, "detail": "85 ns against 150 ns",
             "source": "estimate"}]},
        "warnings": ["estimate: the io_stream rules rest on three vendor reports only"],
    },
}


def test_verdicts_and_warnings_are_printed(capsys):
    print_summary("hls_projects/x", CONTENT)
    out = capsys.readouterr().out
    assert "accepts every bunch crossing: FAIL (II 8 x 5 ns = 40 ns, estimate)" in out
    assert "latency within the card's budget: pass" in out
    assert "warning: estimate: the io_stream rules rest on three vendor reports only" in out


def test_the_verdict_counts_both_mismatches():
    assert BuildResult(Path("p"), CONTENT).ok
    bad = {**CONTENT, "emulator": {"supported": True, "events": 100, "mismatches": 2}}
    assert BuildResult(Path("p"), bad).mismatches == {"csim_vs_hls4ml": 0, "emulator_vs_csim": 2}
    assert not BuildResult(Path("p"), bad).ok
    worse = {**CONTENT, "csim": {"events": 100, "mismatches": 1, "seconds": 0.1}}
    assert not BuildResult(Path("p"), worse).ok
    # a model the emulator does not support is no mismatch: the firmware is still verified
    unsupported = {**CONTENT, "emulator": {"supported": False, "reason": "no Foo layer"}}
    assert BuildResult(Path("p"), unsupported).ok


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
@pytest.mark.parametrize("emulator_mismatches, status", [(0, 0), (3, 1)])
def test_the_build_command_exits_with_the_verdict(monkeypatch, capsys, json_flag,
                                                 emulator_mismatches, status):
    content = {**CONTENT, "emulator": {"supported": True, "events": 100,
                                       "mismatches": emulator_mismatches}}
    monkeypatch.setattr(l1forge.build, "build_project",
                        lambda *args, **kwargs: BuildResult(Path("hls_projects/x"), content))
    assert main(["build", "l1models/jet_id.yaml", *json_flag]) == status
