"""Large plans are scheduled a level at a time with NumPy; the result must be exactly that of the loops.

The plans are random but realistic: parallel streams of phases (summary tasks over work packages), all four
link types with working, elapsed and percentage lags, links from summary tasks, milestones, three
calendars with holidays, and a sprinkling of every constraint, deadlines, as-late-as-possible tasks,
elapsed durations and progress. Each is scheduled twice, once with the vectors and once with them turned
off, and every date, slack and critical flag is compared.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from regie.engine import cpm
from regie.engine.calendar import Calendar, CalendarException
from regie.engine.cpm import ELAPSED, PERCENT, WORK, Link, Task

HOUR = 60
DAY = 8 * HOUR
START = dt.datetime(2026, 1, 5, 8, 0)


def calendars() -> dict[str, Calendar]:
    holidays = [
        CalendarException(dt.date(2026, 4, 3), dt.date(2026, 4, 6), (), "Easter"),
        CalendarException(dt.date(2026, 4, 27), dt.date(2026, 4, 27), (), "King's Day"),
        CalendarException(dt.date(2026, 12, 24), dt.date(2027, 1, 1), (), "Winter closure"),
        CalendarException(dt.date(2026, 6, 12), dt.date(2026, 6, 12), ((9 * HOUR, 13 * HOUR),), "Short day"),
    ]
    office = ((8 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR))
    early = ((7 * HOUR, 11 * HOUR + 30), (12 * HOUR, 15 * HOUR + 30))
    return {
        "standard": Calendar("standard", (office,) * 5 + ((), ()), holidays),
        "early": Calendar("early", (early,) * 5 + ((), ()), holidays[:2]),
        "six": Calendar("six", (office,) * 6 + ((),), holidays[1:]),
    }


def plan(seed: int, streams: int = 40) -> tuple[list[Task], list[Link]]:
    rnd = random.Random(seed)
    tasks: list[Task] = []
    links: list[Link] = []
    last_phase: list[tuple[str, list[str]]] = []
    for number in range(streams):
        stream = f"S{number}"
        tasks.append(Task(stream))
        previous: tuple[str, list[str]] | None = None
        for phase_number in range(rnd.randint(3, 6)):
            phase = f"{stream}.{phase_number}"
            tasks.append(Task(phase, parent=stream))
            calendar = rnd.choice([None, None, None, "early", "six"])
            work: list[str] = []
            for k in range(rnd.randint(5, 25)):
                key = f"{phase}.{k}"
                task = Task(key, rnd.choice([0, DAY // 2, DAY, 2 * DAY, 5 * DAY, 10 * DAY]), parent=phase, calendar=calendar)
                task.milestone = task.duration == 0
                odd(rnd, task)
                tasks.append(task)
                if work:
                    for predecessor in rnd.sample(work[-8:], min(len(work), rnd.choice([1, 1, 2]))):
                        links.append(link(rnd, predecessor, key))
                elif previous is not None:
                    links.append(link(rnd, previous[0] if rnd.random() < 0.2 else previous[1][-1], key))
                work.append(key)
            if previous is not None and rnd.random() < 0.3:
                links.append(Link(previous[0], phase, rnd.choice(["FS", "SS", "FF"]), 0))
            if last_phase and rnd.random() < 0.1:
                links.append(link(rnd, rnd.choice(rnd.choice(last_phase)[1]), rnd.choice(work)))
            previous = (phase, work)
            last_phase.append(previous)
    return tasks, links


def odd(rnd: random.Random, task: Task) -> None:
    """Now and then, something that takes a task off the plain path."""
    r = rnd.random()
    moment = START + dt.timedelta(days=rnd.randint(0, 200), hours=rnd.choice([0, 3]))
    if r < 0.04:
        task.constraint, task.constraint_date = cpm.SNET, moment
    elif r < 0.05:
        task.constraint, task.constraint_date = rnd.choice([cpm.FNET, cpm.SNLT, cpm.FNLT, cpm.MSO, cpm.MFO]), moment
    elif r < 0.06:
        task.constraint = cpm.ALAP
    elif r < 0.07:
        task.deadline = moment
    elif r < 0.08 and task.duration:
        task.elapsed = True
        task.duration = task.duration * 3
    elif r < 0.09 and task.duration:
        task.actual_start = START + dt.timedelta(days=rnd.randint(0, 5))
        task.remaining = task.duration // 2


def link(rnd: random.Random, predecessor: str, successor: str) -> Link:
    kind = rnd.choices(["FS", "SS", "FF", "SF"], [80, 10, 7, 3])[0]
    r = rnd.random()
    if r < 0.8:
        return Link(predecessor, successor, kind)
    if r < 0.9:
        return Link(predecessor, successor, kind, rnd.choice([240, 480, -240, 960]), WORK)
    if r < 0.96:
        return Link(predecessor, successor, kind, rnd.choice([1440, 2880]), ELAPSED)
    return Link(predecessor, successor, kind, rnd.choice([25, 50, -25]), PERCENT)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("alap", [False, True])
def test_vectors_give_the_loops_results(monkeypatch, seed, alap):
    tasks, links = plan(seed)
    if not alap:
        for task in tasks:
            if task.constraint == cpm.ALAP:
                task.constraint = cpm.ASAP
    used = []
    prepare = cpm._Waves.prepare.__func__

    def spy(cls, planner, leaves):
        waves = prepare(cls, planner, leaves)
        used.append(waves is not None)
        return waves

    monkeypatch.setattr(cpm._Waves, "MIN_TASKS", 500)
    monkeypatch.setattr(cpm._Waves, "prepare", classmethod(spy))
    vectors = cpm.schedule(tasks, links, calendars(), "standard", START)
    assert used == [True], "the plan is large and wide enough for the vectors"
    monkeypatch.setattr(cpm._Waves, "MIN_TASKS", 10**9)
    loops = cpm.schedule(tasks, links, calendars(), "standard", START)
    assert len(vectors.tasks) == len(tasks)
    differ = [
        (key, field, getattr(vectors.tasks[key], field), getattr(loops.tasks[key], field))
        for key in loops.tasks
        for field in cpm.TaskResult._fields
        if getattr(vectors.tasks[key], field) != getattr(loops.tasks[key], field)
    ]
    assert differ == []
    assert vectors.finish == loops.finish
    assert sorted(map(str, vectors.order)) == sorted(map(str, loops.order))
