"""SLA clocks: worked examples a service manager can check by hand on a wall calendar.

The business hours are Monday to Friday, 08:00–12:00 and 13:00–17:00 (8 hours a day), in Amsterdam.
2024-01-08 is a Monday; in January Amsterdam is on winter time (UTC+1).

The resolution clock runs in new/assigned/in_progress, pauses while waiting for the customer or a
supplier and stops when resolved or closed. Targets: P1 4 h, P2 8 h (one day), P3 3 days, P4 5 days.
The response clock runs in every open state and is stopped by an explicit stop event (the first
response). Targets: P1 30 min, P2 1 h, P3 4 h, P4 8 h.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from regie.engine.calendar import Calendar, CalendarException, standard_week
from regie.engine.slaclock import (
    NOT_STARTED,
    PAUSED,
    PRIORITY,
    RUNNING,
    STATE,
    STOP,
    STOPPED,
    ClockDefinition,
    ClockResult,
    DefinitionError,
    Event,
    EventError,
    NaiveDatetimeError,
    Segment,
    SlaError,
    Trusted,
    compute,
    compute_all,
    compute_streams,
)

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
HOUR = 60
DAY = 8 * HOUR  # one business day

STD = Calendar("office hours", standard_week())
ROUND_THE_CLOCK = Calendar("24x7", tuple(((0, 24 * HOUR),) for _ in range(7)))

RESOLUTION = ClockDefinition(
    "resolution",
    {"P1": 4 * HOUR, "P2": DAY, "P3": 3 * DAY, "P4": 5 * DAY},
    running_states=frozenset({"new", "assigned", "in_progress"}),
    paused_states=frozenset({"waiting_customer", "waiting_supplier"}),
    stop_states=frozenset({"resolved", "closed"}),
)
RESPONSE = ClockDefinition(
    "response",
    {"P1": 30, "P2": HOUR, "P3": 4 * HOUR, "P4": DAY},
    running_states=frozenset({"new", "assigned", "in_progress", "waiting_customer", "waiting_supplier"}),
    stop_states=frozenset({"resolved", "closed"}),
)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Amsterdam."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=AMS)


def jan(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in January 2024 in Amsterdam: jan(8, 9) is Monday 08 January 09:00."""
    return at(2024, 1, day, hour, minute)


def state(when: dt.datetime, name: str) -> Event:
    return Event(when, STATE, name)


def priority(when: dt.datetime, name: str | None) -> Event:
    return Event(when, PRIORITY, name)


def stop(when: dt.datetime, clock: str | None = None) -> Event:
    return Event(when, STOP, clock)


def opened(when: dt.datetime, prio: str = "P2", first_state: str = "new") -> list[Event]:
    """A case registered at ``when`` with priority ``prio``."""
    return [priority(when, prio), state(when, first_state)]


def clock(
    events: list[Event], now: dt.datetime, definition: ClockDefinition = RESOLUTION, calendar: Calendar = STD
) -> ClockResult:
    return compute(definition, events, calendar, AMS, now)


def running_minutes(result: ClockResult) -> int:
    return sum(s.business_minutes for s in result.timeline if s.mode == RUNNING)


# -- counting business time ------------------------------------------------------------------------


def test_a_clock_inside_one_working_day():
    """P1 opened Monday 09:00, resolved 11:15: 2 h 15 = 135 of the 240 minutes, met."""
    events = [*opened(jan(8, 9), "P1"), state(jan(8, 9, 30), "in_progress"), state(jan(8, 11, 15), "resolved")]
    result = clock(events, jan(8, 16))
    assert result.status == STOPPED
    assert result.elapsed == 135
    assert (result.target, result.remaining) == (240, 105)
    assert not result.breached and result.breached_at is None
    assert result.stopped_at == jan(8, 11, 15)
    assert result.due is None and result.warn_due is None
    assert [(s.state, s.mode, s.business_minutes, s.elapsed_after) for s in result.timeline] == [
        ("new", RUNNING, 30, 30),
        ("in_progress", RUNNING, 105, 135),
    ]


def test_while_running_the_due_moment_is_later_the_same_day():
    """P2 opened Monday 09:00, seen at 10:00: 60 counted, 420 left.

    From 10:00: 10–12 is 120 (300 left), 13–17 is 240 (60 left), Tuesday 08–09 → due Tuesday 09:00."""
    result = clock(opened(jan(8, 9)), jan(8, 10))
    assert (result.status, result.elapsed, result.remaining) == (RUNNING, 60, 420)
    assert result.due == jan(9, 9)


def test_the_lunch_break_is_not_counted():
    """P1 (240) opened Monday 08:30.

    At 10:00: 90 counted; 150 left: 10–12 is 120, then 13:00–13:30 → due 13:30.
    At 12:30 (lunch): 08:30–12:00 is 210, and the lunch half hour adds nothing; still due 13:30."""
    events = opened(jan(8, 8, 30), "P1")
    at_ten = clock(events, jan(8, 10))
    assert (at_ten.elapsed, at_ten.remaining, at_ten.due) == (90, 150, jan(8, 13, 30))
    at_lunch = clock(events, jan(8, 12, 30))
    assert (at_lunch.status, at_lunch.elapsed, at_lunch.due) == (RUNNING, 210, jan(8, 13, 30))
    assert clock(events, jan(8, 12, 59)).elapsed == 210


def test_across_a_weekend():
    """P2 opened Friday 12 January 14:00, resolved Monday 15 January 11:00.

    Friday 14–17 is 180, the weekend 0, Monday 08–11 is 180: 360 of 480, met.
    Seen on Saturday 10:00: 180 counted, 300 left: Monday 08–12 is 240, 13:00–14:00 the last 60 → due Monday 14:00."""
    events = [*opened(jan(12, 14)), state(jan(15, 11), "resolved")]
    result = clock(events, jan(15, 12))
    assert (result.status, result.elapsed, result.breached) == (STOPPED, 360, False)
    saturday = clock(events, jan(13, 10))
    assert (saturday.status, saturday.elapsed, saturday.due) == (RUNNING, 180, jan(15, 14))


def test_across_a_public_holiday():
    """P2 opened Tuesday 9 January 15:00; Wednesday 10 January is a public holiday; seen Thursday 10:00.

    Tuesday 15–17 is 120, Wednesday 0, Thursday 08–10 is 120: 240 counted, 240 left:
    Thursday 10–12 is 120, 13–15 the last 120 → due Thursday 15:00.
    Without the holiday Wednesday would add 480: 720 counted, breached since Wednesday 15:00."""
    holiday = CalendarException(dt.date(2024, 1, 10), dt.date(2024, 1, 10), name="public holiday")
    with_holiday = Calendar("with a holiday", standard_week(), [holiday])
    result = clock(opened(jan(9, 15)), jan(11, 10), calendar=with_holiday)
    assert (result.elapsed, result.remaining, result.due, result.breached) == (240, 240, jan(11, 15), False)
    without = clock(opened(jan(9, 15)), jan(11, 10))
    assert (without.elapsed, without.breached, without.breached_at) == (720, True, jan(10, 15))


def test_a_case_entirely_outside_business_hours_uses_no_business_time():
    """Opened Saturday 10:00 and resolved Sunday 18:00; another opened Monday 18:00 and resolved 22:00."""
    weekend = clock([*opened(jan(13, 10), "P1"), state(jan(14, 18), "resolved")], jan(15, 9))
    assert (weekend.status, weekend.elapsed, weekend.breached) == (STOPPED, 0, False)
    evening = clock([*opened(jan(8, 18), "P1"), state(jan(8, 22), "resolved")], jan(9, 9))
    assert (evening.elapsed, evening.breached) == (0, False)
    assert evening.timeline == (Segment(jan(8, 18), jan(8, 22), "new", RUNNING, 0, 0, "P1"),)


# -- pauses --------------------------------------------------------------------------------------------


def test_waiting_for_the_customer_overnight():
    """P3 (1440) opened Monday 09:00, in progress 09:45, waiting for the customer from Monday 16:00
    until Tuesday 14:30; seen Tuesday 16:00.

    Running: 09:00–09:45 is 45, 09:45–16:00 is 135 + 180 = 315 (360 so far); paused Monday 16–17 (60),
    Tuesday 08–12 (240) and 13:00–14:30 (90): 390 business minutes not counted; running again
    14:30–16:00 is 90. Elapsed 450, 990 left."""
    events = [
        *opened(jan(8, 9), "P3"),
        state(jan(8, 9, 45), "in_progress"),
        state(jan(8, 16), "waiting_customer"),
        state(jan(9, 14, 30), "in_progress"),
    ]
    result = clock(events, jan(9, 16))
    assert (result.status, result.elapsed, result.remaining) == (RUNNING, 450, 990)
    assert result.timeline == (
        Segment(jan(8, 9), jan(8, 9, 45), "new", RUNNING, 45, 45, "P3"),
        Segment(jan(8, 9, 45), jan(8, 16), "in_progress", RUNNING, 315, 360, "P3"),
        Segment(jan(8, 16), jan(9, 14, 30), "waiting_customer", PAUSED, 390, 360, "P3"),
        Segment(jan(9, 14, 30), jan(9, 16), "in_progress", RUNNING, 90, 450, "P3"),
    )
    assert running_minutes(result) == result.elapsed


def test_a_paused_clock_has_no_due_moment_only_the_minutes_left():
    """The same case seen on Tuesday 10:00, while waiting: 360 counted, 1080 left whenever it resumes."""
    events = [*opened(jan(8, 9), "P3"), state(jan(8, 16), "waiting_customer"), state(jan(9, 14, 30), "in_progress")]
    result = clock(events, jan(9, 10))
    assert (result.status, result.elapsed, result.remaining) == (PAUSED, 360, 1080)
    assert result.due is None and result.warn_due is None
    assert result.timeline[-1] == Segment(jan(8, 16), jan(9, 10), "waiting_customer", PAUSED, 180, 360, "P3")


def test_a_state_the_clock_does_not_know_pauses_it():
    """'on_hold' is in none of the sets: Monday 09:00–10:00 counts 60, the hold after it nothing."""
    result = clock([*opened(jan(8, 9)), state(jan(8, 10), "on_hold")], jan(8, 15))
    assert (result.status, result.elapsed) == (PAUSED, 60)


# -- priorities ------------------------------------------------------------------------------------


def test_priority_raised_midway_reports_the_breach_in_the_past():
    """P3 (1440) opened Monday 08:30, raised to P1 (240) on Tuesday 10:00; seen Tuesday 11:00.

    Elapsed: Monday 08:30–17:00 is 210 + 240 = 450, Tuesday 08–11 is 180: 630. The P1 target applies to
    all of it: 390 over. The running time reached 240 on Monday: 08:30–12:00 is 210, the last 30
    by 13:30 → breached since Monday 13:30, before the priority was raised."""
    events = [*opened(jan(8, 8, 30), "P3"), priority(jan(9, 10), "P1")]
    result = clock(events, jan(9, 11))
    assert (result.priority, result.target, result.elapsed, result.remaining) == ("P1", 240, 630, -390)
    assert result.breached and result.breached_at == jan(8, 13, 30)
    assert result.due == jan(8, 13, 30)  # a running clock past its target: due when it was reached
    assert [(s.priority, s.start, s.end, s.elapsed_after) for s in result.timeline] == [
        ("P3", jan(8, 8, 30), jan(9, 10), 570),
        ("P1", jan(9, 10), jan(9, 11), 630),
    ]


def test_priority_lowered_lifts_a_breach():
    """P1 (240) opened Monday 08:00: breached at 12:00 (08–12 is 240). Lowered to P3 (1440) at 14:00.

    Seen at 13:30, before the change: 270 counted, breached since 12:00.
    Seen at 15:00: 360 counted of 1440, 1080 left: Monday 15–17 is 120, Tuesday 480, Wednesday the last
    480 → due Wednesday 17:00."""
    events = [*opened(jan(8, 8), "P1"), priority(jan(8, 14), "P3")]
    before = clock(events, jan(8, 13, 30))
    assert (before.elapsed, before.breached, before.breached_at) == (270, True, jan(8, 12))
    after = clock(events, jan(8, 15))
    assert (after.target, after.elapsed, after.remaining, after.breached, after.breached_at) == (1440, 360, 1080, False, None)
    assert after.due == jan(10, 17)


def test_a_priority_without_a_target_cannot_breach():
    result = clock(opened(jan(8, 8), "P9"), jan(19, 17))
    assert (result.priority, result.target, result.remaining, result.due, result.breached) == ("P9", None, None, None, False)
    assert result.elapsed == 10 * DAY


def test_no_priority_at_all():
    result = clock([state(jan(8, 8), "new")], jan(8, 9))
    assert (result.priority, result.target, result.elapsed) == (None, None, 60)


# -- stopping and re-opening ---------------------------------------------------------------------


def test_reopening_after_resolve_continues_the_count():
    """P2 opened Monday 08:00, resolved 11:00 (180), re-opened Tuesday 09:00; seen Tuesday 12:00.

    The resolved stretch (Monday 11–12, 13–17, Tuesday 08–09: 360 business minutes) counts nothing;
    Tuesday 09–12 adds 180: 360 elapsed, 120 left → due Tuesday 15:00."""
    events = [*opened(jan(8, 8)), state(jan(8, 11), "resolved"), state(jan(9, 9), "in_progress")]
    result = clock(events, jan(9, 12))
    assert (result.status, result.elapsed, result.stopped_at, result.due) == (RUNNING, 360, None, jan(9, 15))
    assert [(s.state, s.mode, s.business_minutes, s.elapsed_after) for s in result.timeline] == [
        ("new", RUNNING, 180, 180),
        ("resolved", STOPPED, 360, 180),
        ("in_progress", RUNNING, 180, 360),
    ]


def test_a_resolved_clock_gives_the_same_answer_whenever_it_is_computed():
    """Seen on Monday 15:00 or a week later, the resolved case is stopped at 11:00 with 180 counted."""
    events = [*opened(jan(8, 8)), state(jan(8, 11), "resolved")]
    result = clock(events, jan(8, 15))
    assert (result.status, result.elapsed, result.stopped_at) == (STOPPED, 180, jan(8, 11))
    assert result.timeline == (Segment(jan(8, 8), jan(8, 11), "new", RUNNING, 180, 180, "P2"),)
    assert clock([*events, state(jan(8, 16), "closed")], jan(15, 15)) == result


def test_the_target_of_a_stopped_clock_is_the_one_in_force_at_the_stop():
    """P2 (480) resolved after 180; a priority change while resolved does not count…"""
    events = [*opened(jan(8, 8)), state(jan(8, 11), "resolved"), priority(jan(8, 14), "P1")]
    result = clock(events, jan(8, 15))
    assert (result.priority, result.target) == ("P2", 480)
    # … unless the case is re-opened: then P1 (240) applies and 180 + 120 = 300 from Tuesday 08–10 breaches it
    reopened = clock([*events, state(jan(9, 8), "in_progress")], jan(9, 10))
    assert (reopened.priority, reopened.elapsed, reopened.breached, reopened.breached_at) == ("P1", 300, True, jan(9, 9))


def test_the_response_clock_stops_at_the_first_response_while_resolution_runs_on():
    """P2 opened Monday 08:00, first response 08:40, in progress 09:00; seen at 10:00.

    Response: stopped at 08:40 after 40 of 60 minutes, met; a later wait and resumption do not restart it.
    Resolution: 08:00–10:00 is 120, still running."""
    events = [*opened(jan(8, 8)), stop(jan(8, 8, 40), "response"), state(jan(8, 9), "in_progress")]
    both = compute_all([RESPONSE, RESOLUTION], events, STD, AMS, jan(8, 10))
    response, resolution = both["response"], both["resolution"]
    assert (response.status, response.elapsed, response.stopped_at, response.breached) == (STOPPED, 40, jan(8, 8, 40), False)
    assert response.timeline == (Segment(jan(8, 8), jan(8, 8, 40), "new", RUNNING, 40, 40, "P2"),)
    assert (resolution.status, resolution.elapsed) == (RUNNING, 120)
    later = [*events, state(jan(8, 11), "waiting_customer"), state(jan(8, 14), "in_progress")]
    assert compute(RESPONSE, later, STD, AMS, jan(9, 10)) == response


def test_a_stop_without_a_name_stops_every_clock():
    events = [*opened(jan(8, 8)), stop(jan(8, 9))]
    both = compute_all([RESPONSE, RESOLUTION], events, STD, AMS, jan(8, 12))
    assert [(r.status, r.elapsed) for r in both.values()] == [(STOPPED, 60), (STOPPED, 60)]


def test_a_stop_for_another_clock_changes_nothing():
    events = [*opened(jan(8, 8)), stop(jan(8, 9), "response")]
    assert clock(events, jan(8, 12)) == clock(opened(jan(8, 8)), jan(8, 12))


def test_a_stop_before_the_first_state_means_the_clock_never_runs():
    """A response given in the same instant the case was registered, recorded first: met with nothing counted."""
    events = [priority(jan(8, 9), "P1"), stop(jan(8, 9), "response"), state(jan(8, 9), "new")]
    result = compute(RESPONSE, events, STD, AMS, jan(8, 12))
    assert (result.status, result.elapsed, result.stopped_at, result.timeline, result.breached) == (
        STOPPED,
        0,
        jan(8, 9),
        (),
        False,
    )


def test_before_the_first_state_the_clock_has_not_started():
    result = clock([priority(jan(8, 8), "P1"), state(jan(8, 9), "new")], jan(8, 8, 30))
    assert (result.status, result.elapsed, result.priority, result.remaining, result.due, result.timeline) == (
        NOT_STARTED, 0, "P1", 240, None, ()
    )  # fmt: skip


def test_breach_is_more_than_the_target_not_reaching_it():
    """P1 (240) opened Monday 08:00 and resolved at 12:00 exactly: met. Resolved at 13:01: breached at 12:00."""
    on_time = clock([*opened(jan(8, 8), "P1"), state(jan(8, 12), "resolved")], jan(8, 15))
    assert (on_time.elapsed, on_time.remaining, on_time.breached) == (240, 0, False)
    late = clock([*opened(jan(8, 8), "P1"), state(jan(8, 13, 1), "resolved")], jan(8, 15))
    assert (late.elapsed, late.breached, late.breached_at) == (241, True, jan(8, 12))


# -- warning and due moments ---------------------------------------------------------------------


def test_the_warning_falls_due_at_three_quarters_of_the_target():
    """P1 (240) opened Monday 10:00; the warning at 180.

    Seen at 10:30: warning at 10–12 (120) + 13–14 (60) → 14:00, due at 15:00.
    Seen at 14:30: the warning moment has passed and stays 14:00; due still 15:00.
    With warn_at 0.5 (120) the warning falls due at 12:00."""
    events = opened(jan(8, 10), "P1")
    early = clock(events, jan(8, 10, 30))
    assert (early.warn_due, early.due) == (jan(8, 14), jan(8, 15))
    late = clock(events, jan(8, 14, 30))
    assert (late.warn_due, late.due, late.breached) == (jan(8, 14), jan(8, 15), False)
    half = ClockDefinition("half", {"P1": 240}, running_states=frozenset({"new"}), warn_at=0.5)
    assert clock(events, jan(8, 10, 30), definition=half).warn_due == jan(8, 12)


def test_the_due_moment_falls_after_the_weekend():
    """P2 (480) opened Friday 12 January 15:00, seen 16:00: 60 counted, 420 left.

    Friday 16–17 is 60 (360 left), Monday 08–12 is 240 (120 left), 13–15 the rest → due Monday 15 January 15:00."""
    result = clock(opened(jan(12, 15)), jan(12, 16))
    assert (result.elapsed, result.remaining, result.due) == (60, 420, jan(15, 15))
    assert result.due.tzinfo is AMS


# -- summer time -----------------------------------------------------------------------------------


def test_the_week_summer_time_starts():
    """Clocks go forward on Sunday 31 March 2024. P2 opened Friday 29 March 16:00 (UTC+1), seen Monday
    1 April 09:00 (UTC+2): Friday 16–17 is 60, Monday 08–09 is 60 → 120 counted, 360 left:
    Monday 09–12 is 180, 13–16 is 180 → due Monday 16:00 summer time (14:00 UTC)."""
    result = clock(opened(at(2024, 3, 29, 16)), at(2024, 4, 1, 9))
    assert result.elapsed == 120
    assert result.due == at(2024, 4, 1, 16) == dt.datetime(2024, 4, 1, 14, tzinfo=UTC)
    # the same moments given in UTC give the same answer
    in_utc = clock(opened(dt.datetime(2024, 3, 29, 15, tzinfo=UTC)), dt.datetime(2024, 4, 1, 7, tzinfo=UTC))
    assert (in_utc.elapsed, in_utc.due) == (120, result.due)


def test_the_week_summer_time_ends():
    """Clocks go back on Sunday 27 October 2024. P2 opened Friday 25 October 16:00 (UTC+2), seen Monday
    28 October 09:00 (UTC+1): 60 + 60 = 120 counted; due Monday 16:00 winter time (15:00 UTC)."""
    result = clock(opened(at(2024, 10, 25, 16)), at(2024, 10, 28, 9))
    assert result.elapsed == 120
    assert result.due == dt.datetime(2024, 10, 28, 15, tzinfo=UTC)


def test_round_the_clock_the_repeated_hour_counts_once():
    """A round-the-clock clock opened Saturday 26 October 23:00 (21:00 UTC). The wall clock runs
    23:00 → 02:59 summer time, then 02:00 → 04:00 winter time.

    At 02:59 summer time: 3 h 59 = 239. During the repeated hour (02:00–02:59 winter time) the clock
    holds at 03:00 on the wall, 240, and never goes back. At 04:00 winter time (03:00 UTC, 6 real
    hours): 23:00 → 04:00 on the wall = 300."""
    events = opened(dt.datetime(2024, 10, 26, 21, tzinfo=UTC), "P4")
    elapsed = [
        clock(events, dt.datetime(2024, 10, 27, hour, minute, tzinfo=UTC), calendar=ROUND_THE_CLOCK).elapsed
        for hour, minute in [(0, 59), (1, 0), (1, 10), (1, 59), (2, 0), (3, 0)]
    ]
    assert elapsed == [239, 240, 240, 240, 240, 300]


def test_the_two_passes_through_the_repeated_hour_are_two_moments():
    """Round the clock, 27 October 2024 in Amsterdam: logged at 02:30 in the first pass (summer time,
    00:30 UTC), waiting for the customer at 02:30 in the second (winter time, 01:30 UTC). The wall times
    are the same and compare equal, but the clock ran 30 minutes before the axis holds at 03:00; alone or
    computed with another stream of the case, as given or as trusted events."""
    first = dt.datetime(2024, 10, 27, 2, 30, tzinfo=AMS)
    second = first.replace(fold=1)
    events = [priority(first, "P4"), state(first, "new"), state(second, "waiting_customer")]
    now = dt.datetime(2024, 10, 27, 3, tzinfo=UTC)
    alone = clock(events, now, calendar=ROUND_THE_CLOCK)
    assert (alone.status, alone.elapsed) == (PAUSED, 30)
    trusted = [Trusted(*e) for e in ((e.at, e.kind, e.value) for e in events)]
    together = compute_streams([([RESOLUTION], opened(first, "P4")), ([RESOLUTION], trusted)], ROUND_THE_CLOCK, AMS, now)
    assert together[1]["resolution"] == alone
    assert together[0]["resolution"].elapsed == 30 + 60  # running on: the axis held at 03:00 until 03:00 winter time


def test_round_the_clock_the_skipped_hour_follows_the_wall_calendar():
    """Opened Saturday 30 March 23:00 (UTC+1). The wall clock jumps from 02:00 to 03:00.

    At 04:00 summer time (02:00 UTC, 4 real hours) the wall calendar has counted 23:00 → 04:00 = 300.
    A target of 210 falls at 02:30 on the wall, which does not exist: due at 03:00 summer time, the first
    real moment after it (01:00 UTC). Counted in UTC instead, real hours count: 240."""
    tight = ClockDefinition("tight", {"P1": 210}, running_states=frozenset({"new"}))
    events = opened(at(2024, 3, 30, 23), "P1")
    early = clock(events, at(2024, 3, 31, 0), definition=tight, calendar=ROUND_THE_CLOCK)
    assert early.due == dt.datetime(2024, 3, 31, 1, tzinfo=UTC) == at(2024, 3, 31, 3)
    assert clock(events, at(2024, 3, 31, 4), calendar=ROUND_THE_CLOCK).elapsed == 300
    assert compute(RESOLUTION, events, ROUND_THE_CLOCK, UTC, at(2024, 3, 31, 4)).elapsed == 240


class UnmarkedZone(dt.tzinfo):
    """Summer time (UTC+2) until 27 October 2024 01:00 UTC, then UTC+1, without marking the second pass
    through the repeated hour (``fold``), as some time zone libraries do."""

    change = dt.datetime(2024, 10, 27, 1)  # UTC

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta:
        assert moment is not None
        return dt.timedelta(hours=2 if moment.replace(tzinfo=None) < dt.datetime(2024, 10, 27, 3) else 1)

    def dst(self, moment: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)

    def fromutc(self, moment: dt.datetime) -> dt.datetime:
        utc = moment.replace(tzinfo=None)
        return (utc + dt.timedelta(hours=2 if utc < self.change else 1)).replace(tzinfo=self)


def test_the_axis_never_runs_backwards_even_when_the_zone_does_not_mark_the_repeated_hour():
    """Round the clock from Saturday 23:00 (21:00 UTC); waiting 00:59 UTC (02:59 on the wall), resumed
    01:10 UTC (02:10 on the wall, the second time); seen 02:00 UTC (03:00 on the wall).

    The resumption is held at 02:59, where the axis already was: 23:00–02:59 is 239, 02:59–03:00 is 1."""
    zone = UnmarkedZone()
    events = [
        *opened(dt.datetime(2024, 10, 26, 21, tzinfo=UTC), "P4"),
        state(dt.datetime(2024, 10, 27, 0, 59, tzinfo=UTC), "waiting_customer"),
        state(dt.datetime(2024, 10, 27, 1, 10, tzinfo=UTC), "in_progress"),
    ]
    result = compute(RESOLUTION, events, ROUND_THE_CLOCK, zone, dt.datetime(2024, 10, 27, 2, tzinfo=UTC))
    assert result.elapsed == 240
    assert [s.business_minutes for s in result.timeline] == [239, 0, 1]


# -- order of events -----------------------------------------------------------------------------


def test_events_out_of_order_give_the_same_result():
    events = [
        *opened(jan(8, 9), "P3"),
        state(jan(8, 9, 45), "in_progress"),
        state(jan(8, 16), "waiting_supplier"),
        priority(jan(9, 10), "P2"),
        state(jan(9, 14, 30), "in_progress"),
        state(jan(10, 11), "resolved"),
    ]
    expected = clock(events, jan(10, 12))
    assert clock(list(reversed(events)), jan(10, 12)) == expected
    assert clock(events[3:] + events[:3], jan(10, 12)) == expected
    assert running_minutes(expected) == expected.elapsed == 360 + 150 + 180


def test_events_at_the_same_moment_keep_the_order_given():
    """Resolved and re-opened in the same instant: the later in the list wins."""
    reopened = [*opened(jan(8, 8)), state(jan(8, 10), "resolved"), state(jan(8, 10), "in_progress")]
    assert clock(reopened, jan(8, 11)).status == RUNNING
    resolved = [*opened(jan(8, 8)), state(jan(8, 10), "in_progress"), state(jan(8, 10), "resolved")]
    assert clock(resolved, jan(8, 11)).status == STOPPED


def test_events_after_now_are_ignored():
    events = [*opened(jan(8, 8)), state(jan(8, 12), "resolved")]
    assert clock(events, jan(8, 10)) == clock(opened(jan(8, 8)), jan(8, 10))
    assert clock(events, jan(8, 10)).elapsed == 120


def test_timeline_segments_add_up_to_elapsed():
    events = [
        *opened(jan(8, 8, 15), "P4"),
        state(jan(8, 9), "assigned"),
        state(jan(8, 10, 20), "waiting_customer"),
        state(jan(9, 9, 5), "in_progress"),
        priority(jan(9, 11), "P3"),
        state(jan(9, 15), "resolved"),
        state(jan(11, 8), "in_progress"),
    ]
    result = clock(events, jan(11, 10, 40))
    assert running_minutes(result) == result.elapsed == result.timeline[-1].elapsed_after
    assert all(a.end == b.start for a, b in zip(result.timeline, result.timeline[1:], strict=False))
    assert result.elapsed == 125 + (175 + 120) + 160


# -- bad input -----------------------------------------------------------------------------------


def test_naive_moments_are_refused():
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        Event(dt.datetime(2024, 1, 8, 9), STATE, "new")
    with pytest.raises(NaiveDatetimeError, match="evaluation moment"):
        compute(RESOLUTION, opened(jan(8, 9)), STD, AMS, dt.datetime(2024, 1, 8, 10))


def test_bad_definitions_are_refused():
    with pytest.raises(DefinitionError, match="P1 is negative"):
        ClockDefinition("resolution", {"P1": -5}, running_states=frozenset({"new"}))
    with pytest.raises(DefinitionError, match="'new' is in both running_states and paused_states"):
        ClockDefinition("resolution", {}, running_states=frozenset({"new"}), paused_states=frozenset({"new"}))
    with pytest.raises(DefinitionError, match="warn_at"):
        ClockDefinition("resolution", {}, running_states=frozenset({"new"}), warn_at=1.5)
    with pytest.raises(DefinitionError, match="same name"):
        compute_all([RESOLUTION, RESOLUTION], [], STD, AMS, jan(8, 9))
    assert issubclass(DefinitionError, SlaError) and issubclass(SlaError, ValueError)


def test_bad_events_are_refused():
    with pytest.raises(EventError, match="unknown event kind 'resume'"):
        Event(jan(8, 9), "resume")
    with pytest.raises(EventError, match="needs the state's name"):
        Event(jan(8, 9), STATE)


def test_a_target_of_zero_is_breached_by_the_first_business_minute():
    instant = ClockDefinition("instant", {"P1": 0}, running_states=frozenset({"new"}))
    events = opened(jan(13, 10), "P1")  # a Saturday
    assert clock(events, jan(14, 10), definition=instant).breached is False
    monday = clock(events, jan(15, 8, 1), definition=instant)
    assert (monday.breached, monday.breached_at, monday.due) == (True, jan(13, 10), jan(13, 10))
