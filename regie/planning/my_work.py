"""Planned tasks on "My work": the open tasks and milestones a person owns, due in the coming weeks or late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from regie.core.navigation import my_work_section
from regie.planning.models import Task


@my_work_section
def my_tasks(user: Any) -> dict[str, Any] | None:
    horizon = timezone.now() + timedelta(days=28)
    tasks = (
        Task.objects.filter(owner__user=user, is_summary=False, actual_finish__isnull=True, start__lte=horizon)
        .select_related("plan__project")
        .order_by("finish")[:50]
    )
    now = timezone.now()
    items = []
    for task in tasks:
        late = task.finish is not None and task.finish < now
        when = date_format(timezone.localtime(task.finish), "SHORT_DATE_FORMAT") if task.finish else ""
        kind = _("Milestone") if task.milestone else _("Task")
        items.append(
            {
                "label": f"{task.plan.project.code} · {task.name}",
                "url": task.get_absolute_url(),
                "detail": f"{kind} · {when}"
                + (f" · {_('late')}" if late else "")
                + (f" · {_('critical')}" if task.critical else ""),
            }
        )
    return {"title": _("My planned tasks"), "items": items} if items else None
