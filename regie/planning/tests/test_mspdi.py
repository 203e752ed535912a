"""Microsoft Project XML (MSPDI): the dates Microsoft Project computed, round trips, and files to refuse.

The reference plans live next to the repository in ../shared/data/mspdi (see its README.md and
SOURCES.tsv): every one was saved by Microsoft Project, with the dates it computed stored in each task.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from lxml import etree

from regie.engine import calendar as cal
from regie.engine import cpm
from regie.planning import mspdi
from regie.planning.mspdi import MspdiError

REPOSITORY = Path(__file__).resolve().parents[3]
MSPDI = next(
    (p for p in (REPOSITORY.parent / "shared/data/mspdi", REPOSITORY / "shared/data/mspdi") if p.is_dir()),
    REPOSITORY.parent / "shared/data/mspdi",
)
FILES = sorted(MSPDI.glob("*.xml")) if MSPDI.is_dir() else []
needs_reference_files = pytest.mark.skipif(
    not FILES, reason=f"the reference plans saved by Microsoft Project are not there: {MSPDI} is absent or empty"
)
NS = mspdi.NS

FIELDS = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish", "total_slack", "critical")
# Known quirks of the reference files (../shared/data/mspdi/README.md and SOURCES.tsv)
NOT_COMPARED: dict[str, dict[int | None, set[str]]] = {
    # late dates and slack stored by MS Project are unreliable in this file: the forward pass is the ground truth
    "mspdiduration.xml": {None: {"late_start", "late_finish", "total_slack", "critical"}},
    # stored LateStart/LateFinish of these three tasks are stale (their stored TotalSlack is right)
    "NewProductDev_2007.xml": {
        35: {"late_start", "late_finish"},
        36: {"late_start", "late_finish"},
        48: {"late_start", "late_finish"},
    },
}


def scheduled(project: mspdi.MsProject) -> cpm.Schedule:
    tasks, links = project.engine_plan()
    return cpm.schedule(tasks, links, project.engine_calendars(), str(project.default_calendar_uid()), project.start)


# -- the reference comparison with Microsoft Project -------------------------------------------------


@needs_reference_files
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_dates_microsoft_project_computed(path):
    project = mspdi.read(str(path))
    schedule = scheduled(project)
    skipped = NOT_COMPARED.get(path.name, {})
    mismatches = []
    compared = 0
    for task in project.tasks:
        if not task.active or task.manual or task.actual_start or task.actual_finish or task.percent_complete:
            continue
        compared += 1
        got = schedule.tasks[task.uid]
        for name in FIELDS:
            if name in skipped.get(None, set()) | skipped.get(task.uid, set()):
                continue
            want = getattr(task, name)
            if name == "total_slack" and want is None:
                want = 0  # left out when zero
            if name == "critical" and want is None:
                want = False
            if want is None:
                mismatches.append(f"task {task.uid} ({task.name}) {name}: not stored in the file")
            elif getattr(got, name) != want:
                mismatches.append(f"task {task.uid} ({task.name}) {name}: MS Project {want}, we {getattr(got, name)}")
    if not project.tasks:
        pytest.skip(f"{path.name} holds calendars only: no task to compare (its calendars are tested in test_calendar.py)")
    assert compared > 0
    assert mismatches == []


@needs_reference_files
def test_the_reference_files_cover_what_they_promise():
    """Guards against an empty or truncated copy of the reference plans silently passing."""
    names = {p.name for p in FILES}
    assert {"slack9.from_mpp.xml", "ms2013_task_links.xml", "sample_2003.xml", "NewProductDev_2007.xml"} <= names
    slack9 = mspdi.read(str(MSPDI / "slack9.from_mpp.xml"))
    assert any(t.constraint == cpm.MFO for t in slack9.tasks)
    assert any((t.total_slack or 0) < 0 for t in slack9.tasks)
    links = mspdi.read(str(MSPDI / "ms2013_task_links.xml"))
    assert {link.type for t in links.tasks for link in t.links} == {cpm.FS, cpm.SS, cpm.FF, cpm.SF}


# -- round trip ----------------------------------------------------------------------------------


def outline(project: mspdi.MsProject) -> list[tuple]:
    return [(t.uid, t.id, t.parent_uid, t.name, t.summary, t.milestone) for t in project.tasks]


def links(project: mspdi.MsProject) -> dict[int, list[tuple]]:
    return {t.uid: [(link.predecessor_uid, link.type, link.lag, link.lag_kind) for link in t.links] for t in project.tasks}


def plan_data(project: mspdi.MsProject) -> list[tuple]:
    """What the scheduler needs of each task (a summary's duration is rolled up from its children)."""
    return [
        (
            t.uid,
            None if t.summary else t.duration,
            t.elapsed,
            t.constraint,
            t.constraint_date,
            t.deadline,
            t.calendar_uid,
            t.active,
        )
        + (t.manual, t.actual_start, t.actual_finish, t.percent_complete)
        for t in project.tasks
    ]


def calendar_span(project: mspdi.MsProject) -> tuple[dt.date, dt.date]:
    """The project's year, stretched to cover every exception and work week."""
    first, last = dt.date(project.start.year, 1, 1), dt.date(project.start.year, 12, 31)
    for calendar in project.calendars.values():
        for item in [*calendar.exceptions, *calendar.work_weeks]:
            first, last = min(first, item.start), max(last, min(item.end, item.start + dt.timedelta(days=3 * 366)))
    return first, last


def assert_same_calendars(before: mspdi.MsProject, after: mspdi.MsProject) -> None:
    old, new = before.engine_calendars(), after.engine_calendars()
    assert sorted(old) == sorted(new)
    assert {uid: c.name for uid, c in before.calendars.items()} == {uid: c.name for uid, c in after.calendars.items()}
    first, last = calendar_span(before)
    for uid in old:
        a, b = old[uid], new[uid]
        year = (cal.to_minute(dt.datetime(before.start.year, 1, 1)), cal.to_minute(dt.datetime(before.start.year + 1, 1, 1)))
        assert a.between(*year) == b.between(*year), f"calendar {uid}: working minutes over {before.start.year}"
        different = [d for d in range(first.toordinal(), last.toordinal() + 1) if a.day(d) != b.day(d)]
        assert not different, (
            f"calendar {uid}: {dt.date.fromordinal(different[0])} {a.day(different[0])} != {b.day(different[0])}"
        )


def assert_round_trip(project: mspdi.MsProject) -> None:
    schedule = scheduled(project)
    data = mspdi.write(project, schedule)
    again = mspdi.read(data)
    assert outline(again) == outline(project)
    assert links(again) == links(project)
    assert plan_data(again) == plan_data(project)
    assert_same_calendars(project, again)
    assert again.start == project.start
    assert again.resources == project.resources
    assert again.assignments == project.assignments
    # the computed dates are stored, and scheduling the file read back gives them again
    stored = {t.uid: t for t in again.tasks}
    for uid, result in schedule.tasks.items():
        task = stored[uid]
        assert (task.start, task.finish, task.early_start, task.early_finish) == (
            result.start,
            result.finish,
            result.early_start,
            result.early_finish,
        ), uid
        assert (task.late_start, task.late_finish, task.total_slack, task.critical) == (
            result.late_start,
            result.late_finish,
            result.total_slack,
            result.critical,
        ), uid
    assert scheduled(again).tasks == schedule.tasks
    assert_well_formed(data, project)


def assert_well_formed(data: bytes, project: mspdi.MsProject) -> None:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{{{NS}}}Project"
    sections = [
        child.tag for child in root if child.tag in {f"{{{NS}}}{n}" for n in ("Calendars", "Tasks", "Resources", "Assignments")}
    ]
    assert sections == [f"{{{NS}}}{n}" for n in ("Calendars", "Tasks", "Resources", "Assignments")]
    tasks = root.findall(f"{{{NS}}}Tasks/{{{NS}}}Task")
    ids = [int(t.findtext(f"{{{NS}}}ID")) for t in tasks]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), "tasks in ID order"
    uids = [int(t.findtext(f"{{{NS}}}UID")) for t in tasks]
    assert len(set(uids)) == len(uids)
    assert sorted(uids) == sorted([0] + [t.uid for t in project.tasks])
    calendars = {int(c.findtext(f"{{{NS}}}UID")) for c in root.iterfind(f"{{{NS}}}Calendars/{{{NS}}}Calendar")}
    assert int(root.findtext(f"{{{NS}}}CalendarUID")) in calendars
    for task in tasks:
        calendar_uid = task.findtext(f"{{{NS}}}CalendarUID")
        assert calendar_uid is None or int(calendar_uid) in calendars | {-1}
        for link in task.iterfind(f"{{{NS}}}PredecessorLink"):
            assert int(link.findtext(f"{{{NS}}}PredecessorUID")) in uids
        for name in ("Start", "Finish"):
            value = task.findtext(f"{{{NS}}}{name}")
            assert value is None or dt.datetime.fromisoformat(value)


@needs_reference_files
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_round_trip_of_the_reference_files(path):
    assert_round_trip(mspdi.read(str(path)))


# -- small files written here ------------------------------------------------------------------------

WORKDAY = "<WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime><WorkingTime><FromTime>13:00:00</FromTime><ToTime>17:00:00</ToTime></WorkingTime></WorkingTimes>"  # noqa: E501
STANDARD_WEEK = (
    "<WeekDays>"
    + "".join(
        f"<WeekDay><DayType>{t}</DayType><DayWorking>{int(working)}</DayWorking>{WORKDAY if working else ''}</WeekDay>"
        for t, working in ((t, 2 <= t <= 6) for t in range(1, 8))
    )
    + "</WeekDays>"
)
STANDARD = f"<Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>{STANDARD_WEEK}</Calendar>"  # noqa: E501


def task(uid: int, name: str, duration: str = "PT8H0M0S", level: int = 1, extra: str = "", fmt: int = 7) -> str:
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineLevel>{level}</OutlineLevel>"
        f"<Duration>{duration}</Duration><DurationFormat>{fmt}</DurationFormat>{extra}</Task>"
    )


def link(predecessor: int, link_type: int = 1, lag: int = 0, lag_format: int = 7) -> str:
    return (
        f"<PredecessorLink><PredecessorUID>{predecessor}</PredecessorUID><Type>{link_type}</Type>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat></PredecessorLink>"
    )


def project_xml(
    tasks: str = "", calendars: str = STANDARD, start: str = "2024-01-08T08:00:00", head: str = "", tail: str = ""
) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<Project xmlns="{NS}"><Name>Small plan</Name>'
        f"<StartDate>{start}</StartDate><CalendarUID>1</CalendarUID><MinutesPerDay>480</MinutesPerDay>"
        f"<Calendars>{calendars}</Calendars><Tasks>{tasks}</Tasks>{tail}</Project>"
    ).encode()


NIGHTS = (
    "<Calendar><UID>2</UID><Name>Nights</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID><WeekDays>"
    + "".join(
        f"<WeekDay><DayType>{t}</DayType><DayWorking>1</DayWorking><WorkingTimes>"
        "<WorkingTime><FromTime>00:00:00</FromTime><ToTime>06:00:00</ToTime></WorkingTime>"
        "<WorkingTime><FromTime>22:00:00</FromTime><ToTime>00:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>"
        for t in range(2, 7)
    )
    + "<WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>"
    "<WeekDay><DayType>7</DayType><DayWorking>0</DayWorking></WeekDay>"
    "</WeekDays><Exceptions>"
    "<Exception><TimePeriod><FromDate>2024-01-01T00:00:00</FromDate><ToDate>2024-12-31T23:59:00</ToDate></TimePeriod>"
    "<Occurrences>12</Occurrences><Name>Last Friday off</Name><Type>5</Type><Period>1</Period><MonthItem>8</MonthItem>"
    "<MonthPosition>4</MonthPosition><DayWorking>0</DayWorking></Exception>"
    "<Exception><TimePeriod><FromDate>2024-01-01T00:00:00</FromDate><ToDate>2026-12-31T23:59:00</ToDate></TimePeriod>"
    "<Occurrences>3</Occurrences><Name>Founders' day</Name><Type>2</Type><Month>4</Month><MonthDay>17</MonthDay>"
    "<DayWorking>0</DayWorking></Exception>"
    "<Exception><TimePeriod><FromDate>2024-02-01T00:00:00</FromDate><ToDate>2024-02-29T23:59:00</ToDate></TimePeriod>"
    "<Occurrences>9</Occurrences><Name>Audits</Name><Type>6</Type><Period>1</Period><DaysOfWeek>6</DaysOfWeek>"
    "<DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>22:00:00</FromTime><ToTime>00:00:00</ToTime></WorkingTime>"
    "</WorkingTimes></Exception>"
    "</Exceptions><WorkWeeks><WorkWeek><TimePeriod><FromDate>2024-07-01T00:00:00</FromDate><ToDate>2024-08-31T23:59:00</ToDate>"
    "</TimePeriod><WeekDays><WeekDay><DayType>6</DayType><DayWorking>0</DayWorking></WeekDay></WeekDays></WorkWeek></WorkWeeks>"
    "</Calendar>"
    "<Calendar><UID>3</UID><Name>Derived</Name><IsBaseCalendar>0</IsBaseCalendar><BaseCalendarUID>1</BaseCalendarUID><WeekDays>"
    "<WeekDay><DayType>7</DayType><DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>09:00:00</FromTime>"
    "<ToTime>13:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>"
    "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod><FromDate>2024-01-15T00:00:00</FromDate>"
    "<ToDate>2024-01-16T23:59:00</ToDate></TimePeriod></WeekDay></WeekDays></Calendar>"
)

RICH_PLAN = project_xml(
    task(1, "Phase 1 — R&amp;D &lt;core&gt;", level=1)
    + task(2, "Design", "PT16H0M0S", 2, "<Deadline>2024-01-12T17:00:00</Deadline>")
    + task(3, "Night build", "PT12H0M0S", 2, "<CalendarUID>2</CalendarUID>" + link(2, 1, 2400))
    + task(4, "Cure", "PT36H0M0S", 2, link(3, 3, 50, 19), fmt=6)
    + task(5, "Review", "PT4H0M0S", 1, "<CalendarUID>3</CalendarUID>" + link(4, 0, -4800) + link(1, 1, 1440, 8))
    + task(6, "Sign-off", "PT0H0M0S", 1, "<Milestone>1</Milestone><ConstraintType>4</ConstraintType>"
                                          "<ConstraintDate>2024-01-29T08:00:00</ConstraintDate>" + link(5, 1))
    + task(7, "Report", "PT8H0M0S", 1, "<ConstraintType>3</ConstraintType><ConstraintDate>2024-01-24T17:00:00</ConstraintDate>"
                                        + link(2, 2, 0))
    + task(8, "Ideas", "PT8H0M0S", 1, "<ConstraintType>1</ConstraintType>")
    + task(9, "Survey", "PT16H0M0S", 1, "<ActualStart>2024-01-08T10:00:00</ActualStart><PercentComplete>50</PercentComplete>"
                                         "<RemainingDuration>PT8H0M0S</RemainingDuration>")
    + task(10, "Cabling", "PT40H0M0S", 1, link(9, 1)),
    STANDARD + NIGHTS,
    tail="<Resources><Resource><UID>1</UID><ID>1</ID><Name>Ana</Name><Type>1</Type><CalendarUID>3</CalendarUID></Resource>"
    "</Resources><Assignments><Assignment><UID>1</UID><TaskUID>10</TaskUID><ResourceUID>1</ResourceUID><Units>1</Units>"
    "<Work>PT40H0M0S</Work></Assignment></Assignments>",
)  # fmt: skip


def test_a_small_plan_is_read_as_written():
    project = mspdi.read(RICH_PLAN)
    by_uid = {t.uid: t for t in project.tasks}
    assert by_uid[1].name == "Phase 1 — R&D <core>" and by_uid[1].summary
    assert [by_uid[uid].parent_uid for uid in (2, 3, 4, 5)] == [1, 1, 1, None]
    assert by_uid[4].elapsed and by_uid[4].duration == 36 * 60
    assert [(k.predecessor_uid, k.type, k.lag, k.lag_kind) for k in by_uid[5].links] == [
        (4, cpm.FF, -480, cpm.WORK),
        (1, cpm.FS, 144, cpm.ELAPSED),
    ]
    assert [(k.type, k.lag, k.lag_kind) for k in by_uid[4].links] == [(cpm.SS, 50, cpm.PERCENT)]
    assert by_uid[6].milestone and by_uid[6].constraint == cpm.SNET
    assert by_uid[7].constraint == cpm.MFO and by_uid[7].constraint_date == dt.datetime(2024, 1, 24, 17)
    assert by_uid[8].constraint == cpm.ALAP
    assert (by_uid[9].actual_start, by_uid[9].percent_complete, by_uid[9].remaining) == (dt.datetime(2024, 1, 8, 10), 50, 480)
    assert [(r.uid, r.name, r.calendar_uid) for r in project.resources] == [(1, "Ana", 3)]
    assert [(a.task_uid, a.resource_uid, a.work) for a in project.assignments] == [(10, 1, 2400)]
    calendars = project.engine_calendars()
    nights, derived = calendars["2"], calendars["3"]
    assert nights.day(dt.date(2024, 1, 26).toordinal()) == ()  # the last Friday of January
    assert nights.day(dt.date(2025, 5, 17).toordinal()) == ()  # founders' day, 17 May
    assert nights.day(dt.date(2024, 2, 5).toordinal()) == ((22 * 60, 24 * 60),)  # an audit Monday
    assert nights.day(dt.date(2024, 7, 5).toordinal()) == ()  # a Friday in the summer work week
    assert nights.day(dt.date(2024, 7, 4).toordinal()) == ((0, 360), (1320, 1440))
    assert derived.day(dt.date(2024, 1, 13).toordinal()) == ((9 * 60, 13 * 60),)  # its own Saturday
    assert derived.day(dt.date(2024, 1, 12).toordinal()) == ((480, 720), (780, 1020))  # the base calendar's Friday
    assert derived.day(dt.date(2024, 1, 15).toordinal()) == ()  # its own holiday


def test_round_trip_of_a_small_plan_with_every_feature():
    project = mspdi.read(RICH_PLAN)
    schedule = scheduled(project)
    assert schedule.tasks[9].start == dt.datetime(2024, 1, 8, 10)  # its actual start
    # Cabling is worked by Ana, whose calendar (derived from the standard one) adds Saturday mornings and
    # takes 2024-01-15/16 off: 6 + 8 + 8 hours Wednesday to Friday, 4 on Saturday, 8 on Wednesday, 6 on Thursday
    assert schedule.tasks[10].start == dt.datetime(2024, 1, 10, 10)
    assert schedule.tasks[10].finish == dt.datetime(2024, 1, 18, 15)
    assert_round_trip(project)


def test_a_file_object_and_bytes_read_the_same():
    assert outline(mspdi.read(io.BytesIO(RICH_PLAN))) == outline(mspdi.read(RICH_PLAN))


def test_writing_without_a_schedule_keeps_the_plan():
    project = mspdi.read(RICH_PLAN)
    again = mspdi.read(mspdi.write(project))
    assert outline(again) == outline(project)
    assert links(again) == links(project)
    assert scheduled(again).tasks == scheduled(project).tasks


def test_round_trip_of_a_percentage_lag_above_one_hundred():
    project = mspdi.read(project_xml(task(1, "Pour", "PT16H0M0S") + task(2, "Strip forms", extra=link(1, 3, 50, 19))))
    assert links(project)[2] == [(1, cpm.SS, 50, cpm.PERCENT)]
    project.tasks[1].links[0].lag = 150  # the successor starts once one and a half times the predecessor's duration has passed
    written = mspdi.write(project)
    assert b"<LinkLag>150</LinkLag><LagFormat>19</LagFormat>" in written  # the whole percentage, as MS Project stores it
    assert links(mspdi.read(written))[2] == [(1, cpm.SS, 150, cpm.PERCENT)]


@pytest.mark.parametrize("percent", [1, 99, 100, 101, 150, 250, 1000, -30, -150])
@pytest.mark.parametrize("lag_format", [19, 20])
def test_a_percentage_lag_is_read_as_stored_and_written_back_unchanged(percent, lag_format):
    data = project_xml(task(1, "Pour", "PT16H0M0S") + task(2, "Strip forms", extra=link(1, 1, percent, lag_format)))
    project = mspdi.read(data)
    assert links(project)[2] == [(1, cpm.FS, percent, cpm.PERCENT)]
    written = mspdi.write(project)
    assert f"<LinkLag>{percent}</LinkLag><LagFormat>{lag_format}</LagFormat>".encode() in written
    assert links(mspdi.read(written)) == links(project)


def test_a_percentage_lag_above_one_hundred_schedules_from_the_whole_percentage():
    project = mspdi.read(project_xml(task(1, "Pour", "PT16H0M0S") + task(2, "Strip forms", extra=link(1, 3, 150, 19))))
    schedule = scheduled(project)
    # 150 % of two days is three days after the start of Pour (Monday 2024-01-08)
    assert schedule.tasks[2].start == dt.datetime(2024, 1, 11, 8)


# -- files to refuse -------------------------------------------------------------------------------


def refused(data: bytes) -> str:
    with pytest.raises(MspdiError) as caught:
        mspdi.read(data)
    return str(caught.value)


def test_malformed_xml_is_refused():
    message = refused(f'<Project xmlns="{NS}"><Tasks><Task><UID>1</UID></Tasks></Project>'.encode())
    assert "not well-formed" in message
    assert "Task" in message  # lxml names the mismatched tag


def test_an_xhtml_file_is_refused():
    page = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>Project</title></head><body/></html>'
    assert "root element is not <Project>" in refused(page)


def test_an_unknown_namespace_is_refused():
    data = project_xml(task(1, "Design")).replace(NS.encode(), b"urn:example:not-ms-project")
    assert "unknown namespace urn:example:not-ms-project" in refused(data)


def test_a_negative_duration_names_the_task():
    message = refused(project_xml(task(1, "Design") + task(7, "Pour concrete", "-PT8H0M0S")))
    assert "Task 7 (Pour concrete)" in message
    assert "negative" in message


def test_a_missing_predecessor_names_the_task_and_the_link():
    message = refused(project_xml(task(1, "Design") + task(2, "Build", extra=link(99))))
    assert "Task 2 (Build)" in message
    assert "predecessor 99 does not exist" in message


def test_an_unknown_task_calendar_is_refused():
    message = refused(project_xml(task(1, "Design", extra="<CalendarUID>42</CalendarUID>")))
    assert "Task 1 (Design)" in message
    assert "calendar 42 is not defined" in message


@pytest.mark.parametrize(
    "data, culprit",
    [
        (project_xml(task(1, "Design"), start="1983-12-30T08:00:00"), "<StartDate>: 1983-12-30T08:00:00"),
        (
            project_xml(task(1, "Design", extra="<Start>2150-06-01T08:00:00</Start>")),
            "Task 1 (Design): <Start>: 2150-06-01T08:00:00",
        ),
        (
            project_xml(task(1, "Design", extra="<Finish>2150-01-01T12:00:00</Finish>")),
            "Task 1 (Design): <Finish>: 2150-01-01T12:00:00",
        ),
        (
            project_xml(
                task(1, "Design", extra="<ConstraintType>4</ConstraintType><ConstraintDate>1900-01-01T08:00:00</ConstraintDate>")
            ),
            "Task 1 (Design): <ConstraintDate>: 1900-01-01T08:00:00",
        ),
    ],
    ids=["project start", "task start", "noon after the last day", "constraint date"],
)
def test_a_date_outside_the_supported_range_is_refused(data, culprit):
    message = refused(data)
    assert culprit in message
    assert "outside the supported range" in message


def test_an_exception_ending_before_it_starts_is_refused():
    backwards = STANDARD.replace(
        "</WeekDays>",
        "</WeekDays><Exceptions><Exception><TimePeriod><FromDate>2024-05-10T00:00:00</FromDate>"
        "<ToDate>2024-05-01T23:59:00</ToDate></TimePeriod><Name>Inventory</Name><Type>1</Type>"
        "<DayWorking>0</DayWorking></Exception></Exceptions>",
    )
    message = refused(project_xml(task(1, "Design"), backwards))
    assert "Calendar 1" in message and "Inventory" in message
    assert "ends (2024-05-01) before it starts (2024-05-10)" in message


def test_an_old_style_exception_ending_before_it_starts_is_refused():
    backwards = STANDARD.replace(
        "</WeekDays>",
        "<WeekDay><DayType>0</DayType><DayWorking>0</DayWorking><TimePeriod><FromDate>2024-05-10T00:00:00</FromDate>"
        "<ToDate>2024-05-01T23:59:00</ToDate></TimePeriod></WeekDay></WeekDays>",
    )
    message = refused(project_xml(task(1, "Design"), backwards))
    assert "Calendar 1" in message and "before it starts" in message


LAUGHS = (
    '<!DOCTYPE Project [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(3, 10))
    + "]>"
)


def names_or_refusal(data: bytes) -> str:
    try:
        project = mspdi.read(data)
    except MspdiError:
        return ""
    return " ".join([project.name, project.title] + [t.name for t in project.tasks])


def test_entity_expansion_is_not_performed():
    data = project_xml(task(1, "Design &lol9;"), head=LAUGHS).replace(b"<Name>Small plan</Name>", b"<Name>&lol9;</Name>")
    assert "lollol" not in names_or_refusal(data)


def test_an_external_entity_is_not_read():
    head = '<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    data = project_xml(task(1, "Design &secret;"), head=head).replace(b"<Name>Small plan</Name>", b"<Name>&secret;</Name>")
    text = names_or_refusal(data)
    assert "root:" not in text
    assert "/bin/" not in text
