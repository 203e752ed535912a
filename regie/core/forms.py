from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core import permissions
from regie.core.generic import ScopedModelForm
from regie.core.models import Domain, JobProfile, OrgUnit, Person, Scope, Team


class DomainForm(ScopedModelForm):
    class Meta:
        model = Domain
        fields = ["code", "name", "description"]


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "parent", "manager", "description"]


class JobProfileForm(ScopedModelForm):
    class Meta:
        model = JobProfile
        fields = ["code", "name", "description"]


class PersonForm(ScopedModelForm):
    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "email",
            "phone",
            "employee_number",
            "org_unit",
            "job_profile",
            "language",
        ]


class TeamForm(ScopedModelForm):
    class Meta:
        model = Team
        fields = ["code", "name", "org_unit", "domain", "lead", "members", "description"]


class RoleAssignmentForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Person"))
    role = forms.ChoiceField(choices=(), label=_("Role"))
    scope = forms.ModelChoiceField(queryset=Scope.objects.none(), label=_("Scope"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.active().visible_to(user).select_related("org_unit")  # type: ignore[attr-defined]
        role_field: Any = self.fields["role"]
        role_field.choices = [(r.code, r.label) for r in permissions.ROLES.values()]
        self.fields["scope"].queryset = permissions.scopes_where(user, "core.manage_roles").order_by("path")  # type: ignore[attr-defined]
        self.fields["scope"].label_from_instance = lambda s: f"{'· ' * (s.path.count('/') - 2)}{s.name}"  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select"
            field.widget.attrs["id"] = f"id_role_{name}"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Sheet (.csv or .xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        from django.conf import settings

        if upload.size > settings.REGIE_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    expires_at = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"
