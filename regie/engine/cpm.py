"""Scheduling by the critical path method, with Microsoft Project's rules.

Plain data in, dates out. A plan is a list of :class:`Task` (leaves and summaries, linked by
``parent``) and a list of :class:`Link`; calendars are :class:`regie.engine.calendar.Calendar`
objects keyed by name. :func:`schedule` returns a :class:`TaskResult` per task.

The rules follow what Microsoft Project computes, so that a plan exchanged with it shows the same dates:

- a task starts at the next working time of its own calendar (a milestone may sit at the end of a
  working period); a finish is the end of the working period in which its work ends;
- lags are counted on the successor's calendar (elapsed lags on the clock; percentage lags as a share
  of the predecessor's duration);
- in the backward pass a predecessor on another calendar than its successor may finish (or start) as
  late as the latest moment that the successor's calendar sees as its late date: time in which only
  the predecessor works (its successor's non-working time) is slack, never negative slack;
- links to or from a summary task apply to each of its leaf tasks (a start-start or start-finish link
  from a summary applies to its earliest leaf);
- tasks without successors may finish as late as the project's finish; a late finish at the start of
  a working period moves back to the end of the period before;
- constraints: as soon / as late as possible, start or finish no earlier / no later than, must start /
  finish on (which override the links, so slack turns negative where they conflict); deadlines limit
  the late finish;
- total slack is the smaller of start slack and finish slack in working time on the task's calendar;
  free slack is the least room before a successor moves; a task is critical when its total slack is
  at or below the critical slack limit (0 by default).

Times are whole minutes on the axis of :mod:`regie.engine.calendar`; :func:`schedule` takes and returns
``datetime`` values.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import itertools
import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from .calendar import Calendar, CalendarError, elapsed_calendar, from_minute, to_minute

_np: Any = None  # NumPy, imported for the first large plan (see _Waves)

FS, SS, FF, SF = "FS", "SS", "FF", "SF"
LINK_TYPES = (FS, SS, FF, SF)
WORK, ELAPSED, PERCENT = "work", "elapsed", "percent"
LAG_KINDS = (WORK, ELAPSED, PERCENT)
ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO = "ASAP", "ALAP", "SNET", "SNLT", "FNET", "FNLT", "MSO", "MFO"
CONSTRAINTS = (ASAP, ALAP, SNET, SNLT, FNET, FNLT, MSO, MFO)
DATED_CONSTRAINTS = (SNET, SNLT, FNET, FNLT, MSO, MFO)


class ScheduleError(ValueError):
    """A plan that cannot be scheduled; the message names the task or link at fault."""


class LoopError(ScheduleError):
    """The links form a loop; ``loop`` lists the task ids around it, first repeated at the end."""

    def __init__(self, loop: list[Hashable]):
        self.loop = loop
        super().__init__("the dependencies form a loop: " + " → ".join(str(t) for t in loop))


@dataclass
class Task:
    id: Hashable
    duration: int = 0  # minutes: working minutes, or clock minutes when ``elapsed``
    parent: Hashable | None = None
    elapsed: bool = False
    milestone: bool = False
    calendar: str | None = None  # None: the plan's default calendar
    constraint: str = ASAP
    constraint_date: dt.datetime | None = None
    deadline: dt.datetime | None = None
    actual_start: dt.datetime | None = None
    actual_finish: dt.datetime | None = None
    remaining: int | None = None  # minutes still to do; None: all of ``duration``
    manual: bool = False  # manually scheduled: ``start``/``finish`` are kept as given
    # resource assignments that drive the dates: (calendar name, work minutes, units where 1.0 = full time)
    assignments: Sequence[tuple[str | None, int, float]] = ()
    start: dt.datetime | None = None
    finish: dt.datetime | None = None


@dataclass
class Link:
    predecessor: Hashable
    successor: Hashable
    type: str = FS
    lag: float = 0  # minutes (working or clock), or a percentage of the predecessor's duration
    lag_kind: str = WORK


class TaskResult(NamedTuple):
    start: dt.datetime
    finish: dt.datetime
    early_start: dt.datetime
    early_finish: dt.datetime
    late_start: dt.datetime
    late_finish: dt.datetime
    total_slack: int  # working minutes on the task's calendar
    free_slack: int
    critical: bool
    duration: int  # working minutes (summaries: from their start to their finish)


@dataclass
class Schedule:
    tasks: dict[Hashable, TaskResult]
    start: dt.datetime
    finish: dt.datetime
    order: list[Hashable]  # leaf tasks in the order they were scheduled

    def critical_path(self) -> list[Hashable]:
        return [i for i in self.order if self.tasks[i].critical]


def schedule(
    tasks: Sequence[Task],
    links: Iterable[Link],
    calendars: Mapping[str, Calendar],
    default_calendar: str,
    start: dt.datetime,
    critical_slack_limit: int = 0,
    progress: Callable[[float], None] | None = None,
) -> Schedule:
    """Schedule the plan from ``start``; raises :class:`ScheduleError` naming what is wrong."""
    # The run makes a few hundred thousand small objects and no reference cycles: without this, the
    # cyclic garbage collector walks the whole heap (the plan included) again and again on a large plan.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Planner(tasks, links, calendars, default_calendar, start, critical_slack_limit, progress).run()
    finally:
        if collecting:
            gc.enable()


_ELAPSED = elapsed_calendar()
_UNIX_EPOCH = to_minute(dt.datetime(1970, 1, 1))


def _numpy() -> Any:
    """NumPy, imported the first time a large plan needs it; None without it (the loops do the same)."""
    global _np
    if _np is None:
        try:
            import numpy
        except ImportError:  # pragma: no cover
            return None
        _np = numpy
    return _np


_RESULT = functools.partial(tuple.__new__, TaskResult)  # a TaskResult from a row of its fields, at C speed


def _datetimes(minutes: list[int]) -> list[dt.datetime]:
    """The moments of ``minutes`` as datetimes (as :func:`from_minute` gives them; NumPy makes many at once)."""
    if len(minutes) < 1000:
        return list(map(from_minute, minutes))
    np = _numpy()
    if np is None:  # pragma: no cover - the same, more slowly
        return list(map(from_minute, minutes))
    return (np.asarray(minutes, dtype=np.int64) - _UNIX_EPOCH).astype("datetime64[m]").tolist()


_CODES = {FS: 0, SS: 1, FF: 2, SF: 3}  # link types as small integers for the passes
# the fields of a task that most tasks leave at their defaults, and those defaults
_RARE_FIELDS = operator.attrgetter(
    "constraint", "remaining", "assignments", "elapsed", "milestone", "manual", "constraint_date", "deadline", "actual_start",
    "actual_finish",
)  # fmt: skip
_RARE_DEFAULTS = (ASAP, None, (), False, False, False, None, None, None, None)
_ID, _PARENT, _CALENDAR, _DURATION = (operator.attrgetter(name) for name in ("id", "parent", "calendar", "duration"))
_PREDECESSOR, _SUCCESSOR, _TYPE, _LAG, _LAG_KIND = (
    operator.attrgetter(name) for name in ("predecessor", "successor", "type", "lag", "lag_kind")
)
_CONSTRAINT_SET = frozenset(CONSTRAINTS)
_LINK_TYPE_SET = frozenset(LINK_TYPES)
_LAG_KIND_SET = frozenset(LAG_KINDS)


def _rising(report: Callable[[float], None]) -> Callable[[float], None]:
    """``report``, called only with values at or above the last one it was given (a pass that the loops
    do again after the vectors gave it up goes over its share of the progress a second time)."""
    last = 0.0

    def rising(value: float) -> None:
        nonlocal last
        if value >= last:
            last = value
            report(value)

    return rising


class _Memory(dict):
    """A dictionary that computes (and keeps) a missing value with ``fill``."""

    __slots__ = ("fill",)

    def __init__(self, fill: Callable[[int], Any]):
        super().__init__()
        self.fill = fill

    def __missing__(self, key: int) -> Any:
        value = self[key] = self.fill(key)
        return value


class _Memo:
    """A calendar's answers remembered for one scheduling run.

    A plan asks the same few questions many times (most tasks start and finish at the same handful of
    times of day), so ``work``, ``start_of`` and ``finish_of`` are looked up in dictionaries before
    the calendar searches its intervals. The answers are the calendar's own: nothing is approximated.
    The passes read the dictionaries ``w``, ``s`` and ``f`` directly.
    """

    __slots__ = ("calendar", "w", "s", "f")

    def __init__(self, calendar: Calendar):
        self.calendar = calendar
        self.w = _Memory(calendar.work)
        self.s = _Memory(calendar.start_of)
        self.f = _Memory(calendar.finish_of)

    def work(self, t: int) -> int:
        return self.w[t]

    def add(self, t: int, d: int) -> int:
        if d == 0:
            return t
        if d > 0:
            return self.f[self.w[t] + d]
        return self.s[self.w[t] + d]

    def next_start(self, t: int) -> int:
        return self.s[self.w[t]]

    def previous_finish(self, t: int) -> int:
        return self.f[self.w[t]]

    def between(self, a: int, b: int) -> int:
        w = self.w
        return w[b] - w[a]


class _Planner:
    """One scheduling run.

    Links are kept as tuples ``(predecessor, successor, type, lag, lag kind, type code, lag in minutes,
    elapsed lag)``, the last three worked out once. Most tasks in a large plan are "plain" (as soon as
    possible, no progress, not manual, not elapsed, no milestone, no deadline, no driving assignments):
    the passes handle those inline with the calendars' remembered answers and keep their dates' working
    minutes (``wes``, ``wef``, ``wls``, ``wlf``) for the slack; every other task goes through the general
    rules (``_forward_one``, ``_backward_one``, ``_total_slack``, ``_free_slack``), which give the same
    results for a plain task, only more slowly.
    """

    def __init__(self, tasks, links, calendars, default_calendar, start, critical_slack_limit, progress):
        if default_calendar not in calendars:
            raise ScheduleError(f"unknown calendar {default_calendar!r}")
        self.progress = _rising(progress) if progress is not None else None
        # each pass's share of the progress and where it begins (see run)
        self.spans: dict[str, tuple[float, float]] = {}
        self.limit = critical_slack_limit
        self.tasks: list[Task] = list(tasks)
        tasks = self.tasks
        n = len(tasks)
        self.n = n
        ids = list(map(_ID, tasks))
        self.ids = ids
        try:
            index = dict(zip(ids, range(n), strict=True))
        except TypeError:
            index = {}
        if len(index) < n:
            index = {}
            for i, key in enumerate(ids):
                if key in index:
                    raise ScheduleError(f"task {key}: appears twice")
                index[key] = i
        self.index: dict[Hashable, int] = index
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.parent = [-1] * n
        children, parent = self.children, self.parent
        parent_keys = list(map(_PARENT, tasks))
        parents = list(map(index.get, parent_keys))
        for i in itertools.compress(range(n), map(operator.is_, parents, itertools.repeat(None))):
            if parent_keys[i] is not None:
                raise ScheduleError(f"task {ids[i]}: its summary task {parent_keys[i]} does not exist")
        for i in itertools.compress(range(n), map(operator.is_not, parents, itertools.repeat(None))):
            p = parents[i]
            parent[i] = p
            children[p].append(i)
        self._check_outline()
        self.summary = list(map(bool, children))
        self._read_tasks(calendars, default_calendar)
        self._read_links(links)
        try:
            self.start = to_minute(start)
            self.calendar_default.work(self.start)
        except (CalendarError, ValueError, OverflowError) as exc:
            raise ScheduleError(f"project start: {exc}") from exc

    def _read_tasks(self, calendars, default_calendar) -> None:
        tasks = self.tasks
        n = self.n
        names = list(map(_CALENDAR, tasks))
        durations = list(map(_DURATION, tasks))
        # the fields that most tasks leave as they are: only the tasks that set one of them are looked at further
        rows = list(map(_RARE_FIELDS, tasks))
        odd = list(itertools.compress(range(n), map(_RARE_DEFAULTS.__ne__, rows)))
        self.odd = odd
        columns: list[list[Any]] = [[default] * n for default in _RARE_DEFAULTS]
        for i in odd:
            for column, value in zip(columns, rows[i], strict=True):
                column[i] = value
        (constraints, remaining, assignments, elapsed, milestone, manual, constraint_dates, deadlines, actual_starts,
         actual_finishes) = columns  # fmt: skip
        try:
            valid = (
                all(calendars.get(name or default_calendar) is not None for name in set(names))
                and (not durations or min(durations) >= 0)
                and all(constraints[i] in _CONSTRAINT_SET for i in odd)
                and all(constraint_dates[i] is not None for i in odd if constraints[i] in DATED_CONSTRAINTS)
                and all(remaining[i] is None or remaining[i] >= 0 for i in odd)
            )
        except Exception:  # noqa: BLE001 - anything odd: the checks below name the task, as they always did
            valid = False
        if not valid:
            self._check_tasks(calendars, default_calendar)
        memo: dict[int, _Memo] = {}

        def remembered(calendar: Calendar) -> _Memo:
            found = memo.get(id(calendar))
            if found is None:
                found = memo[id(calendar)] = _Memo(calendar)
            return found

        by_name = {name: remembered(calendars[name or default_calendar]) for name in set(names)}
        self.cal: list[_Memo] = list(map(by_name.__getitem__, names))
        # each calendar as a number (for the vectors): its place in calendar_list
        memos = list({id(m): m for m in by_name.values()}.values())
        self.calendar_list = [m.calendar for m in memos]
        number = {name: next(k for k, m in enumerate(memos) if m is found) for name, found in by_name.items()}
        self.calendar_kind = list(map(number.__getitem__, names))
        tables = {name: (m.w, m.s, m.f) for name, m in by_name.items()}
        self.tables: list[tuple[dict, dict, dict]] = list(map(tables.__getitem__, names))
        self.driving: list[list[tuple[_Memo, float]] | None] = [None] * n
        for i in odd:
            if not assignments[i]:
                continue
            driving = []
            for cal_name, work, units in assignments[i]:
                found = calendars.get(cal_name or default_calendar)
                if found is None:
                    raise ScheduleError(f"task {tasks[i].id}: unknown calendar {cal_name!r} of an assignment")
                if work > 0 and units > 0:
                    driving.append((remembered(found), work / units))
            self.driving[i] = driving or None
        if set(map(type, durations)) <= {int}:
            self.dur: list[int] = durations
        else:
            self.dur = [int(round(d)) for d in durations]
        self.rem: list[int] = list(self.dur)
        for i in odd:
            if remaining[i] is not None:
                self.rem[i] = int(round(remaining[i]))
        self.constraint = constraints
        self.elapsed = elapsed
        self.milestone = milestone
        self.manual = manual
        self.dates = (constraint_dates, deadlines, actual_starts, actual_finishes)
        self.calendar_default = remembered(calendars[default_calendar])

    def _check_tasks(self, calendars, default_calendar) -> None:
        """The checks of every task in order: raises for the first task at fault."""
        for task in self.tasks:
            name = task.calendar or default_calendar
            if calendars.get(name) is None:
                raise ScheduleError(f"task {task.id}: unknown calendar {name!r}")
            if task.duration < 0:
                raise ScheduleError(f"task {task.id}: the duration may not be negative")
            if task.constraint not in CONSTRAINTS:
                raise ScheduleError(f"task {task.id}: unknown constraint {task.constraint!r}")
            if task.constraint in DATED_CONSTRAINTS and task.constraint_date is None:
                raise ScheduleError(f"task {task.id}: the constraint {task.constraint} needs a date")
            if task.remaining is not None and task.remaining < 0:
                raise ScheduleError(f"task {task.id}: the remaining duration may not be negative")
            for cal_name, work, units in task.assignments:
                if calendars.get(cal_name or default_calendar) is None:
                    raise ScheduleError(f"task {task.id}: unknown calendar {cal_name!r} of an assignment")
                _ = work > 0 and units > 0
            int(round(task.duration if task.remaining is None else task.remaining))

    def _read_links(self, links) -> None:
        links = links if isinstance(links, list) else list(links)
        get = self.index.get
        try:
            ps = list(map(get, map(_PREDECESSOR, links)))
            ss = list(map(get, map(_SUCCESSOR, links)))
            types = list(map(_TYPE, links))
            kinds = list(map(_LAG_KIND, links))
            valid = (
                None not in ps
                and None not in ss
                and not any(map(operator.eq, ps, ss))
                and set(types) <= _LINK_TYPE_SET
                and set(kinds) <= _LAG_KIND_SET
            )
        except TypeError:
            valid = False
        if not valid:
            self._check_links(links)
        # every link names two tasks of the plan from here on: the checks above raise otherwise
        predecessors, successors = cast("list[int]", ps), cast("list[int]", ss)
        lags = list(map(_LAG, links))
        dur, elapsed = self.dur, self.elapsed
        codes = list(map(_CODES.__getitem__, types))
        minutes = [0] * len(links)  # most links have no lag, and most lags are working time
        for k in itertools.compress(range(len(links)), lags):
            lag = lags[k]
            minutes[k] = int(round(dur[predecessors[k]] * lag / 100.0)) if kinds[k] == PERCENT else int(round(lag))
        elapsed_lags = [False] * len(links)
        for k in itertools.compress(range(len(links)), map(WORK.__ne__, kinds)):
            elapsed_lags[k] = elapsed[predecessors[k]] if kinds[k] == PERCENT else kinds[k] == ELAPSED
        self.link_rows = (predecessors, successors, types, lags, kinds, codes, minutes, elapsed_lags)
        self.link_columns = (predecessors, successors, codes, minutes, elapsed_lags)

    def _check_links(self, links) -> None:
        """The checks of every link in order: raises for the first link at fault."""
        for link in links:
            p = self.index.get(link.predecessor)
            s = self.index.get(link.successor)
            if p is None or s is None:
                missing = link.predecessor if p is None else link.successor
                raise ScheduleError(f"link {link.predecessor} → {link.successor}: task {missing} does not exist")
            if p == s:
                raise LoopError([link.predecessor, link.successor])
            if link.type not in LINK_TYPES:
                raise ScheduleError(f"link {link.predecessor} → {link.successor}: unknown type {link.type!r}")
            if link.lag_kind not in LAG_KINDS:
                raise ScheduleError(f"link {link.predecessor} → {link.successor}: unknown lag kind {link.lag_kind!r}")

    def _link(self, p: int, s: int, kind: str, lag: float, lag_kind: str) -> tuple:
        if lag_kind == PERCENT:
            minutes, elapsed = int(round(self.dur[p] * lag / 100.0)), self.elapsed[p]
        else:
            minutes, elapsed = int(round(lag)), lag_kind == ELAPSED
        return (p, s, kind, lag, lag_kind, _CODES[kind], minutes, elapsed)

    def _check_outline(self) -> None:
        parent = self.parent
        fine = [False] * self.n  # the summary tasks above it contain no loop
        # only summary tasks can be part of a loop: when none is, there is nothing to name
        children = self.children
        for i in [i for i, kids in enumerate(children) if kids]:
            path = []
            p = i
            while p >= 0 and not fine[p]:
                if p in path:
                    break
                path.append(p)
                p = parent[p]
            else:
                for j in path:
                    fine[j] = True
                continue
            break
        else:
            return
        fine = [False] * self.n
        for i in range(self.n):
            if fine[i]:
                continue
            path = [i]
            seen = {i}
            p = parent[i]
            while p >= 0 and not fine[p]:
                if p in seen:
                    raise ScheduleError(f"task {self.tasks[i].id}: its summary tasks contain themselves")
                seen.add(p)
                path.append(p)
                p = parent[p]
            for j in path:
                fine[j] = True

    # -- helpers ---------------------------------------------------------------------------------

    def _minute(self, i: int, value: dt.datetime | None, what: str) -> int | None:
        if value is None:
            return None
        try:
            minute = to_minute(value)
            self.cal[i].work(minute)
        except CalendarError as exc:
            raise ScheduleError(f"task {self.tasks[i].id}: {what}: {exc}") from exc
        return minute

    def _minutes(self, values: list, what: str) -> list[int | None]:
        result: list[int | None] = [None] * self.n
        for i in self.odd:
            if values[i] is not None:
                result[i] = self._minute(i, values[i], what)
        return result

    def _add(self, i: int, t: int, d: int) -> int:
        """``t`` plus (or minus) ``d`` of task ``i``'s kind of time.

        A task driven by resource assignments spends each assignment's work (the same share of it as
        ``d`` is of the duration) on that resource's calendar; the last to finish (or first to start) counts.
        """
        if self.elapsed[i]:
            return t + d
        driving = self.driving[i]
        if driving is None or d == 0 or self.dur[i] == 0:
            return self.cal[i].add(t, d)
        share = d / self.dur[i]
        if d > 0:
            return max(calendar.add(t, int(round(work * share))) for calendar, work in driving)
        return min(calendar.add(t, int(round(work * share))) for calendar, work in driving)

    def _snap_start(self, i: int, t: int) -> int:
        driving = self.driving[i]
        if driving is None:
            return self.cal[i].next_start(t)
        return min(calendar.next_start(t) for calendar, _work in driving)

    def _snap_finish(self, i: int, t: int) -> int:
        driving = self.driving[i]
        if driving is None:
            return self.cal[i].previous_finish(t)
        return max(calendar.previous_finish(t) for calendar, _work in driving)

    def _lag(self, link: tuple) -> tuple[int, bool]:
        return link[6], link[7]

    def _add_lag(self, link, t: int, sign: int = 1) -> int:
        lag = link[6]
        if lag == 0:
            return t
        if link[7]:
            return t + sign * lag
        return self.cal[link[1]].add(t, sign * lag)

    def _next_start(self, i: int, t: int) -> int:
        if self.elapsed[i]:
            return self.cal[i].next_start(t)
        following = self._snap_start(i, t)
        if following > t and self.tasks[i].milestone and self._snap_finish(i, t) == t:
            return t  # a milestone may sit at the end of a working period
        return following

    # -- the passes ------------------------------------------------------------------------------

    def run(self) -> Schedule:
        n = self.n
        tasks = self.tasks
        summary = self.summary
        leaves = list(itertools.compress(range(n), map(operator.not_, summary)))
        summary_links = self._leaf_links()
        preds = self.preds
        constraint_dates, deadlines, actual_starts, actual_finishes = self.dates
        self.constraint_minute = self._minutes(constraint_dates, "constraint date")
        self.deadline_minute = self._minutes(deadlines, "deadline")
        self.actual_start = self._minutes(actual_starts, "actual start")
        self.actual_finish = self._minutes(actual_finishes, "actual finish")
        odd, manual, elapsed, milestone, driving, constraint = (
            self.odd,
            self.manual,
            self.elapsed,
            self.milestone,
            self.driving,
            self.constraint,
        )
        for i in odd:
            if manual[i] and (tasks[i].start is None or tasks[i].finish is None):
                raise ScheduleError(f"task {tasks[i].id}: a manually scheduled task needs a start and a finish")
        # plain tasks: see the class's description
        plain = [True] * n
        self.plain_milestones: list[int] = []  # tasks that would be plain if they were not milestones
        self.plain_floors: list[int] = []  # … if they had no "start no earlier than" constraint
        for i in odd:
            if (
                constraint[i] == SNET
                and not (manual[i] or elapsed[i] or milestone[i] or driving[i] is not None)
                and deadlines[i] is None
                and actual_starts[i] is None
                and actual_finishes[i] is None
            ):
                plain[i] = False
                self.plain_floors.append(i)
            elif (
                constraint[i] != ASAP
                or manual[i]
                or elapsed[i]
                or deadlines[i] is not None
                or actual_starts[i] is not None
                or actual_finishes[i] is not None
                or driving[i] is not None
            ):
                plain[i] = False
            elif milestone[i]:
                plain[i] = False
                self.plain_milestones.append(i)
        self.plain = plain
        self.slack_done = plain  # the tasks whose slack the backward pass works out
        self.es = [0] * n
        self.ef = [0] * n
        self.ls = [0] * n
        self.lf = [0] * n
        self.wes = [0] * n  # working minutes (on the task's calendar) at the early start, … of plain tasks
        self.wef = [0] * n
        self.wls = [0] * n
        self.wlf = [0] * n
        self.total = [0] * n
        self.free = [0] * n
        self.critical = [False] * n
        self.push = [0] * n  # working minutes by which the links would push a constrained task later
        self.computed_ls = [0] * n  # late start from the late finish, before an actual start replaces it
        self.alap_pass = False
        self.expanded: list[tuple] = []
        alap = [i for i in odd if constraint[i] == ALAP and not summary[i]]
        # the passes share 90 % of the progress evenly, in the order they run; the results take the rest
        passes = ["forward", "backward"]
        if any(summary[link[0]] and link[2] in (SS, SF) for link in summary_links):
            passes.insert(0, "first")  # the forward pass that finds the earliest leaf of a summary
        if alap:
            passes.append("alap")  # the forward pass again, with the late dates of as-late-as-possible tasks
        share = 0.9 / len(passes)
        self.spans = {name: (share, share * k) for k, name in enumerate(passes)}
        order = self._summary_passes(leaves, summary_links) if summary_links else None
        waves = _Waves.prepare(self, leaves)
        if waves is not None and not waves.forward():
            waves = None
        if order is None:
            # the levels of the vectors are an order already; the loops need one (and name a loop)
            order = waves.order() if waves is not None else self._sorted(leaves, bool(summary_links))
        if waves is None:
            self._forward(order)
        ef = self.ef
        self.finish = max(map(ef.__getitem__, leaves), default=self.start)
        if not (waves and waves.backward()):
            self._backward(order)
        if alap:
            self.alap_pass = True
            # in this pass links from as-late-as-possible tasks count from their late dates
            is_alap = [False] * n
            for i in alap:
                is_alap[i] = True
            self.plain = [plain[i] and not any(is_alap[link[0]] for link in preds[i]) for i in range(n)]
            self._forward(order, phase="alap")
            es, tables, wes, wef = self.es, self.tables, self.wes, self.wef
            for i in leaves:
                if plain[i] and not self.plain[i]:
                    wes[i] = tables[i][0][es[i]]
                    wef[i] = tables[i][0][ef[i]]
            self.plain = plain
        return self._results(order, leaves)

    def _leaf_links(self) -> list[tuple]:
        """Predecessors and successors of each task from the links between leaves; the links to or from
        summary tasks are returned."""
        n = self.n
        summary = self.summary
        self.preds: list[list[tuple]] = [[] for _ in range(n)]
        self.succs: list[list[tuple]] = [[] for _ in range(n)]
        preds, succs = self.preds, self.succs
        summary_links = []
        raw_links = list(zip(*self.link_rows, strict=True))
        if any(summary):
            for link in raw_links:
                if summary[link[0]] or summary[link[1]]:
                    summary_links.append(link)
                else:
                    preds[link[1]].append(link)
                    succs[link[0]].append(link)
        else:
            for link in raw_links:
                preds[link[1]].append(link)
                succs[link[0]].append(link)
        return summary_links

    def _summary_passes(self, leaves: list[int], summary_links: list[tuple]) -> list[int] | None:
        """Expand the links of summary tasks onto their leaves; the order of the leaves with them when
        it was needed here (None otherwise).

        A start-start or start-finish link from a summary task applies to its earliest leaf: a first
        forward pass without the summary links finds it. That pass is needed only for those leaves and
        the tasks before them (every date it gives is computed again), and only when there are such links.
        """
        summary = self.summary
        wanted: list[int] = []
        for link in summary_links:
            if summary[link[0]] and link[2] in (SS, SF):
                wanted += self._leaves_under(link[0])
        if wanted:
            needed = [False] * self.n
            preds = self.preds
            while wanted:
                i = wanted.pop()
                if not needed[i]:
                    needed[i] = True
                    wanted += [link[0] for link in preds[i] if not needed[link[0]]]
            self._forward(self._order(leaves), needed, "first")
            self._expand_summary_links(summary_links)
            return self._order(leaves)
        self._expand_summary_links(summary_links)
        return None

    def _sorted(self, leaves: list[int], expanded: bool) -> list[int]:
        """The leaves in an order where every predecessor comes first; ``expanded``: with summary links."""
        try:
            return self._order(leaves)
        except LoopError:
            if expanded:
                links = self.preds, self.succs
                self._leaf_links()
                self._order(leaves)  # a loop among the leaves alone is the one to name
                self.preds, self.succs = links
            raise

    def _order(self, leaves: list[int]) -> list[int]:
        """Leaves in an order where every predecessor comes first (Kahn); a loop is named."""
        indegree = [0] * self.n
        preds = self.preds
        for i in leaves:
            indegree[i] = len(preds[i])
        ready = [i for i in leaves if indegree[i] == 0]
        ready.reverse()
        order: list[int] = []
        append = order.append
        push = ready.append
        pop = ready.pop
        succs = self.succs
        while ready:
            i = pop()
            append(i)
            for link in succs[i]:
                s = link[1]
                indegree[s] -= 1
                if indegree[s] == 0:
                    push(s)
        if len(order) < len(leaves):
            raise LoopError(self._find_loop({i for i in leaves if indegree[i] > 0}))
        return order

    def _find_loop(self, stuck: set[int]) -> list[Hashable]:
        # every stuck task has a stuck predecessor: walk back until a task repeats
        start = min(stuck, key=lambda i: str(self.tasks[i].id))
        path = [start]
        seen = {start: 0}
        i = start
        while True:
            i = next(link[0] for link in self.preds[i] if link[0] in stuck)
            if i in seen:
                loop = path[seen[i] :] + [i]
                loop.reverse()
                return [self.tasks[j].id for j in loop]
            seen[i] = len(path)
            path.append(i)

    def _leaves_under(self, i: int) -> list[int]:
        found: list[int] = []
        stack = list(reversed(self.children[i]))
        while stack:
            j = stack.pop()
            if self.summary[j]:
                stack.extend(reversed(self.children[j]))
            else:
                found.append(j)
        return found

    def _expand_summary_links(self, summary_links) -> None:
        for link in summary_links:
            p, s = link[0], link[1]
            if self.summary[p]:
                under = self._leaves_under(p)
                if link[2] in (SS, SF):
                    under = [min(under, key=lambda j: self.es[j])] if under else []
                predecessors = under
            else:
                predecessors = [p]
            successors = self._leaves_under(s) if self.summary[s] else [s]
            for a in predecessors:
                for b in successors:
                    if a == b:
                        continue
                    # the lag and its percentage stay those of the link as drawn (percentages of the summary's duration)
                    new = self._link(
                        a,
                        b,
                        link[2],
                        link[3] if link[4] != PERCENT else self.dur[p] * link[3] / 100.0,
                        link[4] if link[4] != PERCENT else (ELAPSED if self.tasks[p].elapsed else WORK),
                    )
                    self.preds[b].append(new)
                    self.succs[a].append(new)
                    self.expanded.append(new)

    def _early_candidate(self, link, i: int) -> int:
        p, _s, kind = link[0], link[1], link[2]
        alap = self.alap_pass and self.constraint[p] == ALAP
        if kind == FS:
            return self._add_lag(link, self.lf[p] if alap else self.ef[p])
        if kind == SS:
            if self.actual_start[p] is not None and self.actual_finish[p] is not None:
                return self._add_lag(link, self.actual_start[p])
            return self._add_lag(link, self.ls[p] if alap else self.es[p])
        if kind == SF:
            return self._add_lag(link, self._add(i, self.ls[p] if alap else self.es[p], -self.dur[i]))
        # FF
        finish = self.actual_finish[p] if self.actual_finish[p] is not None else (self.lf[p] if alap else self.ef[p])
        return max(self.start, self._add_lag(link, self._add(i, finish, -self.rem[i])))

    def _blocks(self, order: list[int], phase: str) -> Iterable[list[int]]:
        """``order`` in twenty blocks, reporting the progress before each (as one call per task would)
        within the share of the pass ``phase``."""
        report = self.progress
        if report is None:
            yield order
            return
        first, offset = self.spans[phase]
        total = len(order)
        step = max(1, total // 20)
        for count in range(0, total, step):
            report(first * count / max(1, total) + offset)
            yield order[count : count + step]

    def _forward(self, order: list[int], only: list[bool] | None = None, phase: str = "forward") -> None:
        es, ef, wes, wef = self.es, self.ef, self.wes, self.wef
        preds, plain, dur, rem = self.preds, self.plain, self.dur, self.rem
        tables = self.tables
        start = self.start
        general = self._forward_one
        actual_finish = self.actual_finish
        # a finished predecessor's start-start links count from its actual start
        done_start = [a if f is not None else None for a, f in zip(self.actual_start, actual_finish, strict=True)]
        for block in self._blocks(order, phase):
            if only is not None:
                block = [i for i in block if only[i]]
            for i in block:
                if not plain[i]:
                    general(i)
                    continue
                work, start_of, finish_of = tables[i]
                best = -1
                sf = False
                for link in preds[i]:
                    p = link[0]
                    code = link[5]
                    if code == 0:  # FS
                        c = ef[p]
                    elif code == 1:  # SS
                        c = done_start[p]
                        if c is None:
                            c = es[p]
                    elif code == 2:  # FF
                        c = actual_finish[p]
                        if c is None:
                            c = ef[p]
                        d = rem[i]
                        if d:
                            c = start_of[work[c] - d]
                    else:  # SF
                        sf = True
                        c = es[p]
                        d = dur[i]
                        if d:
                            c = start_of[work[c] - d]
                    lag = link[6]
                    if lag:
                        if link[7]:
                            c += lag
                        elif lag > 0:
                            c = finish_of[work[c] + lag]
                        else:
                            c = start_of[work[c] + lag]
                    if code == 2 and c < start:
                        c = start
                    if c > best:
                        best = c
                if best < 0:
                    best = start
                w = work[best]
                early_start = start_of[w]
                d = dur[i]
                es[i] = early_start
                wes[i] = w
                if sf:
                    early_finish = self._sf_finish(i, finish_of[w + d] if d else early_start)
                    ef[i] = early_finish
                    wef[i] = work[early_finish]
                elif d:
                    ef[i] = finish_of[w + d]
                    wef[i] = w + d
                else:
                    ef[i] = early_start
                    wef[i] = w

    def _sf_finish(self, i: int, early_finish: int) -> int:
        for link in self.preds[i]:
            if link[2] == SF:
                # finishing at the start of the predecessor's next working period, as MS Project shows it
                p = link[0]
                alap = self.alap_pass and self.constraint[p] == ALAP
                wanted = self._add_lag(link, self.ls[p] if alap else self.es[p])
                if wanted > early_finish and self._variance(i, early_finish, wanted) == 0:
                    early_finish = wanted
        return early_finish

    def _forward_one(self, i: int) -> None:
        task = self.tasks[i]
        if task.manual:
            self.es[i] = to_minute(task.start)  # type: ignore[arg-type]
            self.ef[i] = to_minute(task.finish)  # type: ignore[arg-type]
            return
        cons = task.constraint
        cdate = self.constraint_minute[i]  # never None for a dated constraint (checked when the tasks are read)
        early_finish: int | None = None
        actual_start = self.actual_start[i]
        if actual_start is None:
            preds = self.preds[i]
            if not preds:
                if cons == SNET:
                    assert cdate is not None
                    early_start = cdate
                elif cons == FNET:
                    assert cdate is not None
                    early_finish = cdate
                    early_start = self._add(i, cdate, -self.dur[i])
                else:
                    early_start = self.start
            else:
                early_start = max(self._early_candidate(link, i) for link in preds)
            early_start = self._next_start(i, early_start)
            if cdate is not None:  # the dated constraints
                if cons == SNET:
                    if early_start < cdate:
                        early_start = cdate
                elif cons == FNLT:
                    latest = self._add(i, cdate, -self.dur[i])
                    if early_start > latest:
                        early_start = latest
                elif cons == FNET:
                    earliest = self._add(i, cdate, -self.dur[i])
                    if early_start < earliest:
                        early_start = earliest
                elif cons == SNLT:
                    if early_start > cdate:
                        early_start = cdate
                elif cons == MSO:
                    early_start = cdate
                elif cons == MFO:
                    early_finish = cdate
                    early_start = self._add(i, cdate, -self.dur[i])
            if cons in (SNET, SNLT, MSO):
                early_start = self._next_start(i, early_start)
            if preds and cons in (MSO, MFO, SNLT, FNLT):
                # the links want a later start than the constraint allows: the slack turns negative
                wanted = self._next_start(i, max(self._early_candidate(link, i) for link in preds))
                self.push[i] = max(0, self._variance(i, early_start, wanted))
        else:
            early_start = actual_start
            if self.actual_finish[i] is None and cons == FNET:
                assert cdate is not None
                early_finish = max(self._add(i, early_start, self.dur[i]), cdate)
        if early_finish is None:
            af = self.actual_finish[i]
            early_finish = af if af is not None else self._add(i, early_start, self.dur[i])
            if af is None and actual_start is None and cons not in (MSO, MFO):
                early_finish = self._sf_finish(i, early_finish)
        self.es[i] = early_start
        self.ef[i] = early_finish

    def _late_candidate(self, link, i: int) -> int:
        p, s, kind = link[0], link[1], link[2]
        if kind == FS:
            value = self._add_lag(link, self.computed_ls[s], -1)
        elif kind == SS:
            late_start = self._add_lag(link, self.cal[p].next_start(self.ls[s]), -1)
            value = self._add(p, late_start, self.dur[p])
        elif kind == FF:
            value = self._add_lag(link, self.lf[s], -1)
        else:  # SF
            value = self._add_lag(link, self._add(p, self.lf[s], self.dur[p]), -1)
        if self.cal[s] is not self.cal[p] and not (link[6] and link[7]):
            latest = self._latest(link)
            if latest > value:
                value = latest
        return value if value < self.finish else self.finish

    def _latest(self, link) -> int:
        """The latest date of the predecessor of ``link`` (its finish) that the successor's late dates allow,
        when the two tasks work on different calendars and the lag is working time.

        The successor sees only its own working time: the predecessor may finish (or, through a link
        from its start, start) as late as the latest moment with the working time on the successor's
        calendar that its late date and the lag leave, such as the successor's next start when that
        is its late date's working time. Without this, a predecessor finishing in the successor's
        non-working time would get a late finish before its early finish. (On one calendar the rules
        above give this date or a later one; an elapsed lag keeps those rules.)
        """
        p, s, code = link[0], link[1], link[5]
        other = self.cal[s]
        if code == 0:
            late = self.computed_ls[s]
        elif code == 1:
            late = self.ls[s]
        else:
            late = self.lf[s]
        t = other.s[other.w[late] - link[6]]
        if code & 1:  # from the predecessor's start: its finish comes its duration later
            t = self._add(p, t, self.dur[p])
        return t

    def _backward(self, order: list[int]) -> None:
        """The late dates; for plain tasks also the slack (as ``_total_slack`` and ``_free_slack`` give it
        when no task is as late as possible; otherwise ``_results`` works it out again)."""
        es, ef, ls, lf, computed_ls = self.es, self.ef, self.ls, self.lf, self.computed_ls
        wes, wef, wls, wlf = self.wes, self.wef, self.wls, self.wlf
        total, free, critical, limit = self.total, self.free, self.critical, self.limit
        succs, plain, dur, rem = self.succs, self.plain, self.dur, self.rem
        actual_finish = self.actual_finish
        tables = self.tables
        finish = self.finish
        general = self._backward_one
        for block in self._blocks(order[::-1], "backward"):
            for i in block:
                if not plain[i]:
                    general(i)
                    continue
                work, start_of, finish_of = tables[i]
                at_start, at_finish = wes[i], wef[i]
                best = None
                room = None  # the free slack
                for link in succs[i]:
                    s = link[1]
                    if actual_finish[s] is not None:
                        continue
                    code = link[5]
                    lag = link[6]
                    if code == 0:  # FS
                        v = computed_ls[s]
                        value = work[es[s]] - at_finish - lag
                    elif code == 1:  # SS
                        v = start_of[work[ls[s]]]
                        value = work[es[s]] - at_start - lag
                    elif code == 2:  # FF
                        v = lf[s]
                        value = work[ef[s]] - at_finish - lag
                    else:  # SF
                        v = lf[s]
                        d = dur[i]
                        if d:
                            v = finish_of[work[v] + d]
                        value = work[ef[s]] - at_start - lag
                    if room is None or value < room:
                        room = value
                    if lag:
                        if link[7]:
                            v -= lag
                        else:
                            other_work, other_start, other_finish = tables[s]  # the lag counts on the successor's calendar
                            v = other_finish[other_work[v] - lag] if lag < 0 else other_start[other_work[v] - lag]
                    if code == 1:
                        d = dur[i]
                        if d:
                            v = finish_of[work[v] + d]
                    other = tables[s]
                    if other[0] is not work and (lag <= 0 or code & 1) and not (lag and link[7]):
                        # on another calendar: as late as the successor's working time allows (see _latest)
                        other_work = other[0]
                        t = other[1][other_work[computed_ls[s] if code == 0 else ls[s] if code == 1 else lf[s]] - lag]
                        if code & 1:
                            d = dur[i]
                            if d:
                                t = finish_of[work[t] + d]
                        if t > v:
                            v = t
                    if v > finish:
                        v = finish
                    if best is None or v < best:
                        best = v
                w = work[finish if best is None else best]
                late_finish = finish_of[w]
                d = rem[i]
                late_start = start_of[w - d] if d else late_finish
                lf[i] = late_finish
                computed_ls[i] = late_start
                ls[i] = late_start
                wlf[i] = w
                wls[i] = w - d
                slack = w - d - at_start
                if w - at_finish < slack:
                    slack = w - at_finish
                total[i] = slack
                if room is None:
                    room = slack
                free[i] = room if room > 0 else 0
                critical[i] = slack <= limit

    def _backward_one(self, i: int) -> None:
        task = self.tasks[i]
        af = self.actual_finish[i]
        if af is None:
            succs = [link for link in self.succs[i] if self.actual_finish[link[1]] is None]
            if not succs:
                late_finish = self.finish
            elif task.milestone and self.dur[i] == 0 and self.actual_start[i] is not None:
                late_finish = self.actual_start[i]
            else:
                late_finish = min(self._late_candidate(link, i) for link in succs)
            cons = task.constraint
            cdate = self.constraint_minute[i]  # never None for a dated constraint (checked when the tasks are read)
            if cdate is not None:  # the dated constraints
                if cons == MSO:
                    late_finish = self._add(i, cdate, self.dur[i])
                elif cons == MFO:
                    late_finish = cdate
                elif cons == SNLT:
                    latest = self._add(i, cdate, self.dur[i])
                    if late_finish > latest:
                        late_finish = latest
                elif cons == FNLT and late_finish > cdate:
                    late_finish = cdate
            deadline = self.deadline_minute[i]
            if deadline is not None and late_finish > deadline:
                late_finish = deadline
            if not task.elapsed and not (task.milestone and self.dur[i] == 0):
                late_finish = self._snap_finish(i, late_finish)
        else:
            late_finish = af
        late_start = self._add(i, late_finish, -self.dur[i]) if task.manual else self._add(i, late_finish, -self.rem[i])
        self.lf[i] = late_finish
        self.computed_ls[i] = late_start
        actual_start = self.actual_start[i]
        self.ls[i] = late_start if actual_start is None else actual_start

    # -- results ---------------------------------------------------------------------------------

    def _variance(self, i: int, a: int, b: int) -> int:
        if self.elapsed[i]:
            return b - a
        return self.cal[i].between(a, b)

    def _results(self, order: list[int], leaves: list[int]) -> Schedule:
        es, ef, ls, lf = self.es, self.ef, self.ls, self.lf
        cal, plain = self.cal, self.plain
        actual_start, actual_finish = self.actual_start, self.actual_finish
        constraint = self.constraint
        total, free, critical, limit = self.total, self.free, self.critical, self.limit
        # the dates shown: the late ones for as-late-as-possible tasks
        shown_start = list(es)
        shown_finish = list(ef)
        for i in self.odd:
            if constraint[i] == ALAP:
                shown_start[i] = ls[i]
                shown_finish[i] = lf[i]
        if self.alap_pass:
            self._plain_slack(leaves, shown_start, shown_finish)
        summary = self.summary
        done = plain if self.alap_pass else self.slack_done
        for i in self.odd:
            if not done[i] and not summary[i]:
                total[i] = slack = self._total_slack(i)
                free[i] = self._free_slack(i, slack)
                critical[i] = slack <= limit and actual_finish[i] is None
        start = shown_start
        finish = shown_finish
        for i in self.odd:
            if (actual := actual_start[i]) is not None:
                start[i] = actual
            if (actual := actual_finish[i]) is not None:
                finish[i] = actual
        # summary roll-up: the earliest start and latest finish of their tasks
        durations = self.dur
        summaries = list(itertools.compress(range(self.n), summary))
        if summaries:
            durations = list(durations)
            alap = {i for i in self.odd if constraint[i] == ALAP}
            if len(leaves) >= _Waves.MIN_TASKS and _numpy() is not None:
                start, finish, es, ef, ls, lf, critical = self._roll_up_vectors(alap, start, finish, es, ef, ls, lf, critical)
            else:
                self._roll_up(alap, start, finish, es, ef, ls, lf, critical)
        for i in summaries:
            work = cal[i].w
            total[i] = min(work[ls[i]] - work[es[i]], work[lf[i]] - work[ef[i]])
            free[i] = total[i]
            durations[i] = work[finish[i]] - work[start[i]]
        # each distinct minute becomes a datetime once
        distinct = list({*start, *finish, *es, *ef, *ls, *lf})
        moments = dict(zip(distinct, _datetimes(distinct), strict=True))
        moment = moments.__getitem__
        rows = zip(
            map(moment, start),
            map(moment, finish),
            map(moment, es),
            map(moment, ef),
            map(moment, ls),
            map(moment, lf),
            total,
            free,
            critical,
            durations,
            strict=True,
        )
        results = dict(zip(self.ids, map(_RESULT, rows), strict=True))
        if self.progress is not None:
            self.progress(1.0)
        ids = self.ids
        return Schedule(
            tasks=results,
            start=from_minute(self.start),
            finish=from_minute(self.finish),
            order=[ids[i] for i in order],
        )

    def _roll_up(self, alap: set[int], start, finish, es, ef, ls, lf, critical) -> None:
        """Summary dates from their children's, children before parents (as-late-as-possible children
        count with their late dates as early ones)."""
        get_start, get_finish, get_es, get_ef = start.__getitem__, finish.__getitem__, es.__getitem__, ef.__getitem__
        get_ls, get_lf, get_critical = ls.__getitem__, lf.__getitem__, critical.__getitem__
        for i in self._summaries_bottom_up():
            kids = self.children[i]
            start[i] = min(map(get_start, kids))
            finish[i] = max(map(get_finish, kids))
            if alap.isdisjoint(kids):
                es[i] = min(map(get_es, kids))
                ef[i] = max(map(get_ef, kids))
            else:
                es[i] = min(ls[j] if j in alap else es[j] for j in kids)
                ef[i] = max(lf[j] if j in alap else ef[j] for j in kids)
            ls[i] = min(map(get_ls, kids))
            lf[i] = max(map(get_lf, kids))
            critical[i] = any(map(get_critical, kids))

    def _roll_up_vectors(self, alap: set[int], *columns: list) -> list[list]:
        """What :meth:`_roll_up` does, an outline level at a time with NumPy; the columns, rolled up."""
        np = _np
        start, finish, es, ef, ls, lf, critical = (np.asarray(c, dtype=np.int64) for c in columns)
        parent = np.asarray(self.parent, dtype=np.int64)
        late = np.zeros(self.n, dtype=bool)
        late[list(alap)] = True
        depth = np.zeros(self.n, dtype=np.int64)
        above = parent.copy()
        while True:
            inside = above >= 0
            if not inside.any():
                break
            depth += inside
            above = np.where(inside, parent[np.maximum(above, 0)], -1)
        by_parent = np.argsort(parent, kind="stable")
        for level in range(int(depth.max()), 0, -1):
            kids = by_parent[depth[by_parent] == level]  # children at this depth, grouped by their summary
            owner = parent[kids]
            heads = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
            summaries = owner[heads]
            for target, values, least in (
                (start, start[kids], True),
                (finish, finish[kids], False),
                (es, np.where(late[kids], ls[kids], es[kids]), True),
                (ef, np.where(late[kids], lf[kids], ef[kids]), False),
                (ls, ls[kids], True),
                (lf, lf[kids], False),
                (critical, critical[kids], False),
            ):
                target[summaries] = (np.minimum if least else np.maximum).reduceat(values, heads)
        rolled = [c.tolist() for c in (start, finish, es, ef, ls, lf)]
        return [*rolled, critical.astype(bool).tolist()]

    def _plain_slack(self, leaves: list[int], shown_start: list[int], shown_finish: list[int]) -> None:
        """The slack of plain tasks, as ``_total_slack`` and ``_free_slack`` give it (after an ALAP pass)."""
        wes, wef, wls, wlf = self.wes, self.wef, self.wls, self.wlf
        total, free, critical, limit = self.total, self.free, self.critical, self.limit
        tables, plain, succs, actual_finish = self.tables, self.plain, self.succs, self.actual_finish
        for i in leaves:
            if not plain[i]:
                continue
            work = tables[i][0]
            at_start, at_finish = wes[i], wef[i]
            slack = wls[i] - at_start
            if wlf[i] - at_finish < slack:
                slack = wlf[i] - at_finish
            room = None
            for link in succs[i]:
                s = link[1]
                if actual_finish[s] is not None:
                    continue
                code = link[5]
                if code == 0:
                    value = work[shown_start[s]] - at_finish
                elif code == 1:
                    value = work[shown_start[s]] - at_start
                elif code == 2:
                    value = work[shown_finish[s]] - at_finish
                else:
                    value = work[shown_finish[s]] - at_start
                value -= link[6]
                if room is None or value < room:
                    room = value
            if room is None:
                room = slack
            total[i] = slack
            free[i] = room if room > 0 else 0
            critical[i] = slack <= limit

    def _summaries_bottom_up(self) -> list[int]:
        parent = self.parent
        depth = {}
        for i in itertools.compress(range(self.n), self.summary):
            d, p = 0, parent[i]
            while p >= 0:
                d += 1
                p = parent[p]
            depth[i] = -d
        return sorted(depth, key=depth.__getitem__)

    def _total_slack(self, i: int) -> int:
        if self.constraint[i] == ALAP:
            return 0
        finish_slack = self._variance(i, self.ef[i], self.lf[i])
        if self.actual_start[i] is not None:
            return finish_slack - self.push[i]
        start_slack = self._variance(i, self.es[i], self.ls[i])
        slack = start_slack if start_slack < finish_slack else finish_slack
        return slack - self.push[i]

    def _free_slack(self, i: int, total: int) -> int:
        if self.actual_finish[i] is not None:
            return 0
        best = None
        constraint = self.constraint
        for link in self.succs[i]:
            s = link[1]
            if self.actual_finish[s] is not None:
                continue
            p_alap = constraint[i] == ALAP
            s_alap = constraint[s] == ALAP
            p_start = self.ls[i] if p_alap else self.es[i]
            p_finish = self.lf[i] if p_alap else self.ef[i]
            s_start = self.ls[s] if s_alap else self.es[s]
            s_finish = self.lf[s] if s_alap else self.ef[s]
            kind = link[2]
            if kind == FS:
                a, b = p_finish, s_start
            elif kind == SS:
                a, b = p_start, s_start
            elif kind == FF:
                a, b = p_finish, s_finish
            else:
                a, b = p_start, s_finish
            lag, _elapsed = self._lag(link)
            value = self._variance(i, a, b) - lag
            if best is None or value < best:
                best = value
        if best is None:
            best = total
        return best if best > 0 else 0


# -- large plans: the passes level by level, with NumPy ---------------------------------------------

_OFFSET = 1 << 34  # calendars side by side on one axis: calendar k's minutes and working minutes + k * _OFFSET


class _Axis:
    """The intervals of several calendars on one axis, for vectorised ``work``, ``start_of`` and ``finish_of``.

    Each calendar's block of intervals is framed by two sentinel entries that every value outside the
    calendar's expanded range finds instead of an interval: one look at the entries found tells whether
    all values were in reach. When they were not, ``bad`` notes where, and ``grow`` expands the calendars
    (with their own methods) around those values.
    """

    def __init__(self, calendars: list[Calendar]):
        self.calendars = calendars
        self.build()

    def build(self) -> None:
        np = _np
        starts, ends, cum, cum_end, sentinel = [], [], [], [], []
        lo_t, hi_t, lo_w, hi_w = [], [], [], []
        half = _OFFSET // 2
        for k, calendar in enumerate(self.calendars):
            c_starts, c_ends, c_cum, c_cum_end, hi_day = calendar._intervals()
            offset = k * _OFFSET
            first_t, last_t, first_w, last_w = c_starts[0], hi_day * 1440, c_cum[0], c_cum_end[-1]
            lo_t.append(first_t)
            hi_t.append(last_t)
            lo_w.append(first_w)
            hi_w.append(last_w)
            # before the block: moments before its first interval, work up to its first minute
            starts.append([offset])
            ends.append([offset])
            cum.append([offset + first_w])
            cum_end.append([offset + first_w])
            sentinel.append([True])
            starts.append(np.asarray(c_starts, dtype=np.int64) + offset)
            ends.append(np.asarray(c_ends, dtype=np.int64) + offset)
            cum.append(np.asarray(c_cum, dtype=np.int64) + offset)
            cum_end.append(np.asarray(c_cum_end, dtype=np.int64) + offset)
            sentinel.append(np.zeros(len(c_starts), dtype=bool))
            # after it: moments from the first day not expanded, work from its last minute
            starts.append([offset + last_t])
            ends.append([offset + last_t])
            cum.append([offset + last_w])
            cum_end.append([offset + half])
            sentinel.append([True])
        self.starts = np.concatenate(starts).astype(np.int64)
        self.ends = np.concatenate(ends).astype(np.int64)
        self.cum = np.concatenate(cum).astype(np.int64)
        self.cum_end = np.concatenate(cum_end).astype(np.int64)
        self.sentinel = np.concatenate(sentinel).astype(bool)
        self.lo_t = np.asarray(lo_t, dtype=np.int64)
        self.hi_t = np.asarray(hi_t, dtype=np.int64)
        self.lo_w = np.asarray(lo_w, dtype=np.int64)
        self.hi_w = np.asarray(hi_w, dtype=np.int64)
        self.bad: list[tuple[str, int, int]] = []

    def work(self, t, k):
        """Working minutes (with the calendar's offset) at clock minutes ``t`` on calendars ``k``."""
        x = t + k * _OFFSET
        i = self.starts.searchsorted(x, "right") - 1
        if self.sentinel[i].any():
            self._note("work", t, k, (t >= self.lo_t[k]) & (t < self.hi_t[k]))
        return self.cum[i] + _np.minimum(x, self.ends[i]) - self.starts[i]

    def start_of(self, w, k):
        i = self.cum.searchsorted(w, "right") - 1
        offset = k * _OFFSET
        if self.sentinel[i].any():
            true = w - offset
            self._note("start_of", true, k, (true >= self.lo_w[k]) & (true < self.hi_w[k]))
        return self.starts[i] + w - self.cum[i] - offset

    def finish_of(self, w, k):
        i = _np.minimum(self.cum_end.searchsorted(w, "left"), len(self.cum_end) - 1)
        offset = k * _OFFSET
        if self.sentinel[i].any():
            true = w - offset
            self._note("finish_of", true, k, (true > self.lo_w[k]) & (true <= self.hi_w[k]))
        return self.ends[i] - (self.cum_end[i] - w) - offset

    def _note(self, what: str, values, k, ok) -> None:
        wrong = ~ok
        for calendar in _np.unique(k[wrong]).tolist():
            chosen = values[wrong & (k == calendar)]
            self.bad.append((what, calendar, int(chosen.min())))
            self.bad.append((what, calendar, int(chosen.max())))

    def grow(self) -> None:
        """Expand the calendars over the values that were out of reach (raises as the calendar does)."""
        for what, k, value in self.bad:
            getattr(self.calendars[k], what)(value)
        self.build()


class _Waves:
    """The forward and backward passes of plain tasks computed a level at a time with NumPy.

    A task's level is one more than its predecessors' highest; the tasks of one level do not depend on
    each other. Plain tasks (and in the forward pass, only those without a start-finish predecessor) of
    a level are computed together with the same arithmetic as the loops in :meth:`_Planner._forward` and
    :meth:`_Planner._backward`; the others of the level go through the general rules one by one. The
    result is the same as the loops'; it pays off for plans of many tasks in few levels.
    """

    MIN_TASKS = 3000  # below this, the loops are as fast
    MIN_WIDTH = 40  # tasks per level on average

    @classmethod
    def prepare(cls, planner: _Planner, leaves: list[int]) -> _Waves | None:
        if len(leaves) < cls.MIN_TASKS or _numpy() is None:
            return None
        try:
            waves = cls(planner, leaves)
        except IndexError:  # a calendar without working time near the start: the loops deal with it
            return None
        return waves if waves.levels and len(leaves) >= cls.MIN_WIDTH * len(waves.levels) else None

    def __init__(self, planner: _Planner, leaves: list[int]):
        np = _np
        self.planner = planner
        n = planner.n
        ps, ss, codes, minutes, elapsed_lags = planner.link_columns
        summary = np.asarray(planner.summary, dtype=bool)
        P = np.asarray(ps, dtype=np.int64)
        S = np.asarray(ss, dtype=np.int64)
        code = np.asarray(codes, dtype=np.int64)
        lag = np.asarray(minutes, dtype=np.int64)
        lel = np.asarray(elapsed_lags, dtype=bool)
        keep = ~(summary[P] | summary[S])
        P, S, code, lag, lel = P[keep], S[keep], code[keep], lag[keep], lel[keep]
        if planner.expanded:
            extra = list(zip(*planner.expanded, strict=True))
            P = np.concatenate([P, np.asarray(extra[0], dtype=np.int64)])
            S = np.concatenate([S, np.asarray(extra[1], dtype=np.int64)])
            code = np.concatenate([code, np.asarray(extra[5], dtype=np.int64)])
            lag = np.concatenate([lag, np.asarray(extra[6], dtype=np.int64)])
            lel = np.concatenate([lel, np.asarray(extra[7], dtype=bool)])
        self.n = n
        # levels (Kahn, a frontier at a time)
        by_p = np.argsort(P, kind="stable")
        p_sorted, s_by_p = P[by_p], S[by_p]
        first = np.searchsorted(p_sorted, np.arange(n + 1))
        indegree = np.bincount(S, minlength=n)
        is_leaf = ~summary
        level = np.full(n, -1, dtype=np.int64)
        frontier = np.flatnonzero(is_leaf & (indegree == 0))
        levels = []
        depth = 0
        while frontier.size:
            level[frontier] = depth
            levels.append(frontier)
            counts = first[frontier + 1] - first[frontier]
            total = int(counts.sum())
            if not total:
                break
            starts = np.repeat(first[frontier] - np.cumsum(counts) + counts, counts) + np.arange(total)
            reached, counts = np.unique(s_by_p[starts], return_counts=True)
            indegree[reached] -= counts
            frontier = reached[indegree[reached] == 0]
            depth += 1
        if sum(len(f) for f in levels) != len(leaves):
            self.levels = []  # a loop: the loops name it
            return
        self.levels = levels
        self.level = level
        self.P, self.S, self.code, self.lag, self.lel = P, S, code, lag, lel
        plain = np.asarray(planner.plain, dtype=bool)
        # milestones that are plain but for being milestones: the vectors apply their rules too
        self.milestone = np.zeros(n, dtype=bool)
        self.milestone[planner.plain_milestones] = True
        # tasks that start no earlier than a date: the vectors raise their start to it
        self.floored = np.zeros(n, dtype=bool)
        self.floored[planner.plain_floors] = True
        self.floor = np.zeros(n, dtype=np.int64)
        self.floor[planner.plain_floors] = [planner.constraint_minute[i] for i in planner.plain_floors]
        self.plain = plain | self.milestone | self.floored
        self.dur = np.asarray(planner.dur, dtype=np.int64)
        self.rem = np.asarray(planner.rem, dtype=np.int64)
        calendars = planner.calendar_list
        self.kind = np.asarray(planner.calendar_kind, dtype=np.int64)
        for calendar in calendars:
            calendar.work(planner.start)  # expanded around the start at least
        self.axis = _Axis(calendars)

    def order(self) -> list[int]:
        """The leaves level by level: every predecessor comes first."""
        return _np.concatenate(self.levels).tolist()

    def _groups(self, key_task, eligible):
        """Links grouped by level of ``key_task`` (the successor or the predecessor), sorted by that task."""
        np = _np
        level = self.level[key_task]
        keep = eligible
        order = np.lexsort((key_task[keep], level[keep]))
        index = np.flatnonzero(keep)[order]
        bounds = np.searchsorted(level[index], np.arange(len(self.levels) + 1))
        return index, bounds

    def forward(self) -> bool:
        """The forward pass; False when it must be done by the loops instead."""
        np = _np
        planner = self.planner
        axis = self.axis
        S = self.S
        n = self.n
        vector = self.plain
        index, bounds = self._groups(S, vector[S])
        ES = np.zeros(n, dtype=np.int64)
        EF = np.zeros(n, dtype=np.int64)
        WES = np.zeros(n, dtype=np.int64)
        WEF = np.zeros(n, dtype=np.int64)
        SSRC = np.zeros(n, dtype=np.int64)  # the dates start-start and finish-finish links count from
        FSRC = np.zeros(n, dtype=np.int64)
        es, ef = planner.es, planner.ef
        done_start = [a if f is not None else None for a, f in zip(planner.actual_start, planner.actual_finish, strict=True)]
        actual_finish = planner.actual_finish
        preds = planner.preds
        general = planner._forward_one
        start = planner.start
        reports = self._reports("forward")
        done = 0
        for number, tasks in enumerate(self.levels):
            flags = vector[tasks]
            for i in tasks[~flags].tolist():
                for link in preds[i]:
                    p = link[0]
                    es[p] = int(ES[p])
                    ef[p] = int(EF[p])
                general(i)
                ES[i] = es[i]
                EF[i] = ef[i]
                SSRC[i] = es[i] if done_start[i] is None else done_start[i]
                FSRC[i] = ef[i] if actual_finish[i] is None else actual_finish[i]
            chosen = tasks[flags]
            links = index[bounds[number] : bounds[number + 1]]
            for _attempt in range(4):
                values = self._forward_level(chosen, links, ES, EF, SSRC, FSRC, start)
                if not axis.bad:
                    break
                axis.grow()
            else:
                return False
            early_start, early_finish, w, wd = values
            ES[chosen] = early_start
            EF[chosen] = early_finish
            SSRC[chosen] = early_start
            FSRC[chosen] = early_finish
            WES[chosen] = w
            WEF[chosen] = wd
            done += len(tasks)
            reports(done)
        planner.es, planner.ef = ES.tolist(), EF.tolist()
        planner.wes, planner.wef = WES.tolist(), WEF.tolist()
        self.arrays = (ES, EF, WES, WEF)
        return True

    def _forward_level(self, chosen, links, ES, EF, SSRC, FSRC, start):
        np = _np
        axis = self.axis
        axis.bad = []
        k_task = self.kind[chosen]
        d = self.dur[chosen]
        best = np.full(len(chosen), start, dtype=np.int64)
        where = None
        if len(links):
            p, s, code, lag, lel = self.P[links], self.S[links], self.code[links], self.lag[links], self.lel[links]
            k = self.kind[s]
            c = np.where(code == 1, SSRC[p], EF[p])
            ff = code == 2
            c[ff] = FSRC[p[ff]]
            m = ff & (self.rem[s] > 0)
            if m.any():
                c[m] = axis.start_of(axis.work(c[m], k[m]) - self.rem[s[m]], k[m])
            sf = code == 3
            if sf.any():
                c[sf] = ES[p[sf]]
                m = sf & (self.dur[s] > 0)
                if m.any():
                    c[m] = axis.start_of(axis.work(c[m], k[m]) - self.dur[s[m]], k[m])
            m = (lag != 0) & lel
            c[m] += lag[m]
            m = (lag > 0) & ~lel
            if m.any():
                c[m] = axis.finish_of(axis.work(c[m], k[m]) + lag[m], k[m])
            m = (lag < 0) & ~lel
            if m.any():
                c[m] = axis.start_of(axis.work(c[m], k[m]) + lag[m], k[m])
            c[ff] = np.maximum(c[ff], start)
            heads = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
            most = np.maximum.reduceat(c, heads)
            where = np.searchsorted(chosen, s[heads])
            best[where] = most
        floored = self.floored[chosen]
        if floored.any():
            # no earlier than the date; without predecessors, at the date (even before the project's start)
            dates = self.floor[chosen]
            free = np.ones(len(chosen), dtype=bool)
            if where is not None:
                free[where] = False
            best[floored] = np.where(free[floored], dates[floored], np.maximum(best[floored], dates[floored]))
        w = axis.work(best, k_task)
        early_start = axis.start_of(w, k_task)
        milestone = self.milestone[chosen]
        if milestone.any():
            # a milestone may sit at the end of a working period
            stay = milestone & (early_start > best)
            if stay.any():
                stay[stay] = axis.finish_of(w[stay], k_task[stay]) == best[stay]
                early_start[stay] = best[stay]
        positive = d > 0
        early_finish = early_start.copy()
        if positive.any():
            early_finish[positive] = axis.finish_of(w[positive] + d[positive], k_task[positive])
        offset = k_task * _OFFSET
        wef = w - offset + d
        if len(links):
            sf = code == 3
            if sf.any():
                # finishing at the start of the predecessor's next working period, as MS Project shows it
                wanted = ES[p[sf]]
                ks, l_sf, e_sf = k[sf], lag[sf], lel[sf]
                m = (l_sf != 0) & e_sf
                wanted[m] += l_sf[m]
                m = (l_sf > 0) & ~e_sf
                if m.any():
                    wanted[m] = axis.finish_of(axis.work(wanted[m], ks[m]) + l_sf[m], ks[m])
                m = (l_sf < 0) & ~e_sf
                if m.any():
                    wanted[m] = axis.start_of(axis.work(wanted[m], ks[m]) + l_sf[m], ks[m])
                where = np.searchsorted(chosen, s[sf])
                mine = early_finish[where]
                fits = (wanted > mine) & (axis.work(wanted, ks) - ks * _OFFSET == wef[where])
                if fits.any():
                    np.maximum.at(early_finish, where[fits], wanted[fits])
        return early_start, early_finish, w - offset, wef

    def backward(self) -> bool:
        """The backward pass, with the slack of plain tasks; False when it must be done by the loops instead."""
        np = _np
        planner = self.planner
        axis = self.axis
        n = self.n
        finished = np.zeros(n, dtype=bool)
        for i in planner.odd:
            if planner.actual_finish[i] is not None:
                finished[i] = True
        vector = self.plain
        index, bounds = self._groups(self.P, vector[self.P] & ~finished[self.S])
        ES, EF, WES, WEF = self.arrays
        late = np.zeros((3, n), dtype=np.int64)  # late starts, late finishes, computed late starts
        LS, LF, CLS = late
        # links between tasks on different calendars that may let the predecessor finish later than the
        # rules on one calendar give (see _Planner._latest), and which of the successor's late dates they
        # count from; left out: elapsed lags, and positive lags from the predecessor's finish and links
        # without lag to a late start that is a start of the successor's calendar, which those rules
        # give as late as it can be already
        P, S, code, lag = self.P, self.S, self.code, self.lag
        cross = (self.kind[P] != self.kind[S]) & ~((lag != 0) & self.lel)
        cross &= ~((lag > 0) & ((code & 1) == 0))
        cross &= ~((lag == 0) & (code == 0) & vector[S] & (self.rem[S] > 0))
        self.cross = cross
        self.late = late
        self.late_row = np.where(code == 0, 2, np.where(code == 1, 0, 1)).astype(np.int8)
        WLS = np.zeros(n, dtype=np.int64)
        WLF = np.zeros(n, dtype=np.int64)
        TOTAL = np.zeros(n, dtype=np.int64)
        FREE = np.zeros(n, dtype=np.int64)
        ls, lf, computed_ls = planner.ls, planner.lf, planner.computed_ls
        succs = planner.succs
        general = planner._backward_one
        finish = planner.finish
        reports = self._reports("backward")
        done = 0
        for number in range(len(self.levels) - 1, -1, -1):
            tasks = self.levels[number]
            flags = vector[tasks]
            for i in tasks[~flags].tolist():
                for link in succs[i]:
                    s = link[1]
                    ls[s], lf[s], computed_ls[s] = int(LS[s]), int(LF[s]), int(CLS[s])
                general(i)
                LS[i], LF[i], CLS[i] = ls[i], lf[i], computed_ls[i]
            chosen = tasks[flags]
            links = index[bounds[number] : bounds[number + 1]]
            for _attempt in range(4):
                values = self._backward_level(chosen, links, ES, EF, WES, WEF, LS, LF, CLS, finish)
                if not axis.bad:
                    break
                axis.grow()
            else:
                return False
            late_start, late_finish, wls, wlf, total, free = values
            LS[chosen] = late_start
            LF[chosen] = late_finish
            CLS[chosen] = late_start
            WLS[chosen] = wls
            WLF[chosen] = wlf
            TOTAL[chosen] = total
            FREE[chosen] = free
            done += len(tasks)
            reports(done)
        planner.ls, planner.lf, planner.computed_ls = LS.tolist(), LF.tolist(), CLS.tolist()
        # (the values of the other tasks are worked out by _results)
        planner.wls, planner.wlf, planner.total, planner.free = WLS.tolist(), WLF.tolist(), TOTAL.tolist(), FREE.tolist()
        planner.critical = ((planner.limit >= TOTAL) & vector).tolist()
        planner.slack_done = vector.tolist()
        return True

    def _backward_level(self, chosen, links, ES, EF, WES, WEF, LS, LF, CLS, finish):
        np = _np
        axis = self.axis
        axis.bad = []
        k_task = self.kind[chosen]
        offset_task = k_task * _OFFSET
        best = np.full(len(chosen), finish, dtype=np.int64)
        room = np.zeros(len(chosen), dtype=np.int64)
        linked = np.zeros(len(chosen), dtype=bool)
        if len(links):
            p, s, code, lag, lel = self.P[links], self.S[links], self.code[links], self.lag[links], self.lel[links]
            kp, ks = self.kind[p], self.kind[s]
            d = self.dur[p]
            v = CLS[s]
            ss = code == 1
            if ss.any():
                v[ss] = axis.start_of(axis.work(LS[s[ss]], kp[ss]), kp[ss])
            ff_sf = code >= 2
            v[ff_sf] = LF[s[ff_sf]]
            m = (code == 3) & (d > 0)
            if m.any():
                v[m] = axis.finish_of(axis.work(v[m], kp[m]) + d[m], kp[m])
            # the free slack, on the predecessor's calendar
            of_start = (code == 0) | ss
            theirs = np.where(of_start, ES[s], EF[s])
            ours = np.where((code == 0) | (code == 2), WEF[p], WES[p])
            value = axis.work(theirs, kp) - kp * _OFFSET - ours - lag
            m = (lag != 0) & lel
            v[m] -= lag[m]
            m = (lag < 0) & ~lel
            if m.any():
                v[m] = axis.finish_of(axis.work(v[m], ks[m]) - lag[m], ks[m])
            m = (lag > 0) & ~lel
            if m.any():
                v[m] = axis.start_of(axis.work(v[m], ks[m]) - lag[m], ks[m])
            m = ss & (d > 0)
            if m.any():
                v[m] = axis.finish_of(axis.work(v[m], kp[m]) + d[m], kp[m])
            # on another calendar: as late as the successor's working time allows (see _Planner._latest)
            other = self.cross[links]
            if other.any():
                chosen_links = links[other]
                so, ko = s[other], ks[other]
                t = axis.start_of(axis.work(self.late[self.late_row[chosen_links], so], ko) - lag[other], ko)
                m = ((code[other] & 1) == 1) & (d[other] > 0)
                if m.any():
                    kpo = kp[other][m]
                    t[m] = axis.finish_of(axis.work(t[m], kpo) + d[other][m], kpo)
                v[other] = np.maximum(v[other], t)
            v = np.minimum(v, finish)
            heads = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1])))
            where = np.searchsorted(chosen, p[heads])
            best[where] = np.minimum.reduceat(v, heads)
            room[where] = np.minimum.reduceat(value, heads)
            linked[where] = True
        w = axis.work(best, k_task)
        late_finish = axis.finish_of(w, k_task)
        keep = self.milestone[chosen] & (self.dur[chosen] == 0)
        late_finish[keep] = best[keep]
        r = self.rem[chosen]
        late_start = late_finish.copy()
        positive = r > 0
        if positive.any():
            late_start[positive] = axis.start_of(w[positive] - r[positive], k_task[positive])
        wlf = w - offset_task
        wls = wlf - r
        total = np.minimum(wls - WES[chosen], wlf - WEF[chosen])
        room = np.where(linked, room, total)
        return late_start, late_finish, wls, wlf, total, np.maximum(room, 0)

    def _reports(self, phase: str) -> Callable[[int], None]:
        """The progress reports of the loops for the pass ``phase`` (twenty, as the tasks get done)."""
        planner = self.planner
        report = planner.progress
        total = sum(len(t) for t in self.levels)
        if report is None:
            return lambda done: None
        first, offset = planner.spans[phase]
        step = max(1, total // 20)
        pending = list(range(0, total, step))
        pending.reverse()

        def reached(done: int) -> None:
            while pending and pending[-1] <= done:
                report(first * pending.pop() / max(1, total) + offset)

        reached(0)
        return reached
