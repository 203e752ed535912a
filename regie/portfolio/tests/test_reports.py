"""Status reports: periods, drafting and pre-filling, the rationale rule, immutable submitted reports
with corrections, the steering committee's comments and acknowledgements, and the reminders."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from regie.portfolio import reporting
from regie.portfolio.models import Portfolio, Project, StatusReport, StatusReportReminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    portfolio = Portfolio.objects.create(code="RPF", name="Reporting", domain=org.it)
    project = Project.objects.create(
        code="R1",
        name="Reported project",
        portfolio=portfolio,
        sponsor=org.users["member_it"].person,
        project_manager=org.users["norole"].person,
        reporting_frequency="monthly",
    )
    project.steering_committee.set([org.users["member_a"].person])
    project.pmo_officers.set([org.users["pmo_it"].person])
    return project


def api(client, method, url, body=None, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def submitted(org, project, start, end, **content):
    """A report drafted by the PMO and submitted by the project manager, through the services."""
    pmo, pm = org.users["pmo_it"], org.users["norole"]
    project = Project.objects.get(pk=project.pk)
    report = reporting.report_start(actor=pmo, project=project, period_start=start, period_end=end)
    if content:
        reporting.report_update(actor=pmo, report=report, data=content, expected_version=report.version)
    return reporting.report_submit(actor=pm, report=StatusReport.objects.get(pk=report.pk), expected_version=None)


@pytest.mark.parametrize(
    ("frequency", "day", "start", "end"),
    [
        ("weekly", date(2026, 11, 25), date(2026, 11, 23), date(2026, 11, 29)),
        ("weekly", date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),
        ("fortnightly", date(2024, 1, 14), date(2024, 1, 1), date(2024, 1, 14)),
        ("fortnightly", date(2024, 1, 15), date(2024, 1, 15), date(2024, 1, 28)),
        ("monthly", date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_reporting_periods(frequency, day, start, end):
    assert reporting.period_containing(frequency, day) == (start, end)


def test_a_new_report_covers_the_next_period_and_starts_from_the_previous(org, project):
    first = submitted(
        org,
        project,
        date(2026, 9, 1),
        date(2026, 9, 30),
        schedule="amber",
        schedule_rationale="Supplier late",
        plans="Finish the design",
        top_risks="Supplier capacity",
    )
    client = org.client_for("pmo_it")
    response = api(client, "post", f"/api/projects/{project.pk}/status-reports")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["period_start"], body["period_end"]) == ("2026-10-01", "2026-10-31")
    assert body["state"] == "draft" and body["schedule"] == "amber" and body["schedule_rationale"] == "Supplier late"
    assert body["achievements"] == "Finish the design" and body["plans"] == "" and body["top_risks"] == "Supplier capacity"
    assert body["drafted_by_id"] == org.users["pmo_it"].person.pk
    assert first.state == "submitted"


@pytest.mark.parametrize("dimension", ["overall", "cost", "quality"])
@pytest.mark.parametrize("rag", ["amber", "red"])
def test_amber_or_red_needs_a_rationale(org, project, dimension, rag):
    client = org.client_for("norole")
    report = api(client, "post", f"/api/projects/{project.pk}/status-reports").json()
    response = api(client, "patch", f"/api/status-reports/{report['id']}", {dimension: rag}, version=report["version"])
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"{dimension}_rationale"]
    assert StatusReport.objects.get(pk=report["id"]).__dict__[dimension] == "green"
    ok = api(
        client,
        "patch",
        f"/api/status-reports/{report['id']}",
        {dimension: rag, f"{dimension}_rationale": "Why"},
        version=report["version"],
    )
    assert ok.status_code == 200, ok.content


def test_the_form_names_the_missing_rationale(org, project):
    client = org.client_for("pmo_it")
    report = reporting.report_start(actor=org.users["pmo_it"], project=project)
    data = dict.fromkeys(reporting.CONTENT_FIELDS, "")
    data.update(
        dict.fromkeys(("overall", "schedule", "cost", "scope", "risks", "resources", "quality"), "green"),
        period_start=report.period_start.isoformat(),
        period_end=report.period_end.isoformat(),
        risks="red",
        version=report.version,
    )
    response = client.post(f"/status-reports/{report.pk}/edit/", data)
    assert response.status_code == 400
    assert "Amber or red needs a rationale." in response.content.decode()
    data["risks_rationale"] = "Key supplier may go bankrupt"
    assert client.post(f"/status-reports/{report.pk}/edit/", data).status_code == 302
    assert StatusReport.objects.get(pk=report.pk).risks == "red"


def test_a_period_may_not_overlap_another_report(org, project):
    submitted(org, project, date(2026, 9, 1), date(2026, 9, 30))
    client = org.client_for("norole")
    response = api(
        client, "post", f"/api/projects/{project.pk}/status-reports", {"period_start": "2026-09-15", "period_end": "2026-10-14"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period_start" and "overlaps" in response.json()["errors"][0]["message"]
    backwards = api(
        client, "post", f"/api/projects/{project.pk}/status-reports", {"period_start": "2026-10-10", "period_end": "2026-10-01"}
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "period_end"
    assert StatusReport.objects.count() == 1


def test_one_draft_at_a_time(org, project):
    client = org.client_for("norole")
    assert api(client, "post", f"/api/projects/{project.pk}/status-reports").status_code == 201
    second = api(client, "post", f"/api/projects/{project.pk}/status-reports", {"period_start": "2027-03-01"})
    assert second.status_code == 422 and "draft is already open" in second.json()["errors"][0]["message"]


def test_submitting_sets_the_projects_status_and_next_due_date(org, project):
    client = org.client_for("norole")
    report = api(client, "post", f"/api/projects/{project.pk}/status-reports", {"period_start": "2026-10-01"}).json()
    report = api(
        client,
        "patch",
        f"/api/status-reports/{report['id']}",
        {"overall": "amber", "overall_rationale": "Late"},
        report["version"],
    ).json()
    stale = api(client, "post", f"/api/status-reports/{report['id']}/submit", version=report["version"] - 1)
    assert stale.status_code == 409
    response = api(client, "post", f"/api/status-reports/{report['id']}/submit", version=report["version"])
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted" and response.json()["submitted_by_id"] == org.users["norole"].person.pk
    project.refresh_from_db()
    assert project.latest_report_id == report["id"] and project.health == "amber"
    # The next report covers November and is due three days after it ends.
    assert project.report_due == date(2026, 12, 3)


def test_a_submitted_report_is_never_edited_and_a_correction_keeps_the_old_one(org, project):
    first = submitted(org, project, date(2026, 9, 1), date(2026, 9, 30), summary="All fine")
    second = submitted(
        org,
        project,
        date(2026, 10, 1),
        date(2026, 10, 31),
        overall="red",
        overall_rationale="Overrun",
        cost="red",
        cost_rationale="Overrun",
    )
    client = org.client_for("pmo_it")
    refused = api(client, "patch", f"/api/status-reports/{first.pk}", {"summary": "Rewritten"}, version=first.version)
    assert refused.status_code == 422
    correction = api(client, "post", f"/api/status-reports/{first.pk}/correct")
    assert correction.status_code == 201
    body = correction.json()
    assert body["revision"] == 2 and body["supersedes_id"] == first.pk and body["summary"] == "All fine"
    moved = api(client, "patch", f"/api/status-reports/{body['id']}", {"period_start": "2026-08-01"}, version=body["version"])
    assert moved.status_code == 422
    fixed = api(client, "patch", f"/api/status-reports/{body['id']}", {"summary": "Fine, one test late"}, version=body["version"])
    assert fixed.status_code == 200
    pm = org.client_for("norole")
    assert api(pm, "post", f"/api/status-reports/{body['id']}/submit", version=fixed.json()["version"]).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "superseded" and first.summary == "All fine"
    assert second.previous_id == body["id"]
    project.refresh_from_db()
    assert project.latest_report_id == second.pk and project.health == "red"
    assert [r.revision for r in project.status_reports.filter(period_start=date(2026, 9, 1)).order_by("revision")] == [1, 2]


def test_the_steering_committee_comments_and_acknowledges(org, project):
    report = submitted(org, project, date(2026, 9, 1), date(2026, 9, 30))
    member = org.client_for("member_a")
    comment = api(member, "post", f"/api/status-reports/{report.pk}/comments", {"text": "Please add the budget curve"})
    assert comment.status_code == 201 and comment.json()["author_id"] == org.users["member_a"].person.pk
    assert api(member, "post", f"/api/status-reports/{report.pk}/acknowledge").status_code == 200
    again = api(member, "post", f"/api/status-reports/{report.pk}/acknowledge")
    assert again.json()["acknowledged_by_ids"] == [org.users["member_a"].person.pk]
    draft = reporting.report_start(actor=org.users["norole"], project=Project.objects.get(pk=project.pk))
    assert api(member, "post", f"/api/status-reports/{draft.pk}/comments", {"text": "Early"}).status_code == 422
    assert api(member, "post", f"/api/status-reports/{draft.pk}/acknowledge").status_code == 422


def test_a_project_without_reports_owes_one_for_the_period_it_started_in(project):
    today = timezone.localdate()
    end = reporting.period_containing("monthly", today)[1]
    assert project.report_due == end + timedelta(days=3)


def _reminder_project(org, project, due):
    Project.objects.filter(pk=project.pk).update(report_due=due)
    for user in ("norole", "pmo_it"):
        person = org.users[user].person
        person.email = f"{user}@example.org"
        person.language = "nl" if user == "norole" else "en"
        person.save()


def test_reminders_go_to_the_drafters_once_per_period(org, project):
    today = date(2026, 11, 28)
    _reminder_project(org, project, date(2026, 12, 1))
    counts = reporting.send_reminders(today=today)
    assert counts == {"due": 2, "overdue": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["norole@example.org", "pmo_it@example.org"]
    dutch = next(m for m in mail.outbox if m.to == ["norole@example.org"])
    assert dutch.subject.startswith("Statusrapport") and "R1" in dutch.body
    assert f"/projects/{project.pk}/" in dutch.body
    assert reporting.send_reminders(today=today) == {"due": 0, "overdue": 0}
    overdue = reporting.send_reminders(today=date(2026, 12, 2))
    assert overdue == {"due": 0, "overdue": 2}
    assert StatusReportReminder.objects.filter(project=project).count() == 2
    assert len(mail.outbox) == 4


def test_no_reminder_far_from_the_due_date(org, project):
    _reminder_project(org, project, date(2026, 12, 20))
    assert reporting.send_reminders(today=date(2026, 11, 28)) == {"due": 0, "overdue": 0}
    assert mail.outbox == []


def test_my_work_shows_what_each_person_has_to_do(org, project):
    report = submitted(org, project, date(2026, 9, 1), date(2026, 9, 30))
    Project.objects.filter(pk=project.pk).update(report_due=timezone.localdate() - timedelta(days=2))
    assert "report overdue since" in org.client_for("pmo_it").get("/my-work/").content.decode()
    steering = org.client_for("member_a")
    assert str(report) in steering.get("/my-work/").content.decode()
    reporting.report_acknowledge(actor=org.users["member_a"], report=report)
    assert str(report) not in steering.get("/my-work/").content.decode()
    draft = reporting.report_start(actor=org.users["pmo_it"], project=Project.objects.get(pk=project.pk))
    manager_page = org.client_for("norole").get("/my-work/").content.decode()
    assert draft.get_absolute_url() in manager_page and "submit it" in manager_page
