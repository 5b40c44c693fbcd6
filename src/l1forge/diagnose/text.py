"""The diagnosis as plain text: one line per layer, then the verdict, cause and fix."""

from __future__ import annotations

from l1forge.diagnose.result import AGREEMENT_THRESHOLD, CAUSE_KINDS, Diagnosis


def _percent(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def _lsb(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def render(diagnosis: Diagnosis) -> str:
    header = f"{'layer':<22} {'class':<14} {'agree':>7} {'max LSB':>9} {'sat':>6} {'wrap':>6}  compared with"
    lines = [f"Diagnosis: firmware against Keras on {diagnosis.events} events "
             f"(a layer diverges below {AGREEMENT_THRESHOLD:.0%} agreement)", header]
    for row in diagnosis.layers:
        lines.append(f"{row.name:<22} {row.layer_class:<14} {_percent(row.agreement):>7} {_lsb(row.max_lsb_error):>9} "
                     f"{_percent(row.saturated):>6} {_percent(row.wrapped):>6}  {row.note or row.keras_layer or ''}")
    if diagnosis.keras_only:
        lines.append("Keras layers with no firmware layer: " + ", ".join(diagnosis.keras_only))
    if diagnosis.argmax_agreement is not None:
        lines.append(f"argmax agreement with Keras: {diagnosis.argmax_agreement:.1%}")
    if diagnosis.first_divergent_layer is None:
        lines.append("first divergent layer: none; every compared layer agrees with Keras")
        return "\n".join(lines) + "\n"
    for index, finding in enumerate(diagnosis.findings):
        lines.append(f"{'first divergent layer' if index == 0 else 'later divergent layer with its own cause'}: "
                     f"{finding.layer}")
        lines.append(f"cause: {CAUSE_KINDS[finding.cause.kind]}: {finding.cause.detail}")
        lines += _fix(finding.fix)
    if diagnosis.combined_fix is not None:
        lines.append("all fixes together:")
        lines += _fix(diagnosis.combined_fix)[1:]
    return "\n".join(lines) + "\n"


def _fix(fix) -> list[str]:
    lines = []
    if fix is None:
        return lines + ["fix: none l1forge can name in the hls4ml configuration"]
    lines.append("fix:")
    lines += [f"  {key}: {value}" for key, value in fix.changes]
    lines.append(f"  ({fix.explanation})")
    if fix.agreement_after is not None:
        after = f"  measured with the fix: layer agreement {fix.agreement_after:.1%}"
        if fix.argmax_agreement_after is not None:
            after += f", argmax agreement {fix.argmax_agreement_after:.1%}"
        lines.append(after)
    return lines
