"""The generic pages of portfolios, programmes and projects."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI, related
from regie.portfolio import filters, forms
from regie.portfolio.models import Portfolio, Programme, Project


def _life_cycle(request: Any, project: Project) -> dict[str, Any]:
    from django.urls import reverse

    from regie.portfolio import services

    lines = []
    if project.current_phase is not None:
        lines.append(_("Current phase: %(phase)s (%(model)s)") % {"phase": project.current_phase, "model": project.lifecycle})
    for decision in project.gate_decisions.select_related("phase", "decided_by")[:20]:
        lines.append(
            f"{decision.decided_at:%Y-%m-%d} · {decision.phase} · {decision.get_outcome_display()} · "
            f"{decision.decided_by}: {decision.rationale}"
        )
    action = None
    if project.current_phase is not None and not project.is_archived and services.may_decide(request.user, project):
        action = {"url": reverse("portfolio:gate_decision", args=[project.pk]), "label": _("Record a gate decision")}
    return {"title": _("Life cycle and gates"), "lines": lines, "action": action, "empty": _("No life-cycle model chosen.")}


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
    detail_fields=["code", "name", "domain", "owner", "description"],
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
    detail_fields=["code", "name", "portfolio", "manager", "goal"],
    select_related=("portfolio", "manager"),
    default_sort="name",
    related_tabs=[related(_("Projects"), Project, "programme", limit=200)],
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
    detail_fields=[
        "code",
        "name",
        "goal",
        "portfolio",
        "programme",
        "sponsor",
        "project_manager",
        "pmo_officers",
        "steering_committee",
        "planned_start",
        "planned_end",
        "health",
        "reporting_frequency",
        "expected_costs",
        "currency",
        "expected_benefits",
        "strategic_contribution",
    ],
    select_related=("portfolio", "programme", "project_manager", "current_phase", "lifecycle"),
    default_sort="code",
    related_tabs=[_life_cycle],
)

ALL = [PORTFOLIOS, PROGRAMMES, PROJECTS]
