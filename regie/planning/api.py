"""The planning API: a project's plan and schedule, tasks, links, baselines, calendars, and MS Project
import and export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from regie.core import permissions
from regie.core.api import Strict
from regie.core.api_tools import RecordId, check_id, etag_of, expected_version
from regie.core.models import Person
from regie.planning import calendars, exchange, services
from regie.planning.models import Baseline, Link, Task, WorkCalendar
from regie.portfolio import selectors as portfolio_selectors
from regie.portfolio.models import Portfolio, Project

plans = Router(tags=["planning"])
tasks_router = Router(tags=["planning"])
links_router = Router(tags=["planning"])
calendars_router = Router(tags=["planning"])

Unit = Literal["m", "h", "d", "w", "mo"]


class TaskOut(Schema):
    id: int
    uid: int
    version: int
    wbs: str
    name: str
    parent_id: int | None
    owner_id: int | None
    summary: bool = Field(..., alias="is_summary")
    milestone: bool
    manual: bool
    duration_minutes: int = Field(..., alias="duration")
    duration_unit: str
    elapsed: bool
    calendar_id: int | None
    constraint: str
    constraint_date: datetime | None
    deadline: datetime | None
    actual_start: datetime | None
    actual_finish: datetime | None
    percent_complete: int
    start: datetime | None
    finish: datetime | None
    early_start: datetime | None
    early_finish: datetime | None
    late_start: datetime | None
    late_finish: datetime | None
    total_slack_minutes: int | None = Field(None, alias="total_slack")
    free_slack_minutes: int | None = Field(None, alias="free_slack")
    critical: bool


class TaskIn(Strict):
    name: str = Field(..., min_length=1, max_length=255)
    parent: RecordId | None = None
    owner: RecordId | None = None
    milestone: bool = False
    manual: bool = False
    duration: float = Field(1, ge=0, le=100000, description="In `duration_unit`; 1 day by default, 0 for a milestone")
    duration_unit: Unit = "d"
    elapsed: bool = False
    calendar: RecordId | None = None
    constraint: Literal["ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"] = "ASAP"
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    percent_complete: int = Field(0, ge=0, le=100)
    notes: str = Field("", max_length=20000)


class TaskPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=255)
    parent: RecordId | None = None
    owner: RecordId | None = None
    milestone: bool | None = None
    manual: bool | None = None
    duration: float | None = Field(None, ge=0, le=100000)
    duration_unit: Unit | None = None
    elapsed: bool | None = None
    calendar: RecordId | None = None
    constraint: Literal["ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"] | None = None
    constraint_date: datetime | None = None
    deadline: datetime | None = None
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    percent_complete: int | None = Field(None, ge=0, le=100)
    notes: str | None = Field(None, max_length=20000)


class LinkOut(Schema):
    id: int
    predecessor_id: int
    successor_id: int
    type: str
    lag: float
    lag_kind: str
    lag_unit: str
    cross_project: bool


class LinkIn(Strict):
    predecessor: RecordId
    successor: RecordId
    type: Literal["FS", "SS", "FF", "SF"] = "FS"
    lag: float = Field(0, ge=-100000, le=100000, description="In `lag_unit`, or a percentage when `lag_kind` is percent")
    lag_unit: Unit = "d"
    lag_kind: Literal["work", "elapsed", "percent"] = "work"


class PlanOut(Schema):
    project_id: int
    project_code: str
    calendar_id: int
    start: datetime
    finish: datetime | None
    scheduled_at: datetime | None
    schedule_error: str
    baseline_id: int | None
    minutes_per_day: int
    minutes_per_week: int
    days_per_month: int


class PlanPatch(Strict):
    calendar: RecordId | None = None
    start: datetime | None = None
    baseline: RecordId | None = None


class BaselineOut(Schema):
    id: int
    name: str
    number: int
    created_at: datetime
    finish: datetime | None


class BaselineIn(Strict):
    name: str = Field(..., min_length=1, max_length=100)


class CalendarOut(Schema):
    id: int
    name: str
    is_default: bool
    week: list[list[list[str]]]
    exceptions: list[dict[str, Any]]


class JobRef(Schema):
    id: int
    status: str
    url: str


def _project(request: HttpRequest, pk: int) -> Project:
    check_id(pk)
    project = portfolio_selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project


def _task(request: HttpRequest, pk: int) -> Task:
    check_id(pk)
    task = Task.objects.select_related("plan__project", "plan__calendar").filter(pk=pk).first()
    if task is None or not permissions.may(request.user, "portfolio.view_project", task.plan.project):
        raise Http404
    return task


def _plan_out(plan: Any) -> dict[str, Any]:
    return {
        "project_id": plan.project_id, "project_code": plan.project.code, "calendar_id": plan.calendar_id, "start": plan.start,
        "finish": plan.finish, "scheduled_at": plan.scheduled_at, "schedule_error": plan.schedule_error,
        "baseline_id": plan.baseline_id, "minutes_per_day": plan.minutes_per_day, "minutes_per_week": plan.minutes_per_week,
        "days_per_month": plan.days_per_month,
    }  # fmt: skip


def _values(request: HttpRequest, plan: Any, data: dict[str, Any], task: Task | None = None) -> dict[str, Any]:
    values = dict(data)
    if "parent" in values:
        values["parent"] = Task.objects.filter(pk=values["parent"], plan=plan).first() if values["parent"] else None
        if data["parent"] and values["parent"] is None:
            raise Http404
    if "owner" in values:
        values["owner"] = Person.objects.filter(pk=values["owner"]).first() if values["owner"] else None
    if "calendar" in values:
        values["calendar"] = WorkCalendar.objects.active().filter(pk=values["calendar"]).first() if values["calendar"] else None
        if data["calendar"] and values["calendar"] is None:
            raise Http404  # no such calendar, or an archived one
    if "duration" in values and values["duration"] is not None:
        unit = values.get("duration_unit") or (task.duration_unit if task else "d")
        elapsed = values.get("elapsed", task.elapsed if task else False)
        values["duration"] = services.to_minutes(values["duration"], unit, plan, bool(elapsed))
    return values


@plans.post("/import", response={202: JobRef}, operation_id="plan_import",
            summary="Import an MS Project XML file as a new project, all or nothing; poll the job for the outcome")  # fmt: skip
def plan_import(request: HttpRequest, file: File[UploadedFile], portfolio: Form[int], code: Form[str] = "") -> Any:
    from regie.planning import tasks

    check_id(portfolio)
    target = Portfolio.objects.filter(pk=portfolio).first()
    if target is None:
        raise Http404
    job = tasks.enqueue_import(request.user, file, target, code)
    return Status(202, {"id": job.pk, "status": job.status, "url": f"/api/jobs/{job.pk}"})


@plans.get("/{project_id}", response=PlanOut, operation_id="plan_get", summary="A project's plan and its computed finish")
def plan_get(request: HttpRequest, project_id: int) -> Any:
    return _plan_out(services.plan_for(_project(request, project_id)))


@plans.patch(
    "/{project_id}", response=PlanOut, operation_id="plan_update", summary="Change the plan's calendar, start or baseline"
)
def plan_update(request: HttpRequest, project_id: int, payload: PlanPatch) -> Any:
    plan = services.plan_for(_project(request, project_id))
    data = payload.model_dump(exclude_unset=True)
    values: dict[str, Any] = {}
    if "calendar" in data:
        values["calendar"] = WorkCalendar.objects.active().filter(pk=data["calendar"]).first()
        if values["calendar"] is None:
            raise Http404
    if data.get("start"):
        values["start"] = data["start"]
    if "baseline" in data:
        values["baseline"] = Baseline.objects.filter(pk=data["baseline"], plan=plan).first() if data["baseline"] else None
    return _plan_out(services.plan_update(request.user, plan, values))


@plans.get("/{project_id}/tasks", response=list[TaskOut], operation_id="plan_tasks", summary="Every task with its schedule")
def plan_tasks(request: HttpRequest, project_id: int) -> Any:
    plan = services.plan_for(_project(request, project_id))
    return list(Task.objects.filter(plan=plan).order_by("position"))


@plans.post(
    "/{project_id}/tasks", response={201: TaskOut}, operation_id="task_create", summary="Add a task; the plan is rescheduled"
)
def task_create(request: HttpRequest, project_id: int, payload: TaskIn) -> Any:
    plan = services.plan_for(_project(request, project_id))
    data = payload.model_dump()
    if "duration" not in payload.model_fields_set:
        del data["duration"]  # the default: a day for a task, nothing for a milestone
    task = services.task_create(request.user, plan, _values(request, plan, data))
    return Status(201, task)


@tasks_router.get("/{task_id}", response=TaskOut, operation_id="task_get", summary="One task with its schedule")
def task_get(request: HttpRequest, response: HttpResponse, task_id: int) -> Any:
    task = _task(request, task_id)
    response["ETag"] = etag_of(task)
    return task


@tasks_router.patch(
    "/{task_id}", response=TaskOut, operation_id="task_update", summary="Change a task (If-Match); the plan is rescheduled"
)
def task_update(request: HttpRequest, response: HttpResponse, task_id: int, payload: TaskPatch) -> Any:
    task = _task(request, task_id)
    services.check_edit(request.user, task.plan.project)
    version = expected_version(request)
    data = payload.model_dump(exclude_unset=True)
    task = services.task_update(request.user, task, _values(request, task.plan, data, task), version=version)
    response["ETag"] = etag_of(task)
    return task


@tasks_router.delete("/{task_id}", response={204: None}, operation_id="task_delete", summary="Delete a task without subtasks")
def task_delete(request: HttpRequest, task_id: int) -> Any:
    services.task_delete(request.user, _task(request, task_id))
    return Status(204, None)


@plans.get("/{project_id}/links", response=list[LinkOut], operation_id="plan_links", summary="The links into this plan's tasks")
def plan_links(request: HttpRequest, project_id: int) -> Any:
    plan = services.plan_for(_project(request, project_id))
    rows = Link.objects.filter(successor__plan=plan).select_related("predecessor", "successor")
    return [_link_out(r) for r in rows]


def _link_out(link: Link) -> dict[str, Any]:
    names = ("id", "predecessor_id", "successor_id", "type", "lag", "lag_kind", "lag_unit")
    return {**{name: getattr(link, name) for name in names}, "cross_project": link.cross_project}


@links_router.post("", response={201: LinkOut}, operation_id="link_create", summary="Link two tasks, also across projects")
def link_create(request: HttpRequest, payload: LinkIn) -> Any:
    predecessor = _task(request, payload.predecessor)
    successor = _task(request, payload.successor)
    lag = services.lag_value(payload.lag, payload.lag_unit, payload.lag_kind, successor.plan)
    link = services.link_create(request.user, predecessor, successor, payload.type, lag, payload.lag_kind, payload.lag_unit)
    return Status(201, _link_out(link))


@links_router.delete("/{link_id}", response={204: None}, operation_id="link_delete", summary="Remove a link")
def link_delete(request: HttpRequest, link_id: int) -> Any:
    check_id(link_id)
    link = Link.objects.select_related("successor__plan__project").filter(pk=link_id).first()
    if link is None or not permissions.may(request.user, "portfolio.view_project", link.successor.plan.project):
        raise Http404
    services.link_delete(request.user, link)
    return Status(204, None)


@plans.get("/{project_id}/baselines", response=list[BaselineOut], operation_id="plan_baselines", summary="The plan's baselines")
def plan_baselines(request: HttpRequest, project_id: int) -> Any:
    return list(Baseline.objects.filter(plan=services.plan_for(_project(request, project_id))))


@plans.post(
    "/{project_id}/baselines",
    response={201: BaselineOut},
    operation_id="baseline_create",
    summary="Save the current dates as a baseline",
)
def baseline_create(request: HttpRequest, project_id: int, payload: BaselineIn) -> Any:
    plan = services.plan_for(_project(request, project_id))
    return Status(201, services.baseline_save(request.user, plan, payload.name))


@plans.get("/{project_id}/variance", response=dict[str, dict[str, int | None]], operation_id="plan_variance",
           summary="Start, finish and duration variance per task against the chosen baseline (working minutes)")  # fmt: skip
def plan_variance(request: HttpRequest, project_id: int) -> Any:
    return {str(k): v for k, v in services.variance(services.plan_for(_project(request, project_id))).items()}


@plans.post("/{project_id}/export", response={202: JobRef}, operation_id="plan_export",
            summary="Write the plan as MS Project XML with Regie's schedule; poll the job, then download its file")  # fmt: skip
def plan_export(request: HttpRequest, project_id: int) -> Any:
    from regie.planning import tasks

    job = tasks.enqueue_export(request.user, _project(request, project_id))
    return Status(202, {"id": job.pk, "status": job.status, "url": f"/api/jobs/{job.pk}"})


@plans.get("/{project_id}/milestones.ics", operation_id="plan_milestones_ics", summary="The milestones as an iCalendar feed")
def plan_milestones(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id)
    return HttpResponse(exchange.milestones_ics(project), content_type="text/calendar; charset=utf-8")


class RescheduledOut(Schema):
    plans: int = Field(..., description="Plans rescheduled at once")
    queued: int = Field(..., description="Large plans rescheduled by a background job")
    failed: list[str] = Field(..., description="Plans that could not be rescheduled (their page says why)")


class CalendarExceptionOut(Schema):
    id: int
    calendar_id: int
    calendar_version: int = Field(..., description="The calendar's version: the ETag to send with If-Match")
    name: str
    start: date
    end: date
    hours: list[list[str]] = Field(..., description="Working periods; [] for a non-working day")
    recurrence: str
    period: int
    weekdays: list[int]
    month_day: int | None
    weekday: int | None
    position: int | None
    month: int | None
    occurrences: int | None
    rescheduled: RescheduledOut | None = None


class CalendarRecordOut(CalendarOut):
    version: int
    domain_id: int | None
    description: str
    exceptions: list[CalendarExceptionOut]  # type: ignore[assignment]
    rescheduled: RescheduledOut | None = None


class CalendarIn(Strict):
    name: str = Field(..., min_length=1, max_length=100)
    week: list[list[list[str]]] | None = Field(
        None, min_length=7, max_length=7, description='Monday first, each day a list of periods such as ["08:00", "12:00"]'
    )
    is_default: bool = Field(False, description="Make this the organisation default (the previous default gives it up)")
    domain: RecordId | None = None
    description: str = Field("", max_length=20000)


class CalendarPatch(Strict):
    name: str | None = Field(None, min_length=1, max_length=100)
    week: list[list[list[str]]] | None = Field(None, min_length=7, max_length=7)
    is_default: bool | None = None
    domain: RecordId | None = None
    description: str | None = Field(None, max_length=20000)


class CalendarExceptionIn(Strict):
    name: str = Field("", max_length=100)
    start: date
    end: date | None = Field(None, description="The last day it may cover; empty for the first day only")
    hours: list[list[str]] = Field(default_factory=list, description="Working periods; [] for a non-working day")
    recurrence: Literal["once", "daily", "weekly", "monthly", "yearly"] = "once"
    period: int = Field(1, ge=1, le=999, description="Every n days, weeks or months")
    weekdays: list[int] = Field(default_factory=list, max_length=7, description="Weekly: 0 = Monday … 6 = Sunday")
    month_day: int | None = Field(None, ge=1, le=31)
    weekday: int | None = Field(None, ge=0, le=6, description="With position: 0 = Monday … 6 = Sunday")
    position: int | None = Field(None, ge=1, le=5, description="1 to 4, or 5 for the last")
    month: int | None = Field(None, ge=1, le=12)
    occurrences: int | None = Field(None, ge=1, le=100000)


class CalendarExceptionPatch(Strict):
    name: str | None = Field(None, max_length=100)
    start: date | None = None
    end: date | None = None
    hours: list[list[str]] | None = None
    recurrence: Literal["once", "daily", "weekly", "monthly", "yearly"] | None = None
    period: int | None = Field(None, ge=1, le=999)
    weekdays: list[int] | None = Field(None, max_length=7)
    month_day: int | None = Field(None, ge=1, le=31)
    weekday: int | None = Field(None, ge=0, le=6)
    position: int | None = Field(None, ge=1, le=5)
    month: int | None = Field(None, ge=1, le=12)
    occurrences: int | None = Field(None, ge=1, le=100000)


def _rescheduled_out(report: calendars.Rescheduled | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {"plans": report.plans, "queued": report.queued, "failed": report.failed}


def _exception_out(
    row: calendars.CalendarException, calendar: WorkCalendar, report: calendars.Rescheduled | None = None
) -> dict[str, Any]:
    return {
        "id": row.pk, "calendar_id": calendar.pk, "calendar_version": calendar.version, "name": row.name, "start": row.start,
        "end": row.end, "hours": row.hours, "recurrence": row.recurrence, "period": row.period, "weekdays": row.weekdays,
        "month_day": row.month_day, "weekday": row.weekday, "position": row.position, "month": row.month,
        "occurrences": row.occurrences, "rescheduled": _rescheduled_out(report),
    }  # fmt: skip


def _calendar_out(row: WorkCalendar, report: calendars.Rescheduled | None = None) -> dict[str, Any]:
    return {
        "id": row.pk, "name": row.name, "is_default": row.is_default, "week": row.week, "version": row.version,
        "domain_id": row.domain_id, "description": row.description,
        "exceptions": [_exception_out(e, row) for e in row.exceptions.all()], "rescheduled": _rescheduled_out(report),
    }  # fmt: skip


def _calendar_row(calendar_id: int) -> WorkCalendar:
    check_id(calendar_id)
    row = WorkCalendar.objects.active().filter(pk=calendar_id).first()
    if row is None:
        raise Http404
    return row


def _exception_row(calendar_id: int, exception_id: int) -> calendars.CalendarException:
    check_id(calendar_id)
    check_id(exception_id)
    row = (
        calendars.CalendarException.objects.select_related("calendar")
        .filter(pk=exception_id, calendar_id=calendar_id, calendar__archived_at__isnull=True)
        .first()
    )
    if row is None:
        raise Http404
    return row


def _calendar_values(data: dict[str, Any]) -> dict[str, Any]:
    """The payload with the domain's id turned into the domain, naming the field when there is none."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from regie.core.models import Domain

    values = dict(data)
    if values.get("domain") is not None:
        values["domain"] = Domain.objects.filter(pk=values["domain"]).first()
        if values["domain"] is None:
            raise ValidationError({"domain": [_("No such record: %s") % data["domain"]]})
    return values


def _optional_version(request: HttpRequest) -> int | None:
    """If-Match is optional where nothing is overwritten (adding an exception); when sent, it is checked."""
    return expected_version(request) if request.headers.get("If-Match", "").strip() else None


@calendars_router.get("", response=list[CalendarRecordOut], operation_id="calendar_list", summary="The working calendars")
def calendar_list(request: HttpRequest) -> Any:
    return [_calendar_out(row) for row in WorkCalendar.objects.active().prefetch_related("exceptions")]


@calendars_router.post("", response={201: CalendarRecordOut}, operation_id="calendar_create",
                       summary="Create a working calendar (needs planning.manage_calendars)")  # fmt: skip
def calendar_create(request: HttpRequest, response: HttpResponse, payload: CalendarIn) -> Any:
    calendars.check_manage(request.user)
    row = calendars.calendar_create(actor=request.user, values=_calendar_values(payload.model_dump(exclude_unset=True)))
    response["ETag"] = etag_of(row)
    return Status(201, _calendar_out(row))


@calendars_router.get("/{calendar_id}", response=CalendarRecordOut, operation_id="calendar_get", summary="One working calendar")
def calendar_get(request: HttpRequest, response: HttpResponse, calendar_id: int) -> Any:
    row = _calendar_row(calendar_id)
    response["ETag"] = etag_of(row)
    return _calendar_out(row)


@calendars_router.patch("/{calendar_id}", response=CalendarRecordOut, operation_id="calendar_update",
                        summary="Change a calendar (If-Match); a changed week reschedules the plans that use it")  # fmt: skip
def calendar_update(request: HttpRequest, response: HttpResponse, calendar_id: int, payload: CalendarPatch) -> Any:
    row = _calendar_row(calendar_id)
    calendars.check_manage(request.user)
    version = expected_version(request)
    values = _calendar_values(payload.model_dump(exclude_unset=True))
    row, report = calendars.calendar_update(actor=request.user, calendar=row, values=values, version=version)
    response["ETag"] = etag_of(row)
    return _calendar_out(row, report)


@calendars_router.delete("/{calendar_id}", response={204: None}, operation_id="calendar_archive",
                         summary="Archive a calendar that no plan, task or resource uses (If-Match)")  # fmt: skip
def calendar_archive(request: HttpRequest, calendar_id: int) -> Any:
    row = _calendar_row(calendar_id)
    calendars.check_manage(request.user)
    calendars.calendar_archive(actor=request.user, calendar=row, version=expected_version(request))
    return Status(204, None)


@calendars_router.get("/{calendar_id}/exceptions", response=list[CalendarExceptionOut], operation_id="calendar_exceptions",
                      summary="A calendar's exceptions")  # fmt: skip
def calendar_exceptions(request: HttpRequest, response: HttpResponse, calendar_id: int) -> Any:
    row = _calendar_row(calendar_id)
    response["ETag"] = etag_of(row)
    return [_exception_out(e, row) for e in row.exceptions.all()]


@calendars_router.post(
    "/{calendar_id}/exceptions",
    response={201: CalendarExceptionOut},
    operation_id="calendar_exception_create",
    summary="Add an exception (holiday, closure, other hours); the plans using the calendar are rescheduled",
)
def calendar_exception_create(
    request: HttpRequest, response: HttpResponse, calendar_id: int, payload: CalendarExceptionIn
) -> Any:
    row = _calendar_row(calendar_id)
    calendars.check_manage(request.user)
    exception, report = calendars.calendar_exception_create(
        actor=request.user, calendar=row, values=payload.model_dump(), version=_optional_version(request)
    )
    response["ETag"] = etag_of(row)
    return Status(201, _exception_out(exception, row, report))


@calendars_router.get(
    "/{calendar_id}/exceptions/{exception_id}",
    response=CalendarExceptionOut,
    operation_id="calendar_exception_get",
    summary="One exception; its ETag is the calendar's version",
)
def calendar_exception_get(request: HttpRequest, response: HttpResponse, calendar_id: int, exception_id: int) -> Any:
    row = _exception_row(calendar_id, exception_id)
    response["ETag"] = etag_of(row.calendar)
    return _exception_out(row, row.calendar)


@calendars_router.patch(
    "/{calendar_id}/exceptions/{exception_id}",
    response=CalendarExceptionOut,
    operation_id="calendar_exception_update",
    summary="Change an exception (If-Match with the calendar's version); the plans are rescheduled",
)
def calendar_exception_update(
    request: HttpRequest, response: HttpResponse, calendar_id: int, exception_id: int, payload: CalendarExceptionPatch
) -> Any:
    row = _exception_row(calendar_id, exception_id)
    calendars.check_manage(request.user)
    version = expected_version(request)
    row, report = calendars.calendar_exception_update(
        actor=request.user, exception=row, values=payload.model_dump(exclude_unset=True), version=version
    )
    response["ETag"] = etag_of(row.calendar)
    return _exception_out(row, row.calendar, report)


@calendars_router.delete(
    "/{calendar_id}/exceptions/{exception_id}",
    response={204: None},
    operation_id="calendar_exception_delete",
    summary="Remove an exception (If-Match with the calendar's version); the plans are rescheduled",
)
def calendar_exception_delete(request: HttpRequest, calendar_id: int, exception_id: int) -> Any:
    row = _exception_row(calendar_id, exception_id)
    calendars.check_manage(request.user)
    calendars.calendar_exception_delete(actor=request.user, exception=row, version=expected_version(request))
    return Status(204, None)


@calendars_router.get("/{calendar_id}/working-days", response=list[dict[str, Any]], operation_id="calendar_days",
                      summary="Each day from `start` to `end` (at most 400 days) with its working periods")  # fmt: skip
def calendar_days(request: HttpRequest, calendar_id: int, start: date, end: date) -> Any:
    row = _calendar_row(calendar_id)
    if end < start or (end - start).days > 400:
        from ninja.errors import HttpError

        raise HttpError(422, "Give an end on or after the start, at most 400 days later.")
    engine = calendars.engine_calendar(row)
    return [{"date": d.isoformat(), "periods": calendars.format_day(p)} for d, p in engine.working_days(start, end)]
