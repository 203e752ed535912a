from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from regie.configuration.choices import ItemStatus, RelationKind
from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet, parse_id
from regie.core.models import Domain, Team
from regie.services.models import Service


class ItemTypeFilterSet(BusinessFilterSet):
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))

    class Meta:
        model = ItemType
        fields = ["domain"]


class ItemFilterSet(BusinessFilterSet):
    item_type = django_filters.ModelChoiceFilter(queryset=_visible(ItemType), label=_("Type"))
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("Status"))
    owner_team = django_filters.ModelChoiceFilter(queryset=_visible(Team), label=_("Owner team"))
    # A service's code, not a list: a catalogue may hold thousands of services.
    service = django_filters.CharFilter(label=_("Supports service (code)"), method="filter_service")

    class Meta:
        model = ConfigurationItem
        fields = ["item_type", "domain", "status", "owner_team"]

    def filter_service(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        services = Service.objects.filter(code__iexact=value.strip())
        return queryset.filter(pk__in=ServiceItem.objects.active().filter(service__in=services).values("item_id"))


class RelationFilterSet(BusinessFilterSet):
    kind = django_filters.ChoiceFilter(choices=RelationKind.choices, label=_("Kind"))
    item = django_filters.CharFilter(method="filter_item", label=_("Item (id)"))

    class Meta:
        model = Relation
        fields = ["kind"]

    def filter_item(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        from django.db.models import Q

        pk = parse_id(value)
        return queryset.filter(Q(source_id=pk) | Q(target_id=pk)) if pk else queryset.none()


class ServiceItemFilterSet(BusinessFilterSet):
    service = django_filters.CharFilter(label=_("Service (code)"), method="filter_service")

    class Meta:
        model = ServiceItem
        fields = ["service"]

    def filter_service(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(service__code__iexact=value.strip())
