"""Cases on "My work": those assigned to the person, those waiting in their teams' queues with nobody
assigned, and the open ones they logged themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regie.cases.models import Case
from regie.core.navigation import my_work_section


@my_work_section
def my_cases(user: Any) -> dict[str, Any] | None:
    mine = Q(assignee__user_id=user.pk) | Q(assignee__isnull=True, team__members__user_id=user.pk) | Q(requester__user_id=user.pk)
    cases = list(
        Case.objects.active()
        .filter(mine, closed_at__isnull=True)
        .select_related("service", "assignee", "requester")
        .distinct()
        .order_by("priority", "opened_at", "pk")[:50]
    )
    if not cases:
        return None
    rows = []
    for case in cases:
        if case.assignee is not None and case.assignee.user_id == user.pk:
            why = _("assigned to you")
        elif case.requester is not None and case.requester.user_id == user.pk:
            why = _("logged by you")
        else:
            why = _("in your team's queue")
        rows.append(
            {
                "label": str(case),
                "url": case.get_absolute_url(),
                "detail": f"{case.get_kind_display()} · {case.service} · P{case.priority} · {why}",
                "overdue": False,
            }
        )
    return {"title": _("My cases"), "items": rows}


@my_work_section
def my_case_tasks(user: Any) -> dict[str, Any] | None:
    """Realisation tasks of changes (and other cases' tasks) for the person, or for their team with
    nobody named yet."""
    from regie.cases.models import CaseTask

    mine = Q(assignee__user_id=user.pk) | Q(assignee__isnull=True, team__members__user_id=user.pk)
    tasks = list(
        CaseTask.objects.active()
        .filter(mine, done_at__isnull=True)
        .select_related("case", "team")
        .distinct()
        .order_by("due_at", "pk")[:50]
    )
    if not tasks:
        return None
    rows = [
        {
            "label": f"{task.case.number} · {task.title}",
            "url": task.case.get_absolute_url(),
            "detail": f"{task.team}" + (f" · {task.due_at:%Y-%m-%d %H:%M}" if task.due_at else ""),
            "overdue": False,
        }
        for task in tasks
    ]
    return {"title": _("My change tasks"), "items": rows}
