"""The generic pages of portfolios, programmes and projects."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI
from regie.portfolio import filters, forms
from regie.portfolio.models import Portfolio, Programme, Project


def _projects_of_portfolio(request: Any, portfolio: Portfolio) -> dict[str, Any]:
    projects = Project.objects.active().visible_to(request.user).filter(portfolio=portfolio)
    return {"title": _("Projects"), "objects": list(projects[:200])}


def _programmes_of_portfolio(request: Any, portfolio: Portfolio) -> dict[str, Any]:
    programmes = Programme.objects.active().visible_to(request.user).filter(portfolio=portfolio)
    return {"title": _("Programmes"), "objects": list(programmes[:200])}


def _projects_of_programme(request: Any, programme: Programme) -> dict[str, Any]:
    projects = Project.objects.active().visible_to(request.user).filter(programme=programme)
    return {"title": _("Projects"), "objects": list(projects[:200])}


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
    related_tabs=[_programmes_of_portfolio, _projects_of_portfolio],
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
    related_tabs=[_projects_of_programme],
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
    select_related=("portfolio", "programme", "project_manager"),
    default_sort="code",
)

ALL = [PORTFOLIOS, PROGRAMMES, PROJECTS]
