"""Open-synthesis netlist figures beside the estimate: the `rtl.netlist` section `l1forge rtl`
writes into the manifest (yosys synth_xilinx on da4ml's Verilog, see l1forge.rtl.synth).

The RTL may stop before a trailing layer it leaves out (a softmax): the estimate is then
compared over the same layers, its per-layer figures of the left-out layers taken off, and
the row says so. The error is (estimate - netlist) / netlist.
"""

from __future__ import annotations

from pathlib import Path

from l1forge.project import Project

FIGURES = ("lut", "ff", "dsp", "bram")


def netlist_section(folder: Path) -> dict | None:
    """The yosys figures of the project's RTL, or None when `l1forge rtl` has not run."""
    project = Project(Path(folder))
    if not project.manifest_path.is_file():
        return None
    try:
        rtl = project.manifest(strict=False).get("rtl") or {}
    except Exception:  # a broken manifest is reported by the manifest's own readers
        return None
    netlist = rtl.get("netlist")
    if not netlist:
        return None
    return {**netlist, "outputs_of": rtl.get("outputs_of"), "left_out": rtl.get("left_out") or [],
            "mismatches": rtl.get("mismatches"), "events": rtl.get("events"),
            "da4ml_cost": rtl.get("da4ml_cost")}


def _estimate_over(estimate: dict, left_out: list[str], key: str) -> float | None:
    total = estimate.get(key if key != "bram" else "bram_18k")
    if total is None:
        return None
    dropped = sum(float(layer.get(key if key != "bram" else "bram_18k") or 0)
                  for layer in estimate.get("per_layer") or [] if layer.get("name") in left_out)
    value = float(total) - dropped
    return value / 2 if key == "bram" else value  # the estimate counts 18k halves, yosys 36k blocks


def netlist_comparison(estimate: dict | None, netlist: dict | None) -> list[dict]:
    """One row per figure: estimate (over the RTL's layers), yosys netlist, relative error."""
    if not estimate or not netlist:
        return []
    rows = []
    for key in FIGURES:
        ours = _estimate_over(estimate, netlist.get("left_out") or [], key)
        theirs = netlist.get(key)
        error = (ours - theirs) / theirs if ours is not None and theirs else None
        rows.append({"figure": key, "estimate": ours, "netlist": theirs,
                     "error": round(error, 4) if error is not None else None})
    return rows


def netlist_label(netlist: dict) -> str:
    scope = f"outputs of {netlist.get('outputs_of')}"
    if netlist.get("left_out"):
        scope += f", without {', '.join(netlist['left_out'])}"
    label = f"{netlist.get('yosys_version', 'yosys')} synth_xilinx -family {netlist.get('family')} ({scope})"
    if netlist.get("method") == "by part":  # l1forge.rtl.parts: separately synthesized parts, summed
        label += f"; {netlist.get('label', 'yosys, by part')}, not one flattened run"
    return label


def netlist_html(report: dict) -> str:
    """The HTML block of the yosys figures beside the estimate ('' without them)."""
    from html import escape

    netlist, rows = report.get("netlist"), report.get("netlist_comparison") or []
    if not netlist:
        return ""

    def cell(value, fmt="{:,.0f}"):
        return "-" if value is None else fmt.format(value)

    body = "".join(f'<tr><td class="name">{escape(r["figure"].upper())}</td><td>{cell(r["estimate"])}</td>'
                   f'<td id="total-netlist-{r["figure"]}">{cell(r["netlist"], "{:,.1f}" if r["figure"] == "bram" else "{:,.0f}")}</td>'
                   f'<td>{cell(r["error"], "{:+.1%}")}</td></tr>' for r in rows)
    sizes = ", ".join(f"{k} {v:,}" for k, v in (netlist.get("lut_by_size") or {}).items() if v)
    return (f'<h2>Netlist (open synthesis)</h2><p class="muted">{escape(netlist_label(netlist))}; '
            f'LUT by size: {escape(sizes)}; CARRY {netlist.get("carry")}, SRL {netlist.get("srl")}; RTL simulated '
            f'against the emulator: {netlist.get("mismatches")} mismatches over {netlist.get("events")} events</p>'
            f'<table><tr><th class="name">figure</th><th>estimate</th><th>yosys netlist</th>'
            f'<th>estimate error</th></tr>{body}</table>')


def netlist_table(report: dict):
    """The rich table of the yosys figures beside the estimate (None without them)."""
    from rich.table import Table

    netlist = report.get("netlist")
    if not netlist:
        return None
    table = Table(title=f"netlist: {netlist_label(netlist)}")
    for column in ("figure", "estimate", "yosys netlist", "estimate error"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for row in report.get("netlist_comparison") or []:
        table.add_row(row["figure"], "-" if row["estimate"] is None else f"{row['estimate']:,.0f}",
                      "-" if row["netlist"] is None else f"{row['netlist']:,}",
                      "-" if row["error"] is None else f"{row['error']:+.1%}")
    return table
