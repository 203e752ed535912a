"""SLA clocks of cases, worked through by hand on the desk's office hours (Monday to Friday, 08:00–12:00
and 13:00–17:00): the customer's SLA clocks, and a clock for each chain link that held the case, so that a
breach is attributed to the link that caused it; re-prioritising and a changed calendar give the right
answer because the clocks are computed again from the events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from regie.cases import clocks, services
from regie.cases.models import Case, SlaClock
from regie.cases.tests.conftest import at

pytestmark = pytest.mark.django_db


def _clock(case: Case, name: str, link=None) -> SlaClock:
    return SlaClock.objects.get(case=case, name=name, link=link)


def _step(desk, case: Case, who: str, transition: str, when, **extra) -> Case:
    case.refresh_from_db()
    return services.case_transition(
        actor=desk.users[who], case=case, transition=transition, expected_version=case.version, at=when, **extra
    )


def _assign(desk, case: Case, when, **holder) -> Case:
    case.refresh_from_db()
    return services.case_assign(actor=desk.users["agent"], case=case, expected_version=case.version, at=when, **holder)


def _incident_via_the_supplier(desk) -> Case:
    """Monday 2 March 2026, P3 (impact and urgency medium):
    09:00 logged by the requester; 09:30 assigned to Operations (the engineer); 10:30 started;
    11:00 handed to the supplier, waiting for it; 15:00 back with Operations, resumed; 16:00 resolved."""
    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Laptop cannot reach mail", at=at(2, 9)
    )
    _assign(desk, case, at(2, 9, 30), team=desk.team, assignee=desk.person("engineer"))
    _step(desk, case, "agent", "assign", at(2, 9, 30))
    _step(desk, case, "engineer", "start", at(2, 10, 30))
    _assign(desk, case, at(2, 11), team=desk.team, supplier=desk.supplier)
    _step(desk, case, "engineer", "wait_for_supplier", at(2, 11), note="Cloudy ticket 4711")
    _assign(desk, case, at(2, 15), team=desk.team, assignee=desk.person("engineer"))
    _step(desk, case, "engineer", "resume", at(2, 15))
    return _step(desk, case, "engineer", "resolve", at(2, 16), fields={"resolution": "Mailbox moved back"})


def test_each_link_answers_for_the_time_it_held_the_case(desk):
    case = _incident_via_the_supplier(desk)
    clocks.recompute([case], now=at(3, 12))
    # The customer: response 09:00–09:30 = 30 of 60 minutes. Resolution: running 09:00–11:00 (120),
    # paused while waiting for the supplier 11:00–15:00, running 15:00–16:00 (60): 180 of 480, met.
    response = _clock(case, "response")
    assert (response.status, response.elapsed_minutes, response.target_minutes, response.breached) == ("stopped", 30, 60, False)
    resolution = _clock(case, "resolution")
    assert (resolution.status, resolution.elapsed_minutes, resolution.breached) == ("stopped", 180, False)
    assert resolution.agreement == desk.sla
    # Operations (OLA): held 09:30–11:00 (90) and 15:00–16:00 (60): 150 of 240, met.
    ops = _clock(case, "resolution", desk.ops_link)
    assert (ops.elapsed_minutes, ops.target_minutes, ops.breached) == (150, 240, False)
    # The supplier (contract, 120 for every priority): held 11:00–12:00 (60) and 13:00–15:00 (120) while
    # the case waited for it: 180, breached at 14:00 when it had used its 120.
    cloudy = _clock(case, "resolution", desk.supplier_link)
    assert (cloudy.elapsed_minutes, cloudy.target_minutes, cloudy.breached) == (180, 120, True)
    assert cloudy.breached_at == at(2, 14)
    assert cloudy.agreement == desk.contract


def test_the_answer_does_not_depend_on_when_it_is_computed(desk):
    case = _incident_via_the_supplier(desk)
    clocks.recompute([case], now=at(2, 16, 30))
    columns = ("name", "link_id", "elapsed_minutes", "breached", "breached_at")
    first = sorted(SlaClock.objects.filter(case=case).values_list(*columns), key=str)
    clocks.recompute([case], now=at(20, 9))
    assert sorted(SlaClock.objects.filter(case=case).values_list(*columns), key=str) == first


def test_a_raised_priority_takes_the_shorter_target_over_the_whole_case(desk):
    """Logged Monday 09:00 as P3, found to be P1 (impact and urgency high) at 10:00: the P1 resolution
    target of 120 minutes counts from 09:00, so at 11:30 (150 minutes) it was breached at 11:00."""
    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Outage", at=at(2, 9)
    )
    case.refresh_from_db()
    services.case_prioritise(
        actor=desk.users["agent"], case=case, impact=1, urgency=1, expected_version=case.version, at=at(2, 10)
    )
    clocks.recompute([case], now=at(2, 11, 30))
    resolution = _clock(case, "resolution")
    assert (resolution.target_minutes, resolution.elapsed_minutes, resolution.breached) == (120, 150, True)
    assert resolution.breached_at == at(2, 11)
    # Its response target is 15 minutes for P1: the case was never responded to, so that too is breached.
    assert _clock(case, "response").breached_at == at(2, 9, 15)


def test_a_changed_calendar_changes_the_clocks_of_cases_already_logged(desk):
    """Logged Monday 16:00; computed on Tuesday 10:00: 60 minutes on Monday, 120 on Tuesday morning =
    180. Once Tuesday 3 March is a holiday, the same case has used 60."""
    from regie.planning.models import CalendarException

    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Printer", at=at(2, 16)
    )
    clocks.recompute([case], now=at(3, 10))
    assert _clock(case, "resolution").elapsed_minutes == 180
    CalendarException.objects.create(calendar=desk.calendar, name="Holiday", start="2026-03-03", end="2026-03-03")
    desk.calendar.version += 1  # as every change to its working time does
    desk.calendar.save()
    case.refresh_from_db()
    clocks.recompute([case], now=at(3, 10))
    assert _clock(case, "resolution").elapsed_minutes == 60


def test_a_reopened_case_goes_on_where_it_stopped(desk):
    case = _incident_via_the_supplier(desk)
    _step(desk, case, "requester", "reopen", at(3, 9), note="Mail is gone again")
    clocks.recompute([case], now=at(3, 10))
    # 180 before it was resolved, nothing while resolved (16:00 Monday – 09:00 Tuesday), 60 since.
    resolution = _clock(case, "resolution")
    assert (resolution.status, resolution.elapsed_minutes) == ("running", 240)
    assert resolution.due_at == at(3, 15)  # 240 left: 10:00–12:00 and 13:00–15:00


def test_a_holiday_added_to_the_calendar_recomputes_the_open_cases_in_the_background(desk):
    """The calendar service queues the job; the job computes the clocks of the open cases on it again."""
    from unittest import mock

    from regie.core import jobs
    from regie.core.models import Job
    from regie.planning import calendars

    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Scanner", at=at(2, 16)
    )
    clocks.recompute([case], now=at(3, 10))
    assert _clock(case, "resolution").elapsed_minutes == 180
    calendars.calendar_exception_create(
        actor=desk.org.users["superuser"],
        calendar=desk.calendar,
        values={"name": "Holiday", "start": dt.date(2026, 3, 3), "end": dt.date(2026, 3, 3)},
    )
    job = Job.objects.get(task="cases.recompute_clocks")
    assert job.arguments == {"calendar": desk.calendar.pk, "first": "2026-03-03", "last": "2026-03-03"}
    with mock.patch("regie.cases.clocks.timezone.now", return_value=at(3, 10)):
        jobs.execute(job)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    # Tuesday is a holiday now: only Monday's 16:00–17:00 counts.
    assert _clock(case, "resolution").elapsed_minutes == 60


def test_a_changed_week_splits_the_recompute_into_parts_that_give_the_same_clocks(desk, monkeypatch):
    """Three cases logged on Monday 16:00, 16:10 and 16:20; on Tuesday 10:00 the calendar's Tuesday
    starts at 09:00 instead of 08:00. With parts of two cases the job queues two parts (two cases and
    one) and, no other worker being free, runs them itself: each case has then used an hour less."""
    from unittest import mock

    from regie.cases import tasks
    from regie.core import jobs
    from regie.core.models import Job
    from regie.planning import calendars

    monkeypatch.setattr(tasks, "PART", 2)
    cases = [
        services.case_register(
            actor=desk.users["requester"], kind="incident", service=desk.service, title=f"Printer {n}", at=at(2, 16, 10 * n)
        )
        for n in range(3)
    ]
    clocks.recompute(cases, now=at(3, 10))
    assert [_clock(c, "resolution").elapsed_minutes for c in cases] == [180, 170, 160]
    week = [list(day) for day in desk.calendar.week]
    week[1] = [["09:00", "12:00"], ["13:00", "17:00"]]
    calendars.calendar_update(
        actor=desk.org.users["superuser"], calendar=desk.calendar, values={"week": week}, version=desk.calendar.version
    )
    job = Job.objects.get(task="cases.recompute_clocks")
    assert job.arguments == {"calendar": desk.calendar.pk}
    with mock.patch("regie.cases.clocks.timezone.now", return_value=at(3, 10)):
        jobs.execute(job)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    parts = Job.objects.filter(task="cases.recompute_clocks_part").order_by("pk")
    assert [(p.status, p.arguments) for p in parts] == [
        ("succeeded", {"ids": [cases[0].pk, cases[1].pk], "part_of": job.pk}),
        ("succeeded", {"ids": [cases[2].pk], "part_of": job.pk}),
    ]
    assert (job.progress_done, job.progress_total, job.result["cases"]) == (3, 3, 3)
    assert job.progress_message == "3 of 3 cases"
    assert [_clock(c, "resolution").elapsed_minutes for c in cases] == [120, 110, 100]


@pytest.mark.django_db(transaction=True)
def test_a_batch_outside_any_transaction_puts_wrong_or_missing_clocks_right_in_one_of_its_own(desk):
    """As a job computes a batch: no transaction around it, so the batch writes its clocks in one of its
    own (on PostgreSQL without waiting for the disk: clocks are derived). A clock changed behind its back
    and one deleted are both right again, and a second pass writes nothing."""
    from django.db import connection

    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Printer", at=at(2, 16)
    )
    clocks.recompute([case], now=at(3, 10))
    right = {(c.name, c.link_id): (c.status, c.elapsed_minutes, c.due_at) for c in case.clocks.all()}
    SlaClock.objects.filter(case=case, name="resolution", link__isnull=True).update(elapsed_minutes=0, due_at=None)
    SlaClock.objects.filter(case=case, name="response", link__isnull=True).delete()
    assert not connection.in_atomic_block
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
        clocks.recompute(clocks.case_rows([case.pk]), now=at(3, 10))
    assert {(c.name, c.link_id): (c.status, c.elapsed_minutes, c.due_at) for c in case.clocks.all()} == right
    assert any(sql.startswith("UPDATE") for sql in statements) and any(sql.startswith("INSERT") for sql in statements)
    assert ("SET LOCAL synchronous_commit TO OFF" in statements) == (connection.vendor == "postgresql")
    statements.clear()
    with connection.execute_wrapper(lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)):
        clocks.recompute(clocks.case_rows([case.pk]), now=at(3, 10))
    assert not [sql for sql in statements if sql.startswith(("UPDATE", "INSERT", "DELETE"))]


def test_the_breach_scan_records_a_breach_when_it_happens(desk):
    from unittest import mock

    from regie.cases import tasks

    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Phone", at=at(2, 9)
    )
    clocks.recompute([case], now=at(2, 10))
    clock = _clock(case, "resolution")
    # 480 minutes from Monday 09:00: 180 in the morning, 240 in the afternoon, 60 on Tuesday from 08:00.
    assert (clock.breached, clock.due_at) == (False, at(3, 9))
    with mock.patch("django.utils.timezone.now", return_value=at(3, 9, 5)):
        result = tasks.scan_clocks(None)
    assert (result["cases"], result["breached"]) == (1, 2)  # resolution, and the response never given
    clock = _clock(case, "resolution")
    assert (clock.breached, clock.breached_at) == (True, at(3, 9))


def test_the_months_service_levels_come_from_the_clocks_with_breaches_blamed_on_the_link(desk):
    """Two cases in March: one resolved within the SLA (the supplier ran over its own contract, but the
    customer did not notice), one left with Operations past both the OLA and the SLA: 50 % within the
    resolution target, one breach, blamed on the Operations link."""
    from regie.cases import levels
    from regie.services.models import ServiceLevelMeasurement

    met = _incident_via_the_supplier(desk)
    late = services.case_register(actor=desk.users["requester"], kind="incident", service=desk.service, title="Slow", at=at(2, 9))
    _assign(desk, late, at(2, 9), team=desk.team)
    clocks.recompute([met, late], now=at(4, 12))
    assert levels.measure_month(dt.date(2026, 3, 15)) == 3  # resolution and response overall, resolution for the link
    rows = {
        (m.target.metric, m.link_id): (m.cases, m.breaches, m.achieved, m.source)
        for m in ServiceLevelMeasurement.objects.select_related("target")
    }
    assert rows[("resolution", None)] == (2, 1, Decimal("50.00"), "cases")
    assert rows[("resolution", desk.ops_link.pk)] == (2, 1, Decimal("50.00"), "cases")
    assert rows[("response", None)][:2] == (2, 1)  # the late one was never responded to
    assert ("resolution", desk.supplier_link.pk) not in rows  # its breach did not break the SLA
    levels.measure_month(dt.date(2026, 3, 1))  # again: the same figures, replaced
    assert ServiceLevelMeasurement.objects.count() == 3


def test_mails_and_comments_recorded_later_do_not_move_the_clocks(desk):
    """The requester's notifications are recorded when they are sent (today), with the state the case had:
    they must not restart a clock that stopped in March."""
    from django.utils import timezone

    from regie.cases.models import CaseEvent

    case = _incident_via_the_supplier(desk)
    assert CaseEvent.objects.filter(case=case, kind="mail_out").exists()
    services.case_comment(actor=desk.users["agent"], case=case, note="Closing soon")
    clocks.recompute([case], now=timezone.now())
    assert (_clock(case, "resolution").status, _clock(case, "resolution").elapsed_minutes) == ("stopped", 180)


def test_the_breach_scan_finds_a_warning_once_and_a_breach_when_it_comes(desk):
    """Logged Monday 09:00: the response clock (60 minutes) warns at 09:45 (75 %) and is due at 10:00.
    Each scan computes only the cases that crossed a line since they were last computed: a warned clock
    is not computed again at every scan until it breaches."""
    from unittest import mock

    from regie.cases import tasks

    case = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Printer", at=at(2, 9)
    )
    clocks.recompute([case], now=at(2, 9))
    response = _clock(case, "response")
    assert (response.warn_at, response.due_at) == (at(2, 9, 45), at(2, 10))

    def scan(moment):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return tasks.scan_clocks(None)["cases"]

    assert scan(at(2, 9, 40)) == 0  # nothing crossed yet
    assert scan(at(2, 9, 50)) == 1  # the warning
    assert _clock(case, "response").elapsed_minutes == 50
    assert scan(at(2, 9, 55)) == 0  # warned already: not computed again
    assert scan(at(2, 10, 5)) == 1  # due: the breach is recorded
    response = _clock(case, "response")
    assert (response.breached, response.breached_at) == (True, at(2, 10))
    assert scan(at(2, 10, 10)) == 0


def test_computing_again_writes_only_the_clocks_that_changed(desk):
    """A resolved case's clocks are stopped: computing them a day later changes no figure and writes
    nothing; a running clock's elapsed time moves on and is written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    done = _incident_via_the_supplier(desk)
    clocks.recompute([done], now=at(3, 12))
    running = services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="VPN", at=at(3, 9)
    )
    clocks.recompute([running], now=at(3, 12))
    before = {c.pk: c.computed_at for c in SlaClock.objects.filter(case=done)}
    with CaptureQueriesContext(connection) as queries:
        clocks.recompute([done, running], now=at(4, 12))
    # (a batch of statements is recorded as "N times: UPDATE …")
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split(": ", 1)[-1].startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    # (one statement for the running clock's two rows: SQLite sends one UPDATE twice, PostgreSQL one with both)
    assert len(writes) == 1 and "UPDATE" in writes[0] and "cases_slaclock" in writes[0]
    assert {c.pk: c.computed_at for c in SlaClock.objects.filter(case=done)} == before
    assert _clock(running, "resolution").computed_at == at(4, 12)
    assert _clock(running, "resolution").elapsed_minutes == 180 + 240 + 240  # Tuesday from 09:00, Wednesday 08:00–12:00


def test_a_day_changed_ahead_computes_only_the_clocks_it_can_move(desk):
    """Monday 2 March 10:30. Two running incidents, logged at 09:00 and 10:00: their resolution is due on
    Tuesday 09:00 and 10:00. A closure day on Wednesday moves no clock, so the job
    computes no case; a closure on Tuesday moves both running ones; a day changed before the cases were
    logged moves none."""
    from unittest import mock

    from regie.core import jobs
    from regie.core.models import Job
    from regie.planning import calendars

    def close(day):
        calendars.calendar_exception_create(
            actor=desk.org.users["superuser"], calendar=desk.calendar, values={"name": f"Closed {day}", "start": day, "end": day}
        )
        job = Job.objects.filter(task="cases.recompute_clocks").latest("pk")
        assert job.arguments == {"calendar": desk.calendar.pk, "first": day.isoformat(), "last": day.isoformat()}
        jobs.execute(job)
        job.refresh_from_db()
        assert job.status == "succeeded", job.error
        return job.result["cases"]

    with mock.patch("django.utils.timezone.now", return_value=at(2, 10, 30)):
        early = services.case_register(
            actor=desk.users["requester"], kind="incident", service=desk.service, title="A", at=at(2, 9)
        )
        late = services.case_register(
            actor=desk.users["requester"], kind="incident", service=desk.service, title="B", at=at(2, 10)
        )
        assert (_clock(early, "resolution").due_at, _clock(late, "resolution").due_at) == (at(3, 9), at(3, 10))
        assert close(dt.date(2026, 3, 4)) == 0
        assert close(dt.date(2026, 2, 27)) == 0
        assert close(dt.date(2026, 3, 3)) == 2
        assert (_clock(early, "resolution").due_at, _clock(late, "resolution").due_at) == (
            at(5, 9),
            at(5, 10),
        )  # Tuesday and Wednesday closed
