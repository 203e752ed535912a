"""Properties every schedule must have, checked on random plans.

Plans are random networks without loops (links only from a lower to a higher task number) with all four
link types, working lags in whole hours (some negative), durations of up to five days and one to three
calendars with random weekly hours (split days and a night shift across midnight included) and holidays.

Calendars with the same hours and holidays are built once and shared between examples (their lazily
built expansion is checked to give the same answers however it grew, in test_calendar.py).
"""

from __future__ import annotations

import datetime as dt
import functools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from regie.engine import cpm
from regie.engine.calendar import Calendar, CalendarException, to_minute
from regie.engine.cpm import FF, FS, SF, SS, Link, LoopError, Task

HOUR = 60
MONDAY = dt.datetime(2024, 1, 8)

DAYS = [
    (),
    ((8 * HOUR, 17 * HOUR),),
    ((8 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR)),
    ((7 * HOUR, 11 * HOUR), (11 * HOUR + 30, 15 * HOUR + 30)),
    ((9 * HOUR, 13 * HOUR), (14 * HOUR, 18 * HOUR), (19 * HOUR, 21 * HOUR)),
    ((0, 6 * HOUR), (22 * HOUR, 24 * HOUR)),  # a night shift running through midnight
    ((6 * HOUR, 10 * HOUR),),
]

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.lru_cache(maxsize=512)
def calendar(week: tuple, holidays: tuple) -> Calendar:
    exceptions = [CalendarException(first, last, hours, f"holiday {first}") for first, last, hours in holidays]
    return Calendar(f"{len(week)} days, {len(holidays)} holidays", week, exceptions)


@st.composite
def calendars(draw) -> dict[str, Calendar]:
    found = {}
    for number in range(draw(st.integers(1, 3))):
        week = draw(st.lists(st.sampled_from(DAYS), min_size=7, max_size=7).filter(lambda w: sum(map(bool, w)) >= 2))
        holidays = []
        for first in draw(st.lists(st.integers(0, 60), max_size=4, unique=True)):
            day = MONDAY.date() + dt.timedelta(days=first)
            length = draw(st.integers(0, 2))
            hours = draw(st.sampled_from([(), (), ((10 * HOUR, 14 * HOUR),)]))
            holidays.append((day, day + dt.timedelta(days=length), hours))
        found[f"cal{number}"] = calendar(tuple(week), tuple(holidays))
    return found


@st.composite
def plans(draw, max_tasks: int = 10, one_calendar: bool = False):
    """(tasks, links, calendars, project start) for a network without loops."""
    cals = draw(calendars())
    names = ["cal0"] if one_calendar else sorted(cals)
    n = draw(st.integers(1, max_tasks))
    tasks = []
    for i in range(n):
        hours = draw(st.integers(0, 40))
        tasks.append(Task(f"T{i}", hours * HOUR, milestone=hours == 0, calendar=draw(st.sampled_from(names))))
    links = []
    seen = set()
    if n > 1:
        for _ in range(draw(st.integers(0, 2 * n))):
            i = draw(st.integers(0, n - 2))
            j = draw(st.integers(i + 1, n - 1))
            if (i, j) in seen:
                continue
            seen.add((i, j))
            lag = draw(st.one_of(st.just(0), st.just(0), st.integers(-16, 16))) * HOUR
            links.append(Link(f"T{i}", f"T{j}", draw(st.sampled_from([FS, FS, SS, FF, SF])), lag))
    start = MONDAY + dt.timedelta(days=draw(st.integers(0, 6)), hours=draw(st.integers(0, 23)))
    return tasks, links, cals, start


def run(plan) -> cpm.Schedule:
    tasks, links, cals, start = plan
    return cpm.schedule(tasks, links, cals, "cal0", start)


def calendar_of(plan, task_id: str) -> Calendar:
    tasks, _links, cals, _start = plan
    return cals[next(t.calendar for t in tasks if t.id == task_id)]


def link_slack(plan, schedule: cpm.Schedule, link: Link) -> int:
    """How much later the successor could be before this link holds it back, in working minutes of its calendar
    (17:00 and the next 08:00 are the same working moment)."""
    work = calendar_of(plan, link.successor).work
    p, s = schedule.tasks[link.predecessor], schedule.tasks[link.successor]
    if link.type == FS:
        return work(to_minute(s.early_start)) - work(to_minute(p.early_finish)) - int(link.lag)
    if link.type == SS:
        return work(to_minute(s.early_start)) - work(to_minute(p.early_start)) - int(link.lag)
    if link.type == FF:
        return work(to_minute(s.early_finish)) - work(to_minute(p.early_finish)) - int(link.lag)
    return work(to_minute(s.early_finish)) - work(to_minute(p.early_start)) - int(link.lag)


@FAST
@given(plans())
def test_no_task_starts_before_its_predecessors_allow(plan):
    schedule = run(plan)
    _tasks, links, _cals, _start = plan
    for link in links:
        assert link_slack(plan, schedule, link) >= 0, link
        if link.type == SS and link.lag == 0:
            assert schedule.tasks[link.successor].early_start >= schedule.tasks[link.predecessor].early_start


def assert_no_negative_slack(plan) -> None:
    schedule = run(plan)
    negative = {i: r.total_slack for i, r in schedule.tasks.items() if r.total_slack < 0}
    assert not negative, f"negative total slack without constraints: {negative}"


@FAST
@given(plans(one_calendar=True))
def test_total_slack_is_never_negative_without_constraints(plan):
    assert_no_negative_slack(plan)


LONG_DAYS = calendar((((8 * HOUR, 18 * HOUR),),) * 5 + ((), ()), ())
STANDARD = calendar((((8 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR)),) * 5 + ((), ()), ())


def two_calendars(link: Link):
    """P works ten hours on Monday 2024-01-08 (08:00–18:00, long days); S follows on the standard calendar."""
    tasks = [Task("P", 10 * HOUR, calendar="cal1"), Task("S", 8 * HOUR, calendar="cal0")]
    return tasks, [link], {"cal0": STANDARD, "cal1": LONG_DAYS}, MONDAY + dt.timedelta(hours=8)


@FAST
@given(plans())
@example(two_calendars(Link("P", "S", FF)))
@example(two_calendars(Link("P", "S", FS, -4 * HOUR)))
def test_total_slack_is_never_negative_with_several_calendars(plan):
    assert_no_negative_slack(plan)


@FAST
@given(plans(one_calendar=True))
def test_the_critical_path_is_a_connected_chain(plan):
    """On one calendar. (With several, a predecessor may rightly keep slack that is non-working time for the
    successor that it drives: see test_cpm.py, test_a_predecessor_on_a_longer_calendar_keeps_...)"""
    tasks, links, _cals, start = plan
    schedule = run(plan)
    results = schedule.tasks
    for task in tasks:
        result = results[task.id]
        incoming = [link for link in links if link.successor == task.id]
        if not result.critical or not incoming:
            continue
        work = calendar_of(plan, task.id).work
        if work(to_minute(result.early_start)) <= work(to_minute(start)):
            continue  # it starts at the project start: nothing before it needs to be critical
        driving = [link for link in incoming if results[link.predecessor].critical and link_slack(plan, schedule, link) == 0]
        assert driving, f"{task.id} is critical but no critical predecessor drives it"
    last = max(results, key=lambda i: (results[i].early_finish, i))
    assert results[last].critical
    assert results[last].early_finish == schedule.finish


@FAST
@given(plans())
def test_no_work_is_done_in_non_working_time(plan):
    tasks, _links, _cals, _start = plan
    schedule = run(plan)
    for task in tasks:
        if task.duration == 0:
            continue
        calendar = calendar_of(plan, task.id)
        result = schedule.tasks[task.id]
        start, finish = to_minute(result.start), to_minute(result.finish)
        assert calendar.between(start, finish) == task.duration, task.id
        assert calendar.is_working(start), task.id
        assert result.duration == task.duration


@FAST
@given(plans(), st.data())
def test_the_order_of_tasks_and_links_does_not_matter(plan, data):
    tasks, links, cals, start = plan
    expected = run(plan).tasks
    shuffled_tasks = data.draw(st.permutations(tasks), label="tasks in another order")
    shuffled_links = data.draw(st.permutations(links), label="links in another order")
    got = cpm.schedule(shuffled_tasks, shuffled_links, cals, "cal0", start).tasks
    assert got.keys() == expected.keys()
    for task_id, result in expected.items():
        assert got[task_id] == result, task_id


@settings(max_examples=60, deadline=None)
@given(plans(max_tasks=8), st.data())
def test_a_loop_is_always_refused(plan, data):
    tasks, links, cals, start = plan
    successors: dict[str, set[str]] = {t.id: set() for t in tasks}
    for link in links:
        successors[link.predecessor].add(link.successor)
    first = data.draw(st.sampled_from([t.id for t in tasks]))
    reachable, stack = {first}, [first]
    while stack:
        for nxt in successors[stack.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                stack.append(nxt)
    last = data.draw(st.sampled_from(sorted(reachable)))  # `first` itself makes a task linked to itself
    back = Link(last, first, data.draw(st.sampled_from([FS, SS, FF, SF])), data.draw(st.integers(-8, 8)) * HOUR)
    everything = links + [back]
    try:
        cpm.schedule(tasks, everything, cals, "cal0", start)
    except LoopError as error:
        loop = error.loop
    else:
        raise AssertionError(f"the loop {first} → … → {last} → {first} was not refused")
    assert loop[0] == loop[-1] and len(loop) >= 2
    linked = {(link.predecessor, link.successor) for link in everything}
    assert all((a, b) in linked for a, b in zip(loop, loop[1:], strict=False)), loop
