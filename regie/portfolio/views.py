"""The gate decision page; everything else about projects is a generic record page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.core.generic import attach_errors
from regie.core.services import StaleWrite
from regie.portfolio import services
from regie.portfolio.choices import GateOutcome
from regie.portfolio.ui import PROJECTS


class GateDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"), choices=GateOutcome.choices)
    rationale = forms.CharField(label=gettext_lazy("Rationale"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    conditions = forms.CharField(label=gettext_lazy("Conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-select"
        self.fields["rationale"].widget.attrs["class"] = "form-control"
        self.fields["conditions"].widget.attrs["class"] = "form-control"


def gate_decision(request: HttpRequest, pk: int) -> HttpResponse:
    project = PROJECTS.get_object(request, pk)
    if not services.may_decide(request.user, project):
        raise PermissionDenied
    form = GateDecisionForm(request.POST or None, initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.gate_decide(
                actor=request.user,
                project=project,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                conditions=form.cleaned_data["conditions"],
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, _("Gate decision recorded."))
            return HttpResponseRedirect(project.get_absolute_url())
        except ValidationError as error:
            attach_errors(form, error)
        except StaleWrite as stale:
            form.add_error(None, str(stale))
    return render(request, "portfolio/gate_decision.html", {"project": project, "form": form}, status=400 if form.errors else 200)
