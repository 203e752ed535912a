"""Working calendars: which minutes of which days are working time.

Time is counted in whole minutes on one axis: ``minute = date.toordinal() * 1440 + hour * 60 + minute``
(local time, no zone), so a date and its day index are one division apart.

A calendar expands its weekly pattern, work weeks and exceptions into a sorted list of working
intervals with the working minutes accumulated before each. Every question a scheduler asks is then a
binary search on those lists:

- ``work(t)``: working minutes from the calendar's origin up to moment ``t`` (flat across non-working time);
- ``start_of(w)``: the latest moment with ``work == w`` (the next start of work);
- ``finish_of(w)``: the earliest moment with ``work == w`` (the end of the previous working period).

Adding ``d`` working minutes to a start is ``finish_of(work(t) + d)``: two searches, no loop over days.
The expansion is built lazily in blocks of years and grows in either direction on demand, within the
range that Microsoft Project supports (1984 to 2149).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MINUTES_PER_DAY = 1440
FIRST_DATE = dt.date(1984, 1, 1)
LAST_DATE = dt.date(2149, 12, 31)
FIRST_DAY = FIRST_DATE.toordinal()
LAST_DAY = LAST_DATE.toordinal()
BLOCK_DAYS = 366 * 4

Interval = tuple[int, int]  # minutes from midnight, from < to; to may be 1440 (midnight at the end)
Day = tuple[Interval, ...]


class CalendarError(ValueError):
    """A calendar that cannot be used: bad hours, no working time, or a date outside the supported range."""


def to_minute(moment: dt.datetime) -> int:
    return moment.toordinal() * MINUTES_PER_DAY + moment.hour * 60 + moment.minute


def from_minute(minute: int) -> dt.datetime:
    day, rest = divmod(minute, MINUTES_PER_DAY)
    base = dt.datetime.fromordinal(day)
    return base.replace(hour=rest // 60, minute=rest % 60)


def check_day(intervals: Iterable[Interval], what: str = "working time") -> Day:
    """Sort and validate a day's working intervals; overlapping or empty ones are refused."""
    result = sorted((int(a), int(b)) for a, b in intervals)
    previous_end = 0
    for start, end in result:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError(f"{what}: {_hhmm(start)}–{_hhmm(end)} is not a period within one day")
        if start < previous_end:
            raise CalendarError(f"{what}: periods overlap at {_hhmm(start)}")
        previous_end = end
    return tuple(result)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Recurrence kinds of an exception (the same as Microsoft Project offers).
ONCE = "once"  # every day from start to end
DAILY = "daily"  # every `period` days
WEEKLY = "weekly"  # every `period` weeks on `weekdays`
MONTHLY = "monthly"  # every `period` months on day `month_day`, or on the `position`th `weekday`
YEARLY = "yearly"  # every year in `month` on day `month_day`, or on the `position`th `weekday`
RECURRENCES = (ONCE, DAILY, WEEKLY, MONTHLY, YEARLY)
LAST = 5  # position meaning "the last ... of the month"


@dataclass(frozen=True)
class CalendarException:
    """Days whose working time differs from the week: a holiday (no intervals) or other hours.

    ``start``/``end`` bound the days it covers (inclusive). A recurring exception lists its rule;
    ``occurrences`` (when given) stops it after that many days.
    """

    start: dt.date
    end: dt.date
    intervals: Day = ()
    name: str = ""
    recurrence: str = ONCE
    period: int = 1
    weekdays: frozenset[int] = frozenset()  # 0 = Monday … 6 = Sunday
    month_day: int | None = None
    weekday: int | None = None  # with position: 0 = Monday … 6 = Sunday
    position: int | None = None  # 1..4, or LAST
    month: int | None = None  # 1..12
    occurrences: int | None = None

    def days(self) -> list[dt.date]:
        """The dates this exception covers, in order."""
        if self.end < self.start:
            raise CalendarError(f"exception {self.name or self.start}: ends before it starts")
        if self.recurrence not in RECURRENCES:
            raise CalendarError(f"exception {self.name or self.start}: unknown recurrence {self.recurrence!r}")
        if self.period < 1:
            raise CalendarError(f"exception {self.name or self.start}: the period must be at least 1")
        found: list[dt.date] = []
        limit = self.occurrences if self.occurrences else 10**9
        for day in self._candidates():
            if day > self.end or len(found) >= limit:
                break
            if day >= self.start:
                found.append(day)
        return found

    def _candidates(self) -> Iterable[dt.date]:
        one = dt.timedelta(days=1)
        if self.recurrence == ONCE:
            day = self.start
            while day <= self.end:
                yield day
                day += one
        elif self.recurrence == DAILY:
            day = self.start
            while day <= self.end:
                yield day
                day += one * self.period
        elif self.recurrence == WEEKLY:
            # weeks run from Sunday to Saturday, as Microsoft Project counts them: "every 2 weeks" counts
            # from the Sunday on or before the start
            week_start = self.start - dt.timedelta(days=(self.start.weekday() + 1) % 7)
            offsets = sorted((weekday + 1) % 7 for weekday in (self.weekdays or {self.start.weekday()}))
            while week_start <= self.end:
                for offset in offsets:
                    yield week_start + dt.timedelta(days=offset)
                week_start += dt.timedelta(weeks=self.period)
        else:
            year, month = self.start.year, self.start.month
            if self.recurrence == YEARLY:
                if not self.month or not 1 <= self.month <= 12:
                    raise CalendarError(f"exception {self.name or self.start}: a yearly exception needs a month")
                step = 12
                if month > self.month:
                    year += 1
                month = self.month
            else:
                step = self.period
            while dt.date(year, month, 1) <= self.end:
                in_month = self._in_month(year, month)
                if in_month is not None:
                    yield in_month
                month += step
                year, month = year + (month - 1) // 12, (month - 1) % 12 + 1

    def _in_month(self, year: int, month: int) -> dt.date | None:
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        length = (following - first).days
        if self.month_day is not None:
            if not 1 <= self.month_day <= 31:
                raise CalendarError(f"exception {self.name or self.start}: day {self.month_day} is not a day of a month")
            return first.replace(day=min(self.month_day, length))
        if self.weekday is None or self.position is None:
            raise CalendarError(f"exception {self.name or self.start}: give a day of the month or a weekday and position")
        offset = (self.weekday - first.weekday()) % 7
        if self.position == LAST:
            day = offset + 1 + 7 * ((length - offset - 1) // 7)
        else:
            day = offset + 1 + 7 * (self.position - 1)
            if day > length:
                return None
        return first.replace(day=day)


@dataclass(frozen=True)
class WorkWeek:
    """A different weekly pattern for a range of dates (e.g. summer hours)."""

    start: dt.date
    end: dt.date
    week: tuple[Day | None, ...]  # Monday..Sunday; None = as the calendar's own week


@dataclass
class Calendar:
    """A working calendar; see the module's description."""

    name: str
    week: Sequence[Day]  # Monday..Sunday
    exceptions: Sequence[CalendarException] = ()
    work_weeks: Sequence[WorkWeek] = ()
    _lo: int = field(default=0, init=False, repr=False)  # first day built (ordinal)
    _hi: int = field(default=0, init=False, repr=False)  # first day not built
    _starts: list[int] = field(default_factory=list, init=False, repr=False)
    _ends: list[int] = field(default_factory=list, init=False, repr=False)
    _cum: list[int] = field(default_factory=list, init=False, repr=False)  # work before interval i
    _cum_end: list[int] = field(default_factory=list, init=False, repr=False)  # work at the end of interval i
    _special: dict[int, Day] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise CalendarError(f"calendar {self.name}: a week has seven days")
        self.week = tuple(check_day(day, f"calendar {self.name}") for day in self.week)
        special: dict[int, Day] = {}
        for exception in self.exceptions:
            hours = check_day(exception.intervals, f"calendar {self.name}, exception {exception.name or exception.start}")
            for day in exception.days():
                special[day.toordinal()] = hours
        self._special = special
        self._weeks = sorted(
            (
                (w.start.toordinal(), w.end.toordinal(), tuple(None if d is None else check_day(d) for d in w.week))
                for w in self.work_weeks
            ),
            key=lambda row: row[0],
        )
        if not any(self.week) and not any(self._special.values()) and not any(any(d for d in w[2] if d) for w in self._weeks):
            raise CalendarError(f"calendar {self.name}: has no working time")

    # -- expansion -------------------------------------------------------------------------------

    def day(self, ordinal: int) -> Day:
        """The working periods of one day (ordinal)."""
        hours = self._special.get(ordinal)
        if hours is not None:
            return hours
        weekday = (ordinal - 1) % 7  # ordinal 1 (0001-01-01) was a Monday
        for start, end, week in self._weeks:
            if start <= ordinal <= end and week[weekday] is not None:
                return week[weekday]  # type: ignore[return-value]
        return self.week[weekday]  # type: ignore[return-value]

    def _build(self, lo: int, hi: int) -> tuple[list[int], list[int]]:
        starts: list[int] = []
        ends: list[int] = []
        for ordinal in range(lo, hi):
            base = ordinal * MINUTES_PER_DAY
            for a, b in self.day(ordinal):
                if starts and ends[-1] == base + a:
                    ends[-1] = base + b  # a period running through midnight stays one period
                else:
                    starts.append(base + a)
                    ends.append(base + b)
        return starts, ends

    def _ensure(self, lo: int, hi: int) -> None:
        """Make sure days [lo, hi) are expanded (ordinals), within the supported range."""
        if not self._starts and self._lo == self._hi:
            lo = max(FIRST_DAY, lo - BLOCK_DAYS // 2)
            hi = min(LAST_DAY + 1, max(hi, lo + 1) + BLOCK_DAYS)
            self._starts, self._ends = self._build(lo, hi)
            self._lo, self._hi = lo, hi
            self._accumulate(0)
            return
        if lo < self._lo:
            new_lo = max(FIRST_DAY, min(lo, self._lo - BLOCK_DAYS))
            starts, ends = self._build(new_lo, self._lo)
            origin = self._cum[0] if self._cum else 0
            self._starts[:0] = starts
            self._ends[:0] = ends
            self._lo = new_lo
            self._accumulate(origin - sum(e - s for s, e in zip(starts, ends, strict=True)))
        if hi > self._hi:
            new_hi = min(LAST_DAY + 1, max(hi, self._hi + BLOCK_DAYS))
            starts, ends = self._build(self._hi, new_hi)
            self._hi = new_hi
            self._extend(starts, ends)

    def _accumulate(self, origin: int) -> None:
        cum: list[int] = []
        cum_end: list[int] = []
        total = origin
        for start, end in zip(self._starts, self._ends, strict=True):
            cum.append(total)
            total += end - start
            cum_end.append(total)
        self._cum, self._cum_end = cum, cum_end

    def _extend(self, starts: list[int], ends: list[int]) -> None:
        total = self._cum_end[-1] if self._cum_end else 0
        if self._ends and starts and self._ends[-1] == starts[0]:
            # a period running through midnight across the block boundary
            extra = ends[0] - starts[0]
            self._ends[-1] = ends[0]
            total += extra
            self._cum_end[-1] = total
            starts, ends = starts[1:], ends[1:]
        for start, end in zip(starts, ends, strict=True):
            self._starts.append(start)
            self._ends.append(end)
            self._cum.append(total)
            total += end - start
            self._cum_end.append(total)

    def _check_range(self, minute: int) -> None:
        """Refuse a moment outside the supported range: from the first minute of ``FIRST_DATE`` up to the
        midnight that ends ``LAST_DATE`` (the only moment of the following day that is accepted)."""
        if FIRST_DAY * MINUTES_PER_DAY <= minute <= (LAST_DAY + 1) * MINUTES_PER_DAY:
            return
        try:
            moment = f"{from_minute(minute):%Y-%m-%d %H:%M}"
        except (ValueError, OverflowError):
            moment = f"minute {minute}"
        raise CalendarError(
            f"calendar {self.name}: {moment} is outside the supported range "
            f"{FIRST_DATE:%Y-%m-%d} to {LAST_DATE:%Y-%m-%d} (up to its midnight)"
        )

    # -- questions -------------------------------------------------------------------------------

    def work(self, minute: int) -> int:
        """Working minutes on the calendar's axis at ``minute``."""
        day = minute // MINUTES_PER_DAY
        if not self._lo <= day < self._hi:
            self._check_range(minute)
            self._ensure(day - 1, day + 2)
        i = bisect.bisect_right(self._starts, minute) - 1
        while i < 0:
            if self._lo <= FIRST_DAY:
                return self._cum[0] if self._cum else 0
            self._ensure(self._lo - BLOCK_DAYS, self._hi)
            i = bisect.bisect_right(self._starts, minute) - 1
        end = self._ends[i]
        return self._cum[i] + (minute if minute < end else end) - self._starts[i]

    def start_of(self, work: int) -> int:
        """The latest moment at which ``work`` working minutes have passed: the next start of work."""
        cum = self._cum
        while not cum or work >= self._cum_end[-1]:
            self._grow_forward()
            cum = self._cum
        while work < cum[0]:
            self._grow_backward()
            cum = self._cum
        i = bisect.bisect_right(cum, work) - 1
        return self._starts[i] + work - cum[i]

    def finish_of(self, work: int) -> int:
        """The earliest moment at which ``work`` working minutes have passed: the end of the work before."""
        while not self._cum or work > self._cum_end[-1]:
            self._grow_forward()
        while work <= self._cum[0] and self._lo > FIRST_DAY:
            self._grow_backward()
        i = bisect.bisect_left(self._cum_end, work)
        if i >= len(self._cum_end):
            i = len(self._cum_end) - 1
        return self._ends[i] - (self._cum_end[i] - work)

    def _intervals(self) -> tuple[list[int], list[int], list[int], list[int], int]:
        """The expanded intervals (starts, ends, work before and at the end of each) and the first day not
        expanded, for lookups of many values at once; call ``work`` around the dates first."""
        return self._starts, self._ends, self._cum, self._cum_end, self._hi

    def _grow_forward(self) -> None:
        if self._hi > LAST_DAY:
            raise CalendarError(f"calendar {self.name}: the work runs past {LAST_DATE:%Y-%m-%d}")
        self._ensure(self._lo, self._hi + BLOCK_DAYS)

    def _grow_backward(self) -> None:
        if self._lo <= FIRST_DAY:
            raise CalendarError(f"calendar {self.name}: the work runs before {FIRST_DATE:%Y-%m-%d}")
        self._ensure(self._lo - BLOCK_DAYS, self._hi)

    def add(self, minute: int, work: int) -> int:
        """The moment ``work`` working minutes after (or, if negative, before) ``minute``.

        Forward, the result is the end of a working period when it lands on one (a finish);
        backward, the start of one (a start). Zero returns the moment unchanged.
        """
        if work == 0:
            return minute
        if work > 0:
            return self.finish_of(self.work(minute) + work)
        return self.start_of(self.work(minute) + work)

    def next_start(self, minute: int) -> int:
        """``minute`` itself when it is working time, else the start of the next working period."""
        return self.start_of(self.work(minute))

    def previous_finish(self, minute: int) -> int:
        """``minute`` itself when it is working time, else the end of the previous working period."""
        return self.finish_of(self.work(minute))

    def between(self, a: int, b: int) -> int:
        """Working minutes from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        return self.work(b) - self.work(a)

    def is_working(self, minute: int) -> bool:
        """True when the minute starting at ``minute`` is working time."""
        return self.work(minute + 1) > self.work(minute)

    def working_days(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, Day]]:
        """Each date from ``start`` to ``end`` with its working periods (for showing a calendar)."""
        return [(dt.date.fromordinal(o), self.day(o)) for o in range(start.toordinal(), end.toordinal() + 1)]


ELAPSED_WEEK: tuple[Day, ...] = tuple(((0, MINUTES_PER_DAY),) for _ in range(7))


def elapsed_calendar() -> Calendar:
    """Round-the-clock time, used for elapsed durations and lags."""
    return Calendar("elapsed", ELAPSED_WEEK)


def standard_week(hours: Sequence[Interval] = ((8 * 60, 12 * 60), (13 * 60, 17 * 60)), days: int = 5) -> tuple[Day, ...]:
    """Monday to ``days`` working with the given hours, the rest of the week off."""
    return tuple(tuple(hours) if i < days else () for i in range(7))
