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
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

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


class _Planner:
    def __init__(self, tasks, links, calendars, default_calendar, start, critical_slack_limit, progress):
        if default_calendar not in calendars:
            raise ScheduleError(f"unknown calendar {default_calendar!r}")
        self.progress = progress
        self.limit = critical_slack_limit
        self.index: dict[Hashable, int] = {}
        self.tasks: list[Task] = list(tasks)
        for i, task in enumerate(self.tasks):
            if task.id in self.index:
                raise ScheduleError(f"task {task.id}: appears twice")
            self.index[task.id] = i
        n = len(self.tasks)
        self.n = n
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.parent = [-1] * n
        for i, task in enumerate(self.tasks):
            if task.parent is not None:
                p = self.index.get(task.parent)
                if p is None:
                    raise ScheduleError(f"task {task.id}: its summary task {task.parent} does not exist")
                self.parent[i] = p
                self.children[p].append(i)
        self._check_outline()
        self.summary = [bool(c) for c in self.children]
        self.cal: list[Calendar] = []
        self.driving: list[list[tuple[Calendar, float]] | None] = []
        self.dur: list[int] = []
        self.rem: list[int] = []
        for task in self.tasks:
            name = task.calendar or default_calendar
            calendar = calendars.get(name)
            if calendar is None:
                raise ScheduleError(f"task {task.id}: unknown calendar {name!r}")
            if task.duration < 0:
                raise ScheduleError(f"task {task.id}: the duration may not be negative")
            if task.constraint not in CONSTRAINTS:
                raise ScheduleError(f"task {task.id}: unknown constraint {task.constraint!r}")
            if task.constraint in DATED_CONSTRAINTS and task.constraint_date is None:
                raise ScheduleError(f"task {task.id}: the constraint {task.constraint} needs a date")
            if task.remaining is not None and task.remaining < 0:
                raise ScheduleError(f"task {task.id}: the remaining duration may not be negative")
            self.cal.append(calendar)
            driving = []
            for cal_name, work, units in task.assignments:
                assigned = calendars.get(cal_name or default_calendar)
                if assigned is None:
                    raise ScheduleError(f"task {task.id}: unknown calendar {cal_name!r} of an assignment")
                if work > 0 and units > 0:
                    driving.append((assigned, work / units))
            self.driving.append(driving or None)
            self.dur.append(int(round(task.duration)))
            self.rem.append(int(round(task.duration if task.remaining is None else task.remaining)))
        self.calendar_default = calendars[default_calendar]
        self.raw_links: list[tuple[int, int, str, float, str]] = []
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
            self.raw_links.append((p, s, link.type, link.lag, link.lag_kind))
        try:
            self.start = to_minute(start)
            self.calendar_default.work(self.start)
        except (CalendarError, ValueError, OverflowError) as exc:
            raise ScheduleError(f"project start: {exc}") from exc

    def _check_outline(self) -> None:
        for i in range(self.n):
            seen = {i}
            p = self.parent[i]
            while p >= 0:
                if p in seen:
                    raise ScheduleError(f"task {self.tasks[i].id}: its summary tasks contain themselves")
                seen.add(p)
                p = self.parent[p]

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

    def _add(self, i: int, t: int, d: int) -> int:
        """``t`` plus (or minus) ``d`` of task ``i``'s kind of time.

        A task driven by resource assignments spends each assignment's work (the same share of it as
        ``d`` is of the duration) on that resource's calendar; the last to finish (or first to start) counts.
        """
        if self.tasks[i].elapsed:
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

    def _lag(self, link: tuple[int, int, str, float, str]) -> tuple[int, bool]:
        p, _s, _type, lag, kind = link
        if kind == PERCENT:
            return int(round(self.dur[p] * lag / 100.0)), self.tasks[p].elapsed
        return int(round(lag)), kind == ELAPSED

    def _add_lag(self, link, t: int, sign: int = 1) -> int:
        lag, elapsed = self._lag(link)
        if lag == 0:
            return t
        if elapsed:
            return t + sign * lag
        return self.cal[link[1]].add(t, sign * lag)

    def _next_start(self, i: int, t: int) -> int:
        if self.tasks[i].elapsed:
            return self.cal[i].next_start(t)
        following = self._snap_start(i, t)
        if following > t and self.tasks[i].milestone and self._snap_finish(i, t) == t:
            return t  # a milestone may sit at the end of a working period
        return following

    # -- the passes ------------------------------------------------------------------------------

    def run(self) -> Schedule:
        n = self.n
        leaves = [i for i in range(n) if not self.summary[i]]
        self.preds: list[list[tuple]] = [[] for _ in range(n)]
        self.succs: list[list[tuple]] = [[] for _ in range(n)]
        summary_links = []
        for link in self.raw_links:
            if self.summary[link[0]] or self.summary[link[1]]:
                summary_links.append(link)
            else:
                self.preds[link[1]].append(link)
                self.succs[link[0]].append(link)
        self.constraint_minute = [self._minute(i, t.constraint_date, "constraint date") for i, t in enumerate(self.tasks)]
        self.deadline_minute = [self._minute(i, t.deadline, "deadline") for i, t in enumerate(self.tasks)]
        self.actual_start = [self._minute(i, t.actual_start, "actual start") for i, t in enumerate(self.tasks)]
        self.actual_finish = [self._minute(i, t.actual_finish, "actual finish") for i, t in enumerate(self.tasks)]
        for _i, task in enumerate(self.tasks):
            if task.manual and (task.start is None or task.finish is None):
                raise ScheduleError(f"task {task.id}: a manually scheduled task needs a start and a finish")
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
        self.finish = max((self.ef[i] for i in leaves), default=self.start)
        self._backward(order)
        if any(self.tasks[i].constraint == ALAP for i in leaves):
            self.alap_pass = True
            self._forward(order)
        return self._results(order)

    def _order(self, leaves: list[int]) -> list[int]:
        """Leaves in an order where every predecessor comes first (Kahn); a loop is named."""
        indegree = [0] * self.n
        for i in leaves:
            indegree[i] = len(self.preds[i])
        ready = [i for i in leaves if indegree[i] == 0]
        ready.reverse()
        order: list[int] = []
        succs = self.succs
        while ready:
            i = ready.pop()
            order.append(i)
            for link in succs[i]:
                s = link[1]
                indegree[s] -= 1
                if indegree[s] == 0:
                    ready.append(s)
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
                    new = (a, b, link[2], link[3] if link[4] != PERCENT else self.dur[p] * link[3] / 100.0,
                           link[4] if link[4] != PERCENT else (ELAPSED if self.tasks[p].elapsed else WORK))
                    self.preds[b].append(new)
                    self.succs[a].append(new)

    def _early_candidate(self, link, i: int) -> int:
        p, _s, kind = link[0], link[1], link[2]
        alap = self.alap_pass and self.tasks[p].constraint == ALAP
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

    def _forward(self, order: list[int]) -> None:
        tasks = self.tasks
        report = self.progress
        step = max(1, len(order) // 20)
        for count, i in enumerate(order):
            task = tasks[i]
            if report is not None and count % step == 0:
                report(0.45 * count / max(1, len(order)) + (0.45 if self.alap_pass else 0.0))
            if task.manual:
                self.es[i] = to_minute(task.start)  # type: ignore[arg-type]
                self.ef[i] = to_minute(task.finish)  # type: ignore[arg-type]
                continue
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
                    for link in self.preds[i]:
                        if link[2] == SF:
                            # finishing at the start of the predecessor's next working period, as MS Project shows it
                            p = link[0]
                            alap = self.alap_pass and self.tasks[p].constraint == ALAP
                            wanted = self._add_lag(link, self.ls[p] if alap else self.es[p])
                            if wanted > early_finish and self._variance(i, early_finish, wanted) == 0:
                                early_finish = wanted
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
        tasks = self.tasks
        report = self.progress
        step = max(1, len(order) // 20)
        total = len(order)
        for count, i in enumerate(reversed(order)):
            task = tasks[i]
            if report is not None and count % step == 0:
                report(0.45 + 0.45 * count / max(1, total))
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
        if self.tasks[i].elapsed:
            return b - a
        return self.cal[i].between(a, b)

    def _results(self, order: list[int]) -> Schedule:
        n = self.n
        tasks = self.tasks
        total = [0] * n
        for i in order:
            total[i] = self._total_slack(i)
        free = [0] * n
        for i in order:
            free[i] = self._free_slack(i, total[i])
        critical = [False] * n
        for i in order:
            critical[i] = total[i] <= self.limit and self.actual_finish[i] is None
        start = [0] * n
        finish = [0] * n
        for i in order:
            alap = tasks[i].constraint == ALAP
            start[i] = self.actual_start[i] if self.actual_start[i] is not None else (self.ls[i] if alap else self.es[i])
            finish[i] = self.actual_finish[i] if self.actual_finish[i] is not None else (self.lf[i] if alap else self.ef[i])
        # summary roll-up, children before parents
        for i in self._summaries_bottom_up():
            kids = list(self.children[i])
            start[i] = min(start[j] for j in kids)
            finish[i] = max(finish[j] for j in kids)
            self.es[i] = min(self.ls[j] if tasks[j].constraint == ALAP else self.es[j] for j in kids)
            self.ef[i] = max(self.lf[j] if tasks[j].constraint == ALAP else self.ef[j] for j in kids)
            self.ls[i] = min(self.ls[j] for j in kids)
            self.lf[i] = max(self.lf[j] for j in kids)
            critical[i] = any(critical[j] for j in kids)
            total[i] = min(self.cal[i].between(self.es[i], self.ls[i]), self.cal[i].between(self.ef[i], self.lf[i]))
            free[i] = total[i]
        results: dict[Hashable, TaskResult] = {}
        for i, task in enumerate(tasks):
            if self.summary[i] and not self.children[i]:
                continue
            duration = self.dur[i] if not self.summary[i] else self.cal[i].between(start[i], finish[i])
            results[task.id] = TaskResult(
                start=from_minute(start[i]),
                finish=from_minute(finish[i]),
                early_start=from_minute(self.es[i]),
                early_finish=from_minute(self.ef[i]),
                late_start=from_minute(self.ls[i]),
                late_finish=from_minute(self.lf[i]),
                total_slack=total[i],
                free_slack=free[i],
                critical=critical[i],
                duration=duration,
            )
        if self.progress is not None:
            self.progress(1.0)
        return Schedule(
            tasks=results,
            start=from_minute(self.start),
            finish=from_minute(self.finish),
            order=[tasks[i].id for i in order],
        )

    def _summaries_bottom_up(self) -> list[int]:
        depth = [0] * self.n
        for i in range(self.n):
            d, p = 0, self.parent[i]
            while p >= 0:
                d += 1
                p = self.parent[p]
            depth[i] = d
        return sorted((i for i in range(self.n) if self.summary[i]), key=lambda i: -depth[i])

    def _total_slack(self, i: int) -> int:
        task = self.tasks[i]
        if task.constraint == ALAP:
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
        tasks = self.tasks
        for link in self.succs[i]:
            s = link[1]
            if self.actual_finish[s] is not None:
                continue
            p_alap = tasks[i].constraint == ALAP
            s_alap = tasks[s].constraint == ALAP
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
