"""Working calendars between the database and the engine: checking typed hours, building engine calendars,
and keeping the calendars (creating, changing, archiving, exceptions) with the plans that use them
rescheduled after every change to working time."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import permissions
from regie.core.services import claim_version
from regie.engine import calendar as cal
from regie.planning.models import CalendarException, Plan, Recurrence, Resource, Task, WorkCalendar, default_week

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _minutes(text: Any, where: str) -> int:
    try:
        hour, minute = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise ValidationError(_("%(where)s: %(value)r is not a time such as 08:30.") % {"where": where, "value": text}) from None
    if not (0 <= hour <= 24 and 0 <= minute < 60) or hour == 24 and minute:
        raise ValidationError(_("%(where)s: %(value)r is not a time such as 08:30.") % {"where": where, "value": text})
    return hour * 60 + minute


def parse_day(periods: Any, where: str) -> cal.Day:
    if not isinstance(periods, list):
        raise ValidationError(_("%(where)s: give a list of periods such as 08:00–12:00.") % {"where": where})
    pairs = []
    for period in periods:
        if not isinstance(period, (list, tuple)) or len(period) != 2:
            raise ValidationError(_("%(where)s: each period has a start and an end.") % {"where": where})
        pairs.append((_minutes(period[0], where), _minutes(period[1], where)))
    try:
        return cal.check_day(pairs, where)
    except cal.CalendarError as exc:
        raise ValidationError(str(exc)) from None


def parse_week(week: Any) -> tuple[cal.Day, ...]:
    if not isinstance(week, list) or len(week) != 7:
        raise ValidationError(_("A week has seven days, Monday first."))
    return tuple(parse_day(day, _(name)) for day, name in zip(week, WEEKDAY_NAMES, strict=True))


def format_day(day: cal.Day) -> list[list[str]]:
    return [[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in day]


def exception_of(row: Any) -> cal.CalendarException:
    """The engine's exception for a CalendarException row; a ValidationError names what is wrong."""
    where = row.name or str(row.start)
    try:
        exception = cal.CalendarException(
            start=row.start,
            end=row.end,
            intervals=parse_day(row.hours or [], where),
            name=row.name,
            recurrence=row.recurrence,
            period=row.period or 1,
            weekdays=frozenset(int(d) for d in (row.weekdays or [])),
            month_day=row.month_day,
            weekday=row.weekday,
            position=row.position,
            month=row.month,
            occurrences=row.occurrences,
        )
        exception.days()
    except cal.CalendarError as exc:
        raise ValidationError(str(exc)) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{where}: {exc}") from None
    return exception


def engine_calendar(calendar: Any, exceptions: list[Any] | None = None) -> cal.Calendar:
    rows = exceptions if exceptions is not None else list(calendar.exceptions.all())
    try:
        return cal.Calendar(calendar.name, parse_week(calendar.week), [exception_of(row) for row in rows])
    except cal.CalendarError as exc:
        raise ValidationError(str(exc)) from None


def month_view(calendar: cal.Calendar, first: dt.date, months: int = 12) -> list[dict[str, Any]]:
    """Each month from ``first`` with its days and working minutes, for showing a calendar."""
    result = []
    year, month = first.year, first.month
    for _i in range(months):
        start = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        days = []
        for day, periods in calendar.working_days(start, following - dt.timedelta(days=1)):
            minutes = sum(b - a for a, b in periods)
            days.append({"date": day, "minutes": minutes, "periods": format_day(periods)})
        result.append({"month": start, "lead": start.weekday(), "days": days})
        year, month = year + month // 12, month % 12 + 1
    return result


# -- keeping the calendars ---------------------------------------------------------------------------
# Creating and changing calendars and their exceptions. Every change to working time reschedules the
# plans that count on the calendar (through the plan's calendar, a task's or an imported resource's).

MANAGE_CALENDARS = "planning.manage_calendars"
CALENDAR_FIELDS = ("name", "description", "domain", "week", "is_default")
EXCEPTION_FIELDS = (
    "name", "start", "end", "hours", "recurrence", "period", "weekdays", "month_day", "weekday", "position", "month",
    "occurrences",
)  # fmt: skip


@dataclass
class Rescheduled:
    """What a calendar change did to the plans using the calendar."""

    plans: int = 0
    queued: int = 0
    failed: list[str] = field(default_factory=list)  # the projects the person who changed it may see
    failed_elsewhere: int = 0  # and how many more, in projects hidden from them

    def summary(self) -> list[str]:
        """What was rescheduled, for the message after a change."""
        found = []
        if self.plans:
            found.append(
                ngettext("%(count)s plan rescheduled.", "%(count)s plans rescheduled.", self.plans) % {"count": self.plans}
            )
        if self.queued:
            found.append(
                ngettext(
                    "%(count)s large plan is being rescheduled in the background.",
                    "%(count)s large plans are being rescheduled in the background.",
                    self.queued,
                )
                % {"count": self.queued}
            )
        return found

    def problem(self) -> str:
        """The plans that could not be rescheduled ("" when there are none)."""
        if not (self.failed or self.failed_elsewhere):
            return ""
        names = list(self.failed)
        if self.failed_elsewhere:
            names.append(
                ngettext("%(count)s plan you may not see", "%(count)s plans you may not see", self.failed_elsewhere)
                % {"count": self.failed_elsewhere}
            )
        return _("These plans could not be rescheduled; their pages show why: %(plans)s.") % {"plans": ", ".join(names)}


def may_manage(user: Any) -> bool:
    """Calendars belong to the whole organisation: whoever holds ``planning.manage_calendars`` anywhere keeps them."""
    return permissions.holds_anywhere(user, MANAGE_CALENDARS)


def check_manage(user: Any) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("You may not change the working calendars."))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def checked_periods(periods: Any, where: str) -> list[list[str]]:
    """A day's working periods, each checked with a message naming the day and the period; returned sorted
    and written as ``[["08:00", "12:00"], ...]``."""
    if not isinstance(periods, (list, tuple)):
        raise ValidationError(_("%(where)s: give a list of periods such as 08:00–12:00.") % {"where": where})
    spans = []
    for period in periods:
        if not isinstance(period, (list, tuple)) or len(period) != 2:
            raise ValidationError(_("%(where)s: each period has a start and an end.") % {"where": where})
        start, end = _minutes(period[0], where), _minutes(period[1], where)
        if end < start:
            raise ValidationError(
                _("%(where)s: the period %(period)s ends before it starts.")
                % {"where": where, "period": f"{_hhmm(start)}–{_hhmm(end)}"}
            )
        if end == start:
            raise ValidationError(
                _("%(where)s: the period %(period)s has no time in it.")
                % {"where": where, "period": f"{_hhmm(start)}–{_hhmm(end)}"}
            )
        spans.append((start, end))
    spans.sort()
    for (start, end), (next_start, next_end) in zip(spans, spans[1:], strict=False):
        if next_start < end:
            raise ValidationError(
                _("%(where)s: the periods %(first)s and %(second)s overlap.")
                % {"where": where, "first": f"{_hhmm(start)}–{_hhmm(end)}", "second": f"{_hhmm(next_start)}–{_hhmm(next_end)}"}
            )
    return format_day(tuple(spans))


def periods_from_text(text: str | None, where: str) -> list[list[str]]:
    """Periods typed as ``08:00-12:00, 13:00-17:00`` (commas or semicolons between periods, a hyphen or a
    dash within one); empty text is a day without working time."""
    pairs = []
    for piece in re.split(r"[,;]", text or ""):
        piece = piece.strip()
        if not piece:
            continue
        parts = [part.strip() for part in re.split(r"[-–—]", piece)]
        if len(parts) != 2 or not all(parts):
            raise ValidationError(
                _("%(where)s: “%(value)s” is not a period such as 08:00-12:00.") % {"where": where, "value": piece}
            )
        pairs.append(parts)
    return checked_periods(pairs, where)


def periods_as_text(periods: Any) -> str:
    return ", ".join(f"{start}-{end}" for start, end in periods or [])


def checked_week(week: Any) -> list[list[list[str]]]:
    """Seven days of periods, Monday first, with some working time in the week."""
    if not isinstance(week, (list, tuple)) or len(week) != 7:
        raise ValidationError(_("A week has seven days, Monday first."))
    days = [checked_periods(day, _(name)) for day, name in zip(week, WEEKDAY_NAMES, strict=True)]
    if not any(days):
        raise ValidationError(_("The week has no working time at all: give at least one day working periods."))
    return days


def check_date(day: Any, label: str) -> None:
    if not isinstance(day, dt.date) or not cal.FIRST_DATE <= day <= cal.LAST_DATE:
        raise ValidationError(
            _("%(label)s: give a date from %(first)s to %(last)s.")
            % {"label": label, "first": cal.FIRST_DATE.isoformat(), "last": cal.LAST_DATE.isoformat()}
        )


def _sees(viewer: Any, project: Any) -> bool:
    return viewer is None or permissions.may(viewer, "portfolio.view_project", project)


def calendar_usage(calendar: WorkCalendar, viewer: Any = None) -> dict[str, Any]:
    """Who counts on the calendar: the plans (by project; those of projects ``viewer`` may not see only
    counted), other plans' tasks and imported resources."""
    plans = list(Plan.objects.filter(calendar=calendar).select_related("project").order_by("project__code"))
    shown = [plan for plan in plans if _sees(viewer, plan.project)]
    return {
        "plans": shown,
        "hidden_plans": len(plans) - len(shown),
        "tasks": Task.objects.filter(calendar=calendar).count(),
        "resources": Resource.objects.filter(calendar=calendar).count(),
    }


def plans_using(calendar: WorkCalendar) -> list[Plan]:
    """The plans whose schedule depends on the calendar."""
    condition = Q(calendar=calendar) | Q(tasks__calendar=calendar) | Q(resources__calendar=calendar)
    ids = Plan.objects.filter(condition).values_list("pk", flat=True).distinct()
    return list(Plan.objects.filter(pk__in=list(ids)).select_related("calendar", "project").order_by("pk"))


#: What else counts time on calendars (the SLA clocks of cases): called with a calendar whose working
#: time changed, the actor, and the first and last day whose working time changed (``None``: any day may
#: have, as when the week changed), after its plans are rescheduled. Apps register here so planning
#: imports none of them.
CALENDAR_CHANGED: list[Callable[[WorkCalendar, Any, tuple[dt.date, dt.date] | None], None]] = []


def changed_days(*exceptions: CalendarException | dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The first and last day whose working time an exception changes, over the exceptions (or their
    former values) given; ``None`` when one recurs, so any year may have changed."""
    first = last = None
    for exception in exceptions:
        values = exception if isinstance(exception, dict) else {name: getattr(exception, name) for name in EXCEPTION_FIELDS}
        if values.get("recurrence", Recurrence.ONCE) != Recurrence.ONCE:
            return None
        first = values["start"] if first is None else min(first, values["start"])
        last = values["end"] if last is None else max(last, values["end"])
    return None if first is None or last is None else (first, last)


def reschedule_plans_using(calendar: WorkCalendar, actor: Any = None, days: tuple[dt.date, dt.date] | None = None) -> Rescheduled:
    """Reschedule every plan that uses the calendar (large ones through the background job requested by
    ``actor``, as ``reschedule`` does); a plan that can no longer be scheduled keeps the reason on its page
    instead of refusing the change, and is named only to those who may see its project. ``days``: the
    first and last day whose working time changed, for those who follow the calendar (``None``: any)."""
    from regie.planning import services

    report = Rescheduled()
    for plan in plans_using(calendar):
        if not plan.tasks.exists():
            continue
        try:
            result = services.reschedule(plan, user=actor)
        except ValidationError as exc:
            Plan.objects.filter(pk=plan.pk).update(schedule_error="; ".join(exc.messages))
            if _sees(actor, plan.project):
                report.failed.append(str(plan.project))
            else:
                report.failed_elsewhere += 1
            continue
        if result is None:
            report.queued += 1
        else:
            report.plans += 1
    for follow in CALENDAR_CHANGED:
        follow(calendar, actor, days)
    return report


def _name_errors(name: Any, calendar: WorkCalendar | None) -> list[str]:
    name = str(name or "").strip()
    if not name:
        return [_("Give the calendar a name.")]
    if len(name) > 100:
        return [_("A name has at most 100 characters.")]
    other = WorkCalendar.objects.filter(name__iexact=name)
    if calendar is not None:
        other = other.exclude(pk=calendar.pk)
    found = other.first()
    if found is None:
        return []
    if found.is_archived:
        return [_("An archived calendar is called “%(name)s”; choose another name.") % {"name": found.name}]
    return [_("A calendar called “%(name)s” exists already.") % {"name": found.name}]


def _calendar_values(values: dict[str, Any], calendar: WorkCalendar | None) -> dict[str, Any]:
    """The calendar's fields from ``values``, all checked at once; a ValidationError names each wrong field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = set(values) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    if "name" in values or calendar is None:
        problems = _name_errors(values.get("name"), calendar)
        if problems:
            errors["name"] = problems
        clean["name"] = str(values.get("name") or "").strip()
    if "week" in values:
        try:
            clean["week"] = checked_week(values["week"])
        except ValidationError as exc:
            errors["week"] = exc.messages
    if "description" in values:
        clean["description"] = str(values["description"] or "")
    if "domain" in values:
        domain = values["domain"]
        kept = calendar is not None and domain is not None and domain.pk == calendar.domain_id
        if domain is not None and getattr(domain, "is_archived", False) and not kept:
            errors["domain"] = [_("This domain is archived.")]
        clean["domain"] = domain
    if "is_default" in values:
        clean["is_default"] = bool(values["is_default"])
        if calendar is not None and calendar.is_default and not clean["is_default"]:
            errors["is_default"] = [_("There is always one organisation default: make another calendar the default instead.")]
    if errors:
        raise ValidationError(errors)
    return clean


def _take_default(actor: Any, calendar: WorkCalendar) -> None:
    """Make ``calendar`` the one default: the previous default gives it up (with its history and version)."""
    for other in WorkCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk):
        claim_version(other, None)
        other.is_default = False
        other._history_user = actor  # type: ignore[attr-defined]
        other.save()
    calendar.is_default = True


@transaction.atomic
def calendar_create(*, actor: Any, values: dict[str, Any]) -> WorkCalendar:
    """A new calendar; the first one (when there is no default yet) becomes the organisation default."""
    check_manage(actor)
    clean = _calendar_values(values, None)
    calendar = WorkCalendar(
        name=clean["name"],
        description=clean.get("description", ""),
        domain=clean.get("domain"),
        week=clean.get("week", default_week()),
    )
    if clean.get("is_default") or not WorkCalendar.objects.filter(is_default=True).exists():
        _take_default(actor, calendar)
    calendar.full_clean()
    calendar._history_user = actor  # type: ignore[attr-defined]
    calendar.save()
    return calendar


@transaction.atomic
def calendar_update(
    *, actor: Any, calendar: WorkCalendar, values: dict[str, Any], version: int | None
) -> tuple[WorkCalendar, Rescheduled]:
    """Change a calendar the writer saw at ``version``; a changed week reschedules the plans that use it."""
    check_manage(actor)
    if calendar.is_archived:
        raise ValidationError(_("An archived calendar cannot be changed."))
    clean = _calendar_values(values, calendar)
    claim_version(calendar, version)
    week_changed = "week" in clean and clean["week"] != calendar.week
    if clean.pop("is_default", False) and not calendar.is_default:
        _take_default(actor, calendar)
    for name, value in clean.items():
        setattr(calendar, name, value)
    calendar.full_clean()
    calendar._history_user = actor  # type: ignore[attr-defined]
    calendar.save()
    report = reschedule_plans_using(calendar, actor) if week_changed else Rescheduled()
    return calendar, report


@transaction.atomic
def calendar_archive(*, actor: Any, calendar: WorkCalendar, version: int | None) -> WorkCalendar:
    """Archive a calendar that nothing uses: not the default, no plan, no task, no imported resource."""
    check_manage(actor)
    if calendar.is_archived:
        return calendar
    if calendar.is_default:
        raise ValidationError(
            _("“%(name)s” is the organisation default; make another calendar the default before archiving it.")
            % {"name": calendar.name}
        )
    usage = calendar_usage(calendar, actor)
    users = []
    if usage["plans"]:
        codes = ", ".join(plan.project.code for plan in usage["plans"][:10])
        if len(usage["plans"]) > 10:
            codes += ", …"
        users.append(ngettext("the plan of %(projects)s", "the plans of %(projects)s", len(usage["plans"])) % {"projects": codes})
    if usage["hidden_plans"]:
        users.append(
            ngettext("%(count)s plan you may not see", "%(count)s plans you may not see", usage["hidden_plans"])
            % {"count": usage["hidden_plans"]}
        )
    if usage["tasks"]:
        users.append(ngettext("%(count)s task", "%(count)s tasks", usage["tasks"]) % {"count": usage["tasks"]})
    if usage["resources"]:
        users.append(
            ngettext("%(count)s imported resource", "%(count)s imported resources", usage["resources"])
            % {"count": usage["resources"]}
        )
    if users:
        raise ValidationError(
            _("“%(name)s” cannot be archived: %(users)s still use it. Give them another calendar first.")
            % {"name": calendar.name, "users": "; ".join(users)}
        )
    claim_version(calendar, version)
    calendar.archived_at = timezone.now()
    calendar._history_user = actor  # type: ignore[attr-defined]
    calendar.save()
    return calendar


def calendar_restore(*, actor: Any, calendar: WorkCalendar) -> WorkCalendar:
    """Bring an archived calendar back, as it was (its name stays taken while it is archived)."""
    check_manage(actor)
    if not calendar.is_archived:
        return calendar
    calendar.archived_at = None
    calendar._history_user = actor  # type: ignore[attr-defined]
    calendar.save()
    return calendar


def _optional_int(values: dict[str, Any], name: str, low: int, high: int, errors: dict[str, list[str]]) -> int | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = low - 1
    if not low <= number <= high:
        errors[name] = [_("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    return number


def _exception_values(values: dict[str, Any]) -> dict[str, Any]:
    """An exception's fields, all checked at once (a ValidationError names each wrong field), with the
    fields its recurrence does not use cleared."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = set(values) - set(EXCEPTION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    name = str(values.get("name") or "").strip()
    if len(name) > 100:
        errors["name"] = [_("A name has at most 100 characters.")]
    clean["name"] = name
    where = name or str(_("The exception"))
    start, end = values.get("start"), values.get("end")
    if start is None:
        errors["start"] = [_("Give the first day.")]
    else:
        try:
            check_date(start, str(_("First day")))
        except ValidationError as exc:
            errors["start"] = exc.messages
    if end is None:
        end = start
    else:
        try:
            check_date(end, str(_("Last day")))
        except ValidationError as exc:
            errors["end"] = exc.messages
    if "start" not in errors and "end" not in errors and start is not None and end < start:
        errors["end"] = [_("The exception ends before it starts.")]
    clean["start"], clean["end"] = start, end
    try:
        clean["hours"] = checked_periods(values.get("hours") or [], where)
    except ValidationError as exc:
        errors["hours"] = exc.messages
    recurrence = values.get("recurrence") or Recurrence.ONCE
    if recurrence not in Recurrence.values:
        errors["recurrence"] = [_("Choose once, daily, weekly, monthly or yearly.")]
    clean["recurrence"] = recurrence
    period = _optional_int(values, "period", 1, 999, errors)
    clean["period"] = period or 1
    weekdays = values.get("weekdays") or []
    try:
        clean["weekdays"] = sorted({int(day) for day in weekdays})
        if any(not 0 <= day <= 6 for day in clean["weekdays"]):
            raise ValueError
    except (TypeError, ValueError):
        errors["weekdays"] = [_("Weekdays are numbers from 0 (Monday) to 6 (Sunday).")]
    for key, low, high in (("month_day", 1, 31), ("weekday", 0, 6), ("position", 1, 5), ("month", 1, 12),
                           ("occurrences", 1, 100000)):  # fmt: skip
        clean[key] = _optional_int(values, key, low, high, errors)
    if recurrence in (Recurrence.ONCE, Recurrence.DAILY):
        clean.update(weekdays=[], month_day=None, weekday=None, position=None, month=None)
    elif recurrence == Recurrence.WEEKLY:
        clean.update(month_day=None, weekday=None, position=None, month=None)
    elif recurrence in (Recurrence.MONTHLY, Recurrence.YEARLY):
        clean["weekdays"] = []
        if clean["month_day"] is not None:
            clean.update(weekday=None, position=None)
        elif (clean["weekday"] is None or clean["position"] is None) and not {"month_day", "weekday", "position"} & set(errors):
            errors["month_day"] = [_("Give a day of the month, or a weekday and which one of the month it is.")]
        if recurrence == Recurrence.YEARLY:
            clean["period"] = 1
            if clean["month"] is None and "month" not in errors:
                errors["month"] = [_("A yearly exception needs a month.")]
        else:
            clean["month"] = None
    if recurrence == Recurrence.ONCE:
        clean["period"] = 1
    if errors:
        raise ValidationError(errors)
    row = CalendarException(**clean)
    try:
        covered = exception_of(row).days()
    except ValidationError as exc:
        raise ValidationError({"recurrence": exc.messages}) from None
    if not covered:
        raise ValidationError({"recurrence": [_("%(where)s covers no day between its first and last day.") % {"where": where}]})
    return clean


def _check_open(calendar: WorkCalendar) -> None:
    if calendar.is_archived:
        raise ValidationError(_("An archived calendar cannot be changed."))


@transaction.atomic
def calendar_exception_create(
    *, actor: Any, calendar: WorkCalendar, values: dict[str, Any], version: int | None = None
) -> tuple[CalendarException, Rescheduled]:
    """Add an exception (a holiday, a closure, other hours); the calendar takes its next version."""
    check_manage(actor)
    _check_open(calendar)
    clean = _exception_values(values)
    claim_version(calendar, version)
    exception = CalendarException.objects.create(calendar=calendar, **clean)
    return exception, reschedule_plans_using(calendar, actor, changed_days(exception))


@transaction.atomic
def calendar_exception_update(
    *, actor: Any, exception: CalendarException, values: dict[str, Any], version: int | None
) -> tuple[CalendarException, Rescheduled]:
    """Change an exception; ``version`` is the calendar's, as the writer saw it."""
    check_manage(actor)
    calendar = exception.calendar
    _check_open(calendar)
    current = {name: getattr(exception, name) for name in EXCEPTION_FIELDS}
    clean = _exception_values({**current, **values})
    claim_version(calendar, version)
    for name, value in clean.items():
        setattr(exception, name, value)
    exception.save()
    return exception, reschedule_plans_using(calendar, actor, changed_days(current, exception))


@transaction.atomic
def calendar_exception_delete(*, actor: Any, exception: CalendarException, version: int | None) -> Rescheduled:
    """Remove an exception; its days follow the week again."""
    check_manage(actor)
    calendar = exception.calendar
    _check_open(calendar)
    claim_version(calendar, version)
    days = changed_days(exception)
    exception.delete()
    return reschedule_plans_using(calendar, actor, days)
