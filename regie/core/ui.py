"""The generic pages of core's reference data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from regie.core import filters, forms
from regie.core.generic import Column, ModelUI, related
from regie.core.models import Domain, JobProfile, OrgUnit, Person, Team

DOMAINS = ModelUI(
    model=Domain,
    form_class=forms.DomainForm,
    filterset_class=filters.DomainFilterSet,
    slug="domains",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("description", _("Description"), sort=None),
    ],
    detail_fields=["code", "name", "description"],
    default_sort="name",
)
ORG_UNITS = ModelUI(
    model=OrgUnit,
    form_class=forms.OrgUnitForm,
    filterset_class=filters.OrgUnitFilterSet,
    slug="units",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("parent", _("Parent unit"), sort="parent__name"),
        Column("manager", _("Manager"), sort="manager__family_name"),
    ],
    detail_fields=["code", "name", "parent", "manager", "description"],
    select_related=("parent", "manager"),
    default_sort="name",
    related_tabs=[related(_("Sub-units"), OrgUnit, "parent"), related(_("People"), Person, "org_unit")],
)
JOB_PROFILES = ModelUI(
    model=JobProfile,
    form_class=forms.JobProfileForm,
    filterset_class=filters.JobProfileFilterSet,
    slug="job-profiles",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("description", _("Description"), sort=None),
    ],
    detail_fields=["code", "name", "description"],
    default_sort="name",
)
PEOPLE = ModelUI(
    model=Person,
    form_class=forms.PersonForm,
    filterset_class=filters.PersonFilterSet,
    slug="people",
    columns=[
        Column("family_name", _("Family name"), link=True),
        Column("given_name", _("Given name"), link=True),
        Column("email", _("Email")),
        Column("org_unit", _("Organisational unit"), sort="org_unit__name"),
        Column("job_profile", _("Job profile"), sort="job_profile__name"),
    ],
    detail_fields=[
        "given_name",
        "family_name",
        "email",
        "phone",
        "employee_number",
        "org_unit",
        "job_profile",
        "language",
        "user",
    ],
    select_related=("org_unit", "job_profile"),
    default_sort="family_name",
    related_tabs=[related(_("Teams"), Team, "members")],
)
TEAMS = ModelUI(
    model=Team,
    form_class=forms.TeamForm,
    filterset_class=filters.TeamFilterSet,
    slug="teams",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("org_unit", _("Organisational unit"), sort="org_unit__name"),
        Column("domain", _("Domain"), sort="domain__name"),
        Column("lead", _("Lead"), sort="lead__family_name"),
    ],
    detail_fields=["code", "name", "org_unit", "domain", "lead", "members", "description"],
    select_related=("org_unit", "domain", "lead"),
    default_sort="name",
    related_tabs=[related(_("Members"), Person, "teams", limit=200)],
)

ALL = [DOMAINS, ORG_UNITS, JOB_PROFILES, PEOPLE, TEAMS]
