from __future__ import annotations

from typing import Any

from django import forms

from regie.core.generic import ScopedModelForm
from regie.core.models import OrgUnit
from regie.services.models import Service, ServiceOffering


class ServiceForm(ScopedModelForm):
    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "domain",
            "owner",
            "manager",
            "status",
            "facility",
            "support",
            "customers",
            "annual_cost",
            "currency",
        ]
        widgets = {"facility": forms.Textarea(attrs={"rows": 4}), "support": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Customers are chosen from the whole organisation's units, as people are: the names are shared.
        self.fields["customers"].queryset = OrgUnit.objects.active().order_by("name")  # type: ignore[attr-defined]


class ServiceOfferingForm(ScopedModelForm):
    class Meta:
        model = ServiceOffering
        fields = ["service", "code", "name", "description", "price", "unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
