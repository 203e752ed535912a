from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.configuration import attributes
from regie.configuration.choices import AttributeKind
from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core.generic import ScopedModelForm, parse_id

SEPARATOR = "|"


def definitions_as_lines(definitions: Any) -> str:
    """Attribute definitions as the form shows them: one per line, ``name | label | kind | required |
    choice, choice``."""
    if not isinstance(definitions, list):
        return ""
    lines = []
    for d in definitions:
        if not isinstance(d, dict):
            continue
        parts = [str(d.get("name", "")), str(d.get("label", "")), str(d.get("kind", "")), "required" if d.get("required") else ""]
        if d.get("choices"):
            parts.append(", ".join(str(c) for c in d["choices"]))
        lines.append(f" {SEPARATOR} ".join(parts).rstrip(f" {SEPARATOR}"))
    return "\n".join(lines)


def definitions_from_lines(text: str) -> list[dict[str, Any]]:
    """The lines of the form as definitions (JSON is accepted as well); the definitions' own rules are
    checked by the model (``attributes.clean_definitions``)."""
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError(_("This is not valid JSON.")) from None
        if not isinstance(value, list):
            raise ValidationError(_("The attributes must be a list of definitions."))
        return value
    definitions: list[dict[str, Any]] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(SEPARATOR)]
        if len(parts) < 3 or len(parts) > 5:
            problems.append(_("Line %(n)s: write name | label | kind, then optionally | required and | choices.") % {"n": number})
            continue
        flag = parts[3].lower() if len(parts) > 3 else ""
        if flag not in ("", "required", "optional", "yes", "no"):
            problems.append(_("Line %(n)s: the fourth part is “required” or empty.") % {"n": number})
        definition: dict[str, Any] = {
            "name": parts[0],
            "label": parts[1],
            "kind": parts[2].lower(),
            "required": flag in ("required", "yes"),
        }
        if len(parts) > 4 and parts[4]:
            definition["choices"] = [c.strip() for c in parts[4].split(",") if c.strip()]
        definitions.append(definition)
    if problems:
        raise ValidationError(problems)
    return definitions


class DefinitionsField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 8, "class": "form-control font-monospace", "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return definitions_as_lines(value)
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                return definitions_as_lines(json.loads(value))
            except ValueError:
                return value
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, list):
            return value
        return definitions_from_lines(super().to_python(value) or "")


class ItemTypeForm(ScopedModelForm):
    attributes = DefinitionsField(
        label=gettext_lazy("Attributes"),
        required=False,
        help_text=gettext_lazy(
            "One attribute per line: name | label | kind | required | choices. The name is a lower-case "
            "identifier (ram_gb); kinds: integer, decimal, text, date, boolean, choice; choices only for "
            "choice, separated by commas. Example: os | Operating system | choice | required | Debian 12, Windows Server 2022"
        ),
    )

    class Meta:
        model = ItemType
        fields = ["code", "name", "domain", "description", "attributes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AttributeErrorsMixin:
    """A model's errors on ``attributes.<name>`` land on that attribute's input (or on top)."""

    def _update_errors(self, errors: ValidationError) -> None:
        if hasattr(errors, "error_dict"):
            remapped: dict[str, list[Any]] = {}
            for name, messages in errors.error_dict.items():
                target = name
                if name.startswith("attributes."):
                    target = "attr_" + name.removeprefix("attributes.")
                if target not in self.fields and target != NON_FIELD_ERRORS:  # type: ignore[attr-defined]
                    target = NON_FIELD_ERRORS
                remapped.setdefault(target, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)  # type: ignore[misc]


def attribute_field(definition: dict[str, Any]) -> forms.Field:
    """The input for one attribute of a type."""
    label = definition.get("label") or definition["name"]
    required = bool(definition.get("required"))
    kind = definition.get("kind")
    common: dict[str, Any] = {"label": label, "required": required, "help_text": definition["name"]}
    if kind == AttributeKind.INTEGER:
        return forms.IntegerField(min_value=-attributes.MAX_INTEGER, max_value=attributes.MAX_INTEGER, **common)
    if kind == AttributeKind.DECIMAL:
        return forms.DecimalField(max_digits=attributes.MAX_DECIMAL_DIGITS, **common)
    if kind == AttributeKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == AttributeKind.BOOLEAN:
        # Yes, no, or not known: a checkbox could not say "not known".
        return forms.NullBooleanField(**{**common, "required": False})
    if kind == AttributeKind.CHOICE:
        choices = [("", "—")] + [(c, c) for c in definition.get("choices") or []]
        return forms.ChoiceField(choices=choices, **common)
    return forms.CharField(max_length=attributes.MAX_TEXT, **common)


class ItemForm(AttributeErrorsMixin, ScopedModelForm):
    """An item of one type: its own fields and one input per attribute the type defines. The values are
    checked by ``attributes.clean_values``, as in the API and the import."""

    attributes = forms.JSONField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ConfigurationItem
        fields = [
            "item_type",
            "identifier",
            "name",
            "domain",
            "status",
            "owner_team",
            "owner_person",
            "description",
            "attributes",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, item_type: ItemType | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: ConfigurationItem = self.instance
        self.item_type = item_type or (instance.item_type if instance.item_type_id else None)
        type_field: Any = self.fields["item_type"]
        if self.item_type is not None:
            # The type is chosen before the form (it decides the inputs) and is not changed here.
            type_field.queryset = ItemType.objects.filter(pk=self.item_type.pk)
            type_field.initial = self.item_type.pk
            type_field.disabled = True
            if self.item_type.domain_id:
                domain_field: Any = self.fields["domain"]
                domain_field.queryset = domain_field.queryset.filter(pk=self.item_type.domain_id)
        values = instance.attributes if isinstance(instance.attributes, dict) else {}
        for definition in self.item_type.definitions if self.item_type else []:
            name = f"attr_{definition['name']}"
            self.fields[name] = attribute_field(definition)
            self.fields[name].widget.attrs.setdefault(
                "class", "form-select" if isinstance(self.fields[name].widget, forms.Select) else "form-control"
            )
            if values.get(definition["name"]) is not None:
                self.initial[name] = values[definition["name"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw: dict[str, Any] = {}
        for definition in self.item_type.definitions if self.item_type else []:
            name = f"attr_{definition['name']}"
            if name in self.errors:
                continue
            value = cleaned.get(name)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            if value not in (None, ""):
                raw[definition["name"]] = value
        if self.item_type is not None:
            values, problems = attributes.clean_values(self.item_type.name, self.item_type.definitions, raw)
            for problem in problems:
                field = f"attr_{problem.name}"
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, problem.text)
            cleaned["attributes"] = values
        return cleaned


def item_label(item: ConfigurationItem) -> str:
    """How an item is written in a lookup input: its name, and its id after "#" (which the form reads)."""
    return f"{item} #{item.pk}"


class ItemLookup(forms.TextInput):
    """A text input that suggests items as one types (a register has too many items for a list)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        from django.urls import reverse
        from django.utils.html import format_html

        attrs = {
            **(attrs or {}),
            "list": f"lookup-{name}",
            "autocomplete": "off",
            "placeholder": _("Type a name or identifier"),
            "hx-get": reverse("configuration:item_lookup"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#lookup-{name}",
            "hx-swap": "innerHTML",
        }
        return format_html('{}<datalist id="lookup-{}"></datalist>', super().render(name, value, attrs, renderer), name)


class ItemChoiceField(forms.ModelChoiceField):
    """An item chosen by its lookup text ("esx01 · Host 1 #17") or its id."""

    widget = ItemLookup

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, ConfigurationItem):
            return item_label(value)
        pk = parse_id(value) if value not in (None, "") else None
        if pk is not None:
            item = self.queryset.filter(pk=pk).first()  # type: ignore[union-attr]
            return item_label(item) if item is not None else value
        return value

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, ConfigurationItem):
            return value
        text = str(value).strip()
        match = re.search(r"#(\d+)\s*$", text)
        pk = parse_id(match.group(1) if match else text)
        item = self.queryset.filter(pk=pk).first() if pk is not None else None  # type: ignore[union-attr]
        if item is None:
            raise ValidationError(_("Choose an item from the suggestions."), code="invalid_choice")
        return item


class RelationForm(ScopedModelForm):
    class Meta:
        model = Relation
        fields = ["source", "kind", "target", "note"]
        field_classes = {"source": ItemChoiceField, "target": ItemChoiceField}


class ServiceItemForm(ScopedModelForm):
    class Meta:
        model = ServiceItem
        fields = ["item", "service", "note"]
        field_classes = {"item": ItemChoiceField}


class ItemImportForm(forms.Form):
    items = forms.FileField(
        label=gettext_lazy("Items (.xlsx or .csv)"),
        help_text=gettext_lazy("A workbook may hold the relations on a second sheet named “relations”."),
    )
    relations = forms.FileField(
        label=gettext_lazy("Relations (.csv or .xlsx, optional)"),
        required=False,
        help_text=gettext_lazy("Columns: source_type, source_identifier, kind, target_type, target_identifier."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def _check(self, name: str) -> Any:
        from django.conf import settings

        upload = self.cleaned_data.get(name)
        if upload is None:
            return None
        filename = (upload.name or "").lower()
        if not filename.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.REGIE_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload

    def clean_items(self) -> Any:
        return self._check("items")

    def clean_relations(self) -> Any:
        return self._check("relations")
