from __future__ import annotations

from django import forms

from regie.core.generic import ScopedModelForm
from regie.portfolio.models import Portfolio, Programme, Project


class PortfolioForm(ScopedModelForm):
    class Meta:
        model = Portfolio
        fields = ["code", "name", "domain", "owner", "description"]


class ProgrammeForm(ScopedModelForm):
    class Meta:
        model = Programme
        fields = ["code", "name", "portfolio", "manager", "goal"]


class ProjectForm(ScopedModelForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "goal",
            "portfolio",
            "programme",
            "sponsor",
            "project_manager",
            "pmo_officers",
            "steering_committee",
            "planned_start",
            "planned_end",
            "lifecycle",
            "health",
            "reporting_frequency",
            "expected_costs",
            "currency",
            "expected_benefits",
            "strategic_contribution",
        ]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "expected_benefits": forms.Textarea(attrs={"rows": 3}),
            "strategic_contribution": forms.Textarea(attrs={"rows": 3}),
        }
