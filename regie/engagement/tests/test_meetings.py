"""Meetings: the agenda assembled from the project's data, minutes on the page, decisions and actions
straight into the RAID log (and the owner's My work), who prepares and who reads, final minutes, and
the Word and printable exports."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document as WordDocument

from regie.core.navigation import MY_WORK
from regie.engagement import meetings
from regie.engagement.models import Meeting
from regie.portfolio import reporting
from regie.raid.models import RaidItem
from regie.raid.tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(register):
    """M1's log: an open decision, a red and an amber risk, an overdue and a timely action, and a
    submitted status report."""
    project, owner = register.project, register.person("reviewer")
    today = timezone.localdate()
    items = {
        "decision": make_item(project, "decision", title="Second supplier?", owner=register.person("member_it")),
        "red": make_item(project, title="Supplier fails", probability=4, impact=4, owner=owner),
        "amber": make_item(project, title="Key users away", probability=2, impact=3, owner=owner),
        "late": make_item(project, "action", title="Ask for a quote", owner=owner, due_date=today - timedelta(days=3)),
        "timely": make_item(project, "action", title="Plan the tests", owner=owner, due_date=today + timedelta(days=3)),
    }
    report = reporting.report_start(actor=register.users["norole"], project=project)
    report.summary = "Build on track."
    report.save()
    reporting.report_submit(actor=register.users["norole"], report=report, expected_version=report.version)
    register.project.refresh_from_db()
    return items


def _prepare(register, who="pmo_it", **extra):
    return meetings.meeting_prepare(
        actor=register.users[who],
        project=register.project,
        title="Steering committee M1",
        starts_at=timezone.make_aware(datetime(2027, 1, 14, 10, 0)),
        chair=register.person("member_it"),
        attendees=[register.person("member_it"), register.person("steering")],
        **extra,
    )


def test_the_agenda_is_assembled_from_the_projects_data(register, log):
    meeting = _prepare(register)
    points = [(a.kind, a.item_id) for a in meeting.agenda.order_by("order")]
    assert points == [
        ("report", None),
        ("decision", log["decision"].pk),
        ("risk", log["red"].pk),
        ("action", log["late"].pk),
        ("other", None),
    ]
    report_point = meeting.agenda.get(kind="report")
    assert "Build on track." in report_point.brief and meeting.report == register.project.latest_report
    lower = _prepare(register, risk_threshold=6)
    assert [a.item_id for a in lower.agenda.filter(kind="risk")] == [log["red"].pk, log["amber"].pk]


@pytest.mark.parametrize("who", ["member_it", "steering", "approver", "member_all"])
def test_only_those_who_may_change_the_project_prepare_meetings(register, who):
    with pytest.raises(PermissionDenied):
        _prepare(register, who=who)
    response = register.client(who).post(
        f"/projects/{register.project.pk}/meetings/new/",
        {"kind": "steering_committee", "title": "x", "starts_at": "2027-01-14T10:00", "risk_threshold": 12},
    )
    assert response.status_code in (403, 404)
    assert not Meeting.objects.exists()


def test_attendees_and_those_named_on_the_project_read_the_meeting(register, log):
    meeting = _prepare(register)
    for who in ("member_it", "steering", "norole", "member_all"):
        page = register.client(who).get(f"/meetings/{meeting.pk}/")
        assert page.status_code == 200 and "Second supplier?" in page.content.decode()
        assert 'id="record-decision"' not in page.content.decode() or who == "norole"
    assert register.client("member_a").get(f"/meetings/{meeting.pk}/").status_code == 404
    assert register.client("member_it").post(f"/meetings/{meeting.pk}/", {"what": "minutes", "version": 1}).status_code == 403


def test_minutes_decisions_and_actions_go_into_the_raid_log(register, log):
    meeting = _prepare(register)
    client = register.client("norole")
    decision_point = meeting.agenda.get(kind="decision")
    saved = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "what": "minutes",
            "version": meeting.version,
            f"minutes-{decision_point.pk}": "Offer B is 20 % cheaper.",
            "notes": "All present.",
        },
    )
    assert saved.status_code == 302
    decided = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "what": "decision",
            "decision-agenda_item": decision_point.pk,
            "decision-decided_by": register.person("member_it").pk,
            "decision-basis": "Offer B is cheaper and delivers in time.",
        },
    )
    assert decided.status_code == 302
    log["decision"].refresh_from_db()
    assert (log["decision"].status, log["decision"].decided_by, log["decision"].decided_on) == (
        "decided",
        register.person("member_it"),
        date(2027, 1, 14),
    )
    acted = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "what": "action",
            "action-agenda_item": meeting.agenda.get(kind="risk").pk,
            "action-title": "Sign the contract with supplier B",
            "action-owner": register.person("approver").pk,
            "action-due_date": "2027-01-21",
        },
    )
    assert acted.status_code == 302
    action = RaidItem.objects.get(title="Sign the contract with supplier B")
    assert (action.kind, action.origin, action.source, action.scope) == ("action", "meeting", log["red"], register.project.scope)
    assert action.origin_reference == "Steering committee M1 (2027-01-14)"
    meeting.refresh_from_db()
    assert meeting.state == "held" and meeting.outcomes.count() == 2
    # the action is on its owner's My work
    mine = [s(register.users["approver"]) for s in MY_WORK]
    labels = [i["label"] for s in mine if s for i in s["items"]]
    assert str(action) in labels


def test_bad_input_names_the_field_and_stores_nothing(register, log):
    meeting = _prepare(register)
    client = register.client("norole")
    no_owner = client.post(
        f"/meetings/{meeting.pk}/", {"what": "action", "action-title": "Call", "action-due_date": "2027-01-21"}
    )
    assert no_owner.status_code == 400 and "This field is required" in no_owner.content.decode()
    no_basis = client.post(
        f"/meetings/{meeting.pk}/",
        {"what": "decision", "decision-title": "Go", "decision-decided_by": register.person("member_it").pk},
    )
    assert no_basis.status_code == 400
    with pytest.raises(ValidationError) as refused:
        meetings.record_decision(actor=register.users["norole"], meeting=meeting, decided_by=None, basis="x", title="Go")
    assert "decided_by" in refused.value.message_dict
    with pytest.raises(ValidationError):
        _prepare(register, risk_threshold=99)
    assert RaidItem.objects.filter(kind="decision").count() == 1 and Meeting.objects.count() == 1
    assert meeting.outcomes.count() == 0


def test_final_minutes_are_not_changed(register, log):
    meeting = _prepare(register)
    meetings.minutes_save(
        actor=register.users["norole"], meeting=meeting, notes="Done.", per_item={}, expected_version=meeting.version
    )
    meetings.minutes_close(actor=register.users["norole"], meeting=meeting, expected_version=meeting.version)
    with pytest.raises(ValidationError):
        meetings.record_action(
            actor=register.users["norole"],
            meeting=meeting,
            title="Late",
            owner=register.person("approver"),
            due_date=date(2027, 2, 1),
        )
    page = register.client("norole").get(f"/meetings/{meeting.pk}/").content.decode()
    assert "minutes final" in page and 'id="minutes-form"' not in page


def _minutes_with_outcomes(register, log):
    meeting = _prepare(register)
    point = meeting.agenda.get(kind="decision")
    meetings.minutes_save(
        actor=register.users["norole"],
        meeting=meeting,
        notes="",
        per_item={point.pk: "Discussed both offers."},
        expected_version=1,
    )
    meetings.record_decision(
        actor=register.users["norole"],
        meeting=meeting,
        decided_by=register.person("member_it"),
        basis="Cheaper",
        agenda_item=point,
    )
    meetings.record_action(
        actor=register.users["norole"],
        meeting=meeting,
        title="Sign with B",
        owner=register.person("approver"),
        due_date=date(2027, 1, 21),
    )
    return meeting


def test_agenda_and_minutes_export_to_word(register, log):
    meeting = _minutes_with_outcomes(register, log)
    client = register.client("steering")
    response = client.get(f"/meetings/{meeting.pk}/minutes.docx")
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="steering-committee-m1-20270114-minutes.docx"' in response["Content-Disposition"]
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(response.content)).paragraphs)
    assert "Minutes: Steering committee M1" in text and "Discussed both offers." in text and "decided by" in text
    tables = WordDocument(io.BytesIO(response.content)).tables
    cells = [c.text for t in tables for row in t.rows for c in row.cells]
    assert "Sign with B" in cells and "2027-01-21" in cells
    agenda = WordDocument(io.BytesIO(client.get(f"/meetings/{meeting.pk}/agenda.docx").content))
    agenda_text = "\n".join(p.text for p in agenda.paragraphs)
    assert "Agenda: Steering committee M1" in agenda_text and "Discussed both offers." not in agenda_text
    assert client.get(f"/meetings/{meeting.pk}/other.docx").status_code == 404
    printed = client.get(f"/meetings/{meeting.pk}/print/").content.decode()
    assert "Discussed both offers." in printed and 'id="print-button"' in printed


def test_libreoffice_turns_the_minutes_into_pdf(register, log, tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        if os.environ.get("REGIE_REQUIRE_OFFICE"):
            pytest.fail("LibreOffice conversion is required here but soffice is missing.")
        pytest.skip("LibreOffice (soffice) is not installed, so the minutes cannot be converted to PDF here")
    from regie.engagement.minutes import build_docx

    source = tmp_path / "minutes.docx"
    source.write_bytes(build_docx(_minutes_with_outcomes(register, log), "minutes"))
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=240,
        capture_output=True,
    )
    assert (tmp_path / "minutes.pdf").read_bytes().startswith(b"%PDF")


def test_the_api_prepares_takes_minutes_and_records(register, log):
    import json

    client = register.client("norole")
    created = client.post(
        "/api/meetings/",
        json.dumps(
            {
                "project": register.project.pk,
                "title": "Steering committee M1",
                "starts_at": "2027-01-14T10:00:00+01:00",
                "attendees": [register.person("member_it").pk],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [p["kind"] for p in body["agenda"]] == ["report", "decision", "risk", "action", "other"]
    pk, point = body["id"], body["agenda"][1]
    minutes = client.patch(
        f"/api/meetings/{pk}/minutes",
        json.dumps({"points": [{"id": point["id"], "minutes": "Both offers compared."}]}),
        content_type="application/json",
        headers={"If-Match": created["ETag"]},
    )
    assert minutes.status_code == 200 and minutes.json()["state"] == "held"
    decided = client.post(
        f"/api/meetings/{pk}/decisions",
        json.dumps({"agenda_item": point["id"], "decided_by": register.person("member_it").pk, "basis": "Cheaper"}),
        content_type="application/json",
    )
    assert decided.status_code == 201 and decided.json()["status"] == "decided" and decided.json()["id"] == log["decision"].pk
    no_owner = client.post(
        f"/api/meetings/{pk}/actions", json.dumps({"title": "Call", "due_date": "2027-01-21"}), content_type="application/json"
    )
    assert no_owner.status_code == 422 and "owner" in json.dumps(no_owner.json())
    action = client.post(
        f"/api/meetings/{pk}/actions",
        json.dumps({"title": "Call supplier B", "owner": register.person("approver").pk, "due_date": "2027-01-21"}),
        content_type="application/json",
    )
    assert action.status_code == 201 and action.json()["origin"] == "meeting"
    detail = client.get(f"/api/meetings/{pk}").json()
    assert sorted(o["item_id"] for o in detail["outcomes"]) == sorted([log["decision"].pk, action.json()["id"]])
    assert (
        register.client("member_it")
        .post(
            f"/api/meetings/{pk}/actions",
            json.dumps({"title": "x", "owner": register.person("approver").pk, "due_date": "2027-01-21"}),
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert register.client("member_a").get(f"/api/meetings/{pk}").status_code == 404


def test_a_decision_is_recorded_once(register, log):
    meeting = _prepare(register)
    point = meeting.agenda.get(kind="decision")
    client = register.client("norole")
    form = {
        "what": "decision",
        "decision-agenda_item": point.pk,
        "decision-decided_by": register.person("member_it").pk,
        "decision-basis": "B",
    }
    assert client.post(f"/meetings/{meeting.pk}/", form).status_code == 302
    again = client.post(f"/meetings/{meeting.pk}/", {**form, "decision-basis": "Overwritten"})
    assert again.status_code == 400
    log["decision"].refresh_from_db()
    assert log["decision"].basis == "B" and meeting.outcomes.count() == 1
    for value in ("²", "99999999999999999999999"):
        bad = client.post(
            f"/meetings/{meeting.pk}/",
            {
                "what": "action",
                "action-agenda_item": value,
                "action-title": "x",
                "action-owner": register.person("approver").pk,
                "action-due_date": "2027-01-21",
            },
        )
        assert bad.status_code == 400
        assert (
            client.post(
                f"/projects/{register.project.pk}/meetings/new/",
                {"kind": "other", "title": "x", "starts_at": "2027-01-14T10:00", "risk_threshold": 12, "attendees": [value]},
            ).status_code
            == 400
        )
