"""The generic pages of the service desk's reference data: freeze windows."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from regie.cases.models import FreezeWindow
from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet, Column, ModelUI, ScopedModelForm
from regie.core.models import Domain


class FreezeWindowForm(ScopedModelForm):
    class Meta:
        model = FreezeWindow
        fields = ["name", "domain", "start", "end", "reason"]
        widgets = {
            "start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }


class FreezeWindowFilterSet(BusinessFilterSet):
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))

    class Meta:
        model = FreezeWindow
        fields = ["domain"]


FREEZES = ModelUI(
    model=FreezeWindow,
    form_class=FreezeWindowForm,
    filterset_class=FreezeWindowFilterSet,
    slug="freeze-windows",
    columns=[
        Column("name", _("Name"), link=True),
        Column("domain", _("Domain"), sort="domain__name"),
        Column("start", _("From")),
        Column("end", _("Until")),
    ],
    detail_fields=FreezeWindowForm.Meta.fields,
    select_related=("domain",),
    default_sort="-start",
)
