from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet
from regie.core.models import Domain, Person
from regie.services.models import Service, ServiceLink, ServiceOffering, ServiceStatus


class ServiceFilterSet(BusinessFilterSet):
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))
    status = django_filters.ChoiceFilter(choices=ServiceStatus.choices, label=_("Lifecycle status"))
    owner = django_filters.ModelChoiceFilter(queryset=_visible(Person), label=_("Service owner"))

    class Meta:
        model = Service
        fields = ["domain", "status", "owner"]


class ServiceOfferingFilterSet(BusinessFilterSet):
    service = django_filters.ModelChoiceFilter(queryset=_visible(Service), label=_("Service"))

    class Meta:
        model = ServiceOffering
        fields = ["service"]


class ServiceLinkFilterSet(BusinessFilterSet):
    service = django_filters.ModelChoiceFilter(queryset=_visible(Service), label=_("Service"))
    supporting_service = django_filters.ModelChoiceFilter(queryset=_visible(Service), label=_("Supporting service"))

    class Meta:
        model = ServiceLink
        fields = ["service", "supporting_service"]
