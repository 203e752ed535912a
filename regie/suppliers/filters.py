from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.filters import _visible
from regie.core.generic import BusinessFilterSet
from regie.core.models import Domain, Person
from regie.suppliers import selectors
from regie.suppliers.choices import AgreementKind, ObligationStatus, OwedBy
from regie.suppliers.models import Agreement, Contact, Obligation, Organisation

ROLE_CHOICES = [("supplier", _("suppliers")), ("customer", _("external customers"))]


class OrganisationFilterSet(BusinessFilterSet):
    role = django_filters.ChoiceFilter(choices=ROLE_CHOICES, method="filter_role", label=_("Kind"))
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Managing domain"))

    class Meta:
        model = Organisation
        fields = ["role", "domain"]

    def filter_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_supplier=True) if value == "supplier" else queryset.filter(is_customer=True)


class ContactFilterSet(BusinessFilterSet):
    organisation = django_filters.ModelChoiceFilter(queryset=_visible(Organisation), label=_("Organisation"))

    class Meta:
        model = Contact
        fields = ["organisation"]


class AgreementFilterSet(BusinessFilterSet):
    kind = django_filters.ChoiceFilter(choices=AgreementKind.choices, label=_("Kind"))
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))
    provider_organisation = django_filters.ModelChoiceFilter(queryset=_visible(Organisation), label=_("Supplier"))
    contract_manager = django_filters.ModelChoiceFilter(
        queryset=lambda request: Person.objects.active(), label=_("Contract manager")
    )

    class Meta:
        model = Agreement
        fields = ["kind", "domain", "provider_organisation", "contract_manager"]


FLAG_CHOICES = [(code, label) for code, label in selectors.FLAG_LABELS.items()]


class ObligationFilterSet(BusinessFilterSet):
    flag = django_filters.ChoiceFilter(choices=FLAG_CHOICES, method="filter_flag", label=_("State"))
    status = django_filters.ChoiceFilter(choices=ObligationStatus.choices, label=_("Status"))
    owed_by = django_filters.ChoiceFilter(choices=OwedBy.choices, label=_("Owed by"))
    agreement = django_filters.ModelChoiceFilter(queryset=_visible(Agreement), label=_("Agreement"))
    supplier = django_filters.ModelChoiceFilter(
        queryset=_visible(Organisation), field_name="agreement__provider_organisation", label=_("Supplier")
    )

    class Meta:
        model = Obligation
        fields = ["flag", "status", "owed_by", "agreement", "supplier"]

    def filter_flag(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return selectors.with_flags(queryset, timezone.localdate()).filter(flag=value)
