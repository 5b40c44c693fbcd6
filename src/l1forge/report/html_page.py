"""Write a report as one self-contained HTML page (inline CSS, no scripts, no network).

The page reads top to bottom the way a firmware engineer checks a design: verdicts
first, then totals against the part, the latency breakdown, per-layer resource bars, the
vendor's per-instance figures, and the warnings. Totals carry stable element ids
(`total-estimate-dsp`, `total-vendor-lut`, ...) so that tools and tests can find them.
"""

from __future__ import annotations

import html
from pathlib import Path

from l1forge.atomic import write_text_atomic
from l1forge.report.diagnosis_html import section as diagnosis_section
from l1forge.report.netlist import netlist_html

FIGURES = (("latency_cycles", "Latency (cycles)"), ("latency_ns", "Latency (ns)"), ("ii", "II (cycles)"),
           ("dsp", "DSP"), ("lut", "LUT"), ("ff", "FF"), ("bram_18k", "BRAM 18K"))
RESOURCES = (("dsp", "#c0504d"), ("lut", "#4f81bd"), ("ff", "#9bbb59"))
PALETTE = ("#4f81bd", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#2c4d75", "#772c2a")

CSS = """
body{font-family:system-ui,Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:70em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f2f2f2}td.name,th.name{text-align:left}td.name{word-break:break-all}
.pass{color:#fff;background:#2e7d32;padding:.1em .5em;border-radius:.3em}
.fail{color:#fff;background:#c62828;padding:.1em .5em;border-radius:.3em}
.none{color:#fff;background:#757575;padding:.1em .5em;border-radius:.3em}
.bar{display:inline-block;height:.9em;vertical-align:middle}
.stack{display:flex;height:1.6em;border:1px solid #999;margin:.5em 0}
.stack div{color:#fff;font-size:.75em;overflow:hidden;white-space:nowrap;padding-left:.2em;line-height:2.1em}
.muted{color:#666;font-size:.9em}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(value) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, float):
        return _e(f"{value:,.1f}" if not value.is_integer() else f"{int(value):,}")
    if isinstance(value, int):
        return _e(f"{value:,}")
    return _e(value)


def _badge(passed) -> str:
    if passed is None:
        return '<span class="none">n/a</span>'
    return '<span class="pass">PASS</span>' if passed else '<span class="fail">FAIL</span>'


def _verdicts(report: dict) -> str:
    rows = "".join(
        f'<tr><td class="name">{_e(c["check"])}</td><td class="name">{_e(c["source"])}</td>'
        f'<td>{_fmt(c["value_ns"])}</td><td>{_fmt(c["limit_ns"])}</td><td>{_badge(c["pass"])}</td>'
        f'<td class="name">{_e(c["detail"])}</td></tr>'
        for c in report["budget"]["checks"])
    return ('<h2>Trigger budget</h2><table><tr><th class="name">check</th><th class="name">from</th>'
            f'<th>value (ns)</th><th>limit (ns)</th><th>verdict</th><th class="name">detail</th></tr>{rows}</table>')


def _totals(report: dict) -> str:
    estimate, vendor = report.get("estimate") or {}, report.get("vendor") or {}
    post = vendor.get("post_route") or vendor.get("post_synthesis") or {}
    capacity = report["part"]["capacity"]
    head = '<tr><th class="name">figure</th><th>estimate</th><th>vendor HLS</th>'
    head += f'<th>vendor {"post-route" if vendor.get("post_route") else "post-synthesis"}</th>'
    head += f'<th>capacity ({_e(report["part"]["name"])})</th><th>estimate % of part</th></tr>'
    rows = []
    for key, label in FIGURES:
        cap = capacity.get(key)
        share = (f'{100.0 * estimate[key] / cap:.2f}%' if cap and estimate.get(key) is not None else "")
        rows.append(
            f'<tr><td class="name">{label}</td>'
            f'<td id="total-estimate-{key}">{_fmt(estimate.get(key))}</td>'
            f'<td id="total-vendor-{key}">{_fmt(vendor.get(key))}</td>'
            f'<td id="total-post-{key}">{_fmt(post.get(key))}</td>'
            f'<td>{_fmt(cap)}</td><td>{share}</td></tr>')
    return f'<h2>Totals</h2><table>{head}{"".join(rows)}</table>'


def _latency_breakdown(estimate: dict) -> str:
    layers = [row for row in estimate["per_layer"] if row["latency_cycles"]]
    total = sum(row["latency_cycles"] for row in layers) or 1
    parts = "".join(
        f'<div style="width:{100.0 * row["latency_cycles"] / total:.2f}%;'
        f'background:{PALETTE[i % len(PALETTE)]}" title="{_e(row["name"])}: {row["latency_cycles"]} cycles">'
        f'{_e(row["name"])} ({row["latency_cycles"]})</div>'
        for i, row in enumerate(layers))
    note = ('<p class="muted">Cycles each layer accounts for, including the register the '
            'schedule puts after it; the total may add tool overhead cycles.</p>')
    return f'<h2>Latency breakdown (estimate: {estimate["latency_cycles"]} cycles)</h2><div class="stack">{parts}</div>{note}'


def _layer_bars(estimate: dict) -> str:
    peaks = {key: max([row[key] for row in estimate["per_layer"]] + [1]) for key, _ in RESOURCES}
    head = ('<tr><th class="name">layer</th><th class="name">kind</th><th>cycles</th><th>II</th>'
            + "".join(f'<th class="name">{key.upper()}</th>' for key, _ in RESOURCES) + "<th>BRAM 18K</th></tr>")
    rows = []
    for row in estimate["per_layer"]:
        cells = "".join(
            f'<td class="name"><span class="bar" style="width:{8.0 * row[key] / peaks[key]:.2f}em;'
            f'background:{color}"></span> {_fmt(row[key])}</td>' for key, color in RESOURCES)
        rows.append(f'<tr><td class="name">{_e(row["name"])}</td><td class="name">{_e(row["kind"])}</td>'
                    f'<td>{row["latency_cycles"]}</td><td>{row["ii"]}</td>{cells}<td>{row["bram_18k"]}</td></tr>')
    return f'<h2>Per layer (estimate)</h2><table>{head}{"".join(rows)}</table>'


def _vendor_instances(vendor: dict) -> str:
    if not vendor.get("per_layer"):
        return ""
    rows = "".join(
        f'<tr><td class="name">{_e(i["instance"])}</td><td>{_fmt(i["latency_cycles"])}</td><td>{_fmt(i["ii"])}</td>'
        f'<td>{_fmt(i["dsp"])}</td><td>{_fmt(i["lut"])}</td><td>{_fmt(i["ff"])}</td><td>{_fmt(i["bram_18k"])}</td></tr>'
        for i in vendor["per_layer"])
    return (f'<h2>Vendor instances ({_e(vendor.get("tool"))} {_e(vendor.get("version"))})</h2>'
            '<table><tr><th class="name">instance</th><th>latency</th><th>II</th><th>DSP</th><th>LUT</th>'
            f'<th>FF</th><th>BRAM 18K</th></tr>{rows}</table>'
            f'<p class="muted">From {_e(vendor.get("source_file"))}</p>')


def _part_fit(report: dict) -> str:
    fit = report.get("fits_part")
    if not fit:
        return ""
    badge = {"pass": "pass", "fail": "fail"}.get(fit["verdict"], "none")  # a lower bound establishes nothing
    return (f'<p id="fits-part">Fits the part: <b class="{badge}">'
            f'{_e(fit["verdict"])}</b> ({_e(fit["source"])}): {_e(fit["detail"])}.</p>')


def render(report: dict) -> str:
    estimate, vendor = report.get("estimate"), report.get("vendor")
    name = report["project"]
    about = []
    if estimate:
        about.append(f'estimate for {_e(estimate["tool"])}, {_e(estimate["io_type"])}, '
                     f'{_fmt(estimate["clock_ns"])} ns clock')
    if vendor and vendor.get("tool"):
        about.append(f'vendor report: {_e(vendor["tool"])} {_e(vendor["version"])}')
    body = [f"<h1>l1forge report: {_e(name)}</h1>",
            f'<p>Part <b>{_e(report["part"]["name"])}</b> ({_e(report["part"]["family"])}); {"; ".join(about)}.</p>',
            _part_fit(report), _verdicts(report), _totals(report), netlist_html(report)]
    if estimate:
        body += [_latency_breakdown(estimate), _layer_bars(estimate)]
    if vendor:
        body.append(_vendor_instances(vendor))
    if report.get("diagnosis"):  # compile: firmware against Keras, layer by layer
        body.append(diagnosis_section(report["diagnosis"]))
    if report.get("warnings"):
        body.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{_e(w)}</li>" for w in report["warnings"]) + "</ul>")
    if report.get("notes"):
        body.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in report["notes"]) + "</ul>")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>l1forge report: {_e(name)}</title><style>{CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def write_html(report: dict, path) -> None:
    write_text_atomic(Path(path), render(report))
