"""Scheduling by the critical path method, with Microsoft Project's rules.

Plain data in, dates out. A plan is a list of :class:`Task` (leaves and summaries, linked by
``parent``) and a list of :class:`Link`; calendars are :class:`regie.engine.calendar.Calendar`
objects keyed by name. :func:`schedule` returns a :class:`TaskResult` per task.

The rules follow what Microsoft Project computes, so that a plan exchanged with it shows the same dates:

- a task starts at the next working time of its own calendar (a milestone may sit at the end of a
  working period); a finish is the end of the working period in which its work ends;
- lags are counted on the successor's calendar (elapsed lags on the clock; percentage lags as a share
  of the predecessor's duration);
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
import operator
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .calendar import Calendar, CalendarError, elapsed_calendar, from_minute, to_minute

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


@dataclass
class TaskResult:
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
    return _Planner(tasks, links, calendars, default_calendar, start, critical_slack_limit, progress).run()


_ELAPSED = elapsed_calendar()

_CODES = {FS: 0, SS: 1, FF: 2, SF: 3}  # link types as small integers for the passes
_CONSTRAINT_SET = frozenset(CONSTRAINTS)
_LINK_TYPE_SET = frozenset(LINK_TYPES)
_LAG_KIND_SET = frozenset(LAG_KINDS)


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
    the passes handle those inline with the calendars' remembered answers; every other task goes
    through the general rules (``_forward_one``, ``_backward_one``), which give the same dates for a
    plain task, only more slowly.
    """

    def __init__(self, tasks, links, calendars, default_calendar, start, critical_slack_limit, progress):
        if default_calendar not in calendars:
            raise ScheduleError(f"unknown calendar {default_calendar!r}")
        self.progress = progress
        self.limit = critical_slack_limit
        self.tasks: list[Task] = list(tasks)
        tasks = self.tasks
        n = len(tasks)
        self.n = n
        ids = [task.id for task in tasks]
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
        for i, key in enumerate([task.parent for task in tasks]):
            if key is not None:
                p = index.get(key)
                if p is None:
                    raise ScheduleError(f"task {ids[i]}: its summary task {key} does not exist")
                parent[i] = p
                children[p].append(i)
        self._check_outline()
        self.summary = [bool(c) for c in children]
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
        names = [task.calendar for task in tasks]
        durations = [task.duration for task in tasks]
        constraints = [task.constraint for task in tasks]
        remaining = [task.remaining for task in tasks]
        assignments = [task.assignments for task in tasks]
        given_remaining = [i for i, r in enumerate(remaining) if r is not None]
        dated = [i for i, c in enumerate(constraints) if c != ASAP]
        assigned = [i for i, a in enumerate(assignments) if a]
        try:
            used = set(names)
            valid = (
                all(calendars.get(name or default_calendar) is not None for name in used)
                and (not durations or min(durations) >= 0)
                and set(constraints) <= _CONSTRAINT_SET
                and all(tasks[i].constraint_date is not None for i in dated if constraints[i] in DATED_CONSTRAINTS)
                and all(remaining[i] >= 0 for i in given_remaining)
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
        self.cal: list[_Memo] = [by_name[name] for name in names]
        self.driving: list[list[tuple[_Memo, float]] | None] = [None] * n
        for i in assigned:
            driving = []
            for cal_name, work, units in assignments[i]:
                found = calendars.get(cal_name or default_calendar)
                if found is None:
                    raise ScheduleError(f"task {tasks[i].id}: unknown calendar {cal_name!r} of an assignment")
                if work > 0 and units > 0:
                    driving.append((remembered(found), work / units))
            self.driving[i] = driving or None
        self.dur: list[int] = [int(round(d)) for d in durations]
        self.rem: list[int] = list(self.dur)
        for i in given_remaining:
            self.rem[i] = int(round(remaining[i]))
        self.constraint = constraints
        self.elapsed = [task.elapsed for task in tasks]
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
            ps = [get(link.predecessor) for link in links]
            ss = [get(link.successor) for link in links]
            types = [link.type for link in links]
            kinds = [link.lag_kind for link in links]
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
        lags = [link.lag for link in links]
        dur, elapsed = self.dur, self.elapsed
        codes = [_CODES[t] for t in types]
        minutes = [
            (int(round(dur[p] * lag / 100.0)) if kind == PERCENT else int(round(lag))) if lag else 0
            for p, lag, kind in zip(ps, lags, kinds, strict=True)
        ]
        elapsed_lags = [elapsed[p] if kind == PERCENT else kind == ELAPSED for p, kind in zip(ps, kinds, strict=True)]
        self.raw_links: list[tuple] = list(zip(ps, ss, types, lags, kinds, codes, minutes, elapsed_lags, strict=True))

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
        for i in [i for i, value in enumerate(values) if value is not None]:
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
        leaves = [i for i in range(n) if not summary[i]]
        self.preds: list[list[tuple]] = [[] for _ in range(n)]
        self.succs: list[list[tuple]] = [[] for _ in range(n)]
        preds, succs = self.preds, self.succs
        summary_links = []
        if any(summary):
            for link in self.raw_links:
                if summary[link[0]] or summary[link[1]]:
                    summary_links.append(link)
                else:
                    preds[link[1]].append(link)
                    succs[link[0]].append(link)
        else:
            for link in self.raw_links:
                preds[link[1]].append(link)
                succs[link[0]].append(link)
        self.constraint_minute = self._minutes([t.constraint_date for t in tasks], "constraint date")
        deadlines = [t.deadline for t in tasks]
        self.deadline_minute = self._minutes(deadlines, "deadline")
        self.actual_start = self._minutes([t.actual_start for t in tasks], "actual start")
        self.actual_finish = self._minutes([t.actual_finish for t in tasks], "actual finish")
        manual = [i for i, t in enumerate(tasks) if t.manual]
        for i in manual:
            if tasks[i].start is None or tasks[i].finish is None:
                raise ScheduleError(f"task {tasks[i].id}: a manually scheduled task needs a start and a finish")
        # plain tasks: see the class's description
        plain = [c == ASAP for c in self.constraint]
        for i in manual:
            plain[i] = False
        for values in (self.actual_start, self.actual_finish, self.driving, deadlines):
            for i in [i for i, value in enumerate(values) if value is not None]:
                plain[i] = False
        for i in [i for i, t in enumerate(tasks) if t.elapsed or t.milestone]:
            plain[i] = False
        self.plain = plain
        self.es = [0] * n
        self.ef = [0] * n
        self.ls = [0] * n
        self.lf = [0] * n
        self.push = [0] * n  # working minutes by which the links would push a constrained task later
        self.computed_ls = [0] * n  # late start from the late finish, before an actual start replaces it
        self.alap_pass = False
        order = self._order(leaves)
        self._forward(order)
        if summary_links:
            self._expand_summary_links(summary_links)
            order = self._order(leaves)
            self._forward(order)
        ef = self.ef
        self.finish = max((ef[i] for i in leaves), default=self.start)
        self._backward(order)
        alap = [i for i in leaves if self.constraint[i] == ALAP]
        if alap:
            self.alap_pass = True
            # in this pass links from as-late-as-possible tasks count from their late dates
            is_alap = [False] * n
            for i in alap:
                is_alap[i] = True
            self.plain = [plain[i] and not any(is_alap[link[0]] for link in preds[i]) for i in range(n)]
            self._forward(order)
            self.plain = plain
        return self._results(order)

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

    def _blocks(self, order: list[int], first: float, offset: float) -> Iterable[list[int]]:
        """``order`` in twenty blocks, reporting the progress before each (as one call per task would)."""
        report = self.progress
        if report is None:
            yield order
            return
        total = len(order)
        step = max(1, total // 20)
        for count in range(0, total, step):
            report(first * count / max(1, total) + offset)
            yield order[count : count + step]

    def _forward(self, order: list[int]) -> None:
        es, ef = self.es, self.ef
        preds, plain, dur, rem = self.preds, self.plain, self.dur, self.rem
        cal = self.cal
        start = self.start
        general = self._forward_one
        actual_finish = self.actual_finish
        # a finished predecessor's start-start links count from its actual start
        done_start = [a if f is not None else None for a, f in zip(self.actual_start, actual_finish, strict=True)]
        for block in self._blocks(order, 0.45, 0.45 if self.alap_pass else 0.0):
            for i in block:
                if not plain[i]:
                    general(i)
                    continue
                memo = cal[i]
                work, start_of, finish_of = memo.w, memo.s, memo.f
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
                early_finish = finish_of[w + d] if d else early_start
                if sf:
                    early_finish = self._sf_finish(i, early_finish)
                es[i] = early_start
                ef[i] = early_finish

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
        cdate = self.constraint_minute[i]
        early_finish = None
        actual_start = self.actual_start[i]
        if actual_start is None:
            preds = self.preds[i]
            if not preds:
                if cons == SNET:
                    early_start = cdate
                elif cons == FNET:
                    early_finish = cdate
                    early_start = self._add(i, cdate, -self.dur[i])
                else:
                    early_start = self.start
            else:
                early_start = max(self._early_candidate(link, i) for link in preds)
            early_start = self._next_start(i, early_start)
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
        return value if value < self.finish else self.finish

    def _backward(self, order: list[int]) -> None:
        ls, lf, computed_ls = self.ls, self.lf, self.computed_ls
        succs, plain, dur, rem = self.succs, self.plain, self.dur, self.rem
        actual_finish = self.actual_finish
        cal = self.cal
        finish = self.finish
        general = self._backward_one
        backwards = order[::-1]
        for block in self._blocks(backwards, 0.45, 0.45):
            for i in block:
                if not plain[i]:
                    general(i)
                    continue
                memo = cal[i]
                work, start_of, finish_of = memo.w, memo.s, memo.f
                best = None
                for link in succs[i]:
                    s = link[1]
                    if actual_finish[s] is not None:
                        continue
                    code = link[5]
                    if code == 0:  # FS
                        v = computed_ls[s]
                    elif code == 1:  # SS
                        v = start_of[work[ls[s]]]
                    elif code == 2:  # FF
                        v = lf[s]
                    else:  # SF
                        v = lf[s]
                        d = dur[i]
                        if d:
                            v = finish_of[work[v] + d]
                    lag = link[6]
                    if lag:
                        if link[7]:
                            v -= lag
                        else:
                            other = cal[s]  # the lag counts on the successor's calendar
                            v = other.f[other.w[v] - lag] if lag < 0 else other.s[other.w[v] - lag]
                    if code == 1:
                        d = dur[i]
                        if d:
                            v = finish_of[work[v] + d]
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
            cdate = self.constraint_minute[i]
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
        self.ls[i] = late_start if self.actual_start[i] is None else self.actual_start[i]

    # -- results ---------------------------------------------------------------------------------

    def _variance(self, i: int, a: int, b: int) -> int:
        if self.elapsed[i]:
            return b - a
        return self.cal[i].between(a, b)

    def _results(self, order: list[int]) -> Schedule:
        n = self.n
        es, ef, ls, lf = self.es, self.ef, self.ls, self.lf
        cal, plain, succs = self.cal, self.plain, self.succs
        actual_start, actual_finish = self.actual_start, self.actual_finish
        constraint = self.constraint
        # the dates shown: the late ones for as-late-as-possible tasks
        shown_start = list(es)
        shown_finish = list(ef)
        for i in [i for i, c in enumerate(constraint) if c == ALAP]:
            shown_start[i] = ls[i]
            shown_finish[i] = lf[i]
        total = [0] * n
        free = [0] * n
        total_slack, free_slack = self._total_slack, self._free_slack
        for i in order:
            if not plain[i]:
                total[i] = slack = total_slack(i)
                free[i] = free_slack(i, slack)
                continue
            work = cal[i].w
            start_work = work[es[i]]
            finish_work = work[ef[i]]
            start_slack = work[ls[i]] - start_work
            slack = work[lf[i]] - finish_work
            if start_slack < slack:
                slack = start_slack
            total[i] = slack
            best = None
            for link in succs[i]:
                s = link[1]
                if actual_finish[s] is not None:
                    continue
                code = link[5]
                if code == 0:
                    value = work[shown_start[s]] - finish_work
                elif code == 1:
                    value = work[shown_start[s]] - start_work
                elif code == 2:
                    value = work[shown_finish[s]] - finish_work
                else:
                    value = work[shown_finish[s]] - start_work
                value -= link[6]
                if best is None or value < best:
                    best = value
            if best is None:
                best = slack
            free[i] = best if best > 0 else 0
        limit = self.limit
        critical = [False] * n
        for i in order:
            critical[i] = total[i] <= limit and actual_finish[i] is None
        start = list(shown_start)
        finish = list(shown_finish)
        for i in [i for i, value in enumerate(actual_start) if value is not None]:
            start[i] = actual_start[i]
        for i in [i for i, value in enumerate(actual_finish) if value is not None]:
            finish[i] = actual_finish[i]
        # summary roll-up, children before parents
        durations = self.dur
        summaries = self._summaries_bottom_up()
        if summaries:
            durations = list(durations)
        for i in summaries:
            kids = self.children[i]
            start[i] = min(start[j] for j in kids)
            finish[i] = max(finish[j] for j in kids)
            es[i] = min(ls[j] if constraint[j] == ALAP else es[j] for j in kids)
            ef[i] = max(lf[j] if constraint[j] == ALAP else ef[j] for j in kids)
            ls[i] = min(ls[j] for j in kids)
            lf[i] = max(lf[j] for j in kids)
            critical[i] = any(critical[j] for j in kids)
            total[i] = min(cal[i].between(es[i], ls[i]), cal[i].between(ef[i], lf[i]))
            free[i] = total[i]
            durations[i] = cal[i].between(start[i], finish[i])
        moments = _Memory(from_minute)
        moment = moments.__getitem__
        results = dict(
            zip(
                self.ids,
                map(
                    TaskResult,
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
                ),
                strict=True,
            )
        )
        if self.progress is not None:
            self.progress(1.0)
        ids = self.ids
        return Schedule(
            tasks=results,
            start=from_minute(self.start),
            finish=from_minute(self.finish),
            order=[ids[i] for i in order],
        )

    def _summaries_bottom_up(self) -> list[int]:
        parent = self.parent
        depth = [-1] * self.n
        for i in range(self.n):
            if depth[i] >= 0:
                continue
            path = []
            j = i
            while j >= 0 and depth[j] < 0:
                path.append(j)
                j = parent[j]
            d = depth[j] if j >= 0 else -1
            for k in reversed(path):
                d += 1
                depth[k] = d
        summary = self.summary
        return sorted((i for i in range(self.n) if summary[i]), key=lambda i: -depth[i])

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
