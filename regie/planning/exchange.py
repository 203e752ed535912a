"""MS Project XML in and out of the database: an import creates a new project with its plan, all or
nothing; an export writes the plan with Regie's computed schedule."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Hashable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.engine import calendar as cal
from regie.engine import cpm
from regie.planning import calendars, mspdi, services
from regie.planning.models import (
    Assignment,
    Baseline,
    BaselineTask,
    CalendarException,
    Link,
    Plan,
    Resource,
    Task,
    WorkCalendar,
)
from regie.portfolio.models import Portfolio, Project

Progress = Callable[[float, str], None]


def _unit(duration_format: int) -> tuple[str, bool]:
    unit = mspdi.UNIT_BY_FORMAT.get(duration_format if duration_format < 32 else duration_format - 32, "d")
    elapsed = unit.startswith("e") and unit != "e%"
    unit = unit[1:] if elapsed else unit
    return (unit if unit in ("m", "h", "d", "w", "mo") else "d"), elapsed


def _lag_unit(lag_format: int) -> str:
    unit, _elapsed = _unit(lag_format)
    return unit


def new_code(name: str) -> str:
    base = (slugify(name).upper().replace("-", "")[:20] or "PLAN").strip("._-") or "PLAN"
    if not re.match(r"^[A-Za-z0-9]", base):
        base = "P" + base
    code, number = base, 1
    while Project.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return code


def _calendar_name(name: str, code: str) -> str:
    name = (name or "Calendar").strip()[:80]
    candidate = name
    number = 1
    while WorkCalendar.objects.filter(name=candidate).exists():
        candidate = f"{name} ({code})" if number == 1 else f"{name} ({code} {number})"
        number += 1
    return candidate


def import_project(
    source: str | bytes | IO[bytes],
    *,
    user: Any,
    portfolio: Portfolio,
    code: str | None = None,
    name: str | None = None,
    filename: str = "",
    progress: Progress | None = None,
) -> Project:
    """Create a project from an MSPDI file; raises ValidationError naming the problem and stores nothing."""
    if not permissions.may(user, "planning.import_plan", portfolio):
        raise PermissionDenied(_("You may not import plans into this portfolio."))

    def report(share: float, message: str) -> None:
        if progress is not None:
            progress(share, message)

    report(0.0, _("Reading the file"))
    try:
        ms = mspdi.read(source, progress=lambda share: report(0.3 * share, _("Reading the file")))
        engine_cals = ms.engine_calendars()
        tasks, links = ms.engine_plan()
        # schedule once before touching the database: loops, unknown calendars and dates out of range are refused here
        cpm.schedule(tasks, links, engine_cals, str(ms.default_calendar_uid()), ms.start)
    except mspdi.MspdiError as exc:
        raise ValidationError(str(exc)) from None
    except cpm.LoopError as exc:
        names: dict[Hashable, str] = {t.uid: t.name for t in ms.tasks}
        loop = " → ".join(f"{names.get(uid, uid)} ({uid})" for uid in exc.loop)
        raise ValidationError(_("The links form a loop: %(loop)s.") % {"loop": loop}) from None
    except (cpm.ScheduleError, cal.CalendarError) as exc:
        raise ValidationError(_("The plan cannot be scheduled: %(problem)s") % {"problem": exc}) from None
    if not ms.schedule_from_start:
        raise ValidationError(
            _("The plan is scheduled from its finish date; Regie schedules from the start. Change it in MS Project.")
        )
    with transaction.atomic():
        project = _store(ms, user=user, portfolio=portfolio, code=code, name=name, filename=filename, report=report)
        report(0.7, _("Scheduling"))
        services.reschedule(project.plan, progress=lambda share: report(0.7 + 0.3 * share, _("Scheduling")))
    report(1.0, _("Done"))
    return project


def _store(ms: mspdi.MsProject, *, user: Any, portfolio: Portfolio, code: str | None, name: str | None, filename: str,
           report: Callable[[float, str], None]) -> Project:  # fmt: skip
    from regie.portfolio.services import person_of

    title = (name or ms.title or ms.name or filename.rsplit(".", 1)[0] or _("Imported plan")).strip()[:200]
    if code:
        if Project.objects.filter(code=code).exists():
            raise ValidationError({"code": [_("A project with the code %(code)s exists already.") % {"code": code}]})
    else:
        code = new_code(title)
    project = Project(code=code, name=title, portfolio=portfolio, project_manager=person_of(user))
    project.full_clean(exclude=["lifecycle", "current_phase"])
    project.save()
    report(0.32, _("Storing calendars"))
    calendar_rows: dict[int, WorkCalendar] = {}
    for uid in ms.calendars:
        week, exceptions, work_weeks = ms._resolve(uid, set())
        row = WorkCalendar.objects.create(
            name=_calendar_name(ms.calendars[uid].name or f"Calendar {uid}", code),
            week=[calendars.format_day(day) for day in week],
            description=_("Imported with %(project)s") % {"project": code},
        )
        CalendarException.objects.bulk_create(
            [
                CalendarException(
                    calendar=row,
                    name=e.name[:100],
                    start=e.start,
                    end=e.end,
                    hours=calendars.format_day(e.intervals),
                    recurrence=e.recurrence,
                    period=e.period,
                    weekdays=sorted(e.weekdays),
                    month_day=e.month_day,
                    weekday=e.weekday,
                    position=e.position,
                    month=e.month,
                    occurrences=e.occurrences,
                )
                for e in exceptions
            ]
        )
        calendar_rows[uid] = row
    plan = Plan.objects.create(
        project=project,
        calendar=calendar_rows[ms.default_calendar_uid()],
        start=services._aware(ms.start),
        minutes_per_day=ms.minutes_per_day,
        minutes_per_week=ms.minutes_per_week,
        days_per_month=ms.days_per_month,
        source_name=filename[:255],
    )
    report(0.4, _("Storing %(count)s tasks") % {"count": len(ms.tasks)})
    rows = []
    for position, task in enumerate(ms.tasks):
        if task.external:
            continue  # a task of another project: linked to below when Regie has it
        unit, _elapsed = _unit(task.duration_format)
        rows.append(
            Task(
                plan=plan,
                uid=task.uid,
                position=position,
                wbs=(task.wbs or task.outline_number)[:60],
                name=(task.name or _("Task %(uid)s") % {"uid": task.uid})[:255],
                milestone=task.milestone,
                is_summary=task.summary,
                manual=task.manual and not task.summary,
                duration=task.duration,
                duration_unit=unit,
                elapsed=task.elapsed,
                calendar=calendar_rows.get(task.calendar_uid) if task.calendar_uid is not None else None,
                constraint=task.constraint,
                constraint_date=services._aware(task.constraint_date),
                deadline=services._aware(task.deadline),
                actual_start=services._aware(task.actual_start),
                actual_finish=services._aware(task.actual_finish),
                percent_complete=task.percent_complete,
                remaining=task.remaining,
                notes=task.notes[:20000],
                task_type=task.task_type,
                start=services._aware(task.start),
                finish=services._aware(task.finish),
            )
        )
    Task.objects.bulk_create(rows, batch_size=1000)
    by_uid = {row.uid: row.pk for row in Task.objects.filter(plan=plan).only("id", "uid")}
    parents = []
    parent_of = {task.uid: task.parent_uid for task in ms.tasks}
    for task in ms.tasks:
        parent = task.parent_uid
        while parent is not None and parent not in by_uid:
            parent = parent_of.get(parent)  # an external task is not stored: its children go one level up
        if task.uid in by_uid and parent is not None:
            parents.append(Task(pk=by_uid[task.uid], parent_id=by_uid[parent]))
    Task.objects.bulk_update(parents, ["parent_id"], batch_size=2000)
    report(0.55, _("Storing links"))
    elsewhere = _external_tasks(ms, user)
    link_rows = []
    for task in ms.tasks:
        if task.external:
            continue
        for link in task.links:
            predecessor = by_uid.get(link.predecessor_uid) or elsewhere.get(link.predecessor_uid)
            if predecessor is None:
                continue
            link_rows.append(
                Link(
                    predecessor_id=predecessor,
                    successor_id=by_uid[task.uid],
                    type=link.type,
                    lag=link.lag,
                    lag_kind=link.lag_kind,
                    lag_unit=_lag_unit(link.lag_format),
                )
            )
    Link.objects.bulk_create(link_rows, batch_size=2000, ignore_conflicts=True)
    numbers = sorted({b.number for t in ms.tasks for b in t.baselines})
    for number in numbers:
        baseline = Baseline.objects.create(
            plan=plan, number=number, name=_("Baseline") if number == 0 else _("Baseline %(n)s") % {"n": number}
        )
        BaselineTask.objects.bulk_create(
            [
                BaselineTask(
                    baseline=baseline,
                    task_id=by_uid[t.uid],
                    start=services._aware(b.start),
                    finish=services._aware(b.finish),
                    duration=b.duration,
                )
                for t in ms.tasks
                for b in t.baselines
                if b.number == number and t.uid in by_uid
            ],
            batch_size=2000,
        )
        finishes = [b.finish for t in ms.tasks for b in t.baselines if b.number == number and b.finish]
        baseline.finish = services._aware(max(finishes)) if finishes else None
        baseline.save(update_fields=["finish"])
        if number == 0:
            plan.baseline = baseline
            plan.save(update_fields=["baseline"])
    report(0.62, _("Storing resources"))
    resource_rows = {}
    for resource in ms.resources:
        resource_rows[resource.uid] = Resource.objects.create(
            plan=plan,
            uid=resource.uid,
            name=resource.name[:255],
            kind=resource.type,
            initials=resource.initials[:30],
            email=resource.email[:255],
            max_units=resource.max_units,
            standard_rate=resource.standard_rate,
            calendar=calendar_rows.get(resource.calendar_uid) if resource.calendar_uid is not None else None,
        )
    Assignment.objects.bulk_create(
        [
            Assignment(task_id=by_uid[a.task_uid], resource=resource_rows[a.resource_uid], units=a.units, work=a.work)
            for a in ms.assignments
            if a.task_uid in by_uid and a.resource_uid in resource_rows
        ],
        batch_size=2000,
    )
    return project


def _external_tasks(ms: mspdi.MsProject, user: Any) -> dict[int, int]:
    """The file's external predecessors that are tasks of projects in Regie the user may see (named as an
    export names them: ``CODE.xml\\UID``): their UIDs in the file and their ids here."""
    found: dict[int, int] = {}
    for task in ms.tasks:
        if not task.external:
            continue
        source, _sep, uid = task.external_project.replace("/", "\\").rpartition("\\")
        filename = source.rpartition("\\")[2]
        if not (filename.lower().endswith(".xml") and uid.isascii() and uid.isdecimal() and len(uid) < 10):
            continue  # MS Project names an .mpp file and a task ID: nothing Regie can find
        code = filename[:-4]
        other = Task.objects.filter(plan__project__code=code, uid=int(uid)).select_related("plan__project").first()
        if other is not None and permissions.may(user, "portfolio.view_project", other.plan.project):
            found[task.uid] = other.pk
    return found


# -- export ---------------------------------------------------------------------------------------------------


def _engine_week(row: WorkCalendar) -> list[cal.Day | None]:
    return list(calendars.parse_week(row.week))


def external_name(task: Task) -> str:
    """How an exported file names a task of another project: its project's file and the task's UID, as MS
    Project names an external predecessor (``P-001.xml\\12``)."""
    return f"{task.plan.project.code}.xml\\{task.uid}"


def _result(task: Task) -> cpm.TaskResult | None:
    """The stored schedule of a task as the engine gives it."""
    if not (task.start and task.finish and task.early_start):
        return None
    return cpm.TaskResult(
        start=services._naive(task.start),
        finish=services._naive(task.finish),
        early_start=services._naive(task.early_start),
        early_finish=services._naive(task.early_finish),  # type: ignore[arg-type]
        late_start=services._naive(task.late_start),  # type: ignore[arg-type]
        late_finish=services._naive(task.late_finish),  # type: ignore[arg-type]
        total_slack=task.total_slack or 0,
        free_slack=task.free_slack or 0,
        critical=task.critical,
        duration=task.duration,
    )


def build_project(
    plan: Plan, progress: Callable[[float], None] | None = None, user: Any = None
) -> tuple[mspdi.MsProject, cpm.Schedule]:
    """The plan as MSPDI data, with the stored schedule as the computed dates. Predecessors in other
    projects (those ``user`` may see; all without a user) become external tasks, as in MS Project."""
    tasks = list(Task.objects.filter(plan=plan).order_by("position"))
    uid_of = {t.pk: t.uid for t in tasks}
    calendar_ids = {plan.calendar_id} | {t.calendar_id for t in tasks if t.calendar_id}
    resources = list(Resource.objects.filter(plan=plan))
    calendar_ids |= {r.calendar_id for r in resources if r.calendar_id}
    ms_calendars: dict[int, mspdi.MsCalendar] = {}
    for number, row in enumerate(WorkCalendar.objects.filter(pk__in=calendar_ids).prefetch_related("exceptions"), start=1):
        ms_calendars[row.pk] = mspdi.MsCalendar(
            uid=number,
            name=row.name,
            base_uid=None,
            week=_engine_week(row),
            exceptions=[calendars.exception_of(e) for e in row.exceptions.all()],
        )
    links: dict[int, list[mspdi.MsLink]] = {}
    external: dict[int, mspdi.MsTask] = {}
    results: dict[Any, cpm.TaskResult] = {}
    next_uid = max(uid_of.values(), default=0) + 1
    for link in Link.objects.filter(successor__plan=plan).select_related("predecessor__plan__project"):
        fmt = {"m": 3, "h": 5, "d": 7, "w": 9, "mo": 11}.get(link.lag_unit, 7) + (1 if link.lag_kind == cpm.ELAPSED else 0)
        other = link.predecessor
        if other.plan_id == plan.pk:
            links.setdefault(link.successor_id, []).append(
                mspdi.MsLink(uid_of[link.predecessor_id], link.type, link.lag, link.lag_kind, fmt)
            )
            continue
        if user is not None and not permissions.may(user, "portfolio.view_project", other.plan.project):
            continue
        ghost = external.get(other.pk)
        if ghost is None:
            ghost = external[other.pk] = mspdi.MsTask(
                uid=next_uid + len(external),
                id=len(tasks) + len(external) + 1,
                name=other.name,
                outline_level=1,
                outline_number=str(sum(1 for t in tasks if t.parent_id is None) + len(external) + 1),
                milestone=other.milestone,
                duration=other.duration,
                duration_format=7,
                external=True,
                external_project=external_name(other),
                start=services._naive(other.start),
                finish=services._naive(other.finish),
            )
            found = _result(other)
            if found is not None:
                results[ghost.uid] = found
        links.setdefault(link.successor_id, []).append(
            mspdi.MsLink(
                ghost.uid, link.type, link.lag, link.lag_kind, fmt, cross_project=True, cross_project_name=ghost.external_project
            )
        )
    baselines: dict[int, list[mspdi.MsBaseline]] = {}
    for row in BaselineTask.objects.filter(baseline__plan=plan).select_related("baseline"):
        if row.baseline.number <= 10:
            baselines.setdefault(row.task_id, []).append(
                mspdi.MsBaseline(row.baseline.number, services._naive(row.start), services._naive(row.finish), row.duration)
            )
    depth: dict[int, int] = {}
    numbers: dict[int, str] = {}
    counters: dict[int | None, int] = {}
    ms_tasks = []
    for number, task in enumerate(tasks, start=1):
        depth[task.pk] = depth.get(task.parent_id, 0) + 1 if task.parent_id else 1
        counters[task.parent_id] = counters.get(task.parent_id, 0) + 1
        numbers[task.pk] = (numbers[task.parent_id] + "." if task.parent_id else "") + str(counters[task.parent_id])
        fmt = {"m": 3, "h": 5, "d": 7, "w": 9, "mo": 11}.get(task.duration_unit, 7) + (1 if task.elapsed else 0)
        ms_tasks.append(
            mspdi.MsTask(
                uid=task.uid,
                id=number,
                name=task.name,
                outline_level=depth[task.pk],
                wbs=task.wbs,
                outline_number=numbers[task.pk],
                parent_uid=uid_of.get(task.parent_id) if task.parent_id else None,
                summary=task.is_summary,
                milestone=task.milestone,
                manual=task.manual,
                duration=task.duration,
                duration_format=fmt,
                elapsed=task.elapsed,
                constraint=task.constraint,
                constraint_date=services._naive(task.constraint_date),
                deadline=services._naive(task.deadline),
                calendar_uid=ms_calendars[task.calendar_id].uid if task.calendar_id else None,
                actual_start=services._naive(task.actual_start),
                actual_finish=services._naive(task.actual_finish),
                percent_complete=task.percent_complete,
                remaining=task.remaining,
                task_type=task.task_type,
                notes=task.notes,
                links=links.get(task.pk, []),
                baselines=baselines.get(task.pk, []),
            )
        )
        found = _result(task)
        if found is not None:
            results[task.uid] = found
    ms_tasks += external.values()
    ms = mspdi.MsProject(
        name=plan.project.name,
        title=plan.project.name,
        start=services._naive(plan.start),
        finish=services._naive(plan.finish),
        calendar_uid=ms_calendars[plan.calendar_id].uid,
        minutes_per_day=plan.minutes_per_day,
        minutes_per_week=plan.minutes_per_week,
        days_per_month=plan.days_per_month,
        calendars={c.uid: c for c in ms_calendars.values()},
        tasks=ms_tasks,
        resources=[
            mspdi.MsResource(
                uid=r.uid,
                name=r.name,
                type=r.kind,
                initials=r.initials,
                email=r.email,
                max_units=r.max_units,
                standard_rate=r.standard_rate,
                calendar_uid=ms_calendars[r.calendar_id].uid if r.calendar_id else None,
            )  # fmt: skip
            for r in resources
        ],
        assignments=[
            mspdi.MsAssignment(uid_of[a.task_id], a.resource.uid, a.units, a.work)
            for a in Assignment.objects.filter(task__plan=plan).select_related("resource")
        ],
    )
    schedule = cpm.Schedule(
        tasks=results,
        start=services._naive(plan.start),
        finish=services._naive(plan.finish) or services._naive(plan.start),
        order=[],
    )
    return ms, schedule


def export_project(project: Project, progress: Callable[[float], None] | None = None, user: Any = None) -> bytes:
    plan = services.plan_for(project)
    ms, schedule = build_project(plan, user=user)
    return mspdi.write(ms, schedule, progress=progress)


def milestones_ics(project: Project) -> bytes:
    """An iCalendar feed of the project's milestones (all-day events on their dates)."""
    import icalendar

    feed = icalendar.Calendar()
    feed.add("prodid", "-//Regie//planning//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", f"{project.code} {project.name}")
    plan = Plan.objects.filter(project=project).first()
    if plan is not None:
        for task in Task.objects.filter(plan=plan, milestone=True).exclude(finish__isnull=True).order_by("finish"):
            event = icalendar.Event()
            event.add("uid", f"regie-{project.code}-{task.uid}@regie")
            event.add("summary", f"{project.code}: {task.name}")
            day = services._naive(task.finish).date()
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add("dtstamp", services._aware(dt.datetime.now()))
            if task.critical:
                event.add("categories", ["critical"])
            feed.add_component(event)
    return feed.to_ical()
