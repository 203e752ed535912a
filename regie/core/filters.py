from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from regie.core.generic import BusinessFilterSet
from regie.core.models import Domain, JobProfile, OrgUnit, Person, Team


def _visible(model):  # type: ignore[no-untyped-def]
    def queryset(request):  # type: ignore[no-untyped-def]
        if request is None:
            return model.objects.none()
        return model.objects.active().visible_to(request.user)

    return queryset


class DomainFilterSet(BusinessFilterSet):
    class Meta:
        model = Domain
        fields: list[str] = []


class OrgUnitFilterSet(BusinessFilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=_visible(OrgUnit), label=_("Parent unit"))

    class Meta:
        model = OrgUnit
        fields = ["parent"]


class JobProfileFilterSet(BusinessFilterSet):
    class Meta:
        model = JobProfile
        fields: list[str] = []


class PersonFilterSet(BusinessFilterSet):
    org_unit = django_filters.ModelChoiceFilter(queryset=_visible(OrgUnit), label=_("Organisational unit"))
    job_profile = django_filters.ModelChoiceFilter(queryset=_visible(JobProfile), label=_("Job profile"))
    has_login = django_filters.BooleanFilter(field_name="user", lookup_expr="isnull", exclude=True, label=_("Has a login"))

    class Meta:
        model = Person
        fields = ["org_unit", "job_profile", "has_login"]


class TeamFilterSet(BusinessFilterSet):
    org_unit = django_filters.ModelChoiceFilter(queryset=_visible(OrgUnit), label=_("Organisational unit"))
    domain = django_filters.ModelChoiceFilter(queryset=_visible(Domain), label=_("Domain"))

    class Meta:
        model = Team
        fields = ["org_unit", "domain"]
