from __future__ import annotations

from typing import Any

from django import forms

from regie.core.generic import ScopedModelForm
from regie.core.models import OrgUnit, Team
from regie.services.models import Service, ServiceLink, ServiceOffering


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
            "customer_organisations",
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


class ServiceLinkForm(ScopedModelForm):
    class Meta:
        model = ServiceLink
        fields = ["service", "supporting_service", "supplier", "responsible_team", "agreement", "result"]
        widgets = {"result": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The team answering for a link is chosen from the whole organisation, as people are: a chain
        # crosses units, and the SMO that draws it holds no role on every unit.
        self.fields["responsible_team"].queryset = Team.objects.active().order_by("name")  # type: ignore[attr-defined]
        # Only internal agreements and underpinning contracts hold a link; customer agreements do not.
        agreements: Any = self.fields["agreement"]
        agreements.queryset = agreements.queryset.filter(kind__in=["ola", "uc"])
