"""SLA clocks of a service-desk case, recomputed from the case's history on a business-hours calendar.

A clock (a response clock, a resolution clock, …) has a :class:`ClockDefinition`: a target in business
minutes per priority and the case states in which it runs, is paused or stops. :func:`compute` replays the
case's :class:`Event` list (state changes, priority changes, explicit stops) up to an evaluation moment
``now`` and returns a :class:`ClockResult`: business minutes counted, target, due moment, warning moment,
breach and a timeline of :class:`Segment` rows; :func:`compute_all` does the same for several clocks of
one case at once. Nothing is stored between runs: a changed calendar or a re-prioritisation gives the
right answer the next time the clock is computed.

Time runs on the minute axis of :mod:`regie.engine.calendar` (local wall time of the calendar's zone).
Business minutes of an interval are ``calendar.work(b) - calendar.work(a)``: two binary searches, no loop
over days. Moments are counted in whole minutes (seconds are dropped).

The rules:

- **Events** are sorted by ``at`` (ties keep the order given); events after ``now`` are ignored.
  ``"state"`` sets the case's state, ``"priority"`` its priority (``None``: no priority),
  ``"stop"`` stops the clock named in ``value`` (``None``: every clock), e.g. the first response.
- **Start**: a clock starts at the first state event. Priority events before it set the starting
  priority; before it the clock is ``"not_started"``.
- **Modes**: in a ``running_states`` state the clock counts business minutes; in a ``stop_states`` state
  it is stopped; in a ``paused_states`` state, and in any state the definition does not name, it is paused.
- **Explicit stop** is final: later events do not restart the clock. A stop before the first state event
  stops a clock that never ran (nothing counted).
- **Re-opening**: leaving a stop state for a running state resumes the clock; elapsed time continues from
  where it stopped and the time spent stopped counts nothing (leaving it for a paused state pauses it).
- **Re-prioritisation**: the target of the priority in force at the end (``now``, or the moment the clock
  stopped) applies to the whole elapsed time; elapsed time is never reset. So raising the priority can
  turn a case into a breach whose moment lies in the past; lowering it can lift a breach. Priority
  changes while the clock is stopped count only if it resumes. The timeline shows each change.
- **Breach**: a clock is breached when its elapsed business minutes exceed the target; stopping exactly
  at the target meets it. ``breached_at`` is the deadline that was missed: the moment the running time
  reached the target, found on the running segments (a target of zero: the moment the clock first ran).
- **Due and warning moments** (running clocks only): the moment elapsed reaches the target (or
  ``warn_at`` × target, rounded down to a whole minute) if the clock keeps running from ``now``; when
  already reached, the moment it was reached. A paused clock has neither: ``remaining`` tells the
  business minutes left, whenever it resumes.
- **Timeline**: one segment per stretch of unchanged state, priority and mode, from the first state
  event to ``now``, or to the stop for a clock that is stopped at the end (so a stopped clock gives the
  same result whenever it is computed). Empty stretches (events at the same instant) are left out.
  Business minutes are given for every segment; only running segments add to ``elapsed``.
- **Time zones**: aware moments are turned into wall time of ``tz``, the calendar's zone. When the clocks
  go back, the repeated wall hour is not counted twice: moments in its second pass are held at the end
  of the hour. The axis never runs backwards: a moment that would (from a zone that does not mark the
  second pass) is held where the axis already is. When the clocks go forward, the skipped wall hour
  counts as the calendar lays it out (a round-the-clock calendar is best given ``UTC``); a due moment in
  skipped wall time is given as the first real moment after it.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from .calendar import MINUTES_PER_DAY, Calendar

# event kinds
STATE = "state"
PRIORITY = "priority"
STOP = "stop"
EVENT_KINDS = (STATE, PRIORITY, STOP)

# clock status; the first three are also the modes of a timeline segment
RUNNING = "running"
PAUSED = "paused"
STOPPED = "stopped"
NOT_STARTED = "not_started"


class SlaError(ValueError):
    """Input an SLA clock cannot be computed from; the message says what is wrong."""


class NaiveDatetimeError(SlaError):
    """A moment without a time zone."""


class DefinitionError(SlaError):
    """A clock definition that cannot be used: a negative target, overlapping states, a bad warning level."""


class EventError(SlaError):
    """An event of an unknown kind or with a value its kind does not accept."""


def _check_aware(moment: dt.datetime, what: str) -> None:
    if not isinstance(moment, dt.datetime):
        raise NaiveDatetimeError(f"{what} must be a datetime with a time zone, not {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"{what} {moment:%Y-%m-%d %H:%M} has no time zone")


@dataclass(frozen=True, slots=True)
class ClockDefinition:
    """One clock of an agreement: targets in business minutes per priority and the states that drive it.

    A priority without a target (absent from ``targets``) cannot breach. States named in no set pause
    the clock.
    """

    name: str
    targets: Mapping[str, int] = field(hash=False)
    running_states: frozenset[str]
    paused_states: frozenset[str] = frozenset()
    stop_states: frozenset[str] = frozenset()
    warn_at: float = 0.75

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise DefinitionError("a clock needs a name")
        targets = dict(self.targets)
        for priority, minutes in targets.items():
            if isinstance(minutes, bool) or not isinstance(minutes, int):
                raise DefinitionError(f"clock {self.name}: the target for priority {priority} must be whole minutes")
            if minutes < 0:
                raise DefinitionError(f"clock {self.name}: the target for priority {priority} is negative ({minutes} minutes)")
        object.__setattr__(self, "targets", MappingProxyType(targets))
        sets = {}
        for kind in ("running_states", "paused_states", "stop_states"):
            value = getattr(self, kind)
            if isinstance(value, str):
                raise DefinitionError(f"clock {self.name}: {kind} must be a set of state names, not one string")
            sets[kind] = frozenset(value)
            object.__setattr__(self, kind, sets[kind])
        pairs = (("running_states", "paused_states"), ("running_states", "stop_states"), ("paused_states", "stop_states"))
        for first, second in pairs:
            both = sets[first] & sets[second]
            if both:
                raise DefinitionError(f"clock {self.name}: state {sorted(both)[0]!r} is in both {first} and {second}")
        if not 0 <= self.warn_at <= 1:
            raise DefinitionError(f"clock {self.name}: warn_at must be a fraction from 0 to 1, not {self.warn_at}")

    def target(self, priority: str | None) -> int | None:
        """The target in business minutes for ``priority``; None when it has none."""
        return None if priority is None else self.targets.get(priority)

    def mode(self, state: str) -> str:
        """``"running"``, ``"stopped"`` or ``"paused"``: what the clock does in ``state``."""
        if state in self.running_states:
            return RUNNING
        if state in self.stop_states:
            return STOPPED
        return PAUSED


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to the case at ``at`` (timezone-aware).

    - ``Event(at, "state", "in_progress")``: the case enters a state;
    - ``Event(at, "priority", "P1")``: the priority changes (``None``: no priority);
    - ``Event(at, "stop", "response")``: the named clock stops for good (``None``: every clock).
    """

    at: dt.datetime
    kind: str
    value: str | None = None

    def __post_init__(self) -> None:
        _check_aware(self.at, "an event's moment")
        if self.kind not in EVENT_KINDS:
            raise EventError(f"unknown event kind {self.kind!r}; the kinds are {', '.join(EVENT_KINDS)}")
        if self.value is not None and not isinstance(self.value, str):
            raise EventError(f"a {self.kind} event's value must be a string, not {self.value!r}")
        if self.kind == STATE and not self.value:
            raise EventError(f"a state event at {self.at:%Y-%m-%d %H:%M} needs the state's name")


class Trusted(NamedTuple):
    """An event as :class:`Event` describes it, from a source that checked it already (a case's history read
    back from the database it was checked into): made without checking it again, for the jobs that replay
    many thousand cases. ``at`` is aware, ``kind`` one of :data:`EVENT_KINDS`, a state event names a state;
    anything else is the caller's error and gives no defined result."""

    at: dt.datetime
    kind: str
    value: str | None = None


class Segment(NamedTuple):
    """A stretch of the timeline in which state, priority and mode stayed the same."""

    start: dt.datetime
    end: dt.datetime
    state: str
    mode: str  # running, paused or stopped
    business_minutes: int  # business minutes from start to end (they count only when running)
    elapsed_after: int  # the clock's elapsed business minutes at the end
    priority: str | None


@dataclass(frozen=True, slots=True)
class ClockResult:
    """A clock at the evaluation moment; see the module's description for the rules. Moments are in the
    calendar's zone."""

    name: str
    status: str  # running, paused, stopped or not_started
    elapsed: int  # business minutes counted while running
    target: int | None  # business minutes for ``priority``; None: no target, no breach
    priority: str | None  # in force at the end (now, or the stop)
    remaining: int | None  # target - elapsed, negative once breached
    due: dt.datetime | None  # running clocks: when elapsed reaches the target
    warn_due: dt.datetime | None  # running clocks: when elapsed reaches warn_at × target
    breached: bool
    breached_at: dt.datetime | None  # the missed deadline: when the running time reached the target
    stopped_at: dt.datetime | None  # a stopped clock: when it stopped (entering a stop state, or an explicit stop)
    timeline: tuple[Segment, ...]


# an event placed on the axis: (timestamp, kind, value, local moment, minute)
_Row = tuple[float, str, str | None, dt.datetime, int]
_TIMESTAMP = itemgetter(0)
_AXIS_DAY_ONE = dt.datetime(1, 1, 1)  # minute 1440 of the axis


def compute(
    definition: ClockDefinition, events: Iterable[Event | Trusted], calendar: Calendar, tz: dt.tzinfo, now: dt.datetime
) -> ClockResult:
    """The clock ``definition`` at ``now`` after ``events``, counted on ``calendar`` in zone ``tz``."""
    return _run(definition, calendar, tz, *_prepare(events, calendar, tz, now))


def compute_all(
    definitions: Sequence[ClockDefinition],
    events: Iterable[Event | Trusted],
    calendar: Calendar,
    tz: dt.tzinfo,
    now: dt.datetime,
) -> dict[str, ClockResult]:
    """Several clocks of one case, keyed by name; the events are sorted and placed on the axis once."""
    return compute_streams([(definitions, events)], calendar, tz, now)[0]


def compute_streams(
    streams: Sequence[tuple[Sequence[ClockDefinition], Iterable[Event | Trusted]]],
    calendar: Calendar,
    tz: dt.tzinfo,
    now: dt.datetime,
    *,
    timeline: bool = True,
) -> list[dict[str, ClockResult]]:
    """:func:`compute_all` for several event streams of one case on one calendar (the case as its
    customer sees it, as each link of its chain sees it): the same as computing each alone, but a moment
    that occurs in several streams is placed on the axis once. ``timeline`` False: the results come
    without their timelines (empty), for the jobs that keep only the figures."""
    placed: dict[tuple[dt.datetime, int], tuple[float, dt.datetime, int]] = {}
    results = []
    at_now = _now(now, tz)
    for definitions, events in streams:
        if len(definitions) > 1 and len({d.name for d in definitions}) != len(definitions):
            raise DefinitionError("two clocks of a case have the same name")
        prepared = _prepare(events, calendar, tz, now, placed, at_now)
        results.append({d.name: _run(d, calendar, tz, *prepared, timeline=timeline) for d in definitions})
    return results


def _prepare(
    events: Iterable[Event | Trusted],
    calendar: Calendar,
    tz: dt.tzinfo,
    now: dt.datetime,
    placed: dict[tuple[dt.datetime, int], tuple[float, dt.datetime, int]] | None = None,
    at_now: tuple[float, dt.datetime, int] | None = None,
) -> tuple[list[_Row], list[int], float, dt.datetime, int]:
    """The events up to ``now`` in order with their places on the axis (which never runs backwards), the
    calendar's work at each, and ``now`` (its timestamp, in the zone, the work at it). ``placed``: the
    places of the moments already placed in ``tz``, added to as found."""
    if placed is None:
        placed = {}
    now_ts, now_local, now_minute = at_now or _now(now, tz)
    rows: list[_Row] = []
    in_order = True
    last_ts = -math.inf
    for event in events:
        at = event.at
        # (with the fold: within one zone, the two passes through a repeated wall hour compare equal)
        key = (at, at.fold)
        place = placed.get(key)
        if place is None:
            ts = at.timestamp()
            local = at.astimezone(tz)
            if local is at:  # given in the zone: read again from the instant, so wall times the clocks skip become real
                local = _in_zone(at, ts, tz)
            minute = local.toordinal() * MINUTES_PER_DAY + local.hour * 60 + local.minute
            if local.fold:
                minute = _after_repeat(local, tz, minute)
            placed[key] = (ts, local, minute)
        else:
            ts, local, minute = place
        if ts > now_ts:
            continue
        if ts < last_ts:
            in_order = False
        last_ts = ts
        rows.append((ts, event.kind, event.value, local, minute))
    if not in_order:
        rows.sort(key=_TIMESTAMP)  # stable: ties keep the order given
    works: list[int] = []
    if rows:
        # expand the calendar from the first moment to now, then look the moments up directly
        previous = rows[0][4]
        calendar.work(previous)
        calendar.work(now_minute)
        starts, ends, cum, _, hi_day = calendar._intervals()
        beyond = hi_day * MINUTES_PER_DAY
        for row in rows:
            minute = row[4]
            if minute < previous:
                minute = previous
            previous = minute
            i = bisect_right(starts, minute) - 1
            if i < 0 or minute >= beyond:
                works.append(calendar.work(minute))
                starts, ends, cum, _, hi_day = calendar._intervals()
                beyond = hi_day * MINUTES_PER_DAY
            else:
                end = ends[i]
                works.append(cum[i] + (minute if minute < end else end) - starts[i])
        now_minute = max(now_minute, previous)
    return rows, works, now_ts, now_local, calendar.work(now_minute)


def _now(now: dt.datetime, tz: dt.tzinfo) -> tuple[float, dt.datetime, int]:
    """The evaluation moment: its timestamp, in the zone, and its minute on the axis."""
    _check_aware(now, "the evaluation moment")
    now_ts = now.timestamp()
    now_local = _in_zone(now, now_ts, tz)
    now_minute = now_local.toordinal() * MINUTES_PER_DAY + now_local.hour * 60 + now_local.minute
    if now_local.fold:
        now_minute = _after_repeat(now_local, tz, now_minute)
    return now_ts, now_local, now_minute


def _run(
    definition: ClockDefinition,
    calendar: Calendar,
    tz: dt.tzinfo,
    rows: list[_Row],
    works: list[int],
    now_ts: float,
    now_local: dt.datetime,
    now_work: int,
    *,
    timeline: bool = True,
) -> ClockResult:
    name = definition.name
    running_states = definition.running_states
    stop_states = definition.stop_states
    state = ""
    priority: str | None = None
    mode: str | None = None  # None until the first state event
    final = False  # stopped by an explicit stop
    elapsed = 0
    segments: list[Segment] = []
    runs: list[tuple[int, int, int, dt.datetime]] = []  # running segments: (work at start, elapsed before, business, start)
    start_local, start_ts = now_local, now_ts
    start_work = 0
    stopped_at: dt.datetime | None = None
    stop_priority: str | None = None
    stop_index = 0  # first timeline segment after the latest stop

    for (ts, kind, value, local, _), work in zip(rows, works, strict=True):
        new_state, new_priority, new_mode = state, priority, mode
        if kind == STATE:
            new_state = value or ""
            new_mode = RUNNING if value in running_states else STOPPED if value in stop_states else PAUSED
        elif kind == PRIORITY:
            new_priority = value
        else:
            if value is not None and value != name:
                continue
            new_mode = STOPPED
            final = True
        if mode is None:  # not started yet
            if kind == PRIORITY:
                priority = new_priority
                continue
            state, mode = new_state, new_mode
            start_local, start_ts, start_work = local, ts, work
            if mode == STOPPED:
                stopped_at, stop_priority = local, priority
            if final:
                break
            continue
        if new_mode == mode and new_state == state and new_priority == priority:
            if final:
                break  # an explicit stop while in a stop state: stopped for good
            continue
        business = work - start_work
        if mode == RUNNING:
            runs.append((start_work, elapsed, business, start_local))
            elapsed += business
        if timeline and ts != start_ts:  # (wall times in one zone compare without their fold)
            segments.append(Segment(start_local, local, state, mode, business, elapsed, priority))
        if new_mode == STOPPED:
            if mode != STOPPED:
                stopped_at, stop_priority, stop_index = local, priority, len(segments)
        else:
            stopped_at = None
        state, priority, mode = new_state, new_priority, new_mode
        start_local, start_ts, start_work = local, ts, work
        if final:
            break

    if mode is None:
        status = NOT_STARTED
    elif mode == STOPPED:
        status = STOPPED
        priority = stop_priority
        del segments[stop_index:]
    else:
        status = mode
        business = now_work - start_work
        if mode == RUNNING:
            runs.append((start_work, elapsed, business, start_local))
            elapsed += business
        if timeline and now_ts != start_ts:
            segments.append(Segment(start_local, now_local, state, mode, business, elapsed, priority))

    target = definition.target(priority)
    remaining = None if target is None else target - elapsed
    breached = target is not None and elapsed > target
    due = warn_due = breached_at = None
    if target is not None:
        if breached:
            breached_at = _reached(target, runs, calendar, tz)
        if status == RUNNING:
            due = breached_at if breached else _when(target, elapsed, runs, now_work, calendar, tz)
            warning = math.floor(definition.warn_at * target + 1e-9)
            warn_due = _when(warning, elapsed, runs, now_work, calendar, tz)
    return ClockResult(
        name, status, elapsed, target, priority, remaining, due, warn_due, breached, breached_at, stopped_at, tuple(segments)
    )


def _when(
    threshold: int, elapsed: int, runs: list[tuple[int, int, int, dt.datetime]], now_work: int, calendar: Calendar, tz: dt.tzinfo
) -> dt.datetime:
    """When a running clock's elapsed time reaches ``threshold``: in the past if it has, else from now on."""
    if elapsed >= threshold:
        return _reached(threshold, runs, calendar, tz)
    return _from_minute(calendar.finish_of(now_work + threshold - elapsed), tz)


def _reached(threshold: int, runs: list[tuple[int, int, int, dt.datetime]], calendar: Calendar, tz: dt.tzinfo) -> dt.datetime:
    """The moment the running time first reached ``threshold`` (which it has); zero: when it first ran."""
    if threshold <= 0:
        return runs[0][3]
    for start_work, before, business, _ in runs:
        if before < threshold <= before + business:
            return _from_minute(calendar.finish_of(start_work + threshold - before), tz)
    raise AssertionError("the running segments do not reach the threshold")  # pragma: no cover


# -- wall time ---------------------------------------------------------------------------------------


def _in_zone(moment: dt.datetime, timestamp: float, tz: dt.tzinfo) -> dt.datetime:
    """``moment`` in zone ``tz``, read from its instant (so a wall time the clocks skip becomes a real one)."""
    local = dt.datetime.fromtimestamp(timestamp, tz)
    if local.microsecond != moment.microsecond:  # the float lost a microsecond (far in the future)
        local = moment.astimezone(dt.UTC).astimezone(tz)
    return local


def _offsets(naive: dt.datetime, tz: dt.tzinfo) -> tuple[dt.timedelta, dt.timedelta]:
    """The zone's offset at a wall time read as its first and as its second occurrence."""
    zero = dt.timedelta(0)
    return tz.utcoffset(naive) or zero, tz.utcoffset(naive.replace(fold=1)) or zero


def _first(naive: dt.datetime, tz: dt.tzinfo, skipped: bool, span: int) -> int:
    """The smallest ``k`` in 1..span for which wall time ``naive`` + k minutes is no longer skipped (``skipped``)
    or repeated (not ``skipped``) by a change of the clocks."""
    low, high = 1, span
    while low < high:
        middle = (low + high) // 2
        first, second = _offsets(naive + dt.timedelta(minutes=middle), tz)
        if (first < second) if skipped else (first > second):
            low = middle + 1
        else:
            high = middle
    return low


def _after_repeat(local: dt.datetime, tz: dt.tzinfo, minute: int) -> int:
    """A moment in the second pass through a repeated wall hour: the minute at which the repeat ends."""
    naive = local.replace(tzinfo=None, fold=0, second=0, microsecond=0)
    first, second = _offsets(naive, tz)
    if first <= second:
        return minute  # not a repeated wall time after all
    return minute + _first(naive, tz, False, int((first - second).total_seconds()) // 60)


def _from_minute(minute: int, tz: dt.tzinfo) -> dt.datetime:
    """The earliest real moment at which the axis reaches ``minute``."""
    naive = _AXIS_DAY_ONE + dt.timedelta(minutes=minute - MINUTES_PER_DAY)  # as calendar.from_minute, faster
    first, second = _offsets(naive, tz)
    if first < second:  # skipped wall time: the first moment after the skip
        naive += dt.timedelta(minutes=_first(naive, tz, True, int((second - first).total_seconds()) // 60))
    return naive.replace(tzinfo=tz)
