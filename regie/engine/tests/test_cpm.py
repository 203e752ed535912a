"""The scheduler on small plans worked out by hand, with Microsoft Project's rules.

Unless said otherwise the calendar is Monday to Friday, 08:00–12:00 and 13:00–17:00, and the project
starts on Monday 2024-01-08 at 08:00. Durations, lags and slack are in working minutes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from regie.engine import cpm
from regie.engine.calendar import Calendar, CalendarException, standard_week
from regie.engine.cpm import FF, FS, SF, SS, Link, LoopError, ScheduleError, Task

HOUR = 60
DAY = 8 * HOUR
START = dt.datetime(2024, 1, 8, 8)


def d(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in January 2024 (8 = Monday, 12 = Friday, 15 = the next Monday)."""
    return dt.datetime(2024, 1, day, hour, minute)


def calendars() -> dict[str, Calendar]:
    return {
        "std": Calendar("standard", standard_week()),
        "early": Calendar("early shift", standard_week(((6 * HOUR, 14 * HOUR),))),
        "weekend": Calendar("weekend", tuple(() for _ in range(5)) + (((9 * HOUR, 17 * HOUR),),) * 2),
        "long": Calendar("long days", standard_week(((8 * HOUR, 18 * HOUR),))),
    }


def plan(tasks, links=(), start=START, **kwargs) -> cpm.Schedule:
    return cpm.schedule(tasks, links, calendars(), "std", start, **kwargs)


def dates(result: cpm.TaskResult) -> tuple[dt.datetime, dt.datetime]:
    return result.start, result.finish


def after(lead: int, link_type: str = FS, lag: float = 0, kind: str = cpm.WORK, duration: int = DAY):
    """A plan with a 2-day task X first, so that the tasks under test can move both ways:
    A (``lead`` minutes) follows X; B (``duration``) is linked to A with the link under test."""
    tasks = [Task("X", 2 * DAY), Task("A", lead), Task("B", duration)]
    links = [Link("X", "A"), Link("A", "B", link_type, lag, kind)]
    return plan(tasks, links).tasks


# -- link types with working lags ------------------------------------------------------------------


@pytest.mark.parametrize(
    "link_type, lag, start, finish",
    [
        # A runs Wednesday 08:00 to Thursday 17:00
        (FS, 0, d(12, 8), d(12, 17)),
        (FS, DAY, d(15, 8), d(15, 17)),
        (FS, 4 * HOUR, d(12, 13), d(15, 12)),
        (FS, -DAY, d(11, 8), d(11, 17)),
        (FS, -4 * HOUR, d(11, 13), d(12, 12)),
        (SS, 0, d(10, 8), d(10, 17)),
        (SS, 4 * HOUR, d(10, 13), d(11, 12)),  # 12:00 is the lunch break: the start moves to 13:00
        (SS, -DAY, d(9, 8), d(9, 17)),
        (FF, 0, d(11, 8), d(11, 17)),
        (FF, 4 * HOUR, d(11, 13), d(12, 12)),
        (FF, -DAY, d(10, 8), d(10, 17)),
        # start-to-finish: B finishes when A starts; MS Project shows the finish at A's start (08:00)
        (SF, 0, d(9, 8), d(10, 8)),
        (SF, DAY, d(10, 8), d(10, 17)),
        (SF, -4 * HOUR, d(8, 13), d(9, 13)),  # likewise four hours before it: Tuesday 13:00
    ],
)
def test_link_types_with_working_lags(link_type, lag, start, finish):
    result = after(2 * DAY, link_type, lag)
    assert dates(result["A"]) == (d(10, 8), d(11, 17))
    assert dates(result["B"]) == (start, finish)


def test_a_lag_counts_on_the_successors_calendar():
    tasks = [Task("A", DAY), Task("B", DAY, calendar="early")]
    schedule = plan(tasks, [Link("A", "B", FS, 2 * HOUR)])
    # A finishes Monday 17:00; the early shift works 06:00–14:00: two hours of lag end Tuesday 08:00
    assert dates(schedule.tasks["B"]) == (d(9, 8), d(10, 8))


# -- elapsed and percentage lags -------------------------------------------------------------------


def test_an_elapsed_lag_runs_on_the_clock():
    # A finishes Monday 12:00; three hours on the clock is 15:00 (three working hours would be 16:00)
    elapsed = after(4 * HOUR, FS, 3 * HOUR, cpm.ELAPSED)["B"]
    working = after(4 * HOUR, FS, 3 * HOUR, cpm.WORK)["B"]
    assert elapsed.start == d(10, 15)
    assert working.start == d(10, 16)


def test_an_elapsed_lag_runs_through_the_night_and_the_weekend():
    # A finishes Thursday 17:00; 15 hours on the clock end Friday 08:00
    assert after(2 * DAY, FS, 15 * HOUR, cpm.ELAPSED)["B"].start == d(12, 8)
    # three days on the clock from Thursday 17:00 end Sunday 17:00: work resumes on Monday
    assert after(2 * DAY, FS, 3 * 24 * HOUR, cpm.ELAPSED)["B"].start == d(15, 8)
    # and backwards: a lead of one clock day from Thursday 17:00 is Wednesday 17:00, so Thursday 08:00
    assert after(2 * DAY, FS, -24 * HOUR, cpm.ELAPSED)["B"].start == d(11, 8)


@pytest.mark.parametrize(
    "link_type, percent, start",
    [
        (FS, 50, d(15, 8)),  # half of A's two days after its finish (Thursday 17:00): Friday 17:00
        (FS, -50, d(11, 8)),
        (SS, 25, d(10, 12 + 1)),  # a quarter of two days after Wednesday 08:00 is 12:00, so 13:00
        (SS, 100, d(12, 8)),
    ],
)
def test_percentage_lags_are_a_share_of_the_predecessors_duration(link_type, percent, start):
    assert after(2 * DAY, link_type, percent, cpm.PERCENT)["B"].start == start


# -- constraints -----------------------------------------------------------------------------------


def test_start_no_earlier_than():
    schedule = plan([Task("A", DAY, constraint=cpm.SNET, constraint_date=d(10, 8))])
    assert dates(schedule.tasks["A"]) == (d(10, 8), d(10, 17))
    # a constraint date in non-working time moves to the next working time
    schedule = plan([Task("A", DAY, constraint=cpm.SNET, constraint_date=d(13, 10))])
    assert dates(schedule.tasks["A"]) == (d(15, 8), d(15, 17))
    # a constraint earlier than the links allow gives way to them
    schedule = plan([Task("X", 2 * DAY), Task("A", DAY, constraint=cpm.SNET, constraint_date=d(8, 8))], [Link("X", "A")])
    assert schedule.tasks["A"].start == d(10, 8)


def test_start_no_later_than_limits_the_late_dates():
    tasks = [Task("long", 3 * DAY), Task("A", DAY, constraint=cpm.SNLT, constraint_date=d(9, 8))]
    result = plan(tasks).tasks["A"]
    assert dates(result) == (d(8, 8), d(8, 17))
    assert (result.late_start, result.late_finish) == (d(9, 8), d(9, 17))
    assert result.total_slack == DAY  # two days without the constraint


def test_start_no_later_than_against_the_links_gives_negative_slack():
    tasks = [Task("X", 2 * DAY), Task("A", DAY, constraint=cpm.SNLT, constraint_date=d(9, 8))]
    result = plan(tasks, [Link("X", "A")]).tasks
    assert result["A"].start == d(9, 8)  # the constraint wins over the link
    assert result["A"].total_slack == -DAY
    assert result["A"].critical


def test_finish_no_earlier_than():
    schedule = plan([Task("A", DAY, constraint=cpm.FNET, constraint_date=d(10, 17))])
    assert dates(schedule.tasks["A"]) == (d(10, 8), d(10, 17))


def test_finish_no_later_than_limits_the_late_dates():
    tasks = [Task("long", 3 * DAY), Task("A", DAY, constraint=cpm.FNLT, constraint_date=d(9, 17))]
    result = plan(tasks).tasks["A"]
    assert dates(result) == (d(8, 8), d(8, 17))
    assert result.late_finish == d(9, 17)
    assert result.total_slack == DAY


def test_must_start_on_overrides_the_links():
    tasks = [Task("X", 3 * DAY), Task("A", DAY, constraint=cpm.MSO, constraint_date=d(10, 8))]
    result = plan(tasks, [Link("X", "A")]).tasks
    assert dates(result["A"]) == (d(10, 8), d(10, 17))
    assert result["A"].total_slack == -DAY  # X lets it start on Thursday only
    assert result["A"].critical
    alone = plan([Task("long", 5 * DAY), Task("A", DAY, constraint=cpm.MSO, constraint_date=d(10, 8))]).tasks["A"]
    assert dates(alone) == (d(10, 8), d(10, 17))
    assert alone.total_slack == 0  # a must-start-on task cannot move


def test_must_finish_on_against_the_predecessors_gives_negative_slack():
    tasks = [Task("X", 3 * DAY), Task("A", DAY, constraint=cpm.MFO, constraint_date=d(9, 17))]
    result = plan(tasks, [Link("X", "A")]).tasks
    # A must finish Tuesday 17:00, but X lets it finish on Thursday 17:00 only: two days too late
    assert dates(result["A"]) == (d(9, 8), d(9, 17))
    assert result["A"].total_slack == -2 * DAY
    assert result["X"].late_finish == d(8, 17)  # X would have to finish before A's start
    assert result["X"].total_slack == -2 * DAY
    assert result["X"].critical and result["A"].critical


def test_a_deadline_lowers_the_late_finish():
    tasks = [Task("long", 3 * DAY), Task("A", DAY, deadline=d(9, 17))]
    result = plan(tasks).tasks["A"]
    assert dates(result) == (d(8, 8), d(8, 17))  # a deadline does not move the task
    assert result.late_finish == d(9, 17)
    assert result.total_slack == DAY
    missed = plan([Task("X", 3 * DAY), Task("A", DAY, deadline=d(9, 17))], [Link("X", "A")]).tasks["A"]
    assert missed.start == d(11, 8)
    assert missed.total_slack == -2 * DAY
    late = plan([Task("long", 3 * DAY), Task("A", DAY, deadline=d(31, 17))]).tasks["A"]
    assert late.late_finish == d(10, 17)  # a deadline after the project finish changes nothing


def test_as_late_as_possible_sits_at_its_late_dates():
    tasks = [Task("long", 3 * DAY), Task("A", DAY, constraint=cpm.ALAP), Task("B", DAY)]
    result = plan(tasks, [Link("A", "B")]).tasks
    assert dates(result["A"]) == (d(9, 8), d(9, 17))
    assert (result["A"].late_start, result["A"].late_finish) == (d(9, 8), d(9, 17))
    assert dates(result["B"]) == (d(10, 8), d(10, 17))  # its successor follows the late dates
    assert result["long"].critical


def test_a_constraint_without_a_date_is_refused():
    with pytest.raises(ScheduleError, match="task A: .*SNET.* date"):
        plan([Task("A", DAY, constraint=cpm.SNET)])


# -- summary tasks ---------------------------------------------------------------------------------


def test_summary_tasks_roll_up():
    tasks = [
        Task("S"),
        Task("A", 2 * DAY, parent="S"),
        Task("B", DAY, parent="S", constraint=cpm.SNET, constraint_date=d(9, 8)),
        Task("long", 4 * DAY),
    ]
    result = plan(tasks).tasks
    assert dates(result["S"]) == (d(8, 8), d(9, 17))
    assert not result["S"].critical  # A has two days of slack, B three
    assert result["S"].duration == 2 * DAY
    tasks[1].duration = 4 * DAY
    result = plan(tasks).tasks
    assert dates(result["S"]) == (d(8, 8), d(11, 17))
    assert result["A"].critical and not result["B"].critical
    assert result["S"].critical


def test_nested_summaries_roll_up():
    tasks = [
        Task("top"),
        Task("mid", parent="top"),
        Task("A", DAY, parent="mid"),
        Task("B", 2 * DAY, parent="top"),
    ]
    result = plan(tasks, [Link("A", "B")]).tasks
    assert dates(result["mid"]) == (d(8, 8), d(8, 17))
    assert dates(result["top"]) == (d(8, 8), d(10, 17))


def test_a_link_to_a_summary_applies_to_its_children():
    tasks = [Task("X", 2 * DAY), Task("S"), Task("A", DAY, parent="S"), Task("B", 2 * DAY, parent="S")]
    result = plan(tasks, [Link("X", "S")]).tasks
    assert result["A"].start == d(10, 8)
    assert result["B"].start == d(10, 8)
    assert dates(result["S"]) == (d(10, 8), d(11, 17))


def test_a_link_from_a_summary_waits_for_all_its_children():
    tasks = [Task("S"), Task("A", DAY, parent="S"), Task("B", 2 * DAY, parent="S"), Task("Y", DAY)]
    result = plan(tasks, [Link("S", "Y")]).tasks
    assert dates(result["Y"]) == (d(10, 8), d(10, 17))
    assert result["B"].critical and not result["A"].critical


# -- milestones and elapsed durations --------------------------------------------------------------


def test_a_milestone_sits_at_the_finish_of_its_predecessor():
    tasks = [Task("A", DAY), Task("M", 0, milestone=True), Task("B", DAY)]
    result = plan(tasks, [Link("A", "M"), Link("M", "B")]).tasks
    assert dates(result["M"]) == (d(8, 17), d(8, 17))  # not Tuesday 08:00
    assert result["B"].start == d(9, 8)
    assert result["M"].critical
    first = plan([Task("M", 0, milestone=True), Task("A", DAY)]).tasks["M"]
    assert dates(first) == (START, START)


def test_elapsed_durations_run_through_nights_and_weekends():
    tasks = [Task("X", 4 * DAY), Task("cure", 2 * 24 * HOUR, elapsed=True), Task("B", DAY)]
    result = plan(tasks, [Link("X", "cure"), Link("cure", "B")]).tasks
    # from Friday 08:00, two days on the clock end Sunday 08:00; B starts on Monday
    assert dates(result["cure"]) == (d(12, 8), d(14, 8))
    assert dates(result["B"]) == (d(15, 8), d(15, 17))
    short = plan([Task("X", 4 * DAY + 7 * HOUR), Task("dry", 3 * HOUR, elapsed=True)], [Link("X", "dry")]).tasks
    assert dates(short["dry"]) == (d(12, 16), d(12, 19))


# -- calendars -------------------------------------------------------------------------------------


def test_a_task_with_its_own_calendar():
    tasks = [Task("A", DAY), Task("W", 2 * DAY, calendar="weekend"), Task("B", DAY)]
    result = plan(tasks, [Link("A", "W"), Link("W", "B")]).tasks
    assert dates(result["W"]) == (d(13, 9), d(14, 17))
    assert dates(result["B"]) == (d(15, 8), d(15, 17))
    early = plan([Task("E", 2 * DAY, calendar="early")]).tasks["E"]
    # the project starts Monday 08:00, inside the early shift: it works till 14:00, then Tuesday 06:00–14:00
    assert dates(early) == (d(8, 8), d(10, 8))


def test_holidays_of_the_default_calendar_are_skipped():
    holiday = CalendarException(dt.date(2024, 1, 9), dt.date(2024, 1, 9), name="holiday")
    cals = {"std": Calendar("with a holiday", standard_week(), [holiday])}
    result = cpm.schedule([Task("A", 2 * DAY)], [], cals, "std", START).tasks["A"]
    assert dates(result) == (d(8, 8), d(10, 17))
    assert result.duration == 2 * DAY


def test_the_project_start_in_non_working_time_moves_to_the_next_working_time():
    result = plan([Task("A", DAY)], start=d(6, 10)).tasks["A"]  # a Saturday
    assert dates(result) == (d(8, 8), d(8, 17))


# A predecessor on a longer calendar may finish in its successor's non-working time (here Monday 17:00–18:00):
# the successor sees that moment as its 17:00 (or its next 08:00), so the predecessor's late finish is the
# latest such moment on its own calendar, not the successor's 17:00 (which would give negative slack).


def test_a_finish_to_finish_link_across_calendars_leaves_no_negative_slack():
    tasks = [Task("P", 10 * HOUR, calendar="long"), Task("S", HOUR)]
    result = plan(tasks, [Link("P", "S", FF)]).tasks
    assert dates(result["P"]) == (d(8, 8), d(8, 18))  # P works till 18:00 on its long day
    assert dates(result["S"]) == (d(8, 16), d(8, 17))  # S's day ends at 17:00: nothing of S can follow P that day
    assert result["P"].total_slack == 0  # P is the last to finish: it has no slack, and no negative slack
    assert result["P"].late_finish == d(8, 18)
    assert not result["S"].total_slack < 0


def test_a_lead_across_calendars_leaves_no_negative_slack():
    tasks = [Task("P", 10 * HOUR, calendar="long"), Task("S", DAY)]
    result = plan(tasks, [Link("P", "S", FS, -4 * HOUR)]).tasks
    assert dates(result["S"]) == (d(8, 13), d(9, 12))  # four of S's working hours before P's finish (its 17:00)
    assert result["S"].total_slack == 0
    assert result["P"].total_slack == 0  # P drives S
    assert result["P"].late_finish == d(8, 18)
    assert result["P"].late_start == START


@pytest.mark.parametrize("link_type", [FS, SS, FF, SF])
@pytest.mark.parametrize("lag", [0, -4 * HOUR, 2 * HOUR])
@pytest.mark.parametrize("successor", [DAY, HOUR, 0])
def test_no_negative_slack_across_calendars(link_type, lag, successor):
    tasks = [Task("P", 10 * HOUR, calendar="long"), Task("S", successor, milestone=not successor), Task("Q", 2 * DAY)]
    result = plan(tasks, [Link("P", "S", link_type, lag)]).tasks
    for key, task in result.items():
        assert task.total_slack >= 0, key
        assert task.late_finish >= task.early_finish, key


def test_a_predecessor_on_a_longer_calendar_keeps_the_successors_non_working_time_as_slack():
    tasks = [Task("P", 9 * HOUR, calendar="long"), Task("S", DAY)]
    result = plan(tasks, [Link("P", "S")]).tasks
    assert dates(result["P"]) == (d(8, 8), d(8, 17))
    assert result["S"].start == d(9, 8)
    assert result["P"].late_finish == d(8, 18)  # P may work till 18:00 without delaying S
    assert result["P"].total_slack == HOUR
    assert not result["P"].critical and result["S"].critical


def test_the_critical_slack_limit():
    tasks = [Task("long", 3 * DAY), Task("short", 2 * DAY)]
    assert not plan(tasks).tasks["short"].critical
    assert plan(tasks, critical_slack_limit=DAY).tasks["short"].critical


# -- progress --------------------------------------------------------------------------------------


def test_an_actual_start_fixes_the_start():
    tasks = [Task("A", 2 * DAY, actual_start=d(8, 10), remaining=DAY + 2 * HOUR), Task("B", DAY)]
    result = plan(tasks, [Link("A", "B")]).tasks
    assert dates(result["A"]) == (d(8, 10), d(10, 10))
    assert result["B"].start == d(10, 10)


def test_an_actual_start_wins_over_the_links():
    tasks = [Task("A", 2 * DAY), Task("B", DAY, actual_start=d(8, 8))]
    result = plan(tasks, [Link("A", "B")]).tasks
    assert dates(result["B"]) == (d(8, 8), d(8, 17))


def test_an_actual_finish_ends_the_task():
    tasks = [Task("A", DAY, actual_start=d(8, 8), actual_finish=d(10, 17), remaining=0), Task("B", DAY)]
    result = plan(tasks, [Link("A", "B")]).tasks
    assert dates(result["A"]) == (d(8, 8), d(10, 17))  # took three days instead of one
    assert dates(result["B"]) == (d(11, 8), d(11, 17))
    assert not result["A"].critical  # a finished task is never critical
    assert result["A"].free_slack == 0


def test_the_remaining_duration_of_a_started_task_drives_its_predecessors_late_dates():
    # B was started out of sequence before A; only its remaining day has to wait for A
    tasks = [Task("A", 2 * DAY), Task("B", 3 * DAY, actual_start=d(8, 8), remaining=DAY)]
    result = plan(tasks, [Link("A", "B")]).tasks
    assert dates(result["B"]) == (d(8, 8), d(10, 17))
    assert result["A"].late_finish == d(9, 17)
    assert result["A"].total_slack == 0
    without = plan([Task("A", 2 * DAY), Task("B", 3 * DAY, actual_start=d(8, 8))], [Link("A", "B")]).tasks
    assert without["A"].late_finish == d(5, 17)
    assert without["A"].total_slack == -2 * DAY


# -- errors ----------------------------------------------------------------------------------------


def test_a_loop_is_named_in_order():
    tasks = [Task(name, DAY) for name in ("0 before", "A", "B", "C", "D after")]
    links = [Link("0 before", "A"), Link("A", "B"), Link("B", "C"), Link("C", "A", SS), Link("C", "D after")]
    with pytest.raises(LoopError) as caught:
        plan(tasks, links)
    loop = caught.value.loop
    assert loop[0] == loop[-1]
    assert sorted(loop[:-1]) == ["A", "B", "C"]
    linked = {(link.predecessor, link.successor) for link in links}
    assert all((a, b) in linked for a, b in zip(loop, loop[1:], strict=False))  # around the loop, in order
    assert " → ".join(loop) in str(caught.value)


def test_a_task_linked_to_itself_is_a_loop():
    with pytest.raises(LoopError) as caught:
        plan([Task("A", DAY)], [Link("A", "A")])
    assert caught.value.loop == ["A", "A"]
    assert "A → A" in str(caught.value)


def test_a_loop_through_a_summary_is_named():
    tasks = [Task("S"), Task("A", DAY, parent="S"), Task("B", DAY)]
    with pytest.raises(LoopError) as caught:
        plan(tasks, [Link("S", "B"), Link("B", "A")])
    assert set(caught.value.loop) == {"A", "B"}


@pytest.mark.parametrize(
    "tasks, links, message",
    [
        ([Task("design", DAY, calendar="lunar")], [], "task design: unknown calendar 'lunar'"),
        ([Task("design", -HOUR)], [], "task design: the duration may not be negative"),
        ([Task("design", DAY), Task("build", DAY)], [Link("design", "test")], "task test does not exist"),
        ([Task("design", DAY)], [Link("nothing", "design")], "task nothing does not exist"),
        ([Task("design", DAY, parent="phase")], [], "task design: its summary task phase does not exist"),
        ([Task("design", DAY), Task("design", DAY)], [], "task design: appears twice"),
        ([Task("design", DAY, constraint="SOON")], [], "task design: unknown constraint"),
        ([Task("design", DAY, actual_start=d(8, 8), remaining=-1)], [], "task design: the remaining duration"),
        ([Task("design", DAY), Task("build", DAY)], [Link("design", "build", "XX")], "design → build: unknown type"),
        ([Task("design", DAY, deadline=dt.datetime(2200, 1, 1))], [], "task design: deadline"),
    ],
)
def test_bad_plans_name_the_culprit(tasks, links, message):
    with pytest.raises(ScheduleError) as caught:
        plan(tasks, links)
    assert message in str(caught.value)


def test_an_unknown_default_calendar_is_refused():
    with pytest.raises(ScheduleError, match="unknown calendar 'none'"):
        cpm.schedule([Task("A", DAY)], [], calendars(), "none", START)


def test_a_project_start_outside_the_supported_range_is_refused():
    with pytest.raises(ScheduleError, match="project start"):
        plan([Task("A", DAY)], start=dt.datetime(1970, 1, 1))


# -- progress reporting ----------------------------------------------------------------------------


def chain(n: int) -> tuple[list[Task], list[Link]]:
    tasks = [Task(i, DAY) for i in range(n)]
    links = [Link(i, i + 1) for i in range(n - 1)]
    return tasks, links


def test_progress_is_reported_rising_to_one():
    seen: list[float] = []
    tasks, links = chain(60)
    plan(tasks, links, progress=seen.append)
    assert len(seen) > 10
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert all(0 <= value <= 1 for value in seen)


@pytest.mark.parametrize("size", [60, 4000])  # the loops, and the vectors of a large plan (chains of four)
@pytest.mark.parametrize("variant", ["summary link", "start-start link from a summary", "ALAP", "all of them"])
def test_progress_never_goes_back(variant, size):
    tasks, links = chain(size)
    if size > 1000:
        links = [link for link in links if link.successor % 4]
    if variant in ("summary link", "all of them"):
        tasks += [Task("S"), Task("child", DAY, parent="S")]
        links.append(Link(size - 1, "S"))
    if variant in ("start-start link from a summary", "all of them"):
        tasks += [Task("T"), Task("first", DAY, parent="T"), Task("second", DAY, parent="T"), Task("after", DAY)]
        links += [Link(0, "second"), Link("T", "after", SS)]
    if variant in ("ALAP", "all of them"):
        tasks[size // 2].constraint = cpm.ALAP
    seen: list[float] = []
    plan(tasks, links, progress=seen.append)
    assert len(seen) > 10
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert seen[0] >= 0 and seen[-2] <= 0.9  # the passes report up to 90 %, the results the rest


def test_the_critical_path_of_a_chain():
    tasks, links = chain(5)
    tasks.append(Task("side", DAY))
    schedule = plan(tasks, links)
    assert schedule.critical_path() == [0, 1, 2, 3, 4]
    assert schedule.finish == d(12, 17)
    assert schedule.tasks["side"].total_slack == 4 * DAY
    assert schedule.tasks["side"].free_slack == 4 * DAY
