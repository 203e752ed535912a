"""Audit history: who changed which field from what to what, and when.

django-simple-history writes one historical row per save. This module turns those rows into the
field-level changes that the History tab and the history API show, and holds the one signal receiver
in Regie: it stamps the acting user on a historical row when the change came from a service called
outside a request (a background job or a command), where the request middleware cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record

KIND_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "scope"}


@receiver(pre_create_historical_record)
def stamp_actor(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    actor = getattr(instance, "_history_user", None)
    if actor is not None and getattr(actor, "pk", None):
        history_instance.history_user = actor


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    id: int
    when: datetime
    who: str
    kind: str
    kind_label: str
    changes: list[FieldChange]


def _display(field: models.Field, value: Any, cache: dict[tuple[Any, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(field, models.ForeignKey):
        key = (field.related_model, value)
        if key not in cache:
            obj = field.related_model._base_manager.filter(pk=value).first()  # type: ignore[union-attr]
            cache[key] = str(obj) if obj is not None else f"#{value}"
        return cache[key]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def history_for(obj: models.Model, limit: int = 200) -> list[HistoryEntry]:
    """The object's changes, newest first, each with the fields that changed."""
    history = getattr(obj, "history", None)
    if history is None:
        return []
    # The newest ``limit`` changes, plus the one before them to diff the oldest shown against.
    records = list(history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    records.reverse()
    skip_first = len(records) > limit
    model = type(obj)
    fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]
    cache: dict[tuple[Any, Any], str] = {}
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes: list[FieldChange] = []
        for field in fields:
            attname = field.attname
            new = getattr(record, attname, None)
            old = getattr(previous, attname, None) if previous is not None else None
            if previous is None and (new is None or new == ""):
                continue
            if previous is not None and old == new:
                continue
            changes.append(
                FieldChange(
                    field=field.name,
                    label=str(field.verbose_name),
                    old=_display(field, old, cache) if previous is not None else "",
                    new=_display(field, new, cache),
                )
            )
        user = record.history_user
        who = str(getattr(user, "person", None) or user) if user is not None else str(_("system"))
        kind = record.history_type
        if kind == "~" and any(c.field == "archived_at" for c in changes):
            kind_label = _("archived") if record.archived_at else _("restored")
        else:
            kind_label = KIND_LABELS.get(kind, kind)
        if (kind != "~" or changes) and not (skip_first and previous is None):
            entries.append(HistoryEntry(record.history_id, record.history_date, who, kind, str(kind_label), changes))
        previous = record
    entries.reverse()
    return entries
