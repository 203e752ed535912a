from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core.generic import ScopedModelForm
from regie.raid.choices import STATUSES, Kind
from regie.raid.models import RaidItem, RiskScale
from regie.raid.services import OWNER_FIELDS, fields_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})
SCORES = ("probability", "impact", "residual_probability", "residual_impact")


def item_form(kind: str, *, owner_only: bool = False, decision_owner: bool = False) -> type[RaidItemForm]:
    """The form of one kind of item: its own fields, or only those its owner may change."""
    names = list(fields_for(kind))
    if owner_only:
        allowed = ("progress",) if decision_owner else OWNER_FIELDS
        names = [n for n in names if n in allowed]
    meta = type(
        "Meta",
        (),
        {
            "model": RaidItem,
            "fields": names,
            "widgets": {
                "due_date": DATE,
                "proximity": DATE,
                "decided_on": DATE,
                **dict.fromkeys(("description", "progress", "cause", "event", "effect", "response", "resolution", "basis"), TEXT),
            },
        },
    )
    return type(f"{kind.title()}Form", (RaidItemForm,), {"Meta": meta, "kind": kind})


class RaidItemForm(ScopedModelForm):
    kind = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = Kind(self.kind)
        if "status" in self.fields:
            self.fields["status"].choices = [(s.value, s.label) for s in STATUSES[kind]]  # type: ignore[attr-defined]
        scale = RiskScale.current()
        for name in SCORES:
            if name in self.fields:
                labels = scale.probability_names() if "probability" in name else scale.impact_names()
                self.fields[name] = forms.TypedChoiceField(
                    label=self.fields[name].label,
                    choices=[("", "—"), *[(n, f"{n} · {label}") for n, label in enumerate(labels, 1)]],
                    coerce=int,
                    empty_value=None,
                    required=name in ("probability", "impact"),
                    widget=forms.Select(attrs={"class": "form-select"}),
                    help_text=_("After the response.") if name.startswith("residual") else "",
                )
        if kind in (Kind.RISK, Kind.ISSUE, Kind.ACTION) and "owner" in self.fields:
            self.fields["owner"].required = True
        if kind == Kind.ACTION and "due_date" in self.fields:
            self.fields["due_date"].required = True
        if kind == Kind.ISSUE and "severity" in self.fields:
            self.fields["severity"].required = True
        if "source" in self.fields:
            queryset: Any = self.fields["source"].queryset  # type: ignore[attr-defined]
            self.fields["source"].queryset = queryset.filter(kind__in=[Kind.RISK, Kind.ISSUE])  # type: ignore[attr-defined]
