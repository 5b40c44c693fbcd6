"""The yosys figures of `l1forge rtl` in the report: read from the manifest, compared with the
estimate over the layers the RTL covers (a left-out softmax taken off), shown in text and HTML."""

import json

from l1forge.report.netlist import netlist_comparison, netlist_html, netlist_section, netlist_table

NETLIST = {"tool": "yosys synth_xilinx", "yosys_version": "Yosys 0.70", "family": "xcup", "lut": 9000,
           "lut_by_size": {"LUT2": 6000, "LUT6": 3000}, "ff": 1000, "carry": 900, "dsp": 0, "bram": 0.0,
           "srl": 0, "lutram": 0, "cells": {}, "seconds": 10.0}
ESTIMATE = {"lut": 10_500, "ff": 1200, "dsp": 5, "bram_18k": 0,
            "per_layer": [{"name": "fc1", "lut": 9900, "ff": 1200, "dsp": 0, "bram_18k": 0},
                          {"name": "softmax", "lut": 600, "ff": 0, "dsp": 5, "bram_18k": 0}]}


def _project(tmp_path, rtl):
    (tmp_path / "l1forge.json").write_text(json.dumps({"card": "x", "rtl": rtl}))
    return tmp_path


def test_no_rtl_no_netlist(tmp_path):
    assert netlist_section(_project(tmp_path, {"mismatches": 0})) is None
    assert netlist_comparison(ESTIMATE, None) == []


def test_the_estimate_is_compared_over_the_rtls_layers(tmp_path):
    rtl = {"netlist": NETLIST, "outputs_of": "fc1", "left_out": ["softmax"], "mismatches": 0, "events": 100}
    netlist = netlist_section(_project(tmp_path, rtl))
    rows = {row["figure"]: row for row in netlist_comparison(ESTIMATE, netlist)}
    assert rows["lut"]["estimate"] == 9900 and rows["lut"]["netlist"] == 9000
    assert rows["lut"]["error"] == round(900 / 9000, 4)
    assert rows["dsp"]["estimate"] == 0 and rows["dsp"]["error"] is None  # no DSP in either
    report = {"netlist": netlist, "netlist_comparison": list(rows.values())}
    page = netlist_html(report)
    assert 'id="total-netlist-lut">9,000<' in page and "Yosys 0.70" in page and "without softmax" in page
    assert netlist_table(report).row_count == 4
