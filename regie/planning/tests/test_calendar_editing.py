"""Keeping the working calendars: the pages and the API for calendars and their exceptions, who may use
them, bad input refused by name with nothing stored, and the plans that use a calendar rescheduled after
every change to its working time."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from regie.core import jobs
from regie.core.demo import load_demo
from regie.core.models import Job, RoleAssignment
from regie.planning.models import CalendarException, Plan, Task, WorkCalendar
from regie.portfolio.models import Portfolio

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY = [["08:00", "12:00"], ["13:00", "17:00"]]


@pytest.fixture
def demo(db):
    """The demo organisation with its plans; ``keeper`` is a portfolio manager (who keeps the calendars)
    without being a superuser, ``dev`` and ``pm`` do not hold ``planning.manage_calendars``."""
    load_demo(lambda _line: None)
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    keeper = users["pmo"]
    RoleAssignment.objects.create(person=keeper.person, role="portfolio_manager", scope=Portfolio.objects.get(code="IT-PF").scope)
    users["keeper"] = keeper
    return users


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def standard() -> WorkCalendar:
    return WorkCalendar.objects.get(is_default=True)


def week_form(**days: str) -> dict[str, str]:
    data = dict.fromkeys(WEEKDAYS[:5], "08:00-12:00, 13:00-17:00")
    data.update(saturday="", sunday="")
    data.update(days)
    return data


def calendar_form(calendar: WorkCalendar | None = None, **changes: str) -> dict[str, str]:
    data = {"name": "Shifts", "description": "", "domain": ""}
    if calendar is not None:
        data.update(name=calendar.name, version=str(calendar.version))
        if calendar.is_default:
            data["is_default"] = "on"
    data.update(week_form())
    data.update(changes)
    return data


def exception_form(calendar: WorkCalendar, **changes: str) -> dict[str, str]:
    data = {"name": "Company day", "start": "2026-06-01", "end": "", "hours": "", "recurrence": "once", "period": "1",
            "version": str(calendar.version)}  # fmt: skip
    data.update(changes)
    return data


def open_task() -> Task:
    """A task of the demo plan still to be done, on the default calendar."""
    plan = Plan.objects.get(project__code="P-001")
    return (
        Task.objects.filter(plan=plan, is_summary=False, milestone=False, actual_start__isnull=True, duration__gt=0)
        .order_by("start")
        .first()
    )


def snapshot() -> tuple:
    return (
        list(WorkCalendar.objects.order_by("pk").values_list("pk", "name", "week", "is_default", "version", "archived_at")),
        list(CalendarException.objects.order_by("pk").values_list("pk", "name", "start", "end", "hours", "recurrence")),
    )


# -- permissions -------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(demo):
    calendar = standard()
    exception = calendar.exceptions.first()
    client = client_for(None)
    before = snapshot()
    for url in (
        reverse("planning:calendar_list"),
        reverse("planning:calendar_new"),
        reverse("planning:calendar_detail", args=[calendar.pk]),
        reverse("planning:calendar_edit", args=[calendar.pk]),
        reverse("planning:calendar_exception_new", args=[calendar.pk]),
        reverse("planning:calendar_exception_edit", args=[calendar.pk, exception.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    for url in (
        reverse("planning:calendar_archive", args=[calendar.pk]),
        reverse("planning:calendar_exception_delete", args=[calendar.pk, exception.pk]),
        reverse("planning:calendar_edit", args=[calendar.pk]),
    ):
        response = client.post(url, calendar_form(calendar))
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    assert client.post("/api/calendars", {"name": "X"}, content_type="application/json").status_code == 401
    assert snapshot() == before


@pytest.mark.parametrize("who", ["dev", "pm"])
def test_without_the_action_the_pages_answer_403_and_the_links_are_hidden(demo, who):
    calendar = standard()
    exception = calendar.exceptions.first()
    client = client_for(demo[who])
    before = snapshot()
    listing = client.get(reverse("planning:calendar_list")).content.decode()
    assert calendar.get_absolute_url() in listing and reverse("planning:calendar_new") not in listing
    detail = client.get(calendar.get_absolute_url()).content.decode()
    assert reverse("planning:calendar_edit", args=[calendar.pk]) not in detail
    assert reverse("planning:calendar_exception_new", args=[calendar.pk]) not in detail
    assert reverse("planning:calendar_archive", args=[calendar.pk]) not in detail
    for url in (
        reverse("planning:calendar_new"),
        reverse("planning:calendar_edit", args=[calendar.pk]),
        reverse("planning:calendar_exception_new", args=[calendar.pk]),
        reverse("planning:calendar_exception_edit", args=[calendar.pk, exception.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("planning:calendar_new"), calendar_form()).status_code == 403
    edit = reverse("planning:calendar_edit", args=[calendar.pk])
    assert client.post(edit, calendar_form(calendar, name="X")).status_code == 403
    assert client.post(reverse("planning:calendar_archive", args=[calendar.pk]), {"version": calendar.version}).status_code == 403
    url = reverse("planning:calendar_exception_new", args=[calendar.pk])
    assert client.post(url, exception_form(calendar)).status_code == 403
    url = reverse("planning:calendar_exception_delete", args=[calendar.pk, exception.pk])
    assert client.post(url, {"version": calendar.version}).status_code == 403
    # the API refuses the same
    etag = client.get(f"/api/calendars/{calendar.pk}")["ETag"]
    assert client.post("/api/calendars", {"name": "X"}, content_type="application/json").status_code == 403
    patch = client.patch(f"/api/calendars/{calendar.pk}", {"name": "X"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert patch.status_code == 403 and patch["Content-Type"] == "application/problem+json"
    assert client.delete(f"/api/calendars/{calendar.pk}", HTTP_IF_MATCH=etag).status_code == 403
    holiday = {"name": "X", "start": "2026-06-01"}
    assert client.post(f"/api/calendars/{calendar.pk}/exceptions", holiday, content_type="application/json").status_code == 403
    url = f"/api/calendars/{calendar.pk}/exceptions/{exception.pk}"
    assert client.patch(url, {"name": "X"}, content_type="application/json", HTTP_IF_MATCH=etag).status_code == 403
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 403
    assert snapshot() == before


def test_the_keeper_sees_the_links(demo):
    calendar = standard()
    client = client_for(demo["keeper"])
    assert reverse("planning:calendar_new") in client.get(reverse("planning:calendar_list")).content.decode()
    detail = client.get(calendar.get_absolute_url()).content.decode()
    for url in (
        reverse("planning:calendar_edit", args=[calendar.pk]),
        reverse("planning:calendar_exception_new", args=[calendar.pk]),
        reverse("planning:calendar_archive", args=[calendar.pk]),
        reverse("planning:calendar_exception_edit", args=[calendar.pk, calendar.exceptions.first().pk]),
    ):
        assert url in detail
    assert "P-001" in detail  # the plans that use it


# -- pages -------------------------------------------------------------------------------------------------


def test_create_and_edit_a_calendar_through_the_pages(demo):
    client = client_for(demo["keeper"])
    page = client.get(reverse("planning:calendar_new"))
    assert page.status_code == 200 and "08:00-12:00, 13:00-17:00" in page.content.decode()
    response = client.post(
        reverse("planning:calendar_new"),
        calendar_form(monday="06:00-14:00; 14:00-22:00", saturday="09:00 – 13:00", friday="13:00-17:00, 08:00-12:00"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    shifts = WorkCalendar.objects.get(name="Shifts")
    assert shifts.week[0] == [["06:00", "14:00"], ["14:00", "22:00"]]
    assert shifts.week[4] == DAY  # sorted
    assert shifts.week[5] == [["09:00", "13:00"]] and shifts.week[6] == []
    assert not shifts.is_default and shifts.history.count() == 1
    # the edit form shows the week as typed text; saving it makes the calendar the one default
    edit = client.get(reverse("planning:calendar_edit", args=[shifts.pk])).content.decode()
    assert "06:00-14:00, 14:00-22:00" in edit
    old_default = standard()
    data = calendar_form(shifts, name="Shift work", is_default="on", sunday="10:00-12:00")
    response = client.post(reverse("planning:calendar_edit", args=[shifts.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    shifts.refresh_from_db()
    old_default.refresh_from_db()
    assert shifts.name == "Shift work" and shifts.week[6] == [["10:00", "12:00"]]
    assert shifts.is_default and not old_default.is_default
    assert list(WorkCalendar.objects.filter(is_default=True)) == [shifts]
    # a stale form is refused and changes nothing
    data["name"] = "Stale"
    response = client.post(reverse("planning:calendar_edit", args=[shifts.pk]), data)
    assert response.status_code == 400 and "changed by someone else" in response.content.decode()
    shifts.refresh_from_db()
    assert shifts.name == "Shift work"


def test_the_default_cannot_be_given_up_only_handed_on(demo):
    calendar = standard()
    client = client_for(demo["keeper"])
    data = calendar_form(calendar)
    data.pop("is_default")  # the box is disabled on the default: it stays ticked
    response = client.post(reverse("planning:calendar_edit", args=[calendar.pk]), data)
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.is_default


def test_archive_refuses_a_calendar_in_use_and_archives_an_unused_one(demo):
    client = client_for(demo["keeper"])
    calendar = standard()
    response = client.post(reverse("planning:calendar_archive", args=[calendar.pk]), {"version": calendar.version}, follow=True)
    assert "organisation default" in response.content.decode()
    spare = WorkCalendar.objects.create(name="Spare")
    used = WorkCalendar.objects.create(name="Night")
    plan = Plan.objects.get(project__code="P-002")
    plan.calendar = used
    plan.save()
    response = client.post(reverse("planning:calendar_archive", args=[used.pk]), {"version": used.version}, follow=True)
    page = response.content.decode()
    assert "cannot be archived" in page and "P-002" in page
    task = open_task()
    Task.objects.filter(pk=task.pk).update(calendar=spare)
    response = client.post(reverse("planning:calendar_archive", args=[spare.pk]), {"version": spare.version}, follow=True)
    assert "1 task" in response.content.decode()
    Task.objects.filter(pk=task.pk).update(calendar=None)
    response = client.post(reverse("planning:calendar_archive", args=[spare.pk]), {"version": spare.version})
    assert response.status_code == 302 and response["Location"] == reverse("planning:calendar_list")
    for row in (calendar, used, spare):
        row.refresh_from_db()
    assert calendar.archived_at is None and used.archived_at is None and spare.archived_at is not None
    assert f'href="{spare.get_absolute_url()}"' not in client.get(reverse("planning:calendar_list")).content.decode()
    assert client.get(spare.get_absolute_url()).status_code == 404
    # an archived calendar comes back from the list of archived ones; someone else may not bring it back
    restore = reverse("planning:calendar_restore", args=[spare.pk])
    assert f'data-restore="{spare.pk}"' in client.get(reverse("planning:calendar_list")).content.decode()
    assert client_for(demo["pm"]).post(restore).status_code == 403
    assert 'id="archived-calendars"' not in client_for(demo["pm"]).get(reverse("planning:calendar_list")).content.decode()
    spare.refresh_from_db()
    assert spare.archived_at is not None
    response = client.post(restore)
    assert response.status_code == 302 and response["Location"] == spare.get_absolute_url()
    spare.refresh_from_db()
    assert spare.archived_at is None and client.get(spare.get_absolute_url()).status_code == 200


def test_a_holiday_added_edited_and_deleted_on_the_page_reschedules_the_plan(demo):
    client = client_for(demo["keeper"])
    calendar = standard()
    task = open_task()
    before = task.finish
    day = timezone.localtime(task.start).date()
    url = reverse("planning:calendar_exception_new", args=[calendar.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, exception_form(calendar, name="Company day", start=day.isoformat()), follow=True)
    assert response.status_code == 200
    assert "rescheduled" in response.content.decode()
    exception = CalendarException.objects.get(calendar=calendar, name="Company day")
    task.refresh_from_db()
    assert task.finish > before
    assert timezone.localtime(task.start).date() != day
    moved = task.finish
    # a short day instead of a closed one: the task finishes earlier than with the closure
    calendar.refresh_from_db()
    url = reverse("planning:calendar_exception_edit", args=[calendar.pk, exception.pk])
    edit = client.get(url).content.decode()
    assert "Company day" in edit
    data = exception_form(calendar, name="Company day", start=day.isoformat(), hours="08:00-12:00")
    assert client.post(url, data).status_code == 302
    exception.refresh_from_db()
    task.refresh_from_db()
    assert exception.hours == [["08:00", "12:00"]]
    assert before < task.finish < moved
    # deleted: the plan is back where it was
    calendar.refresh_from_db()
    url = reverse("planning:calendar_exception_delete", args=[calendar.pk, exception.pk])
    assert client.post(url, {"version": calendar.version}).status_code == 302
    assert not CalendarException.objects.filter(pk=exception.pk).exists()
    task.refresh_from_db()
    assert task.finish == before


def test_a_changed_week_reschedules_the_plan_and_its_dependants(demo):
    client = client_for(demo["keeper"])
    calendar = standard()
    task = open_task()
    desks = Task.objects.get(plan__project__code="P-002", name="Move the desks")
    before, desks_before = task.finish, desks.start
    data = calendar_form(calendar, monday="", tuesday="08:00-12:00")
    assert client.post(reverse("planning:calendar_edit", args=[calendar.pk]), data).status_code == 302
    task.refresh_from_db()
    desks.refresh_from_db()
    assert task.finish > before and desks.start > desks_before


def test_a_stale_exception_form_is_refused(demo):
    client = client_for(demo["keeper"])
    calendar = standard()
    stale = exception_form(calendar, name="First")
    assert client.post(reverse("planning:calendar_exception_new", args=[calendar.pk]), stale).status_code == 302
    stale["name"] = "Second"
    response = client.post(reverse("planning:calendar_exception_new", args=[calendar.pk]), stale)
    assert response.status_code == 400 and "changed by someone else" in response.content.decode()
    assert not CalendarException.objects.filter(name="Second").exists()


CALENDAR_CASES = [
    ({"monday": "08:00-12:00, 11:00-13:00"}, "monday", "overlap"),
    ({"tuesday": "12:00-08:00"}, "tuesday", "ends before it starts"),
    ({"wednesday": "08:00-25:00"}, "wednesday", "25:00"),
    ({"thursday": "eight to twelve"}, "thursday", "is not a period"),
    (dict.fromkeys(WEEKDAYS, ""), None, "no working time at all"),
    ({"name": ""}, "name", "required"),
]


@pytest.mark.parametrize("changes, field, message", CALENDAR_CASES)
def test_bad_calendar_forms_name_the_problem_and_store_nothing(demo, changes, field, message):
    client = client_for(demo["keeper"])
    calendar = standard()
    before = snapshot()
    for url, data in (
        (reverse("planning:calendar_new"), calendar_form(**changes)),
        (reverse("planning:calendar_edit", args=[calendar.pk]), calendar_form(calendar, **changes)),
    ):
        response = client.post(url, data)
        assert response.status_code == 400, url
        form = response.context["form"]
        errors = form.errors.get(field) if field else form.non_field_errors()
        assert errors and message in " ".join(errors), form.errors
        assert message in response.content.decode().replace("&#x27;", "'")
    assert snapshot() == before


def test_a_duplicate_name_is_refused(demo):
    client = client_for(demo["keeper"])
    before = snapshot()
    response = client.post(reverse("planning:calendar_new"), calendar_form(name=standard().name.upper()))
    assert response.status_code == 400 and "exists already" in " ".join(response.context["form"].errors["name"])
    assert snapshot() == before


EXCEPTION_CASES = [
    ({"start": "2026-06-05", "end": "2026-06-01"}, "end", "ends before it starts"),
    ({"start": "1983-12-31"}, "start", "1984-01-01 to 2149-12-31"),
    ({"start": "2149-12-01", "end": "2150-01-01"}, "end", "1984-01-01 to 2149-12-31"),
    ({"hours": "08:00-12:00, 10:00-14:00"}, "hours", "overlap"),
    ({"hours": "13:00-09:00"}, "hours", "ends before it starts"),
    ({"hours": "25:00-26:00"}, "hours", "25:00"),
    ({"recurrence": "yearly", "month_day": "24"}, "month", "needs a month"),
    ({"recurrence": "monthly"}, "month_day", "day of the month"),
    ({"recurrence": "weekly", "start": "2026-06-01", "end": "2026-06-05", "weekdays": ["5"]}, "recurrence", "covers no day"),
]


@pytest.mark.parametrize("changes, field, message", EXCEPTION_CASES)
def test_bad_exception_forms_name_the_problem_and_store_nothing(demo, changes, field, message):
    client = client_for(demo["keeper"])
    calendar = standard()
    exception = calendar.exceptions.first()
    task = open_task()
    before = (snapshot(), task.finish)
    for url in (
        reverse("planning:calendar_exception_new", args=[calendar.pk]),
        reverse("planning:calendar_exception_edit", args=[calendar.pk, exception.pk]),
    ):
        response = client.post(url, exception_form(calendar, **changes))
        assert response.status_code == 400, url
        errors = response.context["form"].errors
        assert message in " ".join(errors.get(field, [])), errors
    task.refresh_from_db()
    assert (snapshot(), task.finish) == before


# -- API ----------------------------------------------------------------------------------------------------


def api(client: Client, method: str, url: str, body=None, etag: str | None = None):
    headers = {"If-Match": etag} if etag else {}
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data, content_type="application/json", headers=headers)


def test_api_create_change_and_archive_a_calendar(demo):
    client = client_for(demo["keeper"])
    week = [DAY, DAY, DAY, DAY, [["08:00", "12:00"]], [], []]
    created = api(client, "post", "/api/calendars", {"name": "Four and a half", "week": week, "description": "Short Fridays"})
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["week"] == week and body["version"] == 1 and not body["is_default"] and created["ETag"] == '"1"'
    etag = client.get(f"/api/calendars/{pk}")["ETag"]
    assert api(client, "patch", f"/api/calendars/{pk}", {"name": "4.5 days"}).status_code == 428
    changed = api(client, "patch", f"/api/calendars/{pk}", {"name": "4.5 days", "is_default": True}, etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "4.5 days" and changed.json()["is_default"] and changed["ETag"] == '"2"'
    assert WorkCalendar.objects.filter(is_default=True).count() == 1
    stale = api(client, "patch", f"/api/calendars/{pk}", {"name": "Stale"}, etag)
    assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"
    assert stale.json()["current_version"] == 2
    # the default is handed on, never dropped
    refused = api(client, "patch", f"/api/calendars/{pk}", {"is_default": False}, '"2"')
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "is_default"
    old = WorkCalendar.objects.get(name="Standard")
    assert api(client, "patch", f"/api/calendars/{old.pk}", {"is_default": True}, f'"{old.version}"').status_code == 200
    # archiving: needs If-Match, refused while a plan uses it
    plan = Plan.objects.get(project__code="P-002")
    plan.calendar_id = pk
    plan.save()
    assert client.delete(f"/api/calendars/{pk}").status_code == 428
    version = client.get(f"/api/calendars/{pk}")["ETag"]
    refused = client.delete(f"/api/calendars/{pk}", headers={"If-Match": version})
    assert refused.status_code == 422 and "P-002" in refused.json()["detail"]
    plan.calendar = old
    plan.save()
    assert client.delete(f"/api/calendars/{pk}", headers={"If-Match": version}).status_code == 204
    assert client.get(f"/api/calendars/{pk}").status_code == 404
    assert pk not in [row["id"] for row in client.get("/api/calendars").json()]


def test_api_exceptions_reschedule_the_plans(demo):
    client = client_for(demo["keeper"])
    calendar = standard()
    task = open_task()
    before = task.finish
    day = timezone.localtime(task.start).date()
    url = f"/api/calendars/{calendar.pk}/exceptions"
    created = api(client, "post", url, {"name": "Strike", "start": day.isoformat()})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["end"] == day.isoformat() and body["hours"] == [] and body["rescheduled"]["plans"] >= 1
    assert body["calendar_version"] == calendar.version + 1 and created["ETag"] == f'"{calendar.version + 1}"'
    task.refresh_from_db()
    assert task.finish > before
    one = f"{url}/{body['id']}"
    etag = client.get(one)["ETag"]
    assert api(client, "patch", one, {"hours": [["08:00", "12:00"]]}).status_code == 428
    changed = api(client, "patch", one, {"hours": [["13:00", "17:00"], ["08:00", "12:00"]]}, etag)
    assert changed.status_code == 200, changed.content
    assert changed.json()["hours"] == DAY
    task.refresh_from_db()
    assert task.finish == before  # a full working day again
    assert api(client, "patch", one, {"name": "Stale"}, etag).status_code == 409
    assert client.delete(one).status_code == 428
    assert client.delete(one, headers={"If-Match": changed["ETag"]}).status_code == 204
    assert not CalendarException.objects.filter(pk=body["id"]).exists()
    assert client.get(one).status_code == 404


CALENDAR_API_CASES = [
    ({"week": [[["08:00", "12:00"], ["11:00", "13:00"]], DAY, DAY, DAY, DAY, [], []]}, "week", "overlap"),
    ({"week": [DAY, [["12:00", "08:00"]], DAY, DAY, DAY, [], []]}, "week", "ends before it starts"),
    ({"week": [DAY, DAY, [["08:00", "25:00"]], DAY, DAY, [], []]}, "week", "25:00"),
    ({"week": [[], [], [], [], [], [], []]}, "week", "no working time at all"),
    ({"week": [DAY, DAY, [["08:00"]], DAY, DAY, [], []]}, "week", "a start and an end"),
    ({"week": [DAY, DAY]}, "week", "at least 7"),
    ({"name": ""}, "name", "at least 1"),
    ({"name": "Other"}, "name", "exists already"),
    ({"domain": 999999}, "domain", "No such record"),
]


@pytest.mark.parametrize("changes, field, message", CALENDAR_API_CASES)
def test_api_bad_calendars_are_problems_naming_the_field(demo, changes, field, message):
    WorkCalendar.objects.create(name="Other")
    client = client_for(demo["keeper"])
    calendar = standard()
    before = snapshot()
    for response in (
        api(client, "post", "/api/calendars", {"name": "New one", **changes}),
        api(client, "patch", f"/api/calendars/{calendar.pk}", changes, f'"{calendar.version}"'),
    ):
        assert response.status_code == 422, response.content
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert any(e["field"] == field and message in e["message"] for e in problem["errors"]), problem
        assert field in problem["detail"]
    assert snapshot() == before


EXCEPTION_API_CASES = [
    ({"start": "2026-06-05", "end": "2026-06-01"}, "end", "ends before it starts"),
    ({"start": "1983-12-31"}, "start", "1984-01-01 to 2149-12-31"),
    ({"start": "2026-06-01", "end": "2150-01-01"}, "end", "1984-01-01 to 2149-12-31"),
    ({"start": "2026-06-01", "hours": [["08:00", "12:00"], ["11:30", "13:00"]]}, "hours", "overlap"),
    ({"start": "2026-06-01", "hours": [["17:00", "08:00"]]}, "hours", "ends before it starts"),
    ({"start": "2026-06-01", "hours": [["08:00", "25:00"]]}, "hours", "25:00"),
    ({"start": "2026-06-01", "recurrence": "yearly", "month_day": 1}, "month", "needs a month"),
    ({"start": "2026-06-01", "recurrence": "fortnightly"}, "recurrence", "Input should be"),
]


@pytest.mark.parametrize("changes, field, message", EXCEPTION_API_CASES)
def test_api_bad_exceptions_are_problems_naming_the_field(demo, changes, field, message):
    client = client_for(demo["keeper"])
    calendar = standard()
    exception = calendar.exceptions.first()
    before = snapshot()
    url = f"/api/calendars/{calendar.pk}/exceptions"
    responses = [
        api(client, "post", url, {"name": "Bad", **changes}),
        api(client, "patch", f"{url}/{exception.pk}", changes, f'"{calendar.version}"'),
    ]
    for response in responses:
        assert response.status_code == 422, response.content
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert any(e["field"] == field and message in e["message"] for e in problem["errors"]), problem
    assert snapshot() == before


def test_large_plans_are_rescheduled_by_the_job(demo, settings):
    settings.REGIE_PLAN_SYNC_LIMIT = 5
    client = client_for(demo["keeper"])
    calendar = standard()
    task = open_task()
    before = task.finish
    queued = Job.objects.filter(task="planning.schedule").count()
    day = timezone.localtime(task.start).date()
    created = api(client, "post", f"/api/calendars/{calendar.pk}/exceptions", {"name": "Strike", "start": day.isoformat()})
    assert created.status_code == 201, created.content
    assert created.json()["rescheduled"]["queued"] >= 1
    assert Job.objects.filter(task="planning.schedule").count() > queued
    task.refresh_from_db()
    assert task.finish == before  # not yet
    jobs.run_pending()
    task.refresh_from_db()
    assert task.finish > before
    plan = Plan.objects.get(project__code="P-001")
    assert timezone.now() - plan.scheduled_at < dt.timedelta(minutes=5)


def test_a_new_calendar_is_the_default_when_there_is_none(demo):
    WorkCalendar.objects.update(is_default=False)
    client = client_for(demo["keeper"])
    created = api(client, "post", "/api/calendars", {"name": "First"})
    assert created.status_code == 201 and created.json()["is_default"]
    assert created.json()["week"] == [DAY] * 5 + [[], []]
    assert list(WorkCalendar.objects.filter(is_default=True).values_list("name", flat=True)) == ["First"]


def test_a_holiday_added_on_the_admin_site_reschedules_the_plan(demo):
    import json

    client = client_for(demo["admin"])
    calendar = standard()
    task = open_task()
    before = task.finish
    day = timezone.localtime(task.start).date()
    existing = list(calendar.exceptions.all())
    data = {
        "name": calendar.name,
        "week": json.dumps(calendar.week),
        "is_default": "on" if calendar.is_default else "",
        "description": calendar.description,
        "domain": "",
        "exceptions-TOTAL_FORMS": str(len(existing) + 1),
        "exceptions-INITIAL_FORMS": str(len(existing)),
        "exceptions-MIN_NUM_FORMS": "0",
        "exceptions-MAX_NUM_FORMS": "1000",
    }
    fields = ("name", "start", "end", "hours", "recurrence", "period", "weekdays", "month_day", "weekday", "position", "month")
    for number, row in enumerate([*existing, None]):
        for name in fields:
            value = getattr(row, name) if row is not None else None
            if row is None:
                value = {"name": "Admin day", "start": day, "end": day, "hours": [], "recurrence": "once", "period": 1,
                         "weekdays": []}.get(name)  # fmt: skip
            if isinstance(value, (list, dict)):
                value = json.dumps(value)
            data[f"exceptions-{number}-{name}"] = "" if value is None else str(value)
        data[f"exceptions-{number}-id"] = str(row.pk) if row is not None else ""
        data[f"exceptions-{number}-calendar"] = str(calendar.pk)
    response = client.post(f"/admin/planning/workcalendar/{calendar.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CalendarException.objects.filter(calendar=calendar, name="Admin day").exists()
    task.refresh_from_db()
    assert task.finish > before


def test_a_keeper_of_one_portfolio_learns_no_project_of_another(demo):
    from django.contrib.auth import get_user_model

    from regie.core.models import OrgUnit, Person

    user = get_user_model().objects.create_user("narrow")
    person = Person.objects.create(given_name="Nar", family_name="Row", org_unit=OrgUnit.objects.first(), user=user)
    RoleAssignment.objects.create(person=person, role="portfolio_manager", scope=Portfolio.objects.get(code="IT-PF").scope)
    from regie.planning import services
    from regie.portfolio.models import Project

    other = Project.objects.exclude(portfolio__code="IT-PF").first()
    hidden = services.plan_for(other)
    used = WorkCalendar.objects.create(name="Elsewhere")
    Plan.objects.filter(pk=hidden.pk).update(calendar=used)
    client = client_for(user)
    page = client.get(used.get_absolute_url()).content.decode()
    assert "1 plan you may not see" in page and hidden.project.code not in page
    response = client.post(reverse("planning:calendar_archive", args=[used.pk]), {"version": used.version}, follow=True)
    page = response.content.decode()
    assert "cannot be archived" in page and hidden.project.code not in page


def test_a_change_on_the_admin_site_is_a_new_version(demo):
    calendar = standard()
    version = calendar.version
    client = client_for(demo["admin"])
    page = client.get(f"/admin/planning/workcalendar/{calendar.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in ("name", "week", "description")}
    data["week"] = json.dumps(calendar.week)
    data["description"] = "Office hours, changed on the admin site"
    data.update({"exceptions-TOTAL_FORMS": "0", "exceptions-INITIAL_FORMS": "0", "exceptions-MIN_NUM_FORMS": "0",
                 "exceptions-MAX_NUM_FORMS": "1000"})  # fmt: skip
    if calendar.is_default:
        data["is_default"] = "on"
    assert client.post(f"/admin/planning/workcalendar/{calendar.pk}/change/", data).status_code == 302
    calendar.refresh_from_db()
    assert calendar.version == version + 1
    # a writer holding the old version is refused
    response = client_for(demo["keeper"]).patch(
        f"/api/calendars/{calendar.pk}", {"description": "stale"}, content_type="application/json", HTTP_IF_MATCH=f'"{version}"'
    )
    assert response.status_code == 409
