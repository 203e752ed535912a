"""Recurring calendar exceptions as Microsoft Project 2016 saved them, read by the MSPDI reader and
expanded by the engine: each gives the days MS Project listed for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

HOUR = 60
MORNING = (8 * HOUR, 12 * HOUR)
AFTERNOON = (13 * HOUR, 17 * HOUR)
REPOSITORY = Path(__file__).resolve().parents[3]
# the reference files live next to the repository (../shared/data/mspdi), or inside a copy of it
MSPDI = next(
    (p for p in (REPOSITORY.parent / "shared/data/mspdi", REPOSITORY / "shared/data/mspdi") if p.is_dir()),
    REPOSITORY.parent / "shared/data/mspdi",
)
NS = {"p": "http://schemas.microsoft.com/project"}


# -- recurring exceptions saved by Microsoft Project 2016 --------------------------------------------


def _recurring_file() -> Path:
    path = MSPDI / "calendar_recurring_exceptions_2016.xml"
    if not path.exists():
        pytest.skip(f"reference file {path} is absent (../shared/data/mspdi is not checked out)")
    return path


def _stored_exceptions() -> dict[str, tuple[int, dt.date, dt.date]]:
    """Name → (Occurrences, FromDate, ToDate) read straight from the XML."""
    tree = etree.parse(str(_recurring_file()), etree.XMLParser(resolve_entities=False, no_network=True))
    stored = {}
    for node in tree.iterfind(".//p:Calendar/p:Exceptions/p:Exception", NS):
        stored[node.findtext("p:Name", namespaces=NS)] = (
            int(node.findtext("p:Occurrences", namespaces=NS)),
            dt.datetime.fromisoformat(node.findtext("p:TimePeriod/p:FromDate", namespaces=NS)).date(),
            dt.datetime.fromisoformat(node.findtext("p:TimePeriod/p:ToDate", namespaces=NS)).date(),
        )
    return stored


def _expanded_by_ms_project() -> set[dt.date]:
    """The same exceptions as Microsoft Project also saved them, one day range per occurrence (pre-2007 form)."""
    tree = etree.parse(str(_recurring_file()), etree.XMLParser(resolve_entities=False, no_network=True))
    days: set[dt.date] = set()
    for node in tree.iterfind(".//p:Calendar/p:WeekDays/p:WeekDay", NS):
        if node.findtext("p:DayType", namespaces=NS) != "0":
            continue
        first = dt.datetime.fromisoformat(node.findtext("p:TimePeriod/p:FromDate", namespaces=NS)).date()
        last = dt.datetime.fromisoformat(node.findtext("p:TimePeriod/p:ToDate", namespaces=NS)).date()
        days.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return days


RECURRING_NAMES = [
    "Daily 1", "Daily 2", "Daily 3", "Daily 4",
    "Weekly 1 Monday", "Weekly 2 Tuesday", "Weekly 3 Wednesday", "Weekly 4 Thursday", "Weekly 5 Friday",
    "Weekly 6 Saturday", "Weekly 7 Sunday",
    "Monthly Relative 1", "Monthly Relative 2", "Monthly Relative 3", "Monthly Relative 4", "Monthly Relative 5",
    "Monthly Relative 6", "Monthly Relative 7", "Monthly Absolute 1", "Monthly Absolute 2",
    "Yearly Relative 1", "Yearly Relative 2", "Yearly Relative 3",
    "Yearly Absolute 1", "Yearly Absolute 2", "Yearly Absolute 3",
    "Recurring Working",
]  # fmt: skip


def test_the_list_of_recurring_exceptions_is_complete():
    assert sorted(RECURRING_NAMES) == sorted(_stored_exceptions())


@pytest.mark.parametrize("name", RECURRING_NAMES)
def test_recurring_exception_from_ms_project(name):
    from regie.planning import mspdi

    occurrences, from_date, to_date = _stored_exceptions()[name]
    project = mspdi.read(str(_recurring_file()))
    (exception,) = [e for c in project.calendars.values() for e in c.exceptions if e.name == name]
    days = exception.days()
    assert len(days) == occurrences
    assert days[-1] == to_date
    assert days[0] >= from_date
    assert days == sorted(set(days))
    # Microsoft Project saved every occurrence in the old form too: each expanded day must be one of them
    assert set(days) <= _expanded_by_ms_project()


def test_recurring_working_exception_gives_its_hours():
    from regie.planning import mspdi

    project = mspdi.read(str(_recurring_file()))
    calendar = project.engine_calendars()["1"]
    # "Recurring Working": the first Saturday of January to March 2010 is worked 09:00–13:00, 14:00–17:00
    for saturday in (dt.date(2010, 1, 2), dt.date(2010, 2, 6), dt.date(2010, 3, 6)):
        assert calendar.day(saturday.toordinal()) == ((9 * HOUR, 13 * HOUR), (14 * HOUR, 17 * HOUR))
    assert calendar.day(dt.date(2010, 1, 9).toordinal()) == ()
    # "Daily 2": every third day from 2000-02-01, four times, is a holiday (2000-02-07 is a Monday)
    assert calendar.day(dt.date(2000, 2, 7).toordinal()) == ()
    assert calendar.day(dt.date(2000, 2, 8).toordinal()) == (MORNING, AFTERNOON)
