"""RAID items on "My work": the open actions, risks, issues and other items a person owns, the
overdue ones first, and the decisions they are named to take."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.navigation import my_work_section
from regie.raid.choices import OPEN_STATUSES
from regie.raid.models import RaidItem


@my_work_section
def my_raid_items(user: Any) -> dict[str, Any] | None:
    items = list(
        RaidItem.objects.active()
        .filter(owner__user_id=user.pk, status__in=OPEN_STATUSES)
        .select_related("scope")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:50]
    )
    if not items:
        return None
    today = timezone.localdate()
    rows = []
    for item in items:
        detail = f"{item.get_kind_display()} · {item.scope}"
        if item.due_date:
            overdue = item.due_date < today
            detail += " · " + str((_("overdue since %s") if overdue else _("due %s")) % f"{item.due_date:%Y-%m-%d}")
        rows.append(
            {
                "label": str(item),
                "url": item.get_absolute_url(),
                "detail": detail,
                "overdue": bool(item.due_date and item.due_date < today),
            }
        )
    return {"title": _("My actions and RAID items"), "items": rows}
