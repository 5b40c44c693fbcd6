"""The HTML report opened in a real headless browser (Debian chromium): the totals are there."""

import re
import shutil
import subprocess

import pytest

from l1forge.report import make_report, write_html
from report_fakes import add_reports, hls4ml_folder, jet_like

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync"]


def rendered_dom(page, profile) -> str:
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def cell(dom: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', dom)
    assert match, f"no element {element_id} in the rendered page"
    return match.group(1)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian chromium (apt-get install -y chromium; `make test` installs it as root)")
def test_totals_and_verdicts_render_in_chromium(tmp_path):
    project = hls4ml_folder(tmp_path / "jet", part="xc7z020clg400-1")
    add_reports(project)
    report = make_report(project, graph=jet_like())
    page = tmp_path / "report.html"
    write_html(report, page)
    dom = rendered_dom(page, tmp_path / "profile")
    estimate, vendor = report["estimate"], report["vendor"]
    for key in ("dsp", "lut", "ff", "bram_18k", "latency_cycles", "ii"):
        assert cell(dom, f"total-estimate-{key}").replace(",", "") == str(estimate[key])
        assert cell(dom, f"total-vendor-{key}").replace(",", "") == str(vendor[key])
    assert cell(dom, "total-post-lut") == "1,526"
    assert "accepts every bunch crossing" in dom and "FAIL" in dom  # vendor II 8 x 5 ns > 25 ns
    assert "Latency breakdown" in dom and all(row["name"] in dom for row in estimate["per_layer"])
    assert "<script" not in page.read_text() and "http" not in page.read_text()  # self-contained
