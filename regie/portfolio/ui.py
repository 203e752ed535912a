"""The generic pages of portfolios, programmes and projects."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI, related
from regie.portfolio import filters, forms
from regie.portfolio.models import Portfolio, Programme, Project


def _parts_project(request: Any, project: Project) -> tuple[Project, Any]:
    from regie.portfolio import services

    # The detail page fetched the project with its phase, life cycle and latest report; the named
    # people are fetched once here and kept on the object for every section.
    prefetch_related_objects([project], "pmo_officers", "steering_committee")
    return project, services.parts(request.user, project)


def _status(request: Any, project: Project) -> dict[str, Any]:
    """Status reports: the RAG history chart, the reports, and starting the next one."""
    from regie.portfolio import selectors
    from regie.portfolio.choices import ReportState

    project, parts = _parts_project(request, project)
    reports = list(project.status_reports.select_related("supersedes").order_by("-period_start", "-revision")[:12])
    draft = next((r for r in reports if r.state == ReportState.DRAFT), None)
    return {
        "template": "portfolio/_status_section.html",
        "scripts": ["vendor/echarts/echarts.min.js", "portfolio/charts.js"],
        "title": _("Status reports"),
        "project": project,
        "parts": parts,
        "reports": reports,
        "draft": draft,
        "history": selectors.rag_history(project),
        "overdue": bool(project.report_due and project.report_due < timezone.localdate()),
        "dimensions": selectors.DIMENSION_NAMES,
    }


def _life_cycle(request: Any, project: Project) -> dict[str, Any]:
    """The current phase, the review in preparation, the decisions taken, and the open conditions."""
    from regie.portfolio import services

    project, parts = _parts_project(request, project)
    return {
        "template": "portfolio/_gates_section.html",
        "project": project,
        "parts": parts,
        "review": services.open_review(project) if project.current_phase_id else None,
        "decisions": list(project.gate_decisions.select_related("phase", "decided_by")[:20]),
        "conditions": list(
            project.gate_conditions.filter(archived_at__isnull=True).select_related("owner", "decision__phase")[:50]
        ),
        "person": services.person_of(request.user),
    }


def _rollup(request: Any, programme: Programme) -> dict[str, Any]:
    from regie.portfolio import selectors

    return {"template": "portfolio/_rollup_section.html", **selectors.programme_rollup(request.user, programme)}


PORTFOLIOS = ModelUI(
    model=Portfolio,
    form_class=forms.PortfolioForm,
    filterset_class=filters.PortfolioFilterSet,
    slug="portfolios",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("domain", _("Domain"), sort="domain__name"),
        Column("owner", _("Portfolio owner"), sort="owner__family_name"),
    ],
    detail_fields=forms.PortfolioForm.Meta.fields,
    select_related=("domain", "owner"),
    default_sort="name",
    related_tabs=[
        related(_("Programmes"), Programme, "portfolio", limit=200),
        related(_("Projects"), Project, "portfolio", limit=200),
    ],
)
PROGRAMMES = ModelUI(
    model=Programme,
    form_class=forms.ProgrammeForm,
    filterset_class=filters.ProgrammeFilterSet,
    slug="programmes",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("portfolio", _("Portfolio"), sort="portfolio__name"),
        Column("manager", _("Programme manager"), sort="manager__family_name"),
    ],
    detail_fields=forms.ProgrammeForm.Meta.fields,
    select_related=("portfolio", "manager"),
    default_sort="name",
    related_tabs=[_rollup],
)
PROJECTS = ModelUI(
    model=Project,
    form_class=forms.ProjectForm,
    filterset_class=filters.ProjectFilterSet,
    slug="projects",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("portfolio", _("Portfolio"), sort="portfolio__name"),
        Column("programme", _("Programme"), sort="programme__name"),
        Column("project_manager", _("Project manager"), sort="project_manager__family_name"),
        Column("current_phase", _("Phase"), sort="current_phase__order"),
        Column("health", _("Health"), accessor="get_health_display", sort="health"),
        Column("planned_end", _("Planned end")),
    ],
    detail_fields=forms.ProjectForm.Meta.fields,
    select_related=("portfolio", "programme", "project_manager", "current_phase", "lifecycle", "latest_report"),
    default_sort="code",
    related_tabs=[_status, _life_cycle],
)

ALL = [PORTFOLIOS, PROGRAMMES, PROJECTS]
