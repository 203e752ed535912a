"""The generic pages of the service catalogue: services and their offerings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI, related
from regie.services import filters, forms
from regie.services.models import Service, ServiceLink, ServiceOffering

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

LINKS = ModelUI(
    model=ServiceLink,
    form_class=forms.ServiceLinkForm,
    filterset_class=filters.ServiceLinkFilterSet,
    slug="service-links",
    columns=[
        Column("service", _("Service"), sort="service__code", link=True),
        Column("provider", _("Depends on"), sort=None),
        Column("responsible", _("Responsible"), sort=None),
        Column("agreement", _("Agreement"), sort="agreement__code"),
        Column("result", _("Result responsible for"), sort=None),
    ],
    detail_fields=forms.ServiceLinkForm.Meta.fields,
    select_related=("service", "supporting_service", "supplier", "responsible_team", "agreement"),
    default_sort="service__code",
)

ALL = [SERVICES, OFFERINGS, LINKS]


def chain_section(request: Any, record: Service) -> dict[str, Any]:
    """The service's chain on its page: a graph and the table of links with their results."""
    from regie.core import permissions
    from regie.services import selectors
    from regie.services.models import CHAIN_DEPTH

    chain = selectors.chain(request.user, record)
    columns: dict[int, int] = {}
    for node in chain.nodes.values():
        columns[node.depth] = columns.get(node.depth, 0) + 1
    return {
        "template": "services/_chain_section.html",
        # The graph needs the page's width: a chain fans out over several columns.
        "wide": True,
        "scripts": ["vendor/echarts/echarts.min.js", "services/chain.js"],
        "chain": chain,
        "graph": chain.graph(),
        "height": max(260, 90 * max(columns.values(), default=1) + 120),
        "depth": CHAIN_DEPTH,
        "can_add": permissions.may(request.user, "services.add_servicelink", scope=record.scope),
    }
