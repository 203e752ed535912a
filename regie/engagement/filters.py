from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet
from regie.core.models import Person, Scope
from regie.engagement.choices import DocumentKind, DocumentStatus
from regie.engagement.models import Document
from regie.portfolio.models import Project


def scope_label(scope: Scope) -> str:
    """A scope as the register names it: its kind and its name."""
    from regie.engagement.ui import SCOPE_KIND_LABELS

    return f"{SCOPE_KIND_LABELS.get(scope.kind, scope.kind)} · {scope.name}"


class ScopeChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return scope_label(obj)


class ScopeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ScopeChoiceField


def _registers(request: Any) -> QuerySet:
    """The scopes that hold documents the user may see: the registers they can open."""
    if request is None:
        return Scope.objects.none()
    holding = Document.objects.visible_to(request.user).values("scope_id")
    return Scope.objects.filter(pk__in=holding).order_by("path")


class DocumentFilterSet(BusinessFilterSet):
    scope = ScopeChoiceFilter(queryset=_registers, method="within", label=_("Register (scope and below)"))
    project = django_filters.ModelChoiceFilter(queryset=_visible(Project), label=_("Project"))
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices, label=_("Status"))
    author = django_filters.ModelChoiceFilter(queryset=_visible(Person), label=_("Author"))

    class Meta:
        model = Document
        fields = ["scope", "project", "kind", "status", "author"]

    def within(self, queryset: QuerySet, name: str, value: Scope) -> QuerySet:
        return queryset.filter(scope__path__startswith=value.path)
