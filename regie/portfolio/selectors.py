"""Reads for the portfolio overview, the project and programme pages, and the exports.

The overview reads every project's latest submitted report through ``Project.latest_report`` and the
report before it through ``StatusReport.previous``: both are kept up to date when a report is
submitted, so a page of projects with their RAG per dimension and its trend is one query, whatever the
number of projects or reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from regie.portfolio.choices import DIMENSIONS, ActionStatus, Rag, ReportState
from regie.portfolio.models import GateCondition, Project, StatusReport

RANK = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}
#: The columns the overview may be sorted by (request value → ORDER BY expression).
SORTS = {
    "code": "code",
    "name": "name",
    "phase": "current_phase__order",
    "overall": "latest_report__overall",
    "health": "health",
    "due": "report_due",
    "end": "planned_end",
    "manager": "project_manager__family_name",
}
DIMENSION_NAMES = ["overall"] + [name for name, _label in DIMENSIONS]


@dataclass
class OverviewFilters:
    """What the overview is narrowed to; every field is optional."""

    q: str = ""
    domain: int | None = None
    portfolio: int | None = None
    programme: int | None = None
    phase: str = ""
    rag: str = ""
    dimension: str = "overall"
    manager: int | None = None
    overdue: bool = False
    archived: bool = False
    sort: str = "code"
    extra: dict[str, Any] = field(default_factory=dict)


def visible_projects(user: Any, *, archived: bool = False) -> QuerySet:
    """The projects the user may see (active ones unless ``archived``)."""
    projects = Project.objects.visible_to(user)
    return projects if archived else projects.filter(archived_at__isnull=True)


def with_parts(projects: QuerySet) -> QuerySet:
    """Projects with what ``services.parts`` and the project pages read, fetched once."""
    return projects.select_related("current_phase", "latest_report", "lifecycle").prefetch_related(
        "pmo_officers", "steering_committee"
    )


def project_for(user: Any, pk: int) -> Project | None:
    """One project the user may see, with its parts fetched; None when there is none."""
    return with_parts(Project.objects.visible_to(user)).filter(pk=pk).first()


def overview(user: Any, filters: OverviewFilters) -> QuerySet:
    """The filtered, sorted projects of the overview, each with its latest report and the one before."""
    projects = visible_projects(user, archived=filters.archived)
    for term in filters.q.split()[:5]:
        projects = projects.filter(Q(code__icontains=term) | Q(name__icontains=term))
    if filters.domain:
        projects = projects.filter(portfolio__domain_id=filters.domain)
    if filters.portfolio:
        projects = projects.filter(portfolio_id=filters.portfolio)
    if filters.programme:
        projects = projects.filter(programme_id=filters.programme)
    if filters.phase:
        projects = projects.filter(current_phase__name=filters.phase)
    if filters.rag:
        dimension = filters.dimension if filters.dimension in DIMENSION_NAMES else "overall"
        if filters.rag == "none":
            projects = projects.filter(latest_report__isnull=True)
        else:
            projects = projects.filter(**{f"latest_report__{dimension}": filters.rag})
    if filters.manager:
        projects = projects.filter(project_manager_id=filters.manager)
    if filters.overdue:
        projects = projects.filter(report_due__lt=timezone.localdate())
    sort = filters.sort if filters.sort.lstrip("-") in SORTS else "code"
    order = ("-" if sort.startswith("-") else "") + SORTS[sort.lstrip("-")]
    return projects.select_related(*OVERVIEW_RELATED).order_by(order, "pk")


#: What a row of the overview shows, besides the project itself.
OVERVIEW_RELATED = (
    "portfolio",
    "programme",
    "current_phase",
    "project_manager",
    "sponsor",
    "latest_report",
    "latest_report__previous",
)


def load(ids: list[int]) -> list[Project]:
    """The projects with these ids, in this order, with what an overview row shows. A page is cut from
    the sorted ids first, so the database sorts narrow rows and reads the wide ones only for the page."""
    found = Project.objects.select_related(*OVERVIEW_RELATED).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def for_export(projects: QuerySet) -> QuerySet:
    """The overview's projects with what the deck and the workbook read: open gate conditions too."""
    return projects.prefetch_related(
        Prefetch(
            "gate_conditions",
            queryset=GateCondition.objects.filter(status=ActionStatus.OPEN, archived_at__isnull=True).select_related("owner"),
            to_attr="open_conditions",
        )
    )


def counts(projects: QuerySet) -> dict[str, list[dict[str, Any]]]:
    """Counts per phase (in life-cycle order, phases of the same name together) and per health, of the
    filtered projects: two grouped queries."""
    base = projects.order_by()
    by_phase = sorted(
        (
            {"name": row["current_phase__name"] or "", "count": row["n"], "order": row["o"]}
            for row in base.values("current_phase__name").annotate(n=Count("pk"), o=Min("current_phase__order"))
        ),
        key=lambda p: (p["order"] is None, p["order"] or 0, p["name"]),
    )
    health = {
        row["latest_report__overall"] or "none": row["n"] for row in base.values("latest_report__overall").annotate(n=Count("pk"))
    }
    by_health = [{"rag": rag, "count": health.get(rag, 0)} for rag in (Rag.GREEN, Rag.AMBER, Rag.RED, "none")]
    return {"phases": by_phase, "health": by_health}


def trend(latest: StatusReport | None, name: str) -> str:
    """ "better", "worse", "same" or "" (no earlier report) for one dimension."""
    if latest is None or latest.previous is None:
        return ""
    now, before = RANK.get(getattr(latest, name)), RANK.get(getattr(latest.previous, name))
    if now is None or before is None:
        return ""
    return "better" if now < before else "worse" if now > before else "same"


def row(project: Project, today: date | None = None) -> dict[str, Any]:
    """One project as the overview shows it (and the API returns it)."""
    latest = project.latest_report
    today = today or timezone.localdate()
    return {
        "id": project.pk,
        "code": project.code,
        "name": project.name,
        "portfolio": project.portfolio.name,
        "programme": project.programme.name if project.programme_id and project.programme else "",
        "phase": project.current_phase.name if project.current_phase else "",
        "project_manager": str(project.project_manager) if project.project_manager else "",
        "health": project.health,
        "report_due": project.report_due,
        "overdue": bool(project.report_due and project.report_due < today),
        "latest_report_id": latest.pk if latest else None,
        "period_end": latest.period_end if latest else None,
        "ratings": [
            {"dimension": name, "rag": getattr(latest, name) if latest else "", "trend": trend(latest, name)}
            for name in DIMENSION_NAMES
        ],
    }


def rag_history(project: Project, limit: int = 26) -> list[dict[str, Any]]:
    """The project's submitted reports, oldest first (the last ``limit``), for its RAG history chart."""
    reports = list(
        project.status_reports.filter(state=ReportState.SUBMITTED)
        .order_by("-period_start")
        .values("pk", "period_start", "period_end", *DIMENSION_NAMES)[:limit]
    )
    reports.reverse()
    return [
        {"id": r["pk"], "period": f"{r['period_end']:%Y-%m-%d}", **{name: r[name] for name in DIMENSION_NAMES}} for r in reports
    ]


def programme_rollup(user: Any, programme: Any) -> dict[str, Any]:
    """A programme's projects with their latest status, and what they add up to."""
    projects = list(overview(user, OverviewFilters(programme=programme.pk, sort="code"))[:500])
    worst = max((RANK[p.latest_report.overall] for p in projects if p.latest_report), default=None)
    return {
        "rows": [row(p) for p in projects],
        "count": len(projects),
        "expected_costs": sum((p.expected_costs for p in projects), start=0),
        "worst": [Rag.GREEN, Rag.AMBER, Rag.RED][worst] if worst is not None else "",
        "overdue": sum(1 for p in projects if p.report_due and p.report_due < timezone.localdate()),
    }
