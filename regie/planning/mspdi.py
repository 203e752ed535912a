"""Microsoft Project XML (MSPDI): reading and writing, without Django.

Reads what Microsoft Project (2003 and later), ProjectLibre and other tools save as "XML format":
project settings, calendars (week days, exceptions in the pre-2007 and the recurring 2007+ form, work
weeks, base calendars), tasks with their outline, links with lags, constraints, deadlines, progress,
stored schedule fields and baselines, resources and assignments. :func:`read` returns plain data
(:class:`MsProject`); :func:`write` produces a file Microsoft Project opens.

Every problem is reported as :class:`MspdiError` naming the element (and task) at fault; nothing is
returned half-read. The parser resolves no entities and reads nothing from the network.
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, TypedDict

from lxml import etree

from regie.engine import calendar as cal
from regie.engine import cpm

NS = "http://schemas.microsoft.com/project"

LINK_TYPES = {0: cpm.FF, 1: cpm.FS, 2: cpm.SF, 3: cpm.SS}
LINK_CODES = {v: k for k, v in LINK_TYPES.items()}
CONSTRAINTS = {0: cpm.ASAP, 1: cpm.ALAP, 2: cpm.MSO, 3: cpm.MFO, 4: cpm.SNET, 5: cpm.SNLT, 6: cpm.FNET, 7: cpm.FNLT}
CONSTRAINT_CODES = {v: k for k, v in CONSTRAINTS.items()}
ELAPSED_FORMATS = {4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52}
PERCENT_FORMATS = {19, 20, 51, 52}
# duration display units by format code (estimated variants are 32 higher)
UNIT_BY_FORMAT = {3: "m", 4: "em", 5: "h", 6: "eh", 7: "d", 8: "ed", 9: "w", 10: "ew", 11: "mo", 12: "emo", 19: "%", 20: "e%"}
FORMAT_BY_UNIT = {v: k for k, v in UNIT_BY_FORMAT.items()}
DEFAULT_HOURS: cal.Day = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))


class MspdiError(ValueError):
    """The file cannot be read as a Microsoft Project plan; the message names what and where."""


@dataclass
class MsCalendar:
    uid: int
    name: str
    base_uid: int | None
    week: list[cal.Day | None]  # Monday..Sunday; None = as the base calendar
    exceptions: list[cal.CalendarException] = field(default_factory=list)
    work_weeks: list[cal.WorkWeek] = field(default_factory=list)
    is_base: bool = True


@dataclass
class MsLink:
    predecessor_uid: int
    type: str
    lag: float  # minutes, or a percentage
    lag_kind: str
    lag_format: int = 7
    cross_project: bool = False
    cross_project_name: str = ""  # the external predecessor: its project's file and task, e.g. "P-001.xml\\12"


@dataclass
class MsBaseline:
    number: int
    start: dt.datetime | None
    finish: dt.datetime | None
    duration: int | None  # minutes


@dataclass
class MsTask:
    uid: int
    id: int
    name: str
    outline_level: int
    wbs: str = ""
    outline_number: str = ""
    parent_uid: int | None = None
    summary: bool = False
    milestone: bool = False
    manual: bool = False
    active: bool = True
    duration: int = 0  # minutes (working, or clock minutes when elapsed)
    duration_format: int = 7
    elapsed: bool = False
    constraint: str = cpm.ASAP
    constraint_date: dt.datetime | None = None
    deadline: dt.datetime | None = None
    calendar_uid: int | None = None
    actual_start: dt.datetime | None = None
    actual_finish: dt.datetime | None = None
    percent_complete: int = 0
    remaining: int | None = None
    task_type: int = 0  # 0 fixed units, 1 fixed duration, 2 fixed work
    notes: str = ""
    # a task of another project shown here as an external predecessor (its file and task in external_project)
    external: bool = False
    external_project: str = ""
    links: list[MsLink] = field(default_factory=list)
    baselines: list[MsBaseline] = field(default_factory=list)
    # as stored by the program that saved the file
    start: dt.datetime | None = None
    finish: dt.datetime | None = None
    early_start: dt.datetime | None = None
    early_finish: dt.datetime | None = None
    late_start: dt.datetime | None = None
    late_finish: dt.datetime | None = None
    total_slack: float | None = None  # minutes
    free_slack: float | None = None
    critical: bool | None = None


@dataclass
class MsResource:
    uid: int
    name: str
    type: str = "work"  # work, material, cost
    initials: str = ""
    email: str = ""
    max_units: float = 1.0
    standard_rate: float = 0.0
    calendar_uid: int | None = None


@dataclass
class MsAssignment:
    task_uid: int
    resource_uid: int
    units: float = 1.0
    work: int = 0  # minutes


@dataclass
class MsProject:
    name: str
    start: dt.datetime
    finish: dt.datetime | None = None
    title: str = ""
    author: str = ""
    calendar_uid: int | None = None
    minutes_per_day: int = 480
    minutes_per_week: int = 2400
    days_per_month: int = 20
    schedule_from_start: bool = True
    status_date: dt.datetime | None = None
    critical_slack_limit: int = 0
    calendars: dict[int, MsCalendar] = field(default_factory=dict)
    tasks: list[MsTask] = field(default_factory=list)
    resources: list[MsResource] = field(default_factory=list)
    assignments: list[MsAssignment] = field(default_factory=list)

    # -- for the scheduling engine ---------------------------------------------------------------

    def engine_calendars(self) -> dict[str, cal.Calendar]:
        """Every calendar, base calendars resolved, keyed by ``str(uid)``."""
        result: dict[str, cal.Calendar] = {}
        for uid in self.calendars:
            week, exceptions, work_weeks = self._resolve(uid, set())
            name = self.calendars[uid].name or str(uid)
            try:
                result[str(uid)] = cal.Calendar(name, week, exceptions, work_weeks)
            except cal.CalendarError as exc:
                raise MspdiError(f"Calendar {uid} ({name}): {exc}") from exc
        return result

    def _resolve(self, uid: int, seen: set[int]) -> tuple[list[cal.Day], list[cal.CalendarException], list[cal.WorkWeek]]:
        if uid in seen:
            raise MspdiError(f"Calendar {uid}: its base calendars form a loop")
        seen.add(uid)
        calendar = self.calendars[uid]
        if calendar.base_uid is not None and calendar.base_uid in self.calendars:
            week, exceptions, work_weeks = self._resolve(calendar.base_uid, seen)
        else:
            week, exceptions, work_weeks = [DEFAULT_HOURS if i < 5 else () for i in range(7)], [], []
        own_week = [own if own is not None else inherited for own, inherited in zip(calendar.week, week, strict=True)]
        # own exceptions come last so that they win over the base calendar's on the same day
        return own_week, exceptions + calendar.exceptions, work_weeks + calendar.work_weeks

    def default_calendar_uid(self) -> int:
        if self.calendar_uid in self.calendars:
            return self.calendar_uid  # type: ignore[return-value]
        if self.calendar_uid is not None:
            raise MspdiError(f"Project: calendar {self.calendar_uid} is not defined in the file")
        for uid, calendar in self.calendars.items():
            if calendar.is_base:
                return uid
        raise MspdiError("Project: the file defines no calendar")

    def engine_plan(self) -> tuple[list[cpm.Task], list[cpm.Link]]:
        """Tasks and links for :func:`regie.engine.cpm.schedule`, keyed by task UID. An external predecessor
        (a task of another project) keeps the dates the file gives it, as in MS Project."""
        tasks: list[cpm.Task] = []
        links: list[cpm.Link] = []
        known = {t.uid for t in self.tasks if t.active and (not t.external or (t.start and t.finish))}
        resources = {r.uid: r for r in self.resources}
        driving: dict[int, list[tuple[str | None, int, float]]] = {}
        for assignment in self.assignments:
            resource = resources.get(assignment.resource_uid)
            if resource is None or resource.type != "work" or assignment.work <= 0 or assignment.units <= 0:
                continue
            calendar = str(resource.calendar_uid) if resource.calendar_uid is not None else None
            driving.setdefault(assignment.task_uid, []).append((calendar, assignment.work, assignment.units))
        for task in self.tasks:
            if task.uid not in known:
                continue
            if task.calendar_uid is not None and task.calendar_uid not in self.calendars:
                raise MspdiError(f"Task {task.uid} ({task.name}): calendar {task.calendar_uid} is not defined in the file")
            tasks.append(
                cpm.Task(
                    id=task.uid,
                    duration=task.duration,
                    parent=task.parent_uid,
                    elapsed=task.elapsed,
                    milestone=task.milestone,
                    calendar=str(task.calendar_uid) if task.calendar_uid is not None else None,
                    constraint=task.constraint,
                    constraint_date=task.constraint_date,
                    deadline=task.deadline,
                    actual_start=task.actual_start,
                    actual_finish=task.actual_finish,
                    remaining=task.remaining,
                    manual=(task.manual or task.external)
                    and task.start is not None
                    and task.finish is not None
                    and not task.summary,
                    start=task.start,
                    finish=task.finish,
                    assignments=driving.get(task.uid, ()) if task.task_type != 1 and not task.elapsed else (),
                )
            )
            for link in task.links:
                if link.predecessor_uid not in known:
                    continue
                links.append(cpm.Link(link.predecessor_uid, task.uid, link.type, link.lag, link.lag_kind))
        return tasks, links


# -- reading ---------------------------------------------------------------------------------------

_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str, where: str) -> int:
    """An xsd:duration (``PT8H0M0S``) in whole minutes."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "-P", "PT", "-PT"):
        raise MspdiError(f"{where}: {text!r} is not a duration")
    sign, years, months, days, hours, minutes, seconds = match.groups()
    if years or months:
        raise MspdiError(f"{where}: {text!r}: years and months are not a fixed length of time")
    total = float(days or 0) * 1440 + float(hours or 0) * 60 + float(minutes or 0) + float(seconds or 0) / 60
    return -round(total) if sign else round(total)


def format_duration(minutes: float) -> str:
    sign = "-" if minutes < 0 else ""
    minutes = abs(int(round(minutes)))
    return f"{sign}PT{minutes // 60}H{minutes % 60}M0S"


_FIRST_MOMENT = dt.datetime.combine(cal.FIRST_DATE, dt.time())
_LAST_MOMENT = dt.datetime.combine(cal.LAST_DATE + dt.timedelta(days=1), dt.time())  # the midnight ending the last day


def parse_datetime(text: str, where: str) -> dt.datetime:
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise MspdiError(f"{where}: {text!r} is not a date and time") from None
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    moment = moment.replace(second=0, microsecond=0)
    if not _FIRST_MOMENT <= moment <= _LAST_MOMENT:
        raise MspdiError(f"{where}: {value} is outside the supported range {cal.FIRST_DATE} to {cal.LAST_DATE}")
    return moment


def _time(text: str, where: str) -> int:
    try:
        hour, minute, *_ = (int(part) for part in text.strip().split(":"))
    except ValueError:
        raise MspdiError(f"{where}: {text!r} is not a time of day") from None
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        raise MspdiError(f"{where}: {text!r} is not a time of day")
    return hour * 60 + minute


class _Element:
    """Children of an element by local name, ignoring namespaces."""

    __slots__ = ("node", "where", "_fields")

    def __init__(self, node: Any, where: str):
        self.node = node
        self.where = where
        fields: dict[str, Any] = {}
        for child in node:
            if not isinstance(child.tag, str):
                continue
            name = child.tag.rpartition("}")[2]
            if name not in fields:
                fields[name] = child
        self._fields = fields

    def text(self, name: str, default: str | None = None) -> str | None:
        child = self._fields.get(name)
        if child is None or child.text is None:
            return default
        return child.text.strip()

    def int(self, name: str, default: int | None = None) -> int | None:
        value = self.text(name)
        if value is None or value == "":
            return default
        try:
            return int(float(value))
        except ValueError:
            raise MspdiError(f"{self.where}: <{name}> {value!r} is not a number") from None

    def float(self, name: str, default: float | None = None) -> float | None:
        value = self.text(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except ValueError:
            raise MspdiError(f"{self.where}: <{name}> {value!r} is not a number") from None

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        if value is None or value == "":
            return default
        return value in ("1", "true", "True")

    def date(self, name: str) -> dt.datetime | None:
        value = self.text(name)
        if not value:
            return None
        return parse_datetime(value, f"{self.where}: <{name}>")

    def duration(self, name: str) -> builtins.int | None:  # ``int`` is the method above
        value = self.text(name)
        if not value:
            return None
        return parse_duration(value, f"{self.where}: <{name}>")

    def child(self, name: str) -> Any:
        return self._fields.get(name)

    def children(self, name: str, item: str) -> list[Any]:
        parent = self._fields.get(name)
        if parent is None:
            return []
        return [c for c in parent if isinstance(c.tag, str) and c.tag.rpartition("}")[2] == item]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, huge_tree=True)


def read(source: str | bytes | IO[bytes], progress: Callable[[float], None] | None = None) -> MsProject:
    """Read an MSPDI file (a path, the bytes, or a binary file object)."""
    try:
        root = etree.fromstring(source, _parser()) if isinstance(source, bytes) else etree.parse(source, _parser()).getroot()
    except etree.XMLSyntaxError as exc:
        raise MspdiError(f"The file is not well-formed XML: {exc}") from None
    except OSError as exc:
        raise MspdiError(f"The file cannot be read: {exc}") from None
    if not isinstance(root.tag, str) or root.tag.rpartition("}")[2] != "Project":
        raise MspdiError("This is not a Microsoft Project XML file: the root element is not <Project>")
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if namespace and namespace != NS:
        raise MspdiError(f"This is not a Microsoft Project XML file: unknown namespace {namespace}")
    top = _Element(root, "Project")
    if top.child("Tasks") is None and top.child("Calendars") is None:
        raise MspdiError("This is not a Microsoft Project XML file: it has neither <Tasks> nor <Calendars>")
    start = top.date("StartDate")
    project = MsProject(
        name=top.text("Name") or top.text("Title") or "",
        title=top.text("Title") or "",
        author=top.text("Author") or "",
        start=start or dt.datetime(2000, 1, 1, 8, 0),
        finish=top.date("FinishDate"),
        calendar_uid=top.int("CalendarUID"),
        minutes_per_day=top.int("MinutesPerDay", 480) or 480,
        minutes_per_week=top.int("MinutesPerWeek", 2400) or 2400,
        days_per_month=top.int("DaysPerMonth", 20) or 20,
        schedule_from_start=top.bool("ScheduleFromStart", True),
        status_date=top.date("StatusDate"),
        critical_slack_limit=top.int("CriticalSlackLimit", 0) or 0,
    )
    for node in top.children("Calendars", "Calendar"):
        calendar = _read_calendar(node)
        project.calendars[calendar.uid] = calendar
    task_nodes = top.children("Tasks", "Task")
    total = max(1, len(task_nodes))
    for count, node in enumerate(task_nodes):
        task = _read_task(node, project)
        if task is not None:
            project.tasks.append(task)
        if progress is not None and count % 500 == 0:
            progress(0.8 * count / total)
    if start is None and project.tasks:
        starts = [t.start for t in project.tasks if t.start]
        if not starts:
            raise MspdiError("Project: <StartDate> is missing")
        project.start = min(starts)
    _outline(project)
    for node in top.children("Resources", "Resource"):
        resource = _read_resource(node)
        if resource is not None:
            project.resources.append(resource)
    for node in top.children("Assignments", "Assignment"):
        assignment = _read_assignment(node)
        if assignment is not None:
            project.assignments.append(assignment)
    _check_references(project)
    if progress is not None:
        progress(1.0)
    return project


def _read_working_times(element: _Element, where: str) -> cal.Day:
    periods = []
    for node in element.children("WorkingTimes", "WorkingTime"):
        period = _Element(node, where)
        start = period.text("FromTime")
        end = period.text("ToTime")
        if start is None or end is None:
            continue
        a = _time(start, where)
        b = _time(end, where)
        if b == 0:
            b = 24 * 60
        periods.append((a, b))
    try:
        return cal.check_day(periods, where)
    except cal.CalendarError as exc:
        raise MspdiError(str(exc)) from None


def _day_hours(element: _Element, where: str) -> cal.Day:
    if not element.bool("DayWorking"):
        return ()
    hours = _read_working_times(element, where)
    return hours or DEFAULT_HOURS


def _read_calendar(node: Any) -> MsCalendar:
    element = _Element(node, "Calendar")
    uid = element.int("UID")
    if uid is None:
        raise MspdiError("Calendar: <UID> is missing")
    where = f"Calendar {uid}"
    element.where = where
    base = element.int("BaseCalendarUID")
    calendar = MsCalendar(
        uid=uid,
        name=element.text("Name") or "",
        base_uid=base if base is not None and base >= 0 else None,
        week=[None] * 7,
        is_base=element.bool("IsBaseCalendar", True),
    )
    for day_node in element.children("WeekDays", "WeekDay"):
        day = _Element(day_node, where)
        day_type = day.int("DayType")
        if day_type is None:
            raise MspdiError(f"{where}: a <WeekDay> has no <DayType>")
        if day_type == 0:
            # before MS Project 2007, exceptions were week days of type 0 with a period
            period = day.child("TimePeriod")
            if period is None:
                continue
            span = _Element(period, where)
            first, last = span.date("FromDate"), span.date("ToDate")
            if first is None or last is None:
                raise MspdiError(f"{where}: an exception has no <FromDate> or <ToDate>")
            if last < first:
                raise MspdiError(f"{where}: an exception ends ({last:%Y-%m-%d}) before it starts ({first:%Y-%m-%d})")
            calendar.exceptions.append(
                cal.CalendarException(first.date(), _last_day(last), _day_hours(day, where) if day.bool("DayWorking") else ())
            )
        elif 1 <= day_type <= 7:
            if day.text("DayWorking") is None:
                continue
            calendar.week[(day_type + 5) % 7] = _day_hours(day, f"{where}, day {day_type}")
        else:
            raise MspdiError(f"{where}: <DayType> {day_type} is not a day of the week")
    for exception_node in element.children("Exceptions", "Exception"):
        calendar.exceptions.append(_read_exception(_Element(exception_node, where), where))
    for week_node in element.children("WorkWeeks", "WorkWeek"):
        week = _Element(week_node, where)
        period = week.child("TimePeriod")
        if period is None:
            continue
        span = _Element(period, where)
        first, last = span.date("FromDate"), span.date("ToDate")
        if first is None or last is None:
            continue
        days: list[cal.Day | None] = [None] * 7
        for day_node in week.children("WeekDays", "WeekDay"):
            day = _Element(day_node, where)
            day_type = day.int("DayType")
            if day_type and 1 <= day_type <= 7 and day.text("DayWorking") is not None:
                days[(day_type + 5) % 7] = _day_hours(day, where)
        calendar.work_weeks.append(cal.WorkWeek(first.date(), _last_day(last), tuple(days)))
    return calendar


def _last_day(moment: dt.datetime) -> dt.date:
    """The last day a period covers (``ToDate`` is the period's last minute, e.g. 23:59)."""
    return moment.date()


_RECURRENCE = {1: cal.DAILY, 7: cal.DAILY, 6: cal.WEEKLY, 4: cal.MONTHLY, 5: cal.MONTHLY, 2: cal.YEARLY, 3: cal.YEARLY}


class _ExceptionFields(TypedDict):
    """The fields of a calendar exception that every kind of recurrence has."""

    start: dt.date
    end: dt.date
    intervals: cal.Day
    name: str


def _read_exception(element: _Element, where: str) -> cal.CalendarException:
    name = element.text("Name") or ""
    label = f"{where}, exception {name!r}" if name else f"{where}, exception"
    period = element.child("TimePeriod")
    if period is None:
        raise MspdiError(f"{label}: <TimePeriod> is missing")
    span = _Element(period, label)
    first, last = span.date("FromDate"), span.date("ToDate")
    if first is None or last is None:
        raise MspdiError(f"{label}: <FromDate> or <ToDate> is missing")
    if last < first:
        raise MspdiError(f"{label}: it ends ({last:%Y-%m-%d}) before it starts ({first:%Y-%m-%d})")
    kind = element.int("Type", 1) or 1
    hours = _day_hours(element, label) if element.bool("DayWorking") else ()
    occurrences = element.int("Occurrences")
    period_count = element.int("Period", 1) or 1
    base: _ExceptionFields = {"start": first.date(), "end": _last_day(last), "intervals": hours, "name": name}
    if kind == 1 and (occurrences in (None, 0, 1) or (last.date() - first.date()).days + 1 == occurrences):
        return cal.CalendarException(**base)
    recurrence = _RECURRENCE.get(kind)
    if recurrence is None:
        raise MspdiError(f"{label}: <Type> {kind} is not a known kind of recurrence")
    extra: dict[str, Any] = {"recurrence": recurrence, "period": period_count if kind != 1 else 1}
    if occurrences:
        extra["occurrences"] = occurrences
    if recurrence == cal.WEEKLY:
        mask = element.int("DaysOfWeek", 0) or 0
        # bit 0 = Sunday, bit 1 = Monday, …
        extra["weekdays"] = frozenset((bit + 6) % 7 for bit in range(7) if mask & (1 << bit))
    elif recurrence in (cal.MONTHLY, cal.YEARLY):
        if kind in (4, 2):
            extra["month_day"] = element.int("MonthDay", first.day)
        else:
            item = element.int("MonthItem", 3) or 3
            if not 3 <= item <= 9:
                raise MspdiError(f"{label}: <MonthItem> {item} is not a day of the week")
            extra["weekday"] = (item - 4) % 7  # 3 = Sunday … 9 = Saturday
            position = element.int("MonthPosition", 0) or 0
            extra["position"] = cal.LAST if position >= 4 else position + 1
        if recurrence == cal.YEARLY:
            extra["month"] = (element.int("Month", first.month - 1) or 0) + 1
            extra["period"] = 1
    try:
        exception = cal.CalendarException(**base, **extra)
        exception.days()
    except cal.CalendarError as exc:
        raise MspdiError(f"{label}: {exc}") from None
    return exception


def _read_task(node: Any, project: MsProject) -> MsTask | None:
    element = _Element(node, "Task")
    uid = element.int("UID")
    if uid is None:
        raise MspdiError("Task: <UID> is missing")
    name = element.text("Name") or ""
    where = f"Task {uid}" + (f" ({name})" if name else "")
    element.where = where
    if element.bool("IsNull"):
        return None
    level = element.int("OutlineLevel", 1)
    if level == 0 or uid == 0 and level in (0, None):
        return None  # the project summary task
    duration_format = element.int("DurationFormat", 7) or 7
    elapsed = duration_format in ELAPSED_FORMATS
    duration = element.duration("Duration")
    if duration is None:
        duration = 0
    if duration < 0:
        raise MspdiError(f"{where}: the duration {element.text('Duration')} is negative")
    constraint_code = element.int("ConstraintType", 0) or 0
    constraint = CONSTRAINTS.get(constraint_code)
    if constraint is None:
        raise MspdiError(f"{where}: <ConstraintType> {constraint_code} is not a known constraint")
    constraint_date = element.date("ConstraintDate") if constraint in cpm.DATED_CONSTRAINTS else None
    if constraint in cpm.DATED_CONSTRAINTS and constraint_date is None:
        raise MspdiError(f"{where}: the constraint needs a <ConstraintDate>")
    calendar_uid = element.int("CalendarUID")
    percent = element.int("PercentComplete", 0) or 0
    actual_start = element.date("ActualStart")
    actual_finish = element.date("ActualFinish")
    remaining = element.duration("RemainingDuration")
    if actual_start is None and actual_finish is None:
        remaining = None
    total_slack = element.float("TotalSlack")
    free_slack = element.float("FreeSlack")
    task = MsTask(
        uid=uid,
        id=element.int("ID", uid) or 0,
        name=name,
        outline_level=level or 1,
        wbs=element.text("WBS") or "",
        outline_number=element.text("OutlineNumber") or "",
        summary=element.bool("Summary"),
        milestone=element.bool("Milestone"),
        manual=element.bool("Manual"),
        active=element.bool("Active", True),
        external=element.bool("ExternalTask"),
        external_project=element.text("ExternalTaskProject") or "",
        duration=duration,
        duration_format=duration_format,
        elapsed=elapsed,
        constraint=constraint,
        constraint_date=constraint_date,
        deadline=element.date("Deadline"),
        calendar_uid=calendar_uid if calendar_uid is not None and calendar_uid >= 0 else None,
        actual_start=actual_start,
        actual_finish=actual_finish,
        percent_complete=max(0, min(100, percent)),
        remaining=remaining,
        task_type=element.int("Type", 0) or 0,
        notes=element.text("Notes") or "",
        start=element.date("Start"),
        finish=element.date("Finish"),
        early_start=element.date("EarlyStart"),
        early_finish=element.date("EarlyFinish"),
        late_start=element.date("LateStart"),
        late_finish=element.date("LateFinish"),
        total_slack=total_slack / 10 if total_slack is not None else None,
        free_slack=free_slack / 10 if free_slack is not None else None,
        critical=element.bool("Critical") if element.text("Critical") is not None else None,
    )
    for link_node in element.node:
        if not isinstance(link_node.tag, str) or link_node.tag.rpartition("}")[2] != "PredecessorLink":
            continue
        link = _Element(link_node, f"{where}, predecessor link")
        predecessor = link.int("PredecessorUID")
        if predecessor is None:
            raise MspdiError(f"{where}: a <PredecessorLink> has no <PredecessorUID>")
        code = link.int("Type", 1)
        link_type = LINK_TYPES.get(code if code is not None else 1)
        if link_type is None:
            raise MspdiError(f"{where}: link type {code} from task {predecessor} is not a known type")
        lag_format = link.int("LagFormat", 7) or 7
        raw = link.float("LinkLag", 0.0) or 0.0
        if lag_format in PERCENT_FORMATS:
            lag, kind = raw, cpm.PERCENT  # a percentage lag is stored as the whole percentage, e.g. 150
        else:
            lag, kind = raw / 10.0, cpm.ELAPSED if lag_format in ELAPSED_FORMATS else cpm.WORK
        task.links.append(
            MsLink(predecessor, link_type, lag, kind, lag_format, link.bool("CrossProject"), link.text("CrossProjectName") or "")
        )
    for baseline_node in element.node:
        if not isinstance(baseline_node.tag, str) or baseline_node.tag.rpartition("}")[2] != "Baseline":
            continue
        baseline = _Element(baseline_node, f"{where}, baseline")
        number = baseline.int("Number", 0) or 0
        task.baselines.append(MsBaseline(number, baseline.date("Start"), baseline.date("Finish"), baseline.duration("Duration")))
    return task


def _outline(project: MsProject) -> None:
    """Parents from the outline levels, in the order of the task IDs."""
    project.tasks.sort(key=lambda t: t.id)
    stack: list[MsTask] = []
    for task in project.tasks:
        while stack and stack[-1].outline_level >= task.outline_level:
            stack.pop()
        if task.outline_level > len(stack) + 1:
            raise MspdiError(f"Task {task.uid} ({task.name}): outline level {task.outline_level} skips a level")
        task.parent_uid = stack[-1].uid if stack else None
        if stack:
            stack[-1].summary = True
        stack.append(task)
    has_children = {t.parent_uid for t in project.tasks if t.parent_uid is not None}
    for task in project.tasks:
        task.summary = task.uid in has_children


def _read_resource(node: Any) -> MsResource | None:
    element = _Element(node, "Resource")
    uid = element.int("UID")
    if uid is None:
        raise MspdiError("Resource: <UID> is missing")
    if uid == 0 or element.bool("IsNull"):
        return None
    element.where = f"Resource {uid}"
    kind = {0: "material", 1: "work", 2: "cost"}.get(element.int("Type", 1) or 0, "work")
    calendar_uid = element.int("CalendarUID")
    return MsResource(
        uid=uid,
        name=element.text("Name") or f"Resource {uid}",
        type=kind,
        initials=element.text("Initials") or "",
        email=element.text("EmailAddress") or "",
        max_units=element.float("MaxUnits", 1.0) or 0.0,
        standard_rate=element.float("StandardRate", 0.0) or 0.0,
        calendar_uid=calendar_uid if calendar_uid is not None and calendar_uid >= 0 else None,
    )


def _read_assignment(node: Any) -> MsAssignment | None:
    element = _Element(node, "Assignment")
    task_uid = element.int("TaskUID")
    resource_uid = element.int("ResourceUID")
    if task_uid is None or resource_uid is None:
        raise MspdiError("Assignment: <TaskUID> or <ResourceUID> is missing")
    if resource_uid < 0:
        return None
    return MsAssignment(task_uid, resource_uid, element.float("Units", 1.0) or 0.0, element.duration("Work") or 0)


def _check_references(project: MsProject) -> None:
    uids = {t.uid for t in project.tasks}
    seen: set[int] = set()
    for task in project.tasks:
        if task.uid in seen:
            raise MspdiError(f"Task {task.uid} ({task.name}): the UID is used twice")
        seen.add(task.uid)
        for link in task.links:
            if link.predecessor_uid not in uids and not link.cross_project:
                raise MspdiError(f"Task {task.uid} ({task.name}): predecessor {link.predecessor_uid} does not exist")
        if task.calendar_uid is not None and task.calendar_uid not in project.calendars:
            raise MspdiError(f"Task {task.uid} ({task.name}): calendar {task.calendar_uid} is not defined in the file")
    for calendar in project.calendars.values():
        if calendar.base_uid is not None and calendar.base_uid not in project.calendars:
            if calendar.is_base:
                calendar.base_uid = None  # some versions write 0 for "none" on base calendars
                continue
            raise MspdiError(f"Calendar {calendar.uid} ({calendar.name}): base calendar {calendar.base_uid} is not defined")
    if project.tasks or project.calendar_uid is not None:
        project.default_calendar_uid()
    resources = {r.uid for r in project.resources}
    for assignment in project.assignments:
        if assignment.task_uid not in uids and assignment.task_uid != 0:
            raise MspdiError(f"Assignment: task {assignment.task_uid} does not exist")
        if assignment.resource_uid not in resources:
            raise MspdiError(f"Assignment: resource {assignment.resource_uid} does not exist")


# -- writing ---------------------------------------------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(value: object) -> str:
    text = _INVALID_XML.sub("", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _d(moment: dt.datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else ""


def _t(minutes: int) -> str:
    minutes = minutes % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _format_for(minutes: int, elapsed: bool, project: MsProject) -> int:
    """A display unit for a duration: days unless it is shorter than a day, as MS Project would show it."""
    if elapsed:
        return 8 if minutes % 1440 == 0 else 6
    if minutes and minutes % project.minutes_per_week == 0 and minutes >= project.minutes_per_week:
        return 9
    if minutes % project.minutes_per_day == 0:
        return 7
    return 5


def _write_day(out: list[str], day_type: int, hours: cal.Day | None, indent: str) -> None:
    if hours is None:
        return
    out.append(f"{indent}<WeekDay><DayType>{day_type}</DayType><DayWorking>{1 if hours else 0}</DayWorking>")
    if hours:
        out.append("<WorkingTimes>")
        for a, b in hours:
            out.append(f"<WorkingTime><FromTime>{_t(a)}</FromTime><ToTime>{_t(b)}</ToTime></WorkingTime>")
        out.append("</WorkingTimes>")
    out.append("</WeekDay>\n")


_TYPE_BY_RECURRENCE = {cal.DAILY: 7, cal.WEEKLY: 6}


def _write_exception(out: list[str], exception: cal.CalendarException) -> None:
    out.append("<Exception><EnteredByOccurrences>0</EnteredByOccurrences><TimePeriod>")
    out.append(f"<FromDate>{exception.start:%Y-%m-%d}T00:00:00</FromDate><ToDate>{exception.end:%Y-%m-%d}T23:59:00</ToDate>")
    out.append("</TimePeriod>")
    days = exception.days()
    out.append(f"<Occurrences>{len(days) if exception.recurrence != cal.ONCE else 1}</Occurrences>")
    if exception.name:
        out.append(f"<Name>{_x(exception.name)}</Name>")
    if exception.recurrence == cal.ONCE:
        out.append("<Type>1</Type>")
    elif exception.recurrence == cal.DAILY:
        out.append(f"<Type>7</Type><Period>{exception.period}</Period>")
    elif exception.recurrence == cal.WEEKLY:
        mask = sum(1 << ((d + 1) % 7) for d in exception.weekdays)
        out.append(f"<Type>6</Type><Period>{exception.period}</Period><DaysOfWeek>{mask}</DaysOfWeek>")
    else:
        monthly = exception.recurrence == cal.MONTHLY
        if exception.month_day is not None:
            out.append(f"<Type>{4 if monthly else 2}</Type>")
            if monthly:
                out.append(f"<Period>{exception.period}</Period>")
            else:
                out.append(f"<Month>{(exception.month or 1) - 1}</Month>")
            out.append(f"<MonthDay>{exception.month_day}</MonthDay>")
        else:
            out.append(f"<Type>{5 if monthly else 3}</Type>")
            if monthly:
                out.append(f"<Period>{exception.period}</Period>")
            else:
                out.append(f"<Month>{(exception.month or 1) - 1}</Month>")
            position = 4 if exception.position == cal.LAST else (exception.position or 1) - 1
            item = ((exception.weekday or 0) + 1) % 7 + 3
            out.append(f"<MonthItem>{item}</MonthItem><MonthPosition>{position}</MonthPosition>")
    out.append(f"<DayWorking>{1 if exception.intervals else 0}</DayWorking>")
    if exception.intervals:
        out.append("<WorkingTimes>")
        for a, b in exception.intervals:
            out.append(f"<WorkingTime><FromTime>{_t(a)}</FromTime><ToTime>{_t(b)}</ToTime></WorkingTime>")
        out.append("</WorkingTimes>")
    out.append("</Exception>\n")


def write(
    project: MsProject,
    schedule: cpm.Schedule | None = None,
    progress: Callable[[float], None] | None = None,
) -> bytes:
    """The plan as an MSPDI file (MS Project 2010 format); ``schedule`` supplies the computed dates."""
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', f'<Project xmlns="{NS}">\n']
    start = project.start
    finish = schedule.finish if schedule is not None else (project.finish or project.start)
    default_uid = project.default_calendar_uid() if project.calendars else 1
    out.append("<SaveVersion>14</SaveVersion>\n")
    out.append(f"<Name>{_x(project.name)}</Name>\n<Title>{_x(project.title or project.name)}</Title>\n")
    if project.author:
        out.append(f"<Author>{_x(project.author)}</Author>\n")
    out.append(
        f"<ScheduleFromStart>1</ScheduleFromStart>\n<StartDate>{_d(start)}</StartDate>\n<FinishDate>{_d(finish)}</FinishDate>\n"
    )
    out.append(f"<CriticalSlackLimit>{project.critical_slack_limit}</CriticalSlackLimit>\n")
    out.append(f"<CalendarUID>{default_uid}</CalendarUID>\n")
    out.append(
        f"<MinutesPerDay>{project.minutes_per_day}</MinutesPerDay>\n<MinutesPerWeek>{project.minutes_per_week}</MinutesPerWeek>\n"
    )
    out.append(f"<DaysPerMonth>{project.days_per_month}</DaysPerMonth>\n<DurationFormat>7</DurationFormat>\n")
    if project.status_date:
        out.append(f"<StatusDate>{_d(project.status_date)}</StatusDate>\n")
    out.append("<HonorConstraints>1</HonorConstraints>\n<MultipleCriticalPaths>0</MultipleCriticalPaths>\n")
    out.append("<NewTasksAreManual>0</NewTasksAreManual>\n")

    out.append("<Calendars>\n")
    for calendar in project.calendars.values():
        out.append(f"<Calendar><UID>{calendar.uid}</UID><Name>{_x(calendar.name)}</Name>")
        out.append(f"<IsBaseCalendar>{1 if calendar.base_uid is None else 0}</IsBaseCalendar>")
        base = calendar.base_uid if calendar.base_uid is not None else -1
        out.append(f"<BaseCalendarUID>{base}</BaseCalendarUID>\n<WeekDays>\n")
        for weekday in range(7):
            day_type = (weekday + 1) % 7 + 1  # Monday (0) is day type 2
            hours = calendar.week[weekday]
            if hours is None and calendar.base_uid is None:
                hours = DEFAULT_HOURS if weekday < 5 else ()
            _write_day(out, day_type, hours, "")
        out.append("</WeekDays>\n")
        if calendar.exceptions:
            out.append("<Exceptions>\n")
            for exception in calendar.exceptions:
                _write_exception(out, exception)
            out.append("</Exceptions>\n")
        if calendar.work_weeks:
            out.append("<WorkWeeks>\n")
            for week in calendar.work_weeks:
                out.append(f"<WorkWeek><TimePeriod><FromDate>{week.start:%Y-%m-%d}T00:00:00</FromDate>")
                out.append(f"<ToDate>{week.end:%Y-%m-%d}T23:59:00</ToDate></TimePeriod><WeekDays>")
                for weekday in range(7):
                    _write_day(out, (weekday + 1) % 7 + 1, week.week[weekday], "")
                out.append("</WeekDays></WorkWeek>\n")
            out.append("</WorkWeeks>\n")
        out.append("</Calendar>\n")
    out.append("</Calendars>\n<Tasks>\n")

    results = schedule.tasks if schedule is not None else {}
    summary_finish = finish
    out.append(
        f"<Task><UID>0</UID><ID>0</ID><Name>{_x(project.name)}</Name><Type>1</Type><IsNull>0</IsNull>"
        f"<OutlineNumber>0</OutlineNumber><OutlineLevel>0</OutlineLevel><Start>{_d(start)}</Start>"
        f"<Finish>{_d(summary_finish)}</Finish><Summary>1</Summary></Task>\n"
    )
    total = max(1, len(project.tasks))
    for count, task in enumerate(project.tasks):
        if progress is not None and count % 1000 == 0:
            progress(count / total)
        result = results.get(task.uid)
        start_at = result.start if result else task.start
        finish_at = result.finish if result else task.finish
        duration = task.duration if not task.summary or result is None else result.duration
        fmt = task.duration_format if task.duration_format in UNIT_BY_FORMAT else _format_for(duration, task.elapsed, project)
        if task.elapsed and fmt not in ELAPSED_FORMATS:
            fmt = _format_for(duration, True, project)
        out.append(f"<Task><UID>{task.uid}</UID><ID>{task.id}</ID><Name>{_x(task.name)}</Name>")
        out.append(f"<Active>{1 if task.active else 0}</Active><Manual>{1 if task.manual else 0}</Manual>")
        out.append(f"<Type>{task.task_type}</Type><IsNull>0</IsNull>")
        if task.wbs:
            out.append(f"<WBS>{_x(task.wbs)}</WBS>")
        if task.outline_number:
            out.append(f"<OutlineNumber>{_x(task.outline_number)}</OutlineNumber>")
        out.append(f"<OutlineLevel>{task.outline_level}</OutlineLevel>")
        if start_at:
            out.append(f"<Start>{_d(start_at)}</Start>")
        if finish_at:
            out.append(f"<Finish>{_d(finish_at)}</Finish>")
        out.append(f"<Duration>{format_duration(duration)}</Duration><DurationFormat>{fmt}</DurationFormat>")
        out.append(f"<Milestone>{1 if task.milestone else 0}</Milestone><Summary>{1 if task.summary else 0}</Summary>")
        critical = result.critical if result else task.critical
        if critical is not None:
            out.append(f"<Critical>{1 if critical else 0}</Critical>")
        if task.external:
            out.append(f"<ExternalTask>1</ExternalTask><ExternalTaskProject>{_x(task.external_project)}</ExternalTaskProject>")
        if result:
            out.append(
                f"<EarlyStart>{_d(result.early_start)}</EarlyStart><EarlyFinish>{_d(result.early_finish)}</EarlyFinish>"
                f"<LateStart>{_d(result.late_start)}</LateStart><LateFinish>{_d(result.late_finish)}</LateFinish>"
                f"<FreeSlack>{int(result.free_slack) * 10}</FreeSlack><TotalSlack>{int(result.total_slack) * 10}</TotalSlack>"
            )
        out.append(f"<PercentComplete>{task.percent_complete}</PercentComplete>")
        if task.actual_start:
            out.append(f"<ActualStart>{_d(task.actual_start)}</ActualStart>")
        if task.actual_finish:
            out.append(f"<ActualFinish>{_d(task.actual_finish)}</ActualFinish>")
        remaining = task.remaining if task.remaining is not None else duration * (100 - task.percent_complete) // 100
        out.append(f"<ActualDuration>{format_duration(max(0, duration - remaining))}</ActualDuration>")
        out.append(f"<RemainingDuration>{format_duration(remaining)}</RemainingDuration>")
        out.append(f"<ConstraintType>{CONSTRAINT_CODES[task.constraint]}</ConstraintType>")
        out.append(f"<CalendarUID>{task.calendar_uid if task.calendar_uid is not None else -1}</CalendarUID>")
        if task.constraint_date and task.constraint in cpm.DATED_CONSTRAINTS:
            out.append(f"<ConstraintDate>{_d(task.constraint_date)}</ConstraintDate>")
        if task.deadline:
            out.append(f"<Deadline>{_d(task.deadline)}</Deadline>")
        if task.notes:
            out.append(f"<Notes>{_x(task.notes)}</Notes>")
        for link in task.links:
            if link.lag_kind == cpm.PERCENT:
                # LinkLag holds the whole percentage (not tenths), as Microsoft Project stores it
                lag = int(round(link.lag))
                lag_format = link.lag_format if link.lag_format in PERCENT_FORMATS else 19
            else:
                lag = int(round(link.lag * 10))
                lag_format = link.lag_format if link.lag_format not in PERCENT_FORMATS else 7
                if (link.lag_kind == cpm.ELAPSED) != (lag_format in ELAPSED_FORMATS):
                    lag_format = 8 if link.lag_kind == cpm.ELAPSED else 7
            cross = f"<CrossProject>1</CrossProject><CrossProjectName>{_x(link.cross_project_name)}</CrossProjectName>"
            out.append(
                f"<PredecessorLink><PredecessorUID>{link.predecessor_uid}</PredecessorUID><Type>{LINK_CODES[link.type]}</Type>"
                f"{cross if link.cross_project else '<CrossProject>0</CrossProject>'}"
                f"<LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat></PredecessorLink>"
            )
        for baseline in task.baselines:
            out.append(f"<Baseline><Number>{baseline.number}</Number>")
            if baseline.start:
                out.append(f"<Start>{_d(baseline.start)}</Start>")
            if baseline.finish:
                out.append(f"<Finish>{_d(baseline.finish)}</Finish>")
            if baseline.duration is not None:
                out.append(f"<Duration>{format_duration(baseline.duration)}</Duration><DurationFormat>7</DurationFormat>")
            out.append("</Baseline>")
        out.append("</Task>\n")
    out.append("</Tasks>\n<Resources>\n")
    for resource in project.resources:
        kind = {"material": 0, "work": 1, "cost": 2}.get(resource.type, 1)
        out.append(
            f"<Resource><UID>{resource.uid}</UID><ID>{resource.uid}</ID><Name>{_x(resource.name)}</Name><Type>{kind}</Type>"
        )
        out.append("<IsNull>0</IsNull>")
        if resource.initials:
            out.append(f"<Initials>{_x(resource.initials)}</Initials>")
        if resource.email:
            out.append(f"<EmailAddress>{_x(resource.email)}</EmailAddress>")
        out.append(f"<MaxUnits>{resource.max_units:.2f}</MaxUnits><StandardRate>{resource.standard_rate:g}</StandardRate>")
        if resource.calendar_uid is not None:
            out.append(f"<CalendarUID>{resource.calendar_uid}</CalendarUID>")
        out.append("</Resource>\n")
    out.append("</Resources>\n<Assignments>\n")
    for number, assignment in enumerate(project.assignments, start=1):
        out.append(
            f"<Assignment><UID>{number}</UID><TaskUID>{assignment.task_uid}</TaskUID>"
            f"<ResourceUID>{assignment.resource_uid}</ResourceUID><Units>{assignment.units:g}</Units>"
            f"<Work>{format_duration(assignment.work)}</Work></Assignment>\n"
        )
    out.append("</Assignments>\n</Project>\n")
    if progress is not None:
        progress(1.0)
    return "".join(out).encode("utf-8")
