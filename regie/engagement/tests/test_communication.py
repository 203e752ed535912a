"""The communication plan and the job that sends its emails: announcements on their date and then on
their period, milestone announcements, action reminders that cannot be unsubscribed from, the meeting
pack with its agenda, every send once and recorded; unsubscribing through the link; who keeps the plan."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from regie.engagement import communication, meetings
from regie.engagement.models import CommunicationItem, CommunicationSend
from regie.raid.tests.conftest import make_item

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 11)


@pytest.fixture
def people(register):
    for who in ("approver", "reviewer", "steering"):
        person = register.person(who)
        person.email = f"{who}@example.org"
        person.save()
    return register


def _line(register, **data):
    defaults = {
        "audience": "Key users",
        "message": "The new laptops arrive next week.",
        "channel": "email",
        "frequency": "once",
        "owner": register.person("norole"),
        "subject": "Laptop refresh: what changes",
        "recipients": [register.person("approver"), register.person("reviewer")],
        "next_date": TODAY,
    }
    return communication.item_create(actor=register.users["norole"], project=register.project, data={**defaults, **data})


def test_an_announcement_goes_out_once_on_its_date(people, django_capture_on_commit_callbacks):
    line = _line(people, frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        assert communication.send_due(TODAY - timedelta(days=1))["announcements"] == 0
        assert communication.send_due(TODAY)["announcements"] == 2
        assert communication.send_due(TODAY)["announcements"] == 0  # the same day again: nothing
    assert sorted(m.to[0] for m in mail.outbox) == ["approver@example.org", "reviewer@example.org"]
    assert mail.outbox[0].subject == "Laptop refresh: what changes" and "The new laptops arrive next week." in mail.outbox[0].body
    line.refresh_from_db()
    assert line.next_date == TODAY + timedelta(days=7)
    assert CommunicationSend.objects.filter(item=line, kind="announcement").count() == 2


def test_unsubscribing_stops_announcements_but_not_action_reminders(people, django_capture_on_commit_callbacks):
    _line(people, frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        communication.send_due(TODAY)
    link = (
        next(m for m in mail.outbox if m.to == ["approver@example.org"])
        .body.split("/communication/unsubscribe/")[1]
        .split("/")[0]
    )
    client = people.client("approver")
    assert client.get(f"/communication/unsubscribe/{link}/").status_code == 200
    assert 'id="unsubscribed"' in client.post(f"/communication/unsubscribe/{link}/").content.decode()
    # someone else cannot use the link, and a forged one is refused
    assert people.client("reviewer").post(f"/communication/unsubscribe/{link}/").status_code == 403
    assert people.client("approver").post("/communication/unsubscribe/forged/").status_code == 400
    make_item(
        people.project,
        "action",
        title="Bring the old laptop",
        owner=people.person("approver"),
        due_date=TODAY + timedelta(days=7 + 1),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = communication.send_due(TODAY + timedelta(days=7))
    assert counts["announcements"] == 1 and counts["reminders"] == 1
    recipients = {(m.to[0], m.subject.startswith("Due")) for m in mail.outbox}
    assert recipients == {("approver@example.org", True), ("reviewer@example.org", False)}


def test_action_reminders_when_due_and_when_overdue(people, django_capture_on_commit_callbacks):
    owner = people.person("reviewer")
    soon = make_item(people.project, "action", title="Order the laptops", owner=owner, due_date=TODAY + timedelta(days=2))
    make_item(people.project, "action", title="Later", owner=owner, due_date=TODAY + timedelta(days=10))
    make_item(people.project, "action", title="Done", owner=owner, due_date=TODAY, status="done")
    with django_capture_on_commit_callbacks(execute=True):
        assert communication.send_due(TODAY)["reminders"] == 1
        assert communication.send_due(TODAY + timedelta(days=1))["reminders"] == 0
        assert communication.send_due(TODAY + timedelta(days=3))["reminders"] == 1  # now overdue
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [f"Due {soon.due_date}: {soon}", f"Overdue: {soon}"]
    assert "Reminders of actions assigned to you are always sent." in mail.outbox[0].body


def test_a_milestone_reached_is_announced_once(people, django_capture_on_commit_callbacks):
    from regie.planning.models import Task
    from regie.planning.services import plan_for

    _line(people, frequency="milestones", next_date=None, subject="News", message="Thank you all.")
    plan = plan_for(people.project)
    Task.objects.create(plan=plan, name="Wave 1 done", milestone=True, percent_complete=100, uid=1, position=1)
    Task.objects.create(plan=plan, name="Wave 2 done", milestone=True, percent_complete=0, uid=2, position=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert communication.send_due(timezone.localdate())["milestones"] == 2
        assert communication.send_due(timezone.localdate())["milestones"] == 0
    assert all(m.subject == "Milestone reached: Wave 1 done (M1)" for m in mail.outbox)


def test_the_meeting_pack_goes_to_the_attendees_with_the_agenda(people, django_capture_on_commit_callbacks):
    meeting = meetings.meeting_prepare(
        actor=people.users["norole"],
        project=people.project,
        title="Steering committee M1",
        starts_at=timezone.make_aware(datetime(2027, 1, 14, 10, 0)),
        attendees=[people.person("steering"), people.person("approver")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert communication.send_due(date(2027, 1, 10))["packs"] == 0  # four days before
        assert communication.send_due(date(2027, 1, 11))["packs"] == 2
        assert communication.send_due(date(2027, 1, 12))["packs"] == 0
    message = mail.outbox[0]
    assert message.subject == f"Meeting pack: {meeting}"
    name, content, kind = message.attachments[0]
    assert name == "agenda.docx" and content.startswith(b"PK") and kind.endswith("wordprocessingml.document")


def test_who_keeps_the_plan_and_what_a_line_needs(people):
    with pytest.raises(PermissionDenied):
        communication.item_create(
            actor=people.users["member_it"],
            project=people.project,
            data={"audience": "x", "message": "y", "owner": people.person("norole")},
        )
    with pytest.raises(ValidationError) as refused:
        _line(people, subject="", next_date=None)
    assert {"subject", "next_date"} <= set(refused.value.message_dict)
    assert not CommunicationItem.objects.exists()
    page = people.client("member_it").get(f"/projects/{people.project.pk}/communication/")
    assert page.status_code == 200 and 'id="communication-form"' not in page.content.decode()
    added = people.client("norole").post(
        f"/projects/{people.project.pk}/communication/",
        {
            "audience": "Works council",
            "message": "Monthly update",
            "channel": "meeting",
            "frequency": "monthly",
            "owner": people.person("norole").pk,
            "active": "on",
        },
    )
    assert added.status_code == 302 and CommunicationItem.objects.get().audience == "Works council"


def test_the_plan_through_the_api_and_its_exports(people):
    import json

    client = people.client("norole")
    body = {
        "project": people.project.pk,
        "audience": "Key users",
        "message": "Weekly news",
        "frequency": "weekly",
        "owner": people.person("norole").pk,
        "subject": "News",
        "recipients": [people.person("approver").pk],
        "next_date": "2027-01-11",
    }
    created = client.post("/api/communication/", json.dumps(body), content_type="application/json")
    assert created.status_code == 201 and created.json()["recipient_ids"] == [people.person("approver").pk]
    refused = client.post("/api/communication/", json.dumps({**body, "subject": ""}), content_type="application/json")
    assert refused.status_code == 422 and "subject" in json.dumps(refused.json())
    changed = client.patch(
        f"/api/communication/{created.json()['id']}",
        json.dumps({"active": False}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert (
        people.client("member_it").post("/api/communication/", json.dumps(body), content_type="application/json").status_code
        == 403
    )
    csv = client.get(f"/projects/{people.project.pk}/communication/?export=csv")
    assert csv["Content-Type"].startswith("text/csv") and "Key users" in csv.content.decode("utf-8-sig")


def test_a_failed_send_is_tried_again_and_does_not_stop_the_others(people, monkeypatch):
    _line(people)
    sent = []

    def flaky(message, *args, **kwargs):
        if message.to == ["approver@example.org"] and not sent:
            sent.append("failed once")
            raise OSError("mail server down")
        return 1

    monkeypatch.setattr("django.core.mail.EmailMessage.send", flaky)
    assert communication.send_due(TODAY)["announcements"] == 1  # the reviewer's; the approver's failed
    assert list(CommunicationSend.objects.values_list("email", flat=True)) == ["reviewer@example.org"]
    line = CommunicationItem.objects.get()
    line.active, line.next_date = True, TODAY
    line.save()
    assert communication.send_due(TODAY)["announcements"] == 1  # now the approver's
    assert CommunicationSend.objects.count() == 2


def test_a_line_behind_its_dates_sends_once_and_moves_past_today(people):
    line = _line(people, frequency="weekly", next_date=TODAY - timedelta(days=21))
    assert [communication.send_due(TODAY)["announcements"] for _ in range(3)] == [2, 0, 0]
    line.refresh_from_db()
    assert line.next_date == TODAY + timedelta(days=7)


def test_reminders_follow_the_actions_owner(people):
    action = make_item(
        people.project, "action", title="Order", owner=people.person("reviewer"), due_date=TODAY + timedelta(days=1)
    )
    assert communication.send_due(TODAY)["reminders"] == 1
    action.owner = people.person("approver")
    action.save()
    assert communication.send_due(TODAY)["reminders"] == 1  # the new owner hears of it too
    approver = people.person("approver")
    approver.archived_at = timezone.now()
    approver.save()
    make_item(people.project, "action", title="Gone", owner=approver, due_date=TODAY)
    assert communication.send_due(TODAY)["reminders"] == 0
