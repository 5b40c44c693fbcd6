"""The scan's figures: pareto.png (objective against LUT, DSP in colour, the front drawn,
points labelled by their overrides) and scan.html (one self-contained page: the plot, a
table sortable by any column, the front highlighted, a filter to the budget)."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from l1forge.atomic import atomic_file
from l1forge.scan.grid import describe, short_label

COLUMNS = ("overrides", "objective", "lut", "dsp", "ff", "latency_cycles", "latency_ns", "ii",
           "seconds", "pareto", "fits_budget", "status")


def _done(content: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in content["points"] if p.get("status") == "done"]


def write_plot(content: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    objective = content["objective"] or "objective"
    done = _done(content)
    signals = sorted({name for p in done for name in (p.get("auc_firmware") or {})})
    fig, axes = plt.subplots(1, 2 if signals else 1, figsize=(15 if signals else 8.5, 5.5), squeeze=False)
    ax = axes[0][0]
    if signals:
        _per_signal(axes[0][1], done, signals)
    if done:
        lut = [p["estimate"]["lut"] for p in done]
        value = [p[objective] for p in done]
        dsp = [p["estimate"]["dsp"] for p in done]
        drawn = ax.scatter(lut, value, c=dsp, cmap="viridis", s=36, zorder=3)
        fig.colorbar(drawn, ax=ax, label="DSP (estimate)")
        envelope = _best_below(done, objective)
        ax.step([p["estimate"]["lut"] for p in envelope], [p[objective] for p in envelope],
                where="post", color="tab:red", lw=1.0, zorder=2, label="best at or below a LUT count")
        front = [p for p in done if p["pareto"]]
        ax.scatter([p["estimate"]["lut"] for p in front], [p[objective] for p in front],
                   facecolors="none", edgecolors="tab:red", s=90, zorder=4,
                   label="Pareto front (objective, LUT, DSP, latency)")
        for point in front:  # only the front is labelled: the rest is in scan.html's table
            ax.annotate(short_label(point["overrides"]), (point["estimate"]["lut"], point[objective]),
                        fontsize=6, xytext=(4, -8), textcoords="offset points")
        ax.set_xscale("log")
        ax.legend(loc="lower right", fontsize=8)
    failed = len(content["points"]) - len(done)
    ax.set_xlabel("LUT (estimate)")
    ax.set_ylabel(f"{objective} (bit-exact firmware emulation)")
    ax.set_title(f"{content['card']} on {content['part']}: {len(done)} designs"
                 + (f", {failed} failed" if failed else ""), fontsize=10)
    ax.grid(alpha=0.3)
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)


def _best_below(done: list[dict[str, Any]], objective: str) -> list[dict[str, Any]]:
    """The points that beat every cheaper point (in LUT): the 2-D front drawn as a staircase."""
    best, out = None, []
    for point in sorted(done, key=lambda p: (p["estimate"]["lut"], -p[objective])):
        if best is None or point[objective] > best:
            best = point[objective]
            out.append(point)
    return out


def _per_signal(ax, done: list[dict[str, Any]], signals: list[str]) -> None:
    """Each signal's firmware AUC against LUT (anomaly detection)."""
    order = sorted(done, key=lambda p: p["estimate"]["lut"])
    for name in signals:
        ax.plot([p["estimate"]["lut"] for p in order], [p["auc_firmware"].get(name) for p in order],
                "o-", ms=4, lw=0.8, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("LUT (estimate)")
    ax.set_ylabel("firmware AUC per signal")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def _cell(point: dict[str, Any], column: str, objective: str | None) -> tuple[str, str]:
    """(text shown, value sorted by) of one table cell."""
    estimate = point.get("estimate") or {}
    if column == "overrides":
        text = describe(point["overrides"])
        return text, text
    if column == "objective":
        value = point.get(objective) if objective else None
        return ("" if value is None else f"{value:.4f}"), ("" if value is None else repr(value))
    if column in estimate:
        return f"{estimate[column]:,}" if isinstance(estimate[column], int) else f"{estimate[column]:g}", repr(estimate[column])
    value = point.get(column)
    if column == "status" and value == "failed":
        return f"failed: {point.get('error', '')}", "failed"
    return ("" if value is None else str(value)), ("" if value is None else str(value))


def write_html(content: dict[str, Any], path: Path, plot: Path) -> None:
    objective = content["objective"]
    image = base64.b64encode(plot.read_bytes()).decode() if plot.is_file() else ""
    head = "".join(f"<th onclick='sortBy({i})'>{html.escape(c if c != 'objective' else str(objective))}</th>"
                   for i, c in enumerate(COLUMNS))
    rows = []
    for point in content["points"]:
        cells = [_cell(point, c, objective) for c in COLUMNS]
        classes = " ".join(k for k, on in (("front", point.get("pareto")),
                                           ("fits", point.get("fits_budget")),
                                           ("failed", point.get("status") == "failed")) if on)
        rows.append(f"<tr class='{classes}'>" + "".join(
            f"<td data-v='{html.escape(v, quote=True)}'>{html.escape(t)}</td>" for t, v in cells) + "</tr>")
    budget = html.escape(content.get("budget") or "none given (--budget)")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>l1forge scan: {html.escape(content['card'])}</title>
<style>body{{font:14px sans-serif;margin:1.5em}}table{{border-collapse:collapse}}td,th{{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}}
td:first-child,th:first-child{{text-align:left}}th{{cursor:pointer;background:#f3f3f3}}tr.front td{{background:#fde9e7;font-weight:bold}}tr.failed td{{color:#999}}</style></head><body>
<h1>Scan of {html.escape(content['card'])}</h1>
<p>Objective <b>{html.escape(str(objective))}</b> from the bit-exact emulator over the whole test split; resources and
latency from the l1forge estimate for {html.escape(content['part'])}. Highlighted rows are the Pareto front
(objective higher; LUT, DSP, latency lower). Budget: {budget}.</p>
<p><label><input type="checkbox" id="fits" onchange="filterBudget()"> only designs within the budget</label></p>
<img alt="objective against LUT" src="data:image/png;base64,{image}" style="max-width:100%">
<table id="points"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>
<script>
let order = {{}};
function sortBy(col) {{
  const body = document.querySelector('#points tbody');
  const rows = Array.from(body.rows);
  order[col] = !order[col];
  rows.sort((a, b) => {{
    const x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
    const nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return order[col] ? c : -c;
  }});
  rows.forEach(r => body.appendChild(r));
}}
function filterBudget() {{
  const only = document.getElementById('fits').checked;
  document.querySelectorAll('#points tbody tr').forEach(r => {{
    r.style.display = (only && !r.classList.contains('fits')) ? 'none' : '';
  }});
}}
</script>
<script type="application/json" id="scan-data">{html.escape(json.dumps({'objective': objective, 'points': len(content['points'])}))}</script>
</body></html>
"""
    with atomic_file(path) as tmp:
        tmp.write_text(page)
