"""Planning's writes: editing the work breakdown and its links, scheduling with the engine after every
edit (in a background job for very large plans), baselines, and who may do what."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, overload

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import permissions
from regie.core.services import claim_version
from regie.engine import calendar as cal
from regie.engine import cpm
from regie.planning import calendars
from regie.planning.models import Assignment, Baseline, BaselineTask, Link, Plan, Task, WorkCalendar
from regie.portfolio.models import Project
from regie.portfolio.services import person_of

UNIT_MINUTES = {"m": 1, "h": 60}


# -- who may -----------------------------------------------------------------------------------------


def may_edit(user: Any, project: Project) -> bool:
    """The project manager, the project's named PMO officers, and those holding ``planning.edit_plan``."""
    if project.is_archived:
        return False
    person = person_of(user)
    if person is not None and (project.project_manager_id == person.pk or project.pmo_officers.filter(pk=person.pk).exists()):
        return True
    return permissions.may(user, "planning.edit_plan", project)


def check_edit(user: Any, project: Project) -> None:
    if not may_edit(user, project):
        raise PermissionDenied(_("You may not change this project's plan."))


# -- durations -----------------------------------------------------------------------------------------


def unit_minutes(unit: str, plan: Plan, elapsed: bool = False) -> int:
    if unit in UNIT_MINUTES:
        return UNIT_MINUTES[unit]
    if elapsed:
        return {"d": 1440, "w": 10080, "mo": 43200}[unit]
    return {"d": plan.minutes_per_day, "w": plan.minutes_per_week, "mo": plan.minutes_per_day * plan.days_per_month}[unit]


def to_minutes(value: float, unit: str, plan: Plan, elapsed: bool = False) -> int:
    return int(round(float(value) * unit_minutes(unit, plan, elapsed)))


def label(minutes: float | None, unit: str, plan: Plan, elapsed: bool = False) -> str:
    if minutes is None:
        return ""
    amount = minutes / unit_minutes(unit, plan, elapsed)
    text = f"{amount:.2f}".rstrip("0").rstrip(".")
    return f"{text}{'e' if elapsed else ''}{unit}"


# -- plans and calendars -----------------------------------------------------------------------------


def default_calendar() -> WorkCalendar:
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = WorkCalendar.objects.filter(name="Standard").first() or WorkCalendar.objects.create(
            name="Standard", is_default=True
        )
        if not calendar.is_default:
            calendar.is_default = True
            calendar.save(update_fields=["is_default"])
    return calendar


def plan_for(project: Project) -> Plan:
    """The project's plan, created on first use from its planned start and the default calendar."""
    plan = Plan.objects.filter(project=project).select_related("calendar").first()
    if plan is None:
        start_day = project.planned_start or timezone.localdate()
        calendar = default_calendar()
        engine = calendars.engine_calendar(calendar)
        start = cal.from_minute(engine.next_start(cal.to_minute(dt.datetime.combine(start_day, dt.time(0)))))
        plan = Plan.objects.create(project=project, calendar=calendar, start=_aware(start))
    return plan


@overload
def _aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def _aware(moment: None) -> None: ...
@overload
def _aware(moment: dt.datetime | None) -> dt.datetime | None: ...
def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if settings.USE_TZ and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


@overload
def _naive(moment: dt.datetime) -> dt.datetime: ...
@overload
def _naive(moment: None) -> None: ...
@overload
def _naive(moment: dt.datetime | None) -> dt.datetime | None: ...
def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if timezone.is_aware(moment):
        return timezone.make_naive(moment)
    return moment


def engine_calendars(calendar_ids: Iterable[int]) -> dict[str, cal.Calendar]:
    rows = list(WorkCalendar.objects.filter(pk__in=set(calendar_ids)).prefetch_related("exceptions"))
    return {str(row.pk): calendars.engine_calendar(row, list(row.exceptions.all())) for row in rows}


# -- scheduling ------------------------------------------------------------------------------------------

TASK_FIELDS = (
    "id", "parent_id", "duration", "elapsed", "milestone", "calendar_id", "constraint", "constraint_date", "deadline",
    "actual_start", "actual_finish", "remaining", "manual", "start", "finish", "task_type",
)  # fmt: skip
RESULT_FIELDS = [
    "start", "finish", "early_start", "early_finish", "late_start", "late_finish", "total_slack", "free_slack", "critical",
]  # fmt: skip


def large(plan: Plan) -> bool:
    return plan.tasks.count() > settings.REGIE_PLAN_SYNC_LIMIT


def engine_input(plan: Plan) -> tuple[list[cpm.Task], list[cpm.Link], dict[str, cal.Calendar]]:
    rows = list(Task.objects.filter(plan=plan).order_by("position").values(*TASK_FIELDS))
    own = {row["id"] for row in rows}
    links = list(
        Link.objects.filter(successor__plan=plan).values_list("predecessor_id", "successor_id", "type", "lag", "lag_kind")
    )
    external_ids = {p for p, *_rest in links if p not in own}
    external = {
        row["id"]: row
        for row in Task.objects.filter(pk__in=external_ids).values("id", "start", "finish", "early_start", "early_finish")
    }
    calendar_ids = {plan.calendar_id} | {row["calendar_id"] for row in rows if row["calendar_id"]}
    engine_cals = engine_calendars(calendar_ids)
    assignments: dict[int, list[tuple[str | None, int, float]]] = {}
    for task_id, calendar_id, work, units, kind in Assignment.objects.filter(task__plan=plan).values_list(
        "task_id", "resource__calendar_id", "work", "units", "resource__kind"
    ):
        if kind == "work" and work > 0 and units > 0:
            if calendar_id and str(calendar_id) not in engine_cals:
                engine_cals.update(engine_calendars([calendar_id]))
            assignments.setdefault(task_id, []).append((str(calendar_id) if calendar_id else None, work, units))
    tasks = []
    for row in rows:
        tasks.append(
            cpm.Task(
                id=row["id"],
                duration=row["duration"],
                parent=row["parent_id"],
                elapsed=row["elapsed"],
                milestone=row["milestone"],
                calendar=str(row["calendar_id"]) if row["calendar_id"] else None,
                constraint=row["constraint"],
                constraint_date=_naive(row["constraint_date"]),
                deadline=_naive(row["deadline"]),
                actual_start=_naive(row["actual_start"]),
                actual_finish=_naive(row["actual_finish"]),
                remaining=row["remaining"],
                manual=row["manual"] and row["start"] is not None and row["finish"] is not None,
                start=_naive(row["start"]),
                finish=_naive(row["finish"]),
                assignments=assignments.get(row["id"], ()) if row["task_type"] != 1 and not row["elapsed"] else (),
            )
        )
    for task_id, row in external.items():
        start = _naive(row["start"] or row["early_start"])
        finish = _naive(row["finish"] or row["early_finish"])
        if start is None or finish is None:
            continue  # the other project has not been scheduled yet
        tasks.append(cpm.Task(id=task_id, manual=True, start=start, finish=finish))
    known = {t.id for t in tasks}
    engine_links = [cpm.Link(p, s, kind, lag, lag_kind) for p, s, kind, lag, lag_kind in links if p in known]
    return tasks, engine_links, engine_cals


def run_engine(plan: Plan, progress: Callable[[float], None] | None = None) -> cpm.Schedule:
    tasks, links, engine_cals = engine_input(plan)
    names = None
    try:
        return cpm.schedule(
            tasks,
            links,
            engine_cals,
            str(plan.calendar_id),
            _naive(plan.start),
            progress=progress,
        )
    except cpm.LoopError as exc:
        names = dict(Task.objects.filter(pk__in=exc.loop).values_list("pk", "name"))
        raise ValidationError(
            _("The links form a loop: %(loop)s. Remove one of these links.")
            % {"loop": " → ".join(names.get(i, str(i)) for i in exc.loop)}
        ) from None
    except (cpm.ScheduleError, cal.CalendarError) as exc:
        raise ValidationError(_("The plan cannot be scheduled: %(problem)s") % {"problem": _task_names(str(exc))}) from None


def _task_names(message: str) -> str:
    """Put task names where the engine names tasks by their database id."""
    ids = {int(m) for m in re.findall(r"task (\d+)", message)}
    if not ids:
        return message
    names = dict(Task.objects.filter(pk__in=ids).values_list("pk", "name"))
    return re.sub(r"task (\d+)", lambda m: f"“{names.get(int(m.group(1)), m.group(1))}”", message)


def store(plan: Plan, result: cpm.Schedule) -> None:
    tasks = list(Task.objects.filter(plan=plan).only("id", "is_summary", "duration", *RESULT_FIELDS))
    for task in tasks:
        r = result.tasks.get(task.pk)
        if r is None:
            continue
        if task.is_summary:
            task.duration = r.duration  # a summary lasts from its first start to its last finish
        task.start = _aware(r.start)
        task.finish = _aware(r.finish)
        task.early_start = _aware(r.early_start)
        task.early_finish = _aware(r.early_finish)
        task.late_start = _aware(r.late_start)
        task.late_finish = _aware(r.late_finish)
        task.total_slack = r.total_slack
        task.free_slack = r.free_slack
        task.critical = r.critical
    Task.objects.bulk_update(tasks, [*RESULT_FIELDS, "duration"], batch_size=2000)
    plan.finish = _aware(result.finish)
    plan.scheduled_at = timezone.now()
    plan.schedule_error = ""
    plan.save(update_fields=["finish", "scheduled_at", "schedule_error"])


def reschedule(
    plan: Plan, progress: Callable[[float], None] | None = None, _seen: set[int] | None = None, *, user: Any = None
) -> cpm.Schedule | None:
    """Schedule the plan and store the result, then the plans that depend on it in other projects.

    A plan above ``REGIE_PLAN_SYNC_LIMIT`` tasks is scheduled by a background job instead (returns None),
    requested by ``user`` (whose job list shows it).
    """
    seen = _seen if _seen is not None else set()
    if plan.pk in seen:
        return None
    seen.add(plan.pk)
    if progress is None and _seen is None and large(plan):
        enqueue_schedule(plan, user)
        return None
    result = run_engine(plan, progress)
    store(plan, result)
    for dependent in dependent_plans(plan):
        try:
            reschedule(dependent, _seen=seen)
        except ValidationError as exc:
            Plan.objects.filter(pk=dependent.pk).update(schedule_error="; ".join(exc.messages))
    return result


def enqueue_schedule(plan: Plan, user: Any = None) -> Any:
    from regie.core.jobs import enqueue

    label = _("Scheduling %(project)s") % {"project": plan.project}
    return enqueue("planning.schedule", label=label, requested_by=user, plan=plan.pk)


def dependent_plans(plan: Plan) -> list[Plan]:
    ids = (
        Link.objects.filter(predecessor__plan=plan)
        .exclude(successor__plan=plan)
        .values_list("successor__plan", flat=True)
        .distinct()
    )
    return list(Plan.objects.filter(pk__in=list(ids)).select_related("calendar", "project"))


# -- the work breakdown ---------------------------------------------------------------------------------------


def renumber(plan: Plan) -> None:
    """WBS numbers and summary flags from the outline (parents and positions)."""
    rows = list(Task.objects.filter(plan=plan).order_by("position").only("id", "parent_id", "wbs", "is_summary", "position"))
    children: dict[int | None, list[Task]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[Task] = []

    def walk(parent: int | None, prefix: str) -> None:
        for number, row in enumerate(children.get(parent, []), start=1):
            row.wbs = f"{prefix}{number}"
            row.is_summary = row.pk in children
            ordered.append(row)
            walk(row.pk, f"{row.wbs}.")

    walk(None, "")
    for position, row in enumerate(ordered):
        row.position = position
    Task.objects.bulk_update(ordered, ["wbs", "is_summary", "position"], batch_size=2000)


def _next_uid(plan: Plan) -> int:
    return (Task.objects.filter(plan=plan).aggregate(m=Max("uid"))["m"] or 0) + 1


def _check_task(plan: Plan, values: dict[str, Any], task: Task | None = None) -> None:
    errors: dict[str, list[str]] = {}
    parent = values.get("parent")
    if parent is not None:
        if parent.plan_id != plan.pk:
            errors["parent"] = [_("The summary task must be in the same plan.")]
        node = parent
        while task is not None and node is not None:
            if node.pk == task.pk:
                errors["parent"] = [_("A task cannot sit under itself.")]
                break
            node = node.parent
    constraint = values.get("constraint", task.constraint if task else "ASAP")
    if constraint in cpm.DATED_CONSTRAINTS and not values.get("constraint_date", task.constraint_date if task else None):
        errors["constraint_date"] = [_("This constraint needs a date.")]
    percent = values.get("percent_complete")
    if percent is not None and not 0 <= percent <= 100:
        errors["percent_complete"] = [_("Give a percentage from 0 to 100.")]
    started, finished = values.get("actual_start"), values.get("actual_finish")
    if started and finished and finished < started:
        errors["actual_finish"] = [_("The actual finish is before the actual start.")]
    if values.get("duration") is not None and values["duration"] < 0:
        errors["duration"] = [_("The duration may not be negative.")]
    if errors:
        raise ValidationError(errors)


EDITABLE = (
    "name", "parent", "owner", "milestone", "manual", "duration", "duration_unit", "elapsed", "calendar", "constraint",
    "constraint_date", "deadline", "actual_start", "actual_finish", "percent_complete", "remaining", "notes",
)  # fmt: skip


@transaction.atomic
def task_create(user: Any, plan: Plan, values: dict[str, Any]) -> Task:
    check_edit(user, plan.project)
    _check_task(plan, values)
    task = Task(plan=plan, uid=_next_uid(plan), position=10**9)
    for name in EDITABLE:
        if name in values:
            setattr(task, name, values[name])
    if "duration" not in values:  # a day for a task, nothing for a milestone
        task.duration = 0 if task.milestone else unit_minutes("d", plan)
    task.save()
    renumber(plan)
    reschedule(plan, user=user)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_update(user: Any, task: Task, values: dict[str, Any], version: int | None = None) -> Task:
    plan = task.plan
    check_edit(user, plan.project)
    _check_task(plan, values, task)
    claim_version(task, version)
    structure = "parent" in values and values["parent"] != task.parent
    for name in EDITABLE:
        if name in values:
            setattr(task, name, values[name])
    task.save()
    if structure:
        renumber(plan)
    reschedule(plan, user=user)
    task.refresh_from_db()
    return task


def move(user: Any, task: Task, *, start: dt.datetime | None = None, duration_days: float | None = None) -> Task:
    """A change made on the Gantt chart: a bar moved to ``start`` keeps that date as a start-no-earlier-than
    constraint (the way MS Project records a dragged bar); a stretched bar gets a duration in days."""
    values: dict[str, Any] = {}
    if duration_days is not None:
        if duration_days < 0:
            raise ValidationError(_("The duration may not be negative."))
        values["duration"] = to_minutes(duration_days, "d", task.plan, task.elapsed)
    if start is not None:
        values["constraint"] = "SNET"
        values["constraint_date"] = _aware(start)
    return task_update(user, task, values)


def lag_value(amount: float, unit: str, kind: str, plan: Plan) -> float:
    """A lag as stored: minutes (working or elapsed) of ``amount`` in ``unit``, or the percentage itself."""
    if kind == "percent":
        return float(amount)
    return to_minutes(amount, unit, plan, kind == "elapsed")


@transaction.atomic
def task_delete(user: Any, task: Task) -> None:
    plan = task.plan
    check_edit(user, plan.project)
    if task.children.exists():
        raise ValidationError(_("Delete or move the tasks under “%(name)s” first.") % {"name": task.name})
    task.delete()
    renumber(plan)
    reschedule(plan, user=user)


@transaction.atomic
def link_create(user: Any, predecessor: Task, successor: Task, kind: str = "FS", lag: float = 0, lag_kind: str = "work",
                lag_unit: str = "d") -> Link:  # fmt: skip
    check_edit(user, successor.plan.project)
    if predecessor.plan_id != successor.plan_id and not permissions.may(user, "portfolio.view_project", predecessor.plan.project):
        raise PermissionDenied(_("You may not see the predecessor's project."))
    if predecessor.pk == successor.pk:
        raise ValidationError(_("A task cannot depend on itself."))
    if kind not in cpm.LINK_TYPES:
        raise ValidationError({"type": [_("Choose FS, SS, FF or SF.")]})
    if Link.objects.filter(predecessor=predecessor, successor=successor).exists():
        raise ValidationError(_("“%(a)s” already links to “%(b)s”.") % {"a": predecessor.name, "b": successor.name})
    if predecessor.plan_id != successor.plan_id:
        _check_cross_project_loop(predecessor, successor)
    link = Link.objects.create(
        predecessor=predecessor, successor=successor, type=kind, lag=lag, lag_kind=lag_kind, lag_unit=lag_unit
    )
    reschedule(successor.plan, user=user)
    return link


def _check_cross_project_loop(predecessor: Task, successor: Task) -> None:
    """A loop through other projects: walk the successors of ``successor`` across plans."""
    seen = {successor.pk}
    frontier = [successor.pk]
    while frontier:
        following = list(Link.objects.filter(predecessor_id__in=frontier).values_list("successor_id", flat=True))
        # within a plan every task of a summary is reached through its links; a summary's own links count too
        frontier = [s for s in following if s not in seen]
        if predecessor.pk in frontier:
            raise ValidationError(
                _("The links form a loop: “%(a)s” already depends on “%(b)s”.") % {"a": predecessor.name, "b": successor.name}
            )
        seen.update(frontier)


@transaction.atomic
def link_delete(user: Any, link: Link) -> None:
    plan = link.successor.plan
    check_edit(user, plan.project)
    link.delete()
    reschedule(plan, user=user)


@transaction.atomic
def plan_update(user: Any, plan: Plan, values: dict[str, Any]) -> Plan:
    check_edit(user, plan.project)
    for name in ("calendar", "start", "baseline", "minutes_per_day", "minutes_per_week", "days_per_month"):
        if name in values:
            setattr(plan, name, values[name])
    if plan.baseline is not None and plan.baseline.plan_id != plan.pk:
        raise ValidationError({"baseline": [_("Choose one of this plan's baselines.")]})
    plan.save()
    reschedule(plan, user=user)
    return plan


# -- baselines -------------------------------------------------------------------------------------------------


@transaction.atomic
def baseline_save(user: Any, plan: Plan, name: str) -> Baseline:
    check_edit(user, plan.project)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the baseline a name.")]})
    if Baseline.objects.filter(plan=plan, name=name).exists():
        raise ValidationError({"name": [_("This plan already has a baseline called “%(name)s”.") % {"name": name}]})
    highest = Baseline.objects.filter(plan=plan).aggregate(m=Max("number"))["m"]
    number = 0 if highest is None else highest + 1
    if number > 10:
        raise ValidationError({"name": [_("A plan keeps at most eleven baselines (as MS Project does).")]})
    baseline = Baseline.objects.create(plan=plan, name=name, number=number, created_by=person_of(user), finish=plan.finish)
    rows = Task.objects.filter(plan=plan).values_list("id", "start", "finish", "duration")
    BaselineTask.objects.bulk_create(
        [BaselineTask(baseline=baseline, task_id=i, start=s, finish=f, duration=d) for i, s, f, d in rows], batch_size=2000
    )
    if plan.baseline_id is None:
        plan.baseline = baseline
        plan.save(update_fields=["baseline"])
    return baseline


def variance(plan: Plan) -> dict[int, dict[str, int | None]]:
    """Per task: start, finish and duration variance against the chosen baseline, in working minutes."""
    if plan.baseline_id is None:
        return {}
    engine = calendars.engine_calendar(plan.calendar)
    rows = BaselineTask.objects.filter(baseline_id=plan.baseline_id).values_list(
        "task_id", "start", "finish", "duration", "task__start", "task__finish", "task__duration"
    )
    result: dict[int, dict[str, int | None]] = {}
    for task_id, b_start, b_finish, b_duration, start, finish, duration in rows:
        result[task_id] = {
            "start": working_between(engine, b_start, start),
            "finish": working_between(engine, b_finish, finish),
            "duration": None if b_duration is None else duration - b_duration,
        }
    return result


def working_between(engine: cal.Calendar, a: dt.datetime | None, b: dt.datetime | None) -> int | None:
    if a is None or b is None:
        return None
    return engine.between(cal.to_minute(_naive(a)), cal.to_minute(_naive(b)))


def schedule_suggestion(project: Project) -> dict[str, Any] | None:
    """The schedule RAG a status report could take: green on or ahead of the baseline finish, amber up to
    ``REGIE_SCHEDULE_AMBER_DAYS`` working days late (or on a critical path with negative slack), red beyond;
    with the milestones of the coming weeks."""
    plan = Plan.objects.filter(project=project).select_related("calendar", "baseline").first()
    if plan is None or plan.finish is None or plan.schedule_error:
        return None  # no plan, never scheduled, or its last schedule is out of date (the plan page says why)
    days = None
    if plan.baseline is not None and plan.baseline.finish is not None:
        minutes = working_between(calendars.engine_calendar(plan.calendar), plan.baseline.finish, plan.finish) or 0
        days = minutes / plan.minutes_per_day
    negative = Task.objects.filter(plan=plan, total_slack__lt=0, is_summary=False).count()
    if days is not None and days > settings.REGIE_SCHEDULE_AMBER_DAYS:
        rag = "red"
    elif (days is not None and days > 0) or negative:
        rag = "amber"
    else:
        rag = "green"
    today = timezone.now()
    milestones = list(
        Task.objects.filter(plan=plan, milestone=True, finish__gte=today - dt.timedelta(days=14))
        .filter(Q(actual_finish__isnull=True))
        .order_by("finish")[:8]
    )
    return {"rag": rag, "days_late": days, "negative_slack_tasks": negative, "milestones": milestones, "plan": plan}


def _day(moment: dt.datetime | None) -> str | None:
    return None if moment is None else _naive(moment).date().isoformat()


def report_suggestion(project: Project) -> dict[str, Any] | None:
    """What a status report of the project takes from its plan: the suggested schedule status with its
    rationale in words, and the coming milestones with their forecast and baseline dates."""
    found = schedule_suggestion(project)
    if found is None:
        return None
    plan = found["plan"]
    days = found["days_late"]
    finish = _day(plan.finish)
    if days is None:
        parts = [_("Forecast finish %(finish)s; no baseline is chosen to compare it with.") % {"finish": finish}]
    else:
        values = {"finish": finish, "baseline": plan.baseline.name, "baseline_finish": _day(plan.baseline.finish)}
        if days > 0:
            parts = [
                _('Forecast finish %(finish)s, %(days)s working days after the baseline "%(baseline)s" (%(baseline_finish)s).')
                % {**values, "days": f"{days:.1f}".rstrip("0").rstrip(".")}
            ]
        else:
            parts = [_('Forecast finish %(finish)s, on or before the baseline "%(baseline)s" (%(baseline_finish)s).') % values]
    if found["negative_slack_tasks"]:
        parts.append(
            ngettext(
                "%(count)d task has negative slack: a date it is held to cannot be met.",
                "%(count)d tasks have negative slack: the dates they are held to cannot be met.",
                found["negative_slack_tasks"],
            )
            % {"count": found["negative_slack_tasks"]}
        )
    # the milestones of the last month (reached or not) and the coming ones
    since = timezone.now() - dt.timedelta(days=31)
    milestones = list(Task.objects.filter(plan=plan, milestone=True, finish__gte=since).order_by("finish", "wbs")[:8])
    baseline = dict(
        BaselineTask.objects.filter(baseline_id=plan.baseline_id, task__in=milestones).values_list("task_id", "finish")
    )
    engine = calendars.engine_calendar(plan.calendar)
    rows = []
    for task in milestones:
        baseline_finish = baseline.get(task.pk)
        late = working_between(engine, baseline_finish, task.finish)
        rows.append({
            "name": task.name,
            "finish": _day(task.finish),
            "baseline_finish": _day(baseline_finish),
            "variance_days": None if late is None else round(late / plan.minutes_per_day, 1),
            "done": task.actual_finish is not None,
        })  # fmt: skip
    return {"rag": found["rag"], "rationale": " ".join(parts), "milestones": rows}
