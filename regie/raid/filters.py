from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet
from regie.core.models import Person, Scope
from regie.raid.choices import OPEN_STATUSES, Kind, Status
from regie.raid.models import RaidItem


class RaidItemFilterSet(BusinessFilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=[("open_any", _("open or in progress")), *Status.choices], method="filter_status", label=_("Status")
    )
    owner = django_filters.ModelChoiceFilter(queryset=_visible(Person), label=_("Owner"))
    within = django_filters.NumberFilter(method="filter_within", label=_("Log of (scope)"), widget=forms.HiddenInput)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = RaidItem
        fields = ["kind", "status", "owner"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open_any":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_within(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        scope = Scope.objects.filter(pk=int(value)).first()
        if scope is None:
            return queryset.none()
        return queryset.filter(scope__path__startswith=scope.path)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
