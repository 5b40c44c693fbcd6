"""`l1forge report` and `l1forge report --validate`: output, exit codes, nothing half-written."""

import json

import pytest

import l1forge.firmware.loading
from l1forge.cli import main
from report_fakes import add_reports, hls4ml_folder, jet_like


@pytest.fixture
def fake_graph(monkeypatch):
    """Projects load a stand-in ModelGraph instead of converting a Keras model."""
    monkeypatch.setattr(l1forge.firmware.loading, "load_graph", lambda folder, **_: jet_like())


def test_json_report(tmp_path, fake_graph, capsys):
    project = hls4ml_folder(tmp_path / "p", part="xc7z020clg400-1")
    add_reports(project)
    assert main(["report", str(project), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"estimate", "vendor", "comparison", "part", "budget", "warnings"}
    for key in ("latency_cycles", "latency_ns", "ii", "dsp", "lut", "ff", "bram_18k", "per_layer"):
        assert key in report["estimate"]
    assert report["vendor"]["source_file"].endswith("myproject_csynth.rpt")


def test_text_summary_and_html(tmp_path, vendor_only, capsys):
    page = tmp_path / "out" / "report.html"
    assert main(["report", str(vendor_only), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "2,532" in out and "FAIL" in out and "accepts every bunch crossing" in out
    assert page.is_file() and 'id="total-vendor-lut">2,532<' in page.read_text()


def test_bad_input_is_one_line_and_exit_2(tmp_path, vendor_only, capsys):
    page = tmp_path / "never.html"
    assert main(["report", str(vendor_only), "--part", "xc1z1", "--html", str(page)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown FPGA part 'xc1z1'" in err
    assert not page.exists() and not list(tmp_path.glob(".never.html*"))
    assert main(["report"]) == 2
    assert "give a project folder" in capsys.readouterr().err
    assert main(["report", str(vendor_only), "--validate", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err


def test_missing_model_is_a_user_error(tmp_path, capsys):
    project = hls4ml_folder(tmp_path / "p")
    assert main(["report", str(project)]) == 2
    err = capsys.readouterr().err
    assert "Keras model is missing" in err and "keras_model.h5" in err


def test_validate_table(tmp_path, fake_graph, capsys):
    for name in ("a", "b"):
        add_reports(hls4ml_folder(tmp_path / "suite" / name, part="xc7z020clg400-1"))
    hls4ml_folder(tmp_path / "suite" / "no_reports")  # a project without reports is skipped
    assert main(["report", "--validate", str(tmp_path / "suite")]) == 0
    out = capsys.readouterr().out
    assert "| a | Vivado HLS 2020.1 |" in out and "| b |" in out
    assert "**median** (2 projects)" in out and "no_reports" not in out
    assert main(["report", "--validate", str(tmp_path / "suite"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["summary"]["projects"] == 2
    row = result["rows"][0]
    assert row["latency_vendor"] == 10 and row["dsp_vendor"] == 73
    assert row["dsp_error"] == pytest.approx(abs(row["dsp_estimate"] - 73) / 73, abs=1e-4)


def test_validate_skips_a_project_it_cannot_read(tmp_path, fake_graph, capsys):
    add_reports(hls4ml_folder(tmp_path / "suite" / "good", part="xc7z020clg400-1"))
    broken = add_reports(hls4ml_folder(tmp_path / "suite" / "broken", part="xc7z020clg400-1")).parents[3]
    (broken / "hls4ml_config.yml").write_text("Backend: [unclosed\n")
    assert main(["report", "--validate", str(tmp_path / "suite")]) == 0
    out = capsys.readouterr().out
    assert "**median** (1 projects)" in out and "| good |" in out
    assert "skipped broken:" in out and "not valid YAML" in out


def test_validate_names_a_project_without_an_estimate(tmp_path, monkeypatch, capsys):
    from l1forge.errors import UserError

    def load(folder, **_):
        if folder.name == "no_model":
            raise UserError(f"{folder}: the project's Keras model is missing")
        return jet_like()

    monkeypatch.setattr(l1forge.firmware.loading, "load_graph", load)
    for name in ("good", "no_model"):
        add_reports(hls4ml_folder(tmp_path / "suite" / name, part="xc7z020clg400-1"))
    assert main(["report", "--validate", str(tmp_path / "suite"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [row["project"] for row in result["rows"]] == ["good"]
    assert result["skipped"][0]["project"] == "no_model" and "Keras model is missing" in result["skipped"][0]["reason"]


def test_validate_without_projects(tmp_path, capsys):
    assert main(["report", "--validate", str(tmp_path)]) == 2
    assert "no hls4ml project with vendor synthesis reports" in capsys.readouterr().err
