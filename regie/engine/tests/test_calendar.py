"""Working calendars: worked examples a planner can check by hand on a wall calendar.

The standard calendar here is Monday to Friday, 08:00–12:00 and 13:00–17:00 (8 hours a day).
2024-01-08 is a Monday.
"""

from __future__ import annotations

import datetime as dt

import pytest

from regie.engine.calendar import (
    DAILY,
    LAST,
    MONTHLY,
    WEEKLY,
    YEARLY,
    Calendar,
    CalendarError,
    CalendarException,
    WorkWeek,
    from_minute,
    standard_week,
    to_minute,
)

HOUR = 60
DAY = 8 * HOUR  # one working day of the standard calendar
MORNING = (8 * HOUR, 12 * HOUR)
AFTERNOON = (13 * HOUR, 17 * HOUR)


def m(*args: int) -> int:
    """A moment on the calendar's minute axis."""
    return to_minute(dt.datetime(*args))


def at(minute: int) -> dt.datetime:
    return from_minute(minute)


@pytest.fixture
def std() -> Calendar:
    return Calendar("standard", standard_week())


def night_shift() -> Calendar:
    """Five nights a week, 22:00 to 06:00: Monday night to Saturday morning."""
    evening, early = (22 * HOUR, 24 * HOUR), (0, 6 * HOUR)
    week = ((evening,),) + ((early, evening),) * 4 + ((early,), ())
    return Calendar("nights", week)


# -- adding working time on split days -------------------------------------------------------------


def test_four_hours_from_ten_skip_the_lunch_break(std):
    assert at(std.add(m(2024, 1, 8, 10), 4 * HOUR)) == dt.datetime(2024, 1, 8, 15)


def test_a_day_from_friday_morning_ends_friday_evening(std):
    assert at(std.add(m(2024, 1, 12, 8), DAY)) == dt.datetime(2024, 1, 12, 17)


def test_a_day_from_friday_afternoon_ends_monday_noon(std):
    assert at(std.add(m(2024, 1, 12, 13), DAY)) == dt.datetime(2024, 1, 15, 12)


def test_work_ending_at_a_break_finishes_before_the_break(std):
    # a finish is the end of the period in which the work ends, not the start of the next one
    assert at(std.add(m(2024, 1, 8, 10), 2 * HOUR)) == dt.datetime(2024, 1, 8, 12)
    assert at(std.add(m(2024, 1, 8, 8), 5 * DAY)) == dt.datetime(2024, 1, 12, 17)


def test_counting_back_lands_on_the_start_of_a_period(std):
    assert at(std.add(m(2024, 1, 8, 14), -HOUR)) == dt.datetime(2024, 1, 8, 13)
    assert at(std.add(m(2024, 1, 8, 13), -HOUR)) == dt.datetime(2024, 1, 8, 11)
    assert at(std.add(m(2024, 1, 15, 12), -DAY)) == dt.datetime(2024, 1, 12, 13)


def test_adding_from_non_working_time_starts_at_the_next_period(std):
    assert at(std.add(m(2024, 1, 13, 10), HOUR)) == dt.datetime(2024, 1, 15, 9)  # from a Saturday
    assert at(std.add(m(2024, 1, 8, 12, 30), HOUR)) == dt.datetime(2024, 1, 8, 14)  # from the lunch break


def test_adding_nothing_keeps_the_moment(std):
    assert std.add(m(2024, 1, 13, 10), 0) == m(2024, 1, 13, 10)


# -- exceptions ------------------------------------------------------------------------------------


def test_holidays_are_skipped():
    holidays = [
        CalendarException(dt.date(2024, 1, 10), dt.date(2024, 1, 10), name="Wednesday off"),
        CalendarException(dt.date(2024, 1, 15), dt.date(2024, 1, 16), name="long weekend"),
    ]
    calendar = Calendar("holidays", standard_week(), holidays)
    assert at(calendar.add(m(2024, 1, 9, 8), 2 * DAY)) == dt.datetime(2024, 1, 11, 17)
    assert at(calendar.add(m(2024, 1, 12, 8), 2 * DAY)) == dt.datetime(2024, 1, 17, 17)
    assert calendar.between(m(2024, 1, 8, 0), m(2024, 1, 22, 0)) == 7 * DAY
    assert calendar.day(dt.date(2024, 1, 10).toordinal()) == ()


def test_an_exception_with_other_hours():
    short_wednesday = CalendarException(dt.date(2024, 1, 10), dt.date(2024, 1, 10), ((10 * HOUR, 14 * HOUR),), "short day")
    working_saturday = CalendarException(dt.date(2024, 1, 13), dt.date(2024, 1, 13), ((9 * HOUR, 13 * HOUR),), "stock taking")
    calendar = Calendar("other hours", standard_week(), [short_wednesday, working_saturday])
    assert at(calendar.add(m(2024, 1, 10, 8), 2 * HOUR)) == dt.datetime(2024, 1, 10, 12)
    assert at(calendar.add(m(2024, 1, 10, 8), 5 * HOUR)) == dt.datetime(2024, 1, 11, 9)
    assert at(calendar.add(m(2024, 1, 12, 13), DAY)) == dt.datetime(2024, 1, 13, 13)
    assert calendar.is_working(m(2024, 1, 13, 9)) and not calendar.is_working(m(2024, 1, 13, 13))
    assert not calendar.is_working(m(2024, 1, 10, 9)) and calendar.is_working(m(2024, 1, 10, 12, 30))


def test_recurring_exceptions_built_in_code():
    first_monday = CalendarException(
        dt.date(2024, 1, 1), dt.date(2024, 12, 31), name="team day", recurrence=MONTHLY, weekday=0, position=1
    )
    assert first_monday.days()[:3] == [dt.date(2024, 1, 1), dt.date(2024, 2, 5), dt.date(2024, 3, 4)]
    assert len(first_monday.days()) == 12
    last_friday = CalendarException(
        dt.date(2024, 1, 1), dt.date(2024, 12, 31), recurrence=YEARLY, month=5, weekday=4, position=LAST
    )
    assert last_friday.days() == [dt.date(2024, 5, 31)]
    every_other_tuesday = CalendarException(
        dt.date(2024, 1, 1), dt.date(2024, 2, 29), recurrence=WEEKLY, period=2, weekdays=frozenset({1}), occurrences=3
    )
    assert every_other_tuesday.days() == [dt.date(2024, 1, 2), dt.date(2024, 1, 16), dt.date(2024, 1, 30)]
    the_31st = CalendarException(dt.date(2024, 1, 1), dt.date(2024, 4, 30), recurrence=MONTHLY, month_day=31)
    assert the_31st.days() == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30)]
    every_third_day = CalendarException(dt.date(2024, 1, 1), dt.date(2024, 1, 10), recurrence=DAILY, period=3)
    assert every_third_day.days() == [dt.date(2024, 1, 1), dt.date(2024, 1, 4), dt.date(2024, 1, 7), dt.date(2024, 1, 10)]


def test_weeks_of_a_weekly_exception_run_from_sunday():
    # as in Microsoft Project, "every 2 weeks on Sunday and Monday" from Monday 2024-01-01 counts its weeks from
    # Sunday 2023-12-31: that week's Sunday is before the start, the next weeks begin on 01-14 and 01-28
    sunday_and_monday = CalendarException(
        dt.date(2024, 1, 1), dt.date(2024, 1, 31), recurrence=WEEKLY, period=2, weekdays=frozenset({6, 0})
    )
    assert sunday_and_monday.days() == [
        dt.date(2024, 1, 1), dt.date(2024, 1, 14), dt.date(2024, 1, 15), dt.date(2024, 1, 28), dt.date(2024, 1, 29)
    ]  # fmt: skip
    from_a_sunday = CalendarException(
        dt.date(2024, 1, 7), dt.date(2024, 2, 29), recurrence=WEEKLY, period=3, weekdays=frozenset({6}), occurrences=3
    )
    assert from_a_sunday.days() == [dt.date(2024, 1, 7), dt.date(2024, 1, 28), dt.date(2024, 2, 18)]
    from_a_saturday = CalendarException(
        dt.date(2024, 1, 6), dt.date(2024, 1, 31), recurrence=WEEKLY, period=2, weekdays=frozenset({5, 6})
    )
    assert from_a_saturday.days() == [dt.date(2024, 1, 6), dt.date(2024, 1, 14), dt.date(2024, 1, 20), dt.date(2024, 1, 28)]


def test_an_exception_ending_before_it_starts_is_refused():
    backwards = CalendarException(dt.date(2024, 1, 10), dt.date(2024, 1, 9), name="backwards")
    with pytest.raises(CalendarError, match="backwards"):
        Calendar("bad", standard_week(), [backwards])


# -- period boundaries -----------------------------------------------------------------------------


def test_next_start_at_period_boundaries(std):
    assert at(std.next_start(m(2024, 1, 8, 10))) == dt.datetime(2024, 1, 8, 10)  # working time: itself
    assert at(std.next_start(m(2024, 1, 8, 8))) == dt.datetime(2024, 1, 8, 8)
    assert at(std.next_start(m(2024, 1, 8, 12))) == dt.datetime(2024, 1, 8, 13)
    assert at(std.next_start(m(2024, 1, 8, 11, 59))) == dt.datetime(2024, 1, 8, 11, 59)
    assert at(std.next_start(m(2024, 1, 8, 7))) == dt.datetime(2024, 1, 8, 8)
    assert at(std.next_start(m(2024, 1, 12, 17))) == dt.datetime(2024, 1, 15, 8)
    assert at(std.next_start(m(2024, 1, 14, 23, 59))) == dt.datetime(2024, 1, 15, 8)


def test_previous_finish_at_period_boundaries(std):
    assert at(std.previous_finish(m(2024, 1, 8, 10))) == dt.datetime(2024, 1, 8, 10)
    assert at(std.previous_finish(m(2024, 1, 8, 12))) == dt.datetime(2024, 1, 8, 12)
    assert at(std.previous_finish(m(2024, 1, 8, 13))) == dt.datetime(2024, 1, 8, 12)
    assert at(std.previous_finish(m(2024, 1, 8, 17))) == dt.datetime(2024, 1, 8, 17)
    assert at(std.previous_finish(m(2024, 1, 8, 8))) == dt.datetime(2024, 1, 5, 17)
    assert at(std.previous_finish(m(2024, 1, 13, 12))) == dt.datetime(2024, 1, 12, 17)


def test_is_working(std):
    assert std.is_working(m(2024, 1, 8, 8))
    assert std.is_working(m(2024, 1, 8, 11, 59))
    assert not std.is_working(m(2024, 1, 8, 12))
    assert std.is_working(m(2024, 1, 8, 16, 59))
    assert not std.is_working(m(2024, 1, 8, 17))
    assert not std.is_working(m(2024, 1, 13, 10))


def test_between(std):
    assert std.between(m(2024, 1, 8, 10), m(2024, 1, 9, 10)) == DAY
    assert std.between(m(2024, 1, 9, 10), m(2024, 1, 8, 10)) == -DAY
    assert std.between(m(2024, 1, 8, 11), m(2024, 1, 8, 14)) == 2 * HOUR
    assert std.between(m(2024, 1, 12, 17), m(2024, 1, 15, 8)) == 0  # the weekend
    assert std.between(m(2024, 1, 12, 16), m(2024, 1, 15, 9)) == 2 * HOUR
    assert std.between(m(2024, 1, 8, 0), m(2024, 1, 15, 0)) == 5 * DAY
    assert std.between(m(2024, 1, 1, 0), m(2025, 1, 1, 0)) == 262 * DAY  # 2024 has 262 weekdays


# -- refusals ------------------------------------------------------------------------------------


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(CalendarError, match="no working time"):
        Calendar("idle", ((),) * 7)
    with pytest.raises(CalendarError, match="no working time"):
        Calendar("idle", ((),) * 7, [CalendarException(dt.date(2024, 1, 1), dt.date(2024, 1, 31), name="still off")])


@pytest.mark.parametrize(
    "week, message",
    [
        (((8 * HOUR, 12 * HOUR), (11 * HOUR, 17 * HOUR)), "overlap"),
        (((12 * HOUR, 8 * HOUR),), "not a period"),
        (((8 * HOUR, 25 * HOUR),), "not a period"),
    ],
)
def test_bad_hours_are_refused(week, message):
    with pytest.raises(CalendarError, match=message):
        Calendar("bad", (week,) * 5 + ((), ()))


def test_a_week_has_seven_days():
    with pytest.raises(CalendarError, match="seven"):
        Calendar("short week", standard_week()[:5])


@pytest.mark.parametrize(
    "moment",
    [dt.datetime(1983, 12, 31, 10), dt.datetime(1900, 1, 1), dt.datetime(2150, 1, 2, 10), dt.datetime(2400, 6, 1)],
)
def test_dates_outside_the_supported_range_are_refused(std, moment):
    with pytest.raises(CalendarError, match="outside the supported range"):
        std.work(to_minute(moment))


def test_the_ends_of_the_supported_range_are_accepted(std):
    assert std.between(m(1984, 1, 1), m(1984, 1, 3)) == DAY  # Sunday and Monday
    assert std.between(m(2149, 12, 31), m(2150, 1, 1)) == DAY  # a Wednesday, up to its midnight


@pytest.mark.parametrize("moment", [dt.datetime(2150, 1, 1, 0, 1), dt.datetime(2150, 1, 1, 12)])
def test_the_first_day_after_the_range_is_refused_after_its_midnight(std, moment):
    with pytest.raises(CalendarError, match=f"{moment:%Y-%m-%d %H:%M} is outside the supported range"):
        std.work(to_minute(moment))
    assert std.work(m(2150, 1, 1)) - std.work(m(2149, 12, 31)) == DAY  # its midnight stays the end of 2149


def test_a_moment_far_outside_the_supported_range_is_named():
    with pytest.raises(CalendarError, match="outside the supported range"):
        Calendar("far", standard_week()).work(10**12)


def test_work_running_out_of_the_range_is_refused(std):
    with pytest.raises(CalendarError, match="past 2149-12-31"):
        std.add(m(2149, 12, 1, 8), 40 * DAY)
    with pytest.raises(CalendarError, match="before 1984-01-01"):
        std.add(m(1984, 1, 5, 8), -40 * DAY)


# -- a period running through midnight ---------------------------------------------------------------


def test_night_shift_adds_through_midnight():
    nights = night_shift()
    monday_evening = m(2024, 1, 8, 22)
    assert at(nights.add(monday_evening, 2 * HOUR)) == dt.datetime(2024, 1, 9, 0)
    assert at(nights.add(monday_evening, 4 * HOUR)) == dt.datetime(2024, 1, 9, 2)
    assert at(nights.add(monday_evening, 8 * HOUR)) == dt.datetime(2024, 1, 9, 6)
    assert at(nights.add(monday_evening, 9 * HOUR)) == dt.datetime(2024, 1, 9, 23)
    assert at(nights.add(monday_evening, 40 * HOUR)) == dt.datetime(2024, 1, 13, 6)  # Saturday morning
    assert at(nights.add(monday_evening, 41 * HOUR)) == dt.datetime(2024, 1, 15, 23)  # the next Monday night
    assert at(nights.add(m(2024, 1, 9, 2), -4 * HOUR)) == dt.datetime(2024, 1, 8, 22)


def test_night_shift_midnight_is_inside_the_period():
    nights = night_shift()
    midnight = m(2024, 1, 9, 0)
    assert nights.is_working(midnight) and nights.is_working(midnight - 1)
    assert nights.next_start(midnight) == midnight
    assert nights.previous_finish(midnight) == midnight
    assert nights.between(m(2024, 1, 8, 23), m(2024, 1, 9, 1)) == 2 * HOUR
    assert at(nights.next_start(m(2024, 1, 9, 6))) == dt.datetime(2024, 1, 9, 22)
    assert at(nights.previous_finish(m(2024, 1, 9, 22))) == dt.datetime(2024, 1, 9, 6)


# -- work weeks ------------------------------------------------------------------------------------


def test_work_weeks_override_the_week_for_their_range():
    long_days = ((7 * HOUR, 17 * HOUR),)  # ten hours, Monday to Thursday; Friday off; the weekend as usual
    summer = WorkWeek(dt.date(2024, 7, 1), dt.date(2024, 8, 31), (long_days,) * 4 + ((), None, None))
    calendar = Calendar("summer hours", standard_week(), work_weeks=[summer])
    assert calendar.day(dt.date(2024, 7, 1).toordinal()) == long_days
    assert calendar.day(dt.date(2024, 7, 5).toordinal()) == ()  # a Friday
    assert calendar.day(dt.date(2024, 7, 6).toordinal()) == ()  # a Saturday, as the calendar's week
    assert calendar.day(dt.date(2024, 6, 28).toordinal()) == (MORNING, AFTERNOON)  # the Friday before
    assert calendar.day(dt.date(2024, 9, 2).toordinal()) == (MORNING, AFTERNOON)  # the Monday after
    assert calendar.between(m(2024, 7, 1), m(2024, 7, 8)) == 40 * HOUR
    assert at(calendar.add(m(2024, 7, 4, 7), 10 * HOUR + 1)) == dt.datetime(2024, 7, 8, 7, 1)
    # a week straddling the end of the range: Monday–Thursday 2024-08-26..29 long, then Monday 09-02 standard
    assert calendar.between(m(2024, 8, 26), m(2024, 9, 3)) == 40 * HOUR + DAY


def test_exceptions_win_over_work_weeks():
    summer = WorkWeek(dt.date(2024, 7, 1), dt.date(2024, 8, 31), (((7 * HOUR, 17 * HOUR),),) * 5 + (None, None))
    holiday = CalendarException(dt.date(2024, 7, 15), dt.date(2024, 7, 15), name="holiday")
    calendar = Calendar("summer hours", standard_week(), [holiday], [summer])
    assert calendar.day(dt.date(2024, 7, 15).toordinal()) == ()
    assert calendar.between(m(2024, 7, 15), m(2024, 7, 22)) == 40 * HOUR


# -- the lazily built expansion --------------------------------------------------------------------


def _busy_calendar() -> Calendar:
    holidays = [
        CalendarException(dt.date(1985, 1, 1), dt.date(2149, 12, 31), name="new year", recurrence=YEARLY, month=1, month_day=1),
        CalendarException(dt.date(2140, 3, 1), dt.date(2140, 3, 10), name="a week off in 2140"),
        CalendarException(dt.date(1985, 6, 3), dt.date(1985, 6, 3), ((9 * HOUR, 11 * HOUR),), "a short day in 1985"),
    ]
    return Calendar("busy", standard_week(), holidays)


PROBES = [
    (dt.datetime(2140, 2, 27, 10), 5 * DAY),
    (dt.datetime(2140, 12, 31, 16), DAY),
    (dt.datetime(1985, 6, 3, 8), 3 * HOUR),
    (dt.datetime(1985, 1, 2, 8), -DAY),
    (dt.datetime(2024, 5, 6, 8), 400 * DAY),
    (dt.datetime(1990, 5, 7, 13), 3000 * DAY),
]


def _answers(calendar: Calendar, order: list[int]) -> dict:
    found = {}
    for k in order:
        moment, work = PROBES[k]
        t = to_minute(moment)
        found[k] = (calendar.add(t, work), calendar.next_start(t), calendar.previous_finish(t), calendar.is_working(t))
    found["span"] = calendar.between(m(1985, 1, 1), m(2141, 1, 1))
    return found


@pytest.mark.parametrize("make", [_busy_calendar, night_shift], ids=["holidays", "nights"])
def test_lazily_built_ranges_give_the_same_answers(make):
    probes = list(range(len(PROBES)))
    reference = {}
    for k in probes:  # every probe on a calendar of its own, built around that probe
        reference[k] = _answers(make(), [k])[k]
    grown = make()
    grown.work(m(2024, 1, 8))  # built around 2024 first, then stretched to 2140 and back to 1985
    forward = _answers(grown, probes)
    backward = _answers(make(), list(reversed(probes)))
    assert forward == backward
    assert {k: forward[k] for k in probes} == reference


def test_between_over_a_century_counts_every_weekday():
    calendar = Calendar("standard", standard_week())
    calendar.work(m(2140, 1, 1))  # first built far in the future, then grown back to 1985
    first, last = dt.date(1985, 1, 1), dt.date(2140, 1, 1)
    weekdays = sum(1 for i in range((last - first).days) if (first + dt.timedelta(days=i)).weekday() < 5)
    assert calendar.between(m(1985, 1, 1), m(2140, 1, 1)) == weekdays * DAY


def test_the_holidays_of_2140_are_honoured_after_growing():
    calendar = _busy_calendar()
    calendar.work(m(1985, 1, 1))  # built in 1985 first
    # Monday 2140-02-29 plus three days: 2140-03-01 to 03-10 are off, Friday 03-11 works, then Monday 03-14
    assert dt.date(2140, 2, 29).weekday() == 0
    assert at(calendar.add(m(2140, 2, 29, 8), 3 * DAY)) == dt.datetime(2140, 3, 14, 17)
    assert calendar.day(dt.date(2141, 1, 1).toordinal()) == ()  # the yearly new year's day
