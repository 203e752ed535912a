"""Planning in the database: MS Project import and export (page, API and command line), rescheduling after
edits, loops refused, baselines and variance, cross-project links, permissions, the milestone feed."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from regie.core import jobs
from regie.core.demo import load_demo
from regie.engine import cpm
from regie.planning import mspdi, services
from regie.planning.models import Baseline, Link, Plan, Task
from regie.portfolio.models import Portfolio, Project

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "mspdi"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="the reference plans in ../shared/data/mspdi are not here")


@pytest.fixture
def demo(db):
    load_demo(lambda _line: None)
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.all()}


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


@needs_data
def test_command_line_import_keeps_ms_project_dates_and_export_round_trips(demo, tmp_path):
    out = io.StringIO()
    call_command("mspdi", "import", str(DATA / "sample_2003.xml"), "--portfolio", "IT-PF", stdout=out)
    code = out.getvalue().strip()
    project = Project.objects.get(code=code)
    source = mspdi.read(str(DATA / "sample_2003.xml"))
    stored = {t.uid: t for t in Task.objects.filter(plan__project=project)}
    assert len(stored) == len(source.tasks)
    for task in source.tasks:
        row = stored[task.uid]
        assert row.name == task.name
        assert (row.parent.uid if row.parent else None) == task.parent_uid
        if not task.percent_complete:
            assert (_local(row.start), _local(row.finish)) == (task.start, task.finish), task.name
    target = tmp_path / "out.xml"
    call_command("mspdi", "export", code, "-o", str(target), stdout=io.StringIO())
    again = mspdi.read(str(target))
    assert [(t.uid, t.name, t.parent_uid) for t in again.tasks] == [(t.uid, t.name, t.parent_uid) for t in source.tasks]
    assert {t.uid: (t.start, t.finish) for t in again.tasks} == {
        t.uid: (_local(r.start), _local(r.finish)) for t in source.tasks for r in [stored[t.uid]]
    }
    links = sorted((t.uid, link.predecessor_uid, link.type, link.lag) for t in again.tasks for link in t.links)
    assert links == sorted((t.uid, link.predecessor_uid, link.type, link.lag) for t in source.tasks for link in t.links)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"<Project><Tasks><Task>", "not well-formed"),
        (b"<html><body>hello</body></html>", "not a Microsoft Project XML file"),
        (
            b'<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2026-01-05T08:00:00</StartDate><Calendars><Calendar>'
            b"<UID>1</UID><Name>S</Name></Calendar></Calendars><CalendarUID>1</CalendarUID><Tasks>"
            b"<Task><UID>1</UID><ID>1</ID><Name>A</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
            b"<PredecessorLink><PredecessorUID>2</PredecessorUID><Type>1</Type></PredecessorLink></Task>"
            b"<Task><UID>2</UID><ID>2</ID><Name>B</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
            b"<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task></Tasks></Project>",
            "loop",
        ),
        (
            b'<Project xmlns="http://schemas.microsoft.com/project"><StartDate>2026-01-05T08:00:00</StartDate><Calendars><Calendar>'
            b"<UID>1</UID><Name>S</Name></Calendar></Calendars><CalendarUID>1</CalendarUID><Tasks>"
            b"<Task><UID>7</UID><ID>1</ID><Name>Dig</Name><OutlineLevel>1</OutlineLevel><Duration>PT8H0M0S</Duration>"
            b"<CalendarUID>9</CalendarUID></Task></Tasks></Project>",
            "calendar 9",
        ),
        (
            b'<Project xmlns="http://schemas.microsoft.com/project"><StartDate>1970-01-05T08:00:00</StartDate><Tasks>'
            b"</Tasks></Project>",
            "outside the supported range",
        ),
    ],
)
def test_bad_files_are_refused_by_name_and_nothing_is_stored(demo, tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    before = (Project.objects.count(), Task.objects.count(), Plan.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("mspdi", "import", str(path), "--portfolio", "IT-PF", stdout=io.StringIO())
    assert (Project.objects.count(), Task.objects.count(), Plan.objects.count()) == before


def test_demo_plan_reschedules_after_an_edit_and_refuses_a_loop(demo):
    plan = Plan.objects.get(project__code="P-001")
    image = Task.objects.get(plan=plan, name="Pilot with 50 users")
    done = Task.objects.get(plan=plan, name="All laptops replaced")
    before = done.finish
    services.task_update(demo["pm"], image, {"duration": image.duration + 5 * plan.minutes_per_day})
    done.refresh_from_db()
    assert done.finish > before and done.critical
    # the office move waits for this milestone: it moved too
    desks = Task.objects.get(plan__project__code="P-002", name="Move the desks")
    assert desks.start >= done.finish
    wave1 = Task.objects.get(plan=plan, name="Wave 1: head office")
    with pytest.raises(services.ValidationError, match="loop"):
        services.link_create(demo["pm"], done, wave1)
    assert not Link.objects.filter(predecessor=done, successor=wave1).exists()


def test_baselines_variance_and_schedule_suggestion(demo):
    project = Project.objects.get(code="P-001")
    plan = project.plan
    suggestion = services.schedule_suggestion(project)
    assert suggestion["rag"] in ("amber", "red") and suggestion["days_late"] > 0
    variance = services.variance(plan)
    done = Task.objects.get(plan=plan, name="All laptops replaced")
    assert variance[done.pk]["finish"] > 0
    baseline = services.baseline_save(demo["pm"], plan, "After the slip")
    assert Baseline.objects.filter(plan=plan).count() == 2 and baseline.number == 1
    with pytest.raises(services.ValidationError):
        services.baseline_save(demo["pm"], plan, "After the slip")


def test_api_tasks_links_and_permissions(demo):
    from django.test import Client

    project = Project.objects.get(code="P-001")
    pm, dev = Client(), Client()
    pm.force_login(demo["pm"])
    dev.force_login(demo["dev"])
    response = pm.post(
        f"/api/plans/{project.pk}/tasks", {"name": "Extra training", "duration": 3}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["duration_minutes"] == 3 * 480 and task["start"] is not None
    milestone = Task.objects.get(plan=project.plan, name="All laptops replaced")
    response = pm.post(
        "/api/links", {"predecessor": task["id"], "successor": milestone.pk, "type": "FS"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    # a change needs If-Match; a stale one is refused
    url = f"/api/tasks/{task['id']}"
    assert pm.patch(url, {"duration": 90}, content_type="application/json").status_code == 428
    current = pm.get(url)
    response = pm.patch(url, {"duration": 90}, content_type="application/json", HTTP_IF_MATCH=current["ETag"])
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.critical
    assert pm.patch(url, {"duration": 91}, content_type="application/json", HTTP_IF_MATCH=current["ETag"]).status_code == 409
    # a developer sees the plan but may not change it
    if dev.get(f"/api/plans/{project.pk}").status_code == 200:
        assert dev.patch(url, {"duration": 1}, content_type="application/json", HTTP_IF_MATCH='"99"').status_code == 403
    assert Client().get(f"/api/plans/{project.pk}").status_code in (401, 403)
    feed = pm.get(f"/api/plans/{project.pk}/milestones.ics")
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content and b"All laptops replaced" in feed.content


def test_gantt_edit_endpoint_moves_successors_and_names_errors(demo):
    from django.test import Client

    project = Project.objects.get(code="P-001")
    client = Client()
    client.force_login(demo["pm"])
    image = Task.objects.get(plan=project.plan, name="Pilot with 50 users")
    done = Task.objects.get(plan=project.plan, name="All laptops replaced")
    before = done.finish
    response = client.post(
        f"/projects/{project.pk}/plan/edit/",
        {"action": "task", "task": image.pk, "duration_days": 30},
        content_type="application/json",
    )
    assert response.status_code == 200
    moved = next(t for t in response.json()["tasks"] if t["id"] == done.pk)
    done.refresh_from_db()
    assert done.finish > before and moved["finish"] == timezone.localtime(done.finish).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/projects/{project.pk}/plan/edit/",
        {"action": "task", "task": image.pk, "duration_days": -1},
        content_type="application/json",
    )
    assert response.status_code == 400 and "negative" in response.json()["error"]
    page = client.get(f"/projects/{project.pk}/plan/")
    assert page.status_code == 200 and b"gantt-data" in page.content


def test_cross_project_page_and_import_job(demo):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(demo["pmo"])
    # P-001's last milestone slipped against its baseline: the office move's wait shows on the page
    page = client.get("/plans/dependencies/")
    assert page.status_code == 200 and b"All laptops replaced" in page.content and b"Move the desks" in page.content
    if not DATA.is_dir():
        return
    admin = Client()
    admin.force_login(demo["admin"])
    portfolio = Portfolio.objects.get(code="IT-PF")
    upload = SimpleUploadedFile("links.xml", (DATA / "ms2010_task_links.xml").read_bytes(), content_type="text/xml")
    response = admin.post("/api/plans/import", {"file": upload, "portfolio": portfolio.pk})
    assert response.status_code == 202, response.content
    jobs.run_pending()
    job = admin.get(response.json()["url"]).json()
    assert job["status"] == "succeeded", job
    assert Task.objects.filter(plan__project__code=job["result"]["code"]).count() == 16


def test_schedule_runs_as_a_job_for_large_plans(demo, settings):
    settings.REGIE_PLAN_SYNC_LIMIT = 5
    plan = Plan.objects.get(project__code="P-001")
    task = Task.objects.get(plan=plan, name="Pilot survey")
    services.task_update(demo["pm"], task, {"duration": task.duration + 480})
    from regie.core.models import Job

    job = Job.objects.filter(task="planning.schedule").latest("pk")
    assert job.status == "queued" and job.requested_by == demo["pm"]  # on the project manager's job list
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.progress_total
    assert dt.timedelta(0) <= timezone.now() - Plan.objects.get(pk=plan.pk).scheduled_at < dt.timedelta(minutes=5)


def test_a_status_report_takes_its_schedule_status_and_milestones_from_the_plan(demo):
    from django.test import Client

    from regie.portfolio import reporting
    from regie.portfolio.models import StatusReport

    project = Project.objects.get(code="P-001")
    suggestion = reporting.schedule_suggestion(project)
    # the plan has slipped against the baseline saved at the gate
    assert suggestion["rag"] in ("amber", "red")
    assert '"Approved at gate 2"' in suggestion["rationale"] and "working days after" in suggestion["rationale"]
    laptops = next(m for m in suggestion["milestones"] if m["name"] == "All laptops replaced")
    assert laptops["baseline_finish"] < laptops["finish"] and laptops["variance_days"] > 0 and not laptops["done"]
    # the demo's open draft carries it; the edit page shows the suggestion and the milestones
    draft = project.status_reports.get(state="draft")
    assert (draft.schedule, draft.schedule_rationale, draft.milestones) == (
        suggestion["rag"], suggestion["rationale"], suggestion["milestones"]
    )  # fmt: skip
    pm = Client()
    pm.force_login(demo["pm"])
    page = pm.get(f"/status-reports/{draft.pk}/edit/").content.decode()
    assert 'id="schedule-suggestion"' in page and "All laptops replaced" in page
    # the project manager reports green all the same and submits; a new draft takes the plan's status again
    reporting.report_update(
        actor=demo["pm"], report=draft, data={"schedule": "green", "schedule_rationale": ""}, expected_version=draft.version
    )
    reporting.report_submit(actor=demo["pm"], report=draft, expected_version=draft.version)
    submitted = StatusReport.objects.get(pk=draft.pk)
    assert submitted.schedule == "green" and submitted.milestones == suggestion["milestones"]
    assert "All laptops replaced" in pm.get(submitted.get_absolute_url()).content.decode()
    assert pm.get(f"/api/status-reports/{submitted.pk}").json()["milestones"] == suggestion["milestones"]
    following = reporting.report_start(actor=demo["pm"], project=Project.objects.get(pk=project.pk))
    assert following.schedule == suggestion["rag"] and following.schedule_rationale == suggestion["rationale"]
    # a project without a plan keeps last period's schedule status
    other = Project.objects.exclude(plan__isnull=False).exclude(latest_report=None).first()
    assert reporting.schedule_suggestion(other) is None


def test_milestones_summaries_and_slips_read_as_planners_expect(demo):
    from django.test import Client

    project = Project.objects.get(code="P-001")
    pm = Client()
    pm.force_login(demo["pm"])
    # a milestone added through the API takes no time unless told; a task a day
    milestone = pm.post(f"/api/plans/{project.pk}/tasks", {"name": "Go-live", "milestone": True}, content_type="application/json")
    task = pm.post(f"/api/plans/{project.pk}/tasks", {"name": "Hand-over"}, content_type="application/json")
    assert milestone.json()["duration_minutes"] == 0 and task.json()["duration_minutes"] == 480
    # a summary lasts from its first start to its last finish, in working time
    rollout = Task.objects.get(plan=project.plan, name="Roll-out")
    assert rollout.duration >= 30 * 480
    row = next(t for t in pm.get(f"/projects/{project.pk}/plan/data/").json()["tasks"] if t["id"] == rollout.pk)
    assert row["duration_label"] == services.label(rollout.duration, "d", project.plan) != "0d"
    # the office move waits for the slipped laptops: the PMO sees the slip in working days
    pmo = Client()
    pmo.force_login(demo["pmo"])
    page = pmo.get("/plans/dependencies/").content.decode()
    slipped = page[page.index('id="slipped"') : page.index('id="pairs"')]
    assert "All laptops replaced" in slipped and "day" not in slipped.split("All laptops replaced")[1][:200]
    assert "d</td>" in slipped
    # the project's page shows the plan's forecast and leads to the Gantt chart
    detail = pm.get(project.get_absolute_url()).content.decode()
    assert 'id="project-plan"' in detail and f"/projects/{project.pk}/plan/" in detail


def test_a_predecessor_in_another_project_travels_as_an_external_task(demo):
    from regie.planning import exchange

    laptops = Task.objects.get(plan__project__code="P-001", name="All laptops replaced")
    move = Project.objects.get(code="P-002")
    desks = Task.objects.get(plan__project=move, name="Move the desks")
    data = exchange.export_project(move, user=demo["pmo"])
    ms = mspdi.read(io.BytesIO(data))
    ghost = next(t for t in ms.tasks if t.external)
    assert (ghost.name, ghost.external_project) == (laptops.name, f"P-001.xml\\{laptops.uid}")
    assert (ghost.start, ghost.finish) == (_local(laptops.start), _local(laptops.finish))
    link = next(link for t in ms.tasks if t.uid == desks.uid for link in t.links if link.cross_project)
    assert (link.predecessor_uid, link.cross_project_name) == (ghost.uid, ghost.external_project)
    # MS Project schedules the desks after the external milestone: so does the file's own schedule
    tasks, links = ms.engine_plan()
    result = cpm.schedule(tasks, links, ms.engine_calendars(), str(ms.default_calendar_uid()), ms.start)
    assert result.tasks[desks.uid].start == _local(desks.start) >= ghost.finish
    # read back into Regie, the link to P-001's milestone is made again, and no stray task
    copy = exchange.import_project(data, user=demo["pmo"], portfolio=move.portfolio, code="P-002-B")
    copied = Task.objects.get(plan__project=copy, name="Move the desks")
    assert Link.objects.filter(predecessor=laptops, successor=copied).exists()
    assert not Task.objects.filter(plan__project=copy, name=laptops.name).exists()
    assert copied.start == desks.start
    # someone who may not see P-001 gets no trace of it
    hidden = mspdi.read(io.BytesIO(exchange.export_project(move, user=demo["dev"])))
    assert not any(t.external for t in hidden.tasks)


def test_archived_calendars_are_not_given_to_plans_or_tasks_through_the_api(demo):
    from django.test import Client

    from regie.planning.models import WorkCalendar

    old = WorkCalendar.objects.create(name="Old hours", archived_at=timezone.now())
    project = Project.objects.get(code="P-001")
    pm = Client()
    pm.force_login(demo["pm"])
    response = pm.patch(f"/api/plans/{project.pk}", {"calendar": old.pk}, content_type="application/json")
    assert response.status_code == 404
    task = Task.objects.filter(plan=project.plan, is_summary=False).first()
    version = f'"{task.version}"'
    response = pm.patch(f"/api/tasks/{task.pk}", {"calendar": old.pk}, content_type="application/json", HTTP_IF_MATCH=version)
    assert response.status_code == 404
    assert Plan.objects.get(pk=project.plan.pk).calendar_id != old.pk and Task.objects.get(pk=task.pk).calendar_id != old.pk


def test_an_external_task_inside_the_outline_is_imported_without_it(demo):
    from regie.planning import exchange

    laptops = Task.objects.get(plan__project__code="P-001", name="All laptops replaced")
    ms = mspdi.MsProject(name="Move", start=dt.datetime(2026, 1, 5, 8), calendar_uid=1)
    week = [((480, 720), (780, 1020))] * 5 + [(), ()]
    ms.calendars = {1: mspdi.MsCalendar(uid=1, name="Standard", base_uid=None, week=week, exceptions=[])}
    ms.tasks = [
        mspdi.MsTask(uid=1, id=1, name="Phase", outline_level=1, summary=True),
        mspdi.MsTask(uid=2, id=2, name="Build", outline_level=2, parent_uid=1, duration=480),
        mspdi.MsTask(uid=3, id=3, name=laptops.name, outline_level=2, parent_uid=1, external=True,
                     external_project=f"P-001.xml\\{laptops.uid}", start=dt.datetime(2026, 1, 6, 8),
                     finish=dt.datetime(2026, 1, 6, 8)),
        mspdi.MsTask(uid=4, id=4, name="Move", outline_level=2, parent_uid=1, duration=480,
                     links=[mspdi.MsLink(3, "FS", 0, "work", 7, True, f"P-001.xml\\{laptops.uid}")]),
    ]  # fmt: skip
    data = mspdi.write(ms, cpm.schedule(*ms.engine_plan(), ms.engine_calendars(), "1", ms.start))
    copy = exchange.import_project(data, user=demo["pmo"], portfolio=Project.objects.get(code="P-002").portfolio, code="MOVE-X")
    names = {t.name: t for t in Task.objects.filter(plan__project=copy)}
    assert set(names) == {"Phase", "Build", "Move"} and names["Move"].parent == names["Phase"]
    assert Link.objects.filter(predecessor=laptops, successor=names["Move"]).exists()
