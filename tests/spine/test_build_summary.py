"""What `l1forge build` prints at the end: figures, budget verdicts, report warnings."""

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
    assert print_summary("hls_projects/x", CONTENT) == 0
    out = capsys.readouterr().out
    assert "accepts every bunch crossing: FAIL (II 8 x 5 ns = 40 ns, estimate)" in out
    assert "latency within the card's budget: pass" in out
    assert "warning: estimate: the io_stream rules rest on three vendor reports only" in out


def test_a_mismatch_makes_the_exit_status_1(capsys):
    bad = {**CONTENT, "emulator": {"supported": True, "events": 100, "mismatches": 2}}
    assert print_summary("hls_projects/x", bad) == 1
