"""Properties every SLA clock must have, checked on random case histories.

A history is a case opened (a priority and a state) in the first days after an anchor (a plain week in
January, the week summer time starts, the week it ends) and up to a dozen state, priority and stop events
within two weeks, some with seconds, given in random order.
The clock definition sorts the case states at random into running, paused and stop states (some in none);
calendars come from a few fixed patterns (office hours with holidays, split days, a night shift across
midnight, round the clock); the zone is UTC or Europe/Amsterdam.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regie.engine.calendar import Calendar, CalendarException, from_minute, standard_week, to_minute
from regie.engine.slaclock import (
    PRIORITY,
    RUNNING,
    STATE,
    STOP,
    STOPPED,
    ClockDefinition,
    Event,
    Trusted,
    compute,
    compute_streams,
)

HOUR = 60
UTC = dt.UTC
AMS = ZoneInfo("Europe/Amsterdam")
ZONES = [UTC, AMS]
ANCHORS = [
    dt.datetime(2024, 1, 8, tzinfo=UTC),  # a Monday
    dt.datetime(2024, 3, 25, tzinfo=UTC),  # summer time starts on Sunday 31 March
    dt.datetime(2024, 10, 21, tzinfo=UTC),  # and ends on Sunday 27 October
]
HORIZON = 14 * 24 * 3600  # seconds after the anchor in which events fall


def _holidays(*days: tuple[int, int, int]) -> list[CalendarException]:
    return [CalendarException(dt.date(*d), dt.date(*d), name=f"holiday {d}") for d in days]


CALENDARS = [
    Calendar("office", standard_week(), _holidays((2024, 1, 10), (2024, 3, 29), (2024, 4, 1), (2024, 10, 25))),
    Calendar("long days", standard_week(((7 * HOUR, 19 * HOUR),), days=6)),
    Calendar(
        "nights",
        (((22 * HOUR, 24 * HOUR),),) + (((0, 6 * HOUR), (22 * HOUR, 24 * HOUR)),) * 4 + (((0, 6 * HOUR),), ()),
        _holidays((2024, 1, 11)),
    ),
    Calendar("round the clock", tuple(((0, 24 * HOUR),) for _ in range(7))),
    Calendar("weekends", tuple(() if i < 5 else ((9 * HOUR, 13 * HOUR), (13 * HOUR + 30, 18 * HOUR)) for i in range(7))),
]
STATES = ["new", "assigned", "in_progress", "waiting_customer", "waiting_supplier", "resolved", "closed", "on_hold"]
PRIORITIES = ["P1", "P2", "P3", "P4", "P9", None]
ALL_RUNNING = ClockDefinition("all", {}, running_states=frozenset({"x"}))

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def definitions(draw) -> ClockDefinition:
    """The named states dealt out at random (most often to running); 'on_hold' is never named, so it pauses."""
    buckets: list[set[str]] = [set(), set(), set(), set()]
    for name in STATES[:-1]:
        buckets[draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))].add(name)
    minutes = st.one_of(st.sampled_from([0, 30, 60, 240, 480, 1440]), st.integers(0, 2400))
    targets = {p: draw(minutes) for p in ["P1", "P2", "P3", "P4"] if p == "P1" or draw(st.booleans())}
    return ClockDefinition(
        "resolution",
        targets,
        running_states=frozenset(buckets[0]),
        paused_states=frozenset(buckets[1]),
        stop_states=frozenset(buckets[2]),
        warn_at=draw(st.sampled_from([0.0, 0.5, 0.75, 1.0])),
    )


@st.composite
def events(draw) -> tuple[str, str | None]:
    """An event's kind and value."""
    kind = draw(st.sampled_from([STATE, STATE, STATE, STATE, STATE, PRIORITY, PRIORITY, STOP]))
    if kind == STATE:
        return kind, draw(st.sampled_from(STATES))
    if kind == PRIORITY:
        return kind, draw(st.sampled_from(PRIORITIES))
    return kind, draw(st.sampled_from([None, "resolution", "response"]))


@st.composite
def histories(draw, anchor: dt.datetime) -> list[Event]:
    """A case opened in the first days after ``anchor`` (priority and state), events following it at random
    intervals, sometimes an event before the opening; all within the horizon, given in random order."""
    last = anchor + dt.timedelta(seconds=HORIZON - 60)
    opened = anchor + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * HOUR)))
    found = [Event(opened, PRIORITY, draw(st.sampled_from(PRIORITIES))), Event(opened, STATE, draw(st.sampled_from(STATES)))]
    for _ in range(draw(st.integers(0, 2))):
        found.append(Event(anchor + dt.timedelta(minutes=draw(st.integers(0, 3 * 24 * HOUR))), *draw(events())))
    moment = opened
    for _ in range(draw(st.integers(0, 10))):
        moment += dt.timedelta(minutes=draw(st.integers(0, 2 * 24 * HOUR)), seconds=draw(st.sampled_from([0, 0, 0, 17, 59])))
        if moment > last:
            break
        found.append(Event(moment, *draw(events())))
    return draw(st.permutations(found))


@st.composite
def cases(draw):
    """(definition, events, calendar, zone, anchor)."""
    anchor = draw(st.sampled_from(ANCHORS))
    return draw(definitions()), draw(histories(anchor)), draw(st.sampled_from(CALENDARS)), draw(st.sampled_from(ZONES)), anchor


def moments(anchor: dt.datetime, low: int = 0):
    """A moment from ``low`` seconds after the anchor to a few days after the events."""
    return st.integers(low, HORIZON + 3 * 24 * 3600).map(lambda s: anchor + dt.timedelta(seconds=s))


def nows(anchor: dt.datetime, happened: list[Event]):
    """An evaluation moment: anywhere, or most often shortly after one of the events."""
    after_an_event = st.tuples(st.sampled_from([e.at for e in happened]), st.integers(0, 3 * 24 * 3600)).map(
        lambda pair: pair[0] + dt.timedelta(seconds=pair[1])
    )
    return st.one_of(moments(anchor), after_an_event, after_an_event) if happened else moments(anchor)


def business_minutes(calendar: Calendar, tz: dt.tzinfo, start: dt.datetime, end: dt.datetime) -> int:
    """Business minutes from ``start`` to ``end`` as the engine counts them (a clock running all along)."""
    return compute(ALL_RUNNING, [Event(start, STATE, "x")], calendar, tz, end).elapsed


# -- (1) pausing never takes back time already counted --------------------------------------------------


@SETTINGS
@given(cases(), st.data())
def test_elapsed_never_decreases_as_now_moves_on(case, data):
    definition, events, calendar, tz, anchor = case
    moments_ = sorted(data.draw(st.lists(nows(anchor, events), min_size=2, max_size=8), label="nows"))
    elapsed = [compute(definition, events, calendar, tz, now).elapsed for now in moments_]
    assert elapsed == sorted(elapsed)


@SETTINGS
@given(cases(), st.data())
def test_a_pause_takes_off_at_most_the_business_time_it_covers(case, data):
    """A pause from p to r (between two events, after the clock started) and a return to the state in force."""
    definition, events, calendar, tz, anchor = case
    now = data.draw(nows(anchor, events), label="now")
    ordered = sorted((e for e in events if e.at <= now), key=lambda e: e.at)
    first_state = next((i for i, e in enumerate(ordered) if e.kind == STATE), None)
    if first_state is None:
        return
    bounds = [e.at for e in ordered[first_state:]] + [now]
    gaps = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if (b - a).total_seconds() > 120]
    if not gaps:
        return
    low, high = data.draw(st.sampled_from(gaps), label="gap")
    minutes = (int((high - low).total_seconds()) - 1) // 60  # whole minutes after ``low`` that are before ``high``
    p_offset = data.draw(st.integers(1, minutes - 1), label="pause after minutes")
    r_offset = data.draw(st.integers(p_offset + 1, minutes), label="resume after minutes")
    pause, resume = low + dt.timedelta(minutes=p_offset), low + dt.timedelta(minutes=r_offset)
    in_force = [e.value for e in ordered if e.kind == STATE and e.at < pause][-1]
    assert in_force is not None
    paused = [*events, Event(pause, STATE, "on_hold"), Event(resume, STATE, in_force)]
    before = compute(definition, events, calendar, tz, now).elapsed
    after = compute(definition, paused, calendar, tz, now).elapsed
    assert before - business_minutes(calendar, tz, pause, resume) <= after <= before


# -- (2) the answer does not depend on when it is computed ----------------------------------------------


@SETTINGS
@given(cases(), st.data())
def test_a_stopped_clock_gives_the_same_answer_later(case, data):
    definition, events, calendar, tz, anchor = case
    first = data.draw(moments(anchor, HORIZON), label="now, after every event")
    result = compute(definition, events, calendar, tz, first)
    later = first + dt.timedelta(minutes=data.draw(st.integers(1, 30 * 24 * HOUR), label="minutes later"))
    if result.status == STOPPED:
        assert compute(definition, events, calendar, tz, later) == result


@SETTINGS
@given(cases(), st.data())
def test_an_explicit_stop_is_final(case, data):
    definition, events, calendar, tz, anchor = case
    stop_at = data.draw(nows(anchor, events), label="stop")
    stopped = [*events, Event(stop_at, STOP, "resolution")]
    first = max(data.draw(nows(anchor, events), label="now"), stop_at)
    later = first + dt.timedelta(minutes=data.draw(st.integers(0, 30 * 24 * HOUR), label="minutes later"))
    result = compute(definition, stopped, calendar, tz, first)
    assert result.status == STOPPED
    assert compute(definition, stopped, calendar, tz, later) == result


@SETTINGS
@given(cases(), st.data())
def test_events_after_now_do_not_matter(case, data):
    definition, events, calendar, tz, anchor = case
    now = data.draw(nows(anchor, events), label="now")
    known = [e for e in events if e.at <= now]
    assert compute(definition, events, calendar, tz, now) == compute(definition, known, calendar, tz, now)


# -- (3) no business time, no clock -----------------------------------------------------------------------


@SETTINGS
@given(definitions(), st.sampled_from(CALENDARS[:3] + CALENDARS[4:]), st.sampled_from(ZONES), st.sampled_from(ANCHORS), st.data())
def test_a_case_outside_business_hours_counts_nothing(definition, calendar, tz, anchor, data):
    """Every event and ``now`` between the end of one working period and the start of the next (a night,
    a weekend, a holiday), as wall time in the zone."""
    local = anchor.astimezone(tz).replace(tzinfo=None)
    minute = to_minute(local) + data.draw(st.integers(0, HORIZON // 60), label="minute")
    work = calendar.work(minute)
    if calendar.is_working(minute):
        return
    first, last = calendar.finish_of(work), calendar.start_of(work)

    def wall(m: int) -> dt.datetime:
        return from_minute(m).replace(tzinfo=tz)

    minutes = data.draw(st.lists(st.integers(first, last), max_size=12), label="minutes")
    happened = [Event(wall(m), *data.draw(events(), label="event")) for m in minutes]
    result = compute(definition, happened, calendar, tz, wall(last))
    assert result.elapsed == 0
    assert not result.breached and result.breached_at is None


# -- (4) the timeline adds up ---------------------------------------------------------------------------


@SETTINGS
@given(cases(), st.data())
def test_the_timeline_adds_up_to_the_elapsed_time(case, data):
    definition, events, calendar, tz, anchor = case
    now = data.draw(nows(anchor, events), label="now")
    result = compute(definition, events, calendar, tz, now)
    timeline = result.timeline
    assert sum(s.business_minutes for s in timeline if s.mode == RUNNING) == result.elapsed
    assert all(a.end == b.start for a, b in zip(timeline, timeline[1:], strict=False))
    assert all(s.start.timestamp() < s.end.timestamp() <= now.timestamp() for s in timeline)
    assert [s.elapsed_after for s in timeline] == sorted(s.elapsed_after for s in timeline)
    if timeline:
        assert timeline[-1].elapsed_after == result.elapsed
        if result.status == STOPPED:
            assert timeline[-1].end == result.stopped_at
    assert result.breached == (result.target is not None and result.elapsed > result.target)
    if result.target is not None:
        assert result.remaining == result.target - result.elapsed
    if result.breached_at is not None:
        assert result.breached_at <= now


@SETTINGS
@given(cases(), st.data())
def test_the_due_moment_is_when_the_target_is_reached(case, data):
    """Computed again at its due moment with nothing more happening, a running clock has used its target
    (more, when the due moment follows wall time skipped by summer time, as the rules say)."""
    definition, events, calendar, tz, anchor = case
    now = data.draw(nows(anchor, events), label="now")
    known = [e for e in events if e.at <= now]
    result = compute(definition, known, calendar, tz, now)
    if result.status != RUNNING or result.target is None:
        assert result.due is None and result.warn_due is None
        return
    assert result.due is not None and result.warn_due is not None
    if result.breached:
        assert result.due == result.breached_at
    else:
        at_due = compute(definition, known, calendar, tz, max(result.due, now))
        assert at_due.elapsed >= result.target
        if tz is UTC:
            assert at_due.elapsed == result.target
    assert result.warn_due <= result.due


@SETTINGS
@given(cases(), st.data())
def test_several_streams_at_once_give_what_each_gives_alone(case, data):
    """A case's streams computed together (its moments placed once), as trusted events, some given in the
    calendar's zone (the repeated hour of autumn among them): each clock as when computed alone."""
    definition, events, calendar, tz, anchor = case
    other_definition, other = data.draw(definitions(), label="other"), data.draw(histories(anchor), label="other events")
    in_zone = data.draw(st.lists(st.booleans(), min_size=len(events), max_size=len(events)), label="in zone")
    trusted = [Trusted(e.at.astimezone(tz) if flip else e.at, e.kind, e.value) for e, flip in zip(events, in_zone, strict=True)]
    now = data.draw(nows(anchor, events), label="now")
    together = compute_streams([([definition], trusted), ([other_definition], other)], calendar, tz, now)
    assert together[0][definition.name] == compute(definition, events, calendar, tz, now)
    assert together[1][other_definition.name] == compute(other_definition, other, calendar, tz, now)
    # Without their timelines (the jobs that keep only the figures): the same figures.
    bare = compute_streams([([definition], trusted), ([other_definition], other)], calendar, tz, now, timeline=False)
    for full, figures in zip(together, bare, strict=True):
        for name, result in full.items():
            assert figures[name].timeline == ()
            assert figures[name] == dataclasses.replace(result, timeline=())


@SETTINGS
@given(cases(), st.data())
def test_a_state_or_priority_that_repeats_the_one_before_changes_nothing(case, data):
    """The same history with, after some events, the state or the priority in force said again (at the
    same moment or later, before the next event): the same clock, timeline and all. (The case's clocks
    leave such repeats out of the streams they give the engine.)"""
    definition, history, calendar, tz, anchor = case
    in_order = sorted(history, key=lambda e: e.at)
    repeated: list[Event] = []
    state = priority = None
    known_priority = False
    for i, event in enumerate(in_order):
        repeated.append(event)
        if event.kind == STATE:
            state = event.value
        elif event.kind == PRIORITY:
            priority, known_priority = event.value, True
        following = in_order[i + 1].at if i + 1 < len(in_order) else event.at + dt.timedelta(hours=5)
        gap = int((following - event.at).total_seconds())
        for kind, value, known in ((STATE, state, state is not None), (PRIORITY, priority, known_priority)):
            if known and data.draw(st.booleans(), label=f"repeat the {kind} after event {i}"):
                later = dt.timedelta(seconds=data.draw(st.integers(0, gap), label="seconds later"))
                # (a repeat at the next event's moment would come after it: only strictly before it)
                if event.at + later < following or later == dt.timedelta(0):
                    repeated.append(Event(event.at + later, kind, value))
    now = data.draw(nows(anchor, in_order), label="now")
    assert compute(definition, repeated, calendar, tz, now) == compute(definition, in_order, calendar, tz, now)
