"""Demo plans: the workplace renewal (P-001) planned as a WBS with phases, links of every kind, a
milestone per phase, a baseline saved at the gate and a slip since; the office move (P-002) waiting
on one of its milestones; the Dutch public holidays in the organisation's calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from regie.planning import services
from regie.planning.models import CalendarException, Link, Plan, Task
from regie.portfolio.models import Project

HOLIDAYS = [
    ("New Year's Day", 1, 1), ("King's Day", 4, 27), ("Liberation Day", 5, 5), ("Christmas Day", 12, 25),
    ("Boxing Day", 12, 26),
]  # fmt: skip
EASTER = {2025: (4, 20), 2026: (4, 5), 2027: (3, 28), 2028: (4, 16)}

# (key, parent key, name, days, milestone, predecessors as (key, type, lag days))
WBS = [
    ("init", None, "Initiation", 0, False, []),
    ("case", "init", "Business case and requirements", 10, False, []),
    ("gate1", "init", "Gate: go for tender", 0, True, [("case", "FS", 0)]),
    ("tender", None, "Tender", 0, False, []),
    ("rfp", "tender", "Request for proposal", 8, False, [("gate1", "FS", 0)]),
    ("eval", "tender", "Evaluate offers", 6, False, [("rfp", "FS", 10)]),
    ("award", "tender", "Contract awarded", 0, True, [("eval", "FS", 0)]),
    ("pilot", None, "Pilot", 0, False, []),
    ("image", "pilot", "Build the standard image", 10, False, [("award", "FS", 0)]),
    ("pilotrun", "pilot", "Pilot with 50 users", 15, False, [("image", "SS", 5)]),
    ("survey", "pilot", "Pilot survey", 5, False, [("pilotrun", "FF", 0)]),
    ("pilotok", "pilot", "Pilot accepted", 0, True, [("survey", "FS", 0)]),
    ("rollout", None, "Roll-out", 0, False, []),
    ("wave1", "rollout", "Wave 1: head office", 20, False, [("pilotok", "FS", 0)]),
    ("wave2", "rollout", "Wave 2: regional offices", 25, False, [("wave1", "SS", 10)]),
    ("support", "rollout", "Floor support", 30, False, [("wave1", "SS", 0)]),
    ("disposal", "rollout", "Dispose of old laptops", 10, False, [("wave2", "FS", 0)]),
    ("done", "rollout", "All laptops replaced", 0, True, [("disposal", "FS", 0), ("support", "FF", 0)]),
]


def _holidays(calendar: Any) -> None:
    if calendar.exceptions.exists():
        return
    rows = []
    for year in range(2025, 2029):
        for name, month, day in HOLIDAYS:
            rows.append(
                CalendarException(calendar=calendar, name=name, start=dt.date(year, month, day), end=dt.date(year, month, day))
            )
        easter = dt.date(year, *EASTER[year])
        for name, offset in (("Good Friday", -2), ("Easter Monday", 1), ("Ascension Day", 39), ("Whit Monday", 50)):
            holiday = easter + dt.timedelta(days=offset)
            rows.append(CalendarException(calendar=calendar, name=name, start=holiday, end=holiday))
    CalendarException.objects.bulk_create(rows)


@transaction.atomic
def load(write: Any) -> None:
    project = Project.objects.filter(code="P-001").first()
    if project is None or Plan.objects.filter(project=project, tasks__isnull=False).exists():
        return
    calendar = services.default_calendar()
    _holidays(calendar)
    plan = services.plan_for(project)
    today = timezone.localdate()
    start = today - dt.timedelta(days=today.weekday() + 7 * 10)
    plan.start = timezone.make_aware(dt.datetime.combine(start, dt.time(8, 0)))
    plan.save()
    owner = project.project_manager
    tasks: dict[str, Task] = {}
    for position, (key, parent, name, days, milestone, _links) in enumerate(WBS):
        tasks[key] = Task.objects.create(
            plan=plan,
            uid=position + 1,
            position=position,
            name=name,
            parent=tasks[parent] if parent else None,
            duration=days * plan.minutes_per_day,
            milestone=milestone,
            owner=owner if not parent or milestone else None,
        )
    for key, _parent, _name, _days, _milestone, links in WBS:
        for predecessor, kind, lag in links:
            Link.objects.create(predecessor=tasks[predecessor], successor=tasks[key], type=kind, lag=lag * plan.minutes_per_day)
    # the tender is done: progress up to the award
    services.renumber(plan)
    services.reschedule(plan)
    for key in ("case", "gate1", "rfp", "eval", "award"):
        task = Task.objects.get(pk=tasks[key].pk)
        task.actual_start, task.actual_finish, task.percent_complete = task.start, task.finish, 100
        task.save()
    services.reschedule(plan)
    services.baseline_save(_system_user(), plan, "Approved at gate 2")
    # since the gate the pilot has taken a week longer: the roll-out slips
    Task.objects.filter(pk=tasks["pilotrun"].pk).update(duration=20 * plan.minutes_per_day)
    services.reschedule(plan)
    _office_move(tasks["done"], write)
    _drafts_from_plans()
    write("  planning: P-001 planned with a baseline and a slip; P-002 waits for P-001's last milestone")


def _drafts_from_plans() -> None:
    """The open draft reports take their schedule status and milestones from the plans, as a new draft would."""
    from regie.portfolio.models import StatusReport

    for report in StatusReport.objects.filter(state="draft", project__plan__isnull=False).select_related("project"):
        found = services.report_suggestion(report.project)
        if found is not None:
            StatusReport.objects.filter(pk=report.pk).update(
                schedule=found["rag"], schedule_rationale=found["rationale"], milestones=found["milestones"]
            )


def _system_user() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(is_superuser=True).order_by("pk").first()


def _office_move(milestone: Task, write: Any) -> None:
    project = Project.objects.filter(code="P-002").first()
    if project is None:
        return
    plan = services.plan_for(project)
    plan.start = milestone.plan.start
    plan.save()
    steps = [("Plan the move", 10, False), ("Move the desks", 5, False), ("Office in use", 0, True)]
    created = []
    for position, (name, days, is_milestone) in enumerate(steps):
        created.append(
            Task.objects.create(
                plan=plan,
                uid=position + 1,
                position=position,
                name=name,
                duration=days * plan.minutes_per_day,
                milestone=is_milestone,
                owner=project.project_manager,
            )  # fmt: skip
        )
    Link.objects.create(predecessor=created[0], successor=created[1])
    Link.objects.create(predecessor=created[1], successor=created[2])
    # the desks move only when every laptop is replaced
    Link.objects.create(predecessor=milestone, successor=created[1])
    services.renumber(plan)
    services.reschedule(plan)
    services.baseline_save(_system_user(), plan, "Agreed with facilities")
