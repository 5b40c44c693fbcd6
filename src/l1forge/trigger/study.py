"""`l1forge trigger` on a built project: rates for anomaly detection, working points for jet-ID.

Every option is checked before any work, so bad input writes nothing. The study is the one
the project's task declares (Task.trigger_study). Anomaly-detection projects go through `ad_project.rate_tables` (which scores the events, writes the
manifest's `per_signal` and the plots); a bootstrap then adds the threshold's spread to its
tables from the same cached scores. Jet-ID projects go through `jet_project.study`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from l1forge import manifest
from l1forge.errors import UserError
from l1forge.trigger import bootstrap as boot
from l1forge.trigger.rate_tables import add_bootstrap
from l1forge.trigger.rates import check_rate
from l1forge.trigger.working_points import check_background_efficiency


def run(project_dir: str | Path, rates_hz: list[float] | None = None,
        background_efficiencies: list[float] | None = None, classes: list[str] | None = None,
        replicas: int | None = None, seed: int = 0, log: Callable[[str], None] = print) -> dict[str, Any]:
    """{"kind": "anomaly_detection", "card", "tables"} or {"kind": "jet_id", "card", "studies", ...}."""
    from l1forge.trigger import ad_project

    project_dir = Path(project_dir)
    content = manifest.read_manifest(project_dir)
    bootstrap = None if replicas is None else boot.Bootstrap(boot.check_replicas(replicas), seed)
    for rate in rates_hz or []:
        check_rate(rate)
    for efficiency in background_efficiencies or []:
        check_background_efficiency(efficiency)
    if _study_kind(content, project_dir) == "rates":
        if background_efficiencies or classes:
            raise UserError(f"{project_dir}: an anomaly-detection project; --background-efficiency "
                            "and --class are for jet-ID projects, use --rate-hz")
        card, tables = ad_project.rate_tables(project_dir, rates_hz, log)
        if bootstrap is not None:
            scores = ad_project.project_scores(project_dir, log)  # cached by rate_tables
            log(f"bootstrap: {bootstrap.replicas} replicas of {tables[0]['background_events']} background events")
            tables = add_bootstrap(tables, scores.processes, scores.by_label(), bootstrap)
        return {"kind": "anomaly_detection", "card": card, "tables": tables}
    if rates_hz:
        raise UserError(f"{project_dir}: a '{content.get('task')}' project; --rate-hz is for "
                        "anomaly-detection projects, jet-ID working points take --background-efficiency")
    from l1forge.trigger import jet_project

    return {"kind": "jet_id", **jet_project.study(project_dir, background_efficiencies, classes, bootstrap, log)}


def _study_kind(content: dict[str, Any], project_dir: Path) -> str:
    """The study of the project's model family, as its task declares it ("rates" for
    anomaly detection, "working_points" for jet tagging)."""
    from l1forge.tasks import TASKS

    task = TASKS.get(content.get("task") or "")
    if task is None or task.trigger_study is None:
        families = ", ".join(name for name, t in TASKS.items() if t.trigger_study)
        raise UserError(f"{project_dir}: a project of task '{content.get('task')}' has no trigger study; "
                        f"expected a project built from a card of task {families}")
    return task.trigger_study
