"""The main navigation: each app registers its entries under an area; an entry shows only to users who
hold its action somewhere, so the menu grows as apps land and never offers a page that would refuse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from regie.core import permissions


@dataclass
class Entry:
    area: str
    label: Any
    url_name: str
    action: str | None
    order: int = 100


AREAS: dict[str, tuple[Any, int]] = {}
ENTRIES: list[Entry] = []


def area(code: str, label: Any, order: int = 100) -> None:
    AREAS[code] = (label, order)


def register(area_code: str, label: Any, url_name: str, action: str | None = None, order: int = 100) -> None:
    ENTRIES.append(Entry(area_code, label, url_name, action, order))


def menu_for(user: Any) -> list[dict[str, Any]]:
    menu = []
    for code, (label, order) in sorted(AREAS.items(), key=lambda item: item[1][1]):
        entries = [
            {"label": e.label, "url": reverse(e.url_name)}
            for e in sorted((e for e in ENTRIES if e.area == code), key=lambda e: e.order)
            if e.action is None or permissions.holds_anywhere(user, e.action)
        ]
        if entries:
            menu.append({"code": code, "label": label, "entries": entries, "order": order})
    return menu


# --- "My work": each app contributes the things assigned to the person --------------------------

MY_WORK: list[Any] = []


def my_work_section(function: Any) -> Any:
    """Register ``function(user) -> dict(title=..., items=[{label, url, detail}], empty=...) | None``."""
    MY_WORK.append(function)
    return function


# --- global search --------------------------------------------------------------------------------

SEARCHABLE: list[tuple[type, Any]] = []


def searchable(model: type, label: Any) -> None:
    SEARCHABLE.append((model, label))
