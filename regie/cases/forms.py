"""The forms of the case pages: logging a case, a workflow step with the fields it needs, assigning,
changing the priority and commenting. The rules themselves are in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regie.cases.choices import Level
from regie.cases.models import Case
from regie.cases.services import TRANSITION_FIELDS
from regie.core.generic import style_widgets
from regie.core.models import Person, Team


def loggable_services(user: Any) -> Any:
    """The live services the user may log cases for: those they may see, and those serving their unit."""
    from regie.services.models import Service

    visible = Service.objects.active().visible_to(user).exclude(status="retired")
    person = getattr(user, "person", None)
    if person is None or person.org_unit_id is None:
        return visible.order_by("code")
    path = person.org_unit.scope.path
    units = [path[: i + 1] for i, char in enumerate(path) if char == "/"][1:]
    served = Service.objects.active().exclude(status="retired").filter(customers__scope__path__in=units)
    return Service.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=served.values("pk"))).order_by("code")


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["kind", "service", "offering", "title", "description", "impact", "urgency"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from regie.services.models import ServiceOffering

        services = loggable_services(user)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["offering"].queryset = ServiceOffering.objects.active().filter(service__in=services).select_related("service")  # type: ignore[attr-defined]
        self.fields["impact"].help_text = _("How many people or how much of the service it affects.")
        self.fields["urgency"].help_text = _("How soon it hurts the work if nothing is done.")
        style_widgets(self)


class StepForm(forms.Form):
    """A workflow step: a note, and the fields the step requires (and only those)."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, case: Case, requires: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in requires:
            if name in TRANSITION_FIELDS:
                model_field: Any = Case._meta.get_field(name)
                field: Any = model_field.formfield(required=True)
                if isinstance(field.widget, forms.Textarea):
                    field.widget.attrs["rows"] = 3
                if name in ("planned_start", "planned_end"):
                    field.widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
                field.initial = getattr(case, name)
                self.fields[name] = field
            elif name == "note":
                self.fields["note"].required = True
        style_widgets(self)

    def step_fields(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name in TRANSITION_FIELDS}


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=Person.objects.none(), required=False)
    supplier = forms.ModelChoiceField(label=_("Held by supplier"), queryset=Team.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from regie.suppliers.models import Organisation

        teams = Team.objects.active().filter(Q(domain=case.service.domain) | Q(domain__isnull=True)).order_by("name")
        fields: Any = self.fields
        fields["team"].queryset = teams
        fields["assignee"].queryset = Person.objects.active().filter(teams__in=teams).distinct().order_by("family_name")
        fields["supplier"].queryset = Organisation.objects.filter(
            pk__in=case.service.links.active().filter(supplier__isnull=False).values("supplier")
        ).order_by("name")
        self.initial.update(team=case.team_id, assignee=case.assignee_id, supplier=case.supplier_id, version=case.version)
        style_widgets(self)


class PriorityForm(forms.Form):
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Level.choices, coerce=int)
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Level.choices, coerce=int)
    note = forms.CharField(label=_("Why"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CommentForm(forms.Form):
    note = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
