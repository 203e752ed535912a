from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core.generic import ScopedModelForm, style_widgets
from regie.core.models import Scope
from regie.engagement import files, services
from regie.engagement.choices import Verdict
from regie.engagement.filters import scope_label
from regie.engagement.models import Document


class ScopeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return scope_label(obj)


def _file_help() -> str:
    return str(
        _("At most %(limit)s; accepted types: %(types)s.")
        % {"limit": files.human_size(files.max_bytes()), "types": ", ".join(files.allowed_extensions())}
    )


class DocumentForm(ScopedModelForm):
    """Registering a document (optionally with its first file) or changing its details."""

    scope = ScopeField(label=_("Register (scope)"), queryset=Scope.objects.none())
    file = forms.FileField(label=_("File"), required=False)
    filename = forms.CharField(
        label=_("Name for downloads"),
        required=False,
        max_length=200,
        help_text=_("Optional: the file name shown and offered for download; the uploaded file's own name by default."),
    )
    note = forms.CharField(label=_("Version note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Document
        fields = ["scope", "title", "reference", "kind", "description", "reviewers", "approvers"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any = None, scope: Scope | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            # The register a document is in does not change; nor do its files from this form.
            for name in ("scope", "file", "filename", "note"):
                del self.fields[name]
        else:
            self.fields["scope"].queryset = services.addable_scopes(user)  # type: ignore[attr-defined]
            if scope is not None:
                self.fields["scope"].initial = scope.pk
            self.fields["file"].help_text = _file_help()
        for name in ("reviewers", "approvers"):
            self.fields[name].help_text = ""
        self.fields["approvers"].help_text = _("Every approver must approve the version under review; the author cannot.")
        style_widgets(self)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))
    filename = DocumentForm.base_fields["filename"]
    note = forms.CharField(label=_("What changed"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        style_widgets(self)


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    version_number = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, approve: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not approve:
            self.fields["verdict"].choices = [c for c in Verdict.choices if c[0] != Verdict.APPROVE]  # type: ignore[attr-defined]
        style_widgets(self)
        self.fields["verdict"].widget.attrs["class"] = "form-check-input"


class SupersedeForm(forms.Form):
    by = forms.ModelChoiceField(label=_("Superseded by"), queryset=Document.objects.none())

    def __init__(self, *args: Any, user: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = (  # type: ignore[attr-defined]
            Document.objects.active().visible_to(user).exclude(pk=document.pk).exclude(status="superseded").order_by("title")
        )
        style_widgets(self)
