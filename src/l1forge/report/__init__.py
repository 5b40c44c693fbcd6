"""Latency and resource reports: pre-synthesis estimates, vendor report parsing, HTML.

`make_report(project_dir, part=None) -> dict` builds the report of a project folder;
`write_html(report, path)` writes it as one self-contained page.
"""

from __future__ import annotations


def make_report(project_dir, part=None, graph=None, target=None, multiplier_impl=None) -> dict:
    from l1forge.report.build import make_report as _make_report

    return _make_report(project_dir, part=part, graph=graph, target=target, multiplier_impl=multiplier_impl)


def write_html(report: dict, path) -> None:
    from l1forge.report.html_page import write_html as _write_html

    _write_html(report, path)
