"""The diagnosis as a section of report.html: firmware against Keras, layer by layer.

It reads the diagnosis as JSON (`Diagnosis.as_dict()`, stored in the report under
"diagnosis"), so a page can be rendered again from the manifest without TensorFlow. The
first divergent layer's row is marked; the cause and the configuration fix follow the
table. Uses the page's CSS classes (pass/fail badges, name cells, muted notes)."""

from __future__ import annotations

import html

from l1forge.diagnose.result import CAUSE_KINDS



def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _percent(value) -> str:
    return "&ndash;" if value is None else f"{100 * value:.1f}%"


def _lsb(value) -> str:
    return "&ndash;" if value is None else _e(f"{value:.3g}")


def _rows(diagnosis: dict) -> str:
    threshold, first = diagnosis.get("threshold", 0.99), diagnosis.get("first_divergent_layer")
    rows = []
    for layer in diagnosis["layers"]:
        agreement = layer.get("agreement")
        badge = "" if agreement is None else (' <span class="pass">ok</span>' if agreement >= threshold
                                              else ' <span class="fail">diverges</span>')
        marker = ' id="diagnosis-first-divergent"' if layer["name"] == first else ""
        rows.append(f'<tr{marker}><td class="name">{_e(layer["name"])}</td><td class="name">{_e(layer["class"])}</td>'
                    f'<td class="name">{_e(layer.get("result_type"))}</td><td>{_percent(agreement)}{badge}</td>'
                    f'<td>{_lsb(layer.get("max_lsb_error"))}</td><td>{_percent(layer.get("saturated"))}</td>'
                    f'<td>{_percent(layer.get("wrapped"))}</td><td class="name muted">{_e(layer.get("note"))}</td></tr>')
    return "".join(rows)


def _verdict(diagnosis: dict) -> str:
    parts = []
    if diagnosis.get("argmax_agreement") is not None:
        parts.append(f'<p>Argmax agreement with Keras: <b>{_percent(diagnosis["argmax_agreement"])}</b></p>')
    if diagnosis.get("first_divergent_layer") is None:
        parts.append('<p><span class="pass">PASS</span> every compared layer agrees with Keras.</p>')
        return "".join(parts)
    for index, finding in enumerate(diagnosis.get("findings") or []):
        parts.append(_finding(finding, "FIRST DIVERGENT" if index == 0 else "LATER, OWN CAUSE"))
    if diagnosis.get("combined_fix"):
        parts.append(_fix_html(diagnosis["combined_fix"], "All fixes together"))
    return "".join(parts)


def _finding(finding: dict, label: str) -> str:
    cause = finding["cause"]
    parts = [f'<p><span class="fail">{label}</span> <b>{_e(finding["layer"])}</b>: '
             f'{_e(CAUSE_KINDS.get(cause["kind"], cause["kind"]))}. {_e(cause["detail"])}</p>']
    fix = finding.get("fix")
    if not fix:
        parts.append('<p class="muted">No configuration change l1forge can name removes it.</p>')
        return "".join(parts)
    return "".join(parts) + _fix_html(fix, "Fix (hls4ml configuration)")


def _fix_html(fix: dict, title: str) -> str:
    changes = "\n".join(f"{key}: {value}" for key, value in fix["changes"].items())
    parts = [f'<p>{_e(title)}:</p><pre class="diagnosis-fix">{_e(changes)}</pre>'
             f'<p class="muted">{_e(fix.get("explanation"))}</p>']
    if fix.get("agreement_after") is not None:
        measured = f"layer agreement {_percent(fix['agreement_after'])}"
        if fix.get("argmax_agreement_after") is not None:
            measured += f", argmax agreement {_percent(fix['argmax_agreement_after'])}"
        parts.append(f"<p>Measured with the fix: {measured}.</p>")
    return "".join(parts)


def section(diagnosis: dict) -> str:
    """The HTML section (an h2, the per-layer table, the verdict, cause and fix)."""
    keras_only = diagnosis.get("keras_layers_without_firmware_layer") or []
    missing = (f'<p class="muted">Keras layers with no firmware layer: {_e(", ".join(keras_only))}</p>'
               if keras_only else "")
    return (f'<h2 id="diagnosis">Diagnosis: firmware against Keras ({_e(diagnosis["events"])} events)</h2>'
            '<table><tr><th class="name">layer</th><th class="name">class</th><th class="name">result type</th>'
            '<th>agreement</th><th>max error (LSB)</th><th>saturated</th><th>wrapped</th>'
            f'<th class="name">compared with</th></tr>{_rows(diagnosis)}</table>{missing}{_verdict(diagnosis)}')
