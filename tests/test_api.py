"""The Python API (l1forge.api): light to import, same errors as the CLI, plain values back."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from l1forge import UserError, api

REPO = Path(__file__).resolve().parents[1]
# hls4ml's Dense 16->5 test reports, committed (their sources: the folder's SOURCES.md)
DENSE16X5 = REPO / "tests" / "report" / "data" / "hls4ml-test-dense16x5"


def test_importing_the_api_loads_no_machine_learning_stack():
    code = ("import sys, l1forge, l1forge.api, l1forge.emulate; "
            "print(sorted(m for m in ('tensorflow', 'hls4ml', 'qkeras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_load_card_applies_overrides_and_refuses_bad_ones():
    card = api.load_card(REPO / "l1models" / "jet_id.yaml", {"training.epochs": 3})
    assert card.training.epochs == 3 and card.name == "jet_id"
    with pytest.raises(UserError, match="training.epochs"):
        api.load_card(REPO / "l1models" / "jet_id.yaml", {"training.epochs": "many"})


def test_report_of_a_vendor_report_folder_and_its_html(tmp_path):
    folder = tmp_path / "dense16x5"
    shutil.copytree(DENSE16X5, folder)
    figures = api.report(folder, html=tmp_path / "page.html")
    assert figures["estimate"] is None  # no hls4ml config: vendor figures only
    assert figures["vendor"]["latency_cycles"] == 10 and figures["vendor"]["dsp"] == 73
    assert "73" in (tmp_path / "page.html").read_text()


def test_project_functions_refuse_a_folder_that_is_not_a_project(tmp_path):
    with pytest.raises(UserError):
        api.csim(tmp_path)
    with pytest.raises(UserError):
        api.trigger(tmp_path)
