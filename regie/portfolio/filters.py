from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet
from regie.core.models import Domain, Person
from regie.portfolio.choices import Health
from regie.portfolio.models import Portfolio, Programme, Project


class PortfolioFilterSet(BusinessFilterSet):
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))

    class Meta:
        model = Portfolio
        fields = ["domain"]


class ProgrammeFilterSet(BusinessFilterSet):
    portfolio = django_filters.ModelChoiceFilter(queryset=_visible(Portfolio), label=_("Portfolio"))

    class Meta:
        model = Programme
        fields = ["portfolio"]


class ProjectFilterSet(BusinessFilterSet):
    portfolio = django_filters.ModelChoiceFilter(queryset=_visible(Portfolio), label=_("Portfolio"))
    programme = django_filters.ModelChoiceFilter(queryset=_visible(Programme), label=_("Programme"))
    health = django_filters.ChoiceFilter(choices=Health.choices, label=_("Health"))
    project_manager = django_filters.ModelChoiceFilter(queryset=_visible(Person), label=_("Project manager"))

    class Meta:
        model = Project
        fields = ["portfolio", "programme", "health", "project_manager"]
