"""Working calendars between the database and the engine: checking typed hours, building engine calendars."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from regie.engine import calendar as cal

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
