"""The generic pages of the service catalogue: services and their offerings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI, related
from regie.services import filters, forms
from regie.services.models import Service, ServiceOffering

SERVICES = ModelUI(
    model=Service,
    form_class=forms.ServiceForm,
    filterset_class=filters.ServiceFilterSet,
    slug="services",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("domain", _("Domain"), sort="domain__name"),
        Column("owner", _("Service owner"), sort="owner__family_name"),
        Column("status", _("Lifecycle status"), accessor="get_status_display"),
        Column("annual_cost", _("Annual cost")),
    ],
    detail_fields=forms.ServiceForm.Meta.fields,
    select_related=("domain", "owner"),
    default_sort="code",
    related_tabs=[related(_("Offerings"), ServiceOffering, "service")],
)
OFFERINGS = ModelUI(
    model=ServiceOffering,
    form_class=forms.ServiceOfferingForm,
    filterset_class=filters.ServiceOfferingFilterSet,
    slug="service-offerings",
    columns=[
        Column("service", _("Service"), sort="service__code"),
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("price", _("Price")),
        Column("unit", _("Per"), sort=None),
    ],
    detail_fields=forms.ServiceOfferingForm.Meta.fields,
    select_related=("service",),
    default_sort="service__code",
)

ALL = [SERVICES, OFFERINGS]
