from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regie.core.generic import ScopedModelForm, bound_model_choices, style_widgets
from regie.core.models import OrgUnit
from regie.suppliers.choices import ConsequenceKind, ObligationStatus
from regie.suppliers.models import (
    EARLIEST_DATE,
    LATEST_DATE,
    Agreement,
    AgreementVersion,
    Contact,
    Obligation,
    Organisation,
    ServiceLevelTarget,
    within_dates,
)

DATE = forms.DateInput(
    attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}, format="%Y-%m-%d"
)


def _bound_dates(form: forms.BaseForm, *names: str) -> None:
    """A date field answers a date outside the range the records keep with a field error."""
    for name in names:
        if within_dates not in form.fields[name].validators:
            form.fields[name].validators.append(within_dates)


def _visible_or_current(form: forms.ModelForm, name: str, current: Any) -> None:
    """A many-to-many choice offers what the user sees plus what the record already has, so that saving
    the form never drops a value the user cannot see."""
    field: Any = form.fields[name]
    model = field.queryset.model
    visible = model._default_manager.all().active().visible_to(form.user)  # type: ignore[attr-defined]
    kept = list(current.values_list("pk", flat=True)) if form.instance.pk else []
    field.queryset = model._default_manager.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=kept)).order_by("code")


class OrganisationForm(ScopedModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organisation
        fields = ["code", "name", "is_supplier", "is_customer", "domain", "registration_number", "address", "website", "notes"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}


class ContactForm(ScopedModelForm):
    class Meta:
        model = Contact
        fields = ["organisation", "name", "role", "email", "phone", "person"]


class AgreementForm(ScopedModelForm):
    """The agreement's parties and people; its terms are in its versions."""

    class Meta:
        model = Agreement
        fields = [
            "kind",
            "code",
            "name",
            "domain",
            "provider_unit",
            "provider_organisation",
            "customer_unit",
            "customer_organisation",
            "contract_manager",
            "projects",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Units and external organisations are chosen by name from the whole organisation, as people are.
        units = OrgUnit.objects.active().order_by("name")
        self.fields["provider_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["customer_unit"].queryset = units  # type: ignore[attr-defined]
        organisations = Organisation.objects.active().order_by("name")
        self.fields["provider_organisation"].queryset = organisations.filter(is_supplier=True)  # type: ignore[attr-defined]
        self.fields["customer_organisation"].queryset = organisations.filter(is_customer=True)  # type: ignore[attr-defined]
        _visible_or_current(self, "projects", self.instance.projects if self.instance.pk else None)
        self.fields["projects"].help_text = _("Projects that work under this agreement see it and its obligations.")

    def _post_clean(self) -> None:
        # The service checks the parties per kind, and must see the record as it was before the change.
        pass


class VersionForm(ScopedModelForm):
    """A draft's terms."""

    class Meta:
        model = AgreementVersion
        fields = [
            "start",
            "end",
            "notice_date",
            "renewal_date",
            "services",
            "offerings",
            "calendar",
            "annual_value",
            "currency",
            "price_terms",
            "penalty_terms",
            "change_summary",
        ]
        widgets = {
            "start": DATE,
            "end": DATE,
            "notice_date": DATE,
            "renewal_date": DATE,
            "price_terms": forms.Textarea(attrs={"rows": 3}),
            "penalty_terms": forms.Textarea(attrs={"rows": 3}),
            "change_summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from regie.planning.models import WorkCalendar

        _bound_dates(self, "start", "end", "notice_date", "renewal_date")

        # Calendars are the organisation's reference data: any of them may be the support hours.
        self.fields["calendar"].queryset = WorkCalendar.objects.active().order_by("name")  # type: ignore[attr-defined]
        _visible_or_current(self, "services", self.instance.services if self.instance.pk else None)
        field: Any = self.fields["offerings"]
        visible = field.queryset.model._default_manager.active().visible_to(self.user)
        kept = list(self.instance.offerings.values_list("pk", flat=True)) if self.instance.pk else []
        field.queryset = (
            field.queryset.model._default_manager.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=kept))
            .select_related("service")
            .order_by("service__code", "code")
        )

    def _post_clean(self) -> None:
        # The service compares the terms before and after to know who edited them.
        pass


class TargetForm(forms.ModelForm):
    class Meta:
        model = ServiceLevelTarget
        fields = ["metric", "priority", "target", "compliance", "offering"]

    def __init__(self, *args: Any, version: AgreementVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offering"].queryset = version.offerings.select_related("service").order_by("code")  # type: ignore[attr-defined]
        self.fields["priority"].widget = forms.Select(
            choices=[("", "—"), *[(n, f"P{n}") for n in range(1, 5)]], attrs={"class": "form-select"}
        )
        bound_model_choices(self)
        style_widgets(self)

    def _post_clean(self) -> None:
        # The service validates the target against its version (calendar, offering, duplicates).
        pass


class ObligationForm(ScopedModelForm):
    class Meta:
        model = Obligation
        fields = [
            "description",
            "owed_by",
            "due_date",
            "recurrence",
            "owner",
            "consequence_kind",
            "penalty_amount",
            "currency",
            "version",
            "notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "due_date": DATE,
        }

    def __init__(self, *args: Any, agreement: Agreement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = agreement.versions.order_by("-number")  # type: ignore[attr-defined]
        _bound_dates(self, "due_date")

    def _post_clean(self) -> None:
        pass


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class DeliverForm(StyledForm):
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE, validators=[within_dates])


class CloseForm(StyledForm):
    """Declare an obligation missed (with the consequence the contract states) or waive it."""

    status = forms.ChoiceField(
        label=_("Outcome"), choices=[(ObligationStatus.MISSED, _("missed")), (ObligationStatus.WAIVED, _("waived"))]
    )
    penalty_amount = forms.DecimalField(
        label=_("Penalty or service credit"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    consequence_kind = forms.ChoiceField(label=_("Financial consequence"), choices=ConsequenceKind.choices, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
