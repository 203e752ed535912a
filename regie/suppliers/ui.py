"""The generic pages of contract management: lists with filters and CSV/Excel export, history and
archiving for external organisations, contacts, agreements and obligations. The supplier page, the
agreement page and every write to an agreement or obligation go through ``views`` and ``services``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from regie.core.generic import Column, ModelUI
from regie.suppliers import filters, forms
from regie.suppliers.models import Agreement, Contact, Obligation, Organisation


class OrganisationUI(ModelUI):
    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.organisation_detail(request, self.get_object(request, pk))


class AgreementUI(ModelUI):
    """Agreements are created and changed through the contract-management services, which check the
    kind the user drafts and fix the parties once a version is approved."""

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.agreement_detail(request, self.get_object(request, pk))

    def edit_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.agreement_edit(request, self.get_object(request, pk) if pk is not None else None)

    def archive_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.agreement_archive(request, self.get_object(request, pk))


class ObligationUI(ModelUI):
    """Obligations lock on their own ``revision`` and are delivered, missed or waived through services."""

    def queryset(self, request: HttpRequest) -> Any:
        from django.utils import timezone

        from regie.suppliers.selectors import with_flags

        return with_flags(super().queryset(request), timezone.localdate())

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.obligation_detail(request, self.get_object(request, pk))

    def edit_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.obligation_edit(request, self.get_object(request, pk) if pk is not None else None)

    def archive_view(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        from regie.suppliers import views

        return views.obligation_archive(request, self.get_object(request, pk))


ORGANISATIONS = OrganisationUI(
    model=Organisation,
    form_class=forms.OrganisationForm,
    filterset_class=filters.OrganisationFilterSet,
    slug="organisations",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("is_supplier", _("Supplier")),
        Column("is_customer", _("External customer")),
        Column("domain", _("Managing domain"), sort="domain__name"),
        Column("website", _("Website"), sort=None),
    ],
    detail_fields=forms.OrganisationForm.Meta.fields,
    select_related=("domain",),
    default_sort="name",
)
CONTACTS = ModelUI(
    model=Contact,
    form_class=forms.ContactForm,
    filterset_class=filters.ContactFilterSet,
    slug="organisation-contacts",
    columns=[
        Column("name", _("Name"), link=True),
        Column("organisation", _("Organisation"), sort="organisation__name"),
        Column("role", _("Role")),
        Column("email", _("Email")),
        Column("phone", _("Phone"), sort=None),
        Column("person", _("Signs in as"), sort=None),
    ],
    detail_fields=forms.ContactForm.Meta.fields,
    select_related=("organisation", "person"),
    default_sort="name",
)
AGREEMENTS = AgreementUI(
    model=Agreement,
    form_class=forms.AgreementForm,
    filterset_class=filters.AgreementFilterSet,
    slug="agreements",
    columns=[
        Column("code", _("Code"), link=True),
        Column("name", _("Name"), link=True),
        Column("kind", _("Kind"), accessor="kind_short"),
        Column("provider", _("Provider"), sort=None),
        Column("customer", _("Customer"), sort=None),
        Column("contract_manager", _("Contract manager"), sort="contract_manager__family_name"),
        Column("current_version", _("Version in force"), accessor="current_version.number", sort=None),
        Column("end", _("End"), accessor="current_version.end", sort="current_version__end"),
        Column("notice", _("Notice date"), accessor="current_version.notice_date", sort="current_version__notice_date"),
    ],
    detail_fields=forms.AgreementForm.Meta.fields,
    select_related=(
        "provider_unit",
        "provider_organisation",
        "customer_unit",
        "customer_organisation",
        "contract_manager",
        "current_version",
    ),
    default_sort="code",
)
OBLIGATIONS = ObligationUI(
    model=Obligation,
    form_class=forms.ObligationForm,
    filterset_class=filters.ObligationFilterSet,
    slug="obligations",
    columns=[
        Column("description", _("Obligation"), accessor="__str__", sort="description", link=True),
        Column("agreement", _("Agreement"), accessor="agreement.code", sort="agreement__code"),
        Column("owed_by", _("Owed by"), accessor="get_owed_by_display"),
        Column("due_date", _("Due date")),
        Column("flag", _("State"), accessor="flag_label", sort="flag"),
        Column("penalty_amount", _("Penalty or credit")),
        Column("owner", _("Owner"), sort="owner__family_name"),
    ],
    select_related=("agreement", "owner"),
    default_sort="due_date",
)

ALL = [ORGANISATIONS, CONTACTS, AGREEMENTS, OBLIGATIONS]
