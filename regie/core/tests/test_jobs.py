"""Background jobs: claiming once, progress, retries, failures, schedules and abandoned jobs."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from regie.core import jobs
from regie.core.models import Job, JobStatus, Schedule

pytestmark = pytest.mark.django_db

CALLS: list[tuple[int, dict]] = []


@jobs.task("tests.record", max_attempts=3)
def record(job, **arguments):
    CALLS.append((job.pk, arguments))
    jobs.set_progress(job, 1, 2, "half way")
    return {"seen": arguments}


@jobs.task("tests.flaky", max_attempts=2)
def flaky(job):
    raise RuntimeError("boom")


@jobs.task("tests.refuse", max_attempts=3)
def refuse(job, **_arguments):
    raise jobs.JobFailed("Bad input: row 3", {"errors": [{"row": 3, "column": "email", "message": "wrong"}]})


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def test_a_job_runs_once_and_records_its_result():
    job = jobs.enqueue("tests.record", label="Record", colour="blue")
    assert jobs.run_pending() == 1
    assert jobs.run_pending() == 0
    job.refresh_from_db()
    assert [(job.pk, {"colour": "blue"})] == CALLS
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    assert job.result == {"seen": {"colour": "blue"}} and job.percent == 100


def test_claimed_job_cannot_be_claimed_again():
    jobs.enqueue("tests.record")
    first = jobs.claim("worker-1")
    assert first is not None and first.status == JobStatus.RUNNING
    assert jobs.claim("worker-2") is None


def test_crash_is_retried_with_backoff_then_fails():
    job = jobs.enqueue("tests.flaky")
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.run_after > timezone.now() and "boom" in job.error
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 2 and job.finished_at


def test_a_crash_shows_no_traceback_to_the_user(org):
    job = jobs.enqueue("tests.flaky", requested_by=org.users["member_a"])
    Job.objects.filter(pk=job.pk).update(max_attempts=1)
    jobs.run_pending()
    state = org.client_for("member_a").get(f"/api/jobs/{job.pk}").json()
    assert state["status"] == "failed"
    assert "Traceback" not in state["error"] and "boom" not in state["error"]
    assert "Traceback" not in org.client_for("member_a").get(f"/jobs/{job.pk}/").content.decode()


def test_expected_failure_fails_at_once_with_its_result():
    job = jobs.enqueue("tests.refuse")
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert job.error == "Bad input: row 3"
    assert job.result["errors"][0]["column"] == "email"


def test_future_jobs_wait():
    jobs.enqueue("tests.record", run_after=timezone.now() + timedelta(minutes=5))
    assert jobs.run_pending() == 0


def test_unknown_task_cannot_be_queued():
    with pytest.raises(KeyError):
        jobs.enqueue("tests.nope")


def test_schedules_queue_once_per_interval():
    jobs.every("test schedule", "tests.record", timedelta(hours=1), source="schedule")
    try:
        jobs.sync_schedules()
        jobs.sync_schedules()
        assert Schedule.objects.filter(name="test schedule").count() == 1
        Schedule.objects.exclude(name="test schedule").update(enabled=False)
        assert jobs.queue_due_schedules() == 1
        assert jobs.queue_due_schedules() == 0
        schedule = Schedule.objects.get(name="test schedule")
        assert schedule.next_run_at > timezone.now() + timedelta(minutes=59)
        job = Job.objects.get(schedule=schedule)
        assert job.arguments == {"source": "schedule"}
    finally:
        jobs.SCHEDULES.pop("test schedule")


def test_abandoned_running_job_is_requeued_after_the_lease(settings):
    settings.REGIE_JOB_LEASE_SECONDS = 60
    job = jobs.enqueue("tests.record")
    jobs.claim("dead-worker")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=120))
    assert jobs.requeue_abandoned() == 1
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2


@jobs.task("tests.whole")
def whole(job, pieces):
    parts = jobs.split(job, "tests.record", [{"piece": piece} for piece in pieces], label="Whole")
    return {"parts": [part.result for part in jobs.run_parts(job, parts, poll_seconds=0.01)]}


def test_a_job_split_into_parts_runs_those_no_other_worker_took_and_sums_their_progress(org):
    parent = jobs.enqueue("tests.whole", label="Whole", requested_by=org.users["member_a"], pieces=["a", "b", "c"])
    real_execute = jobs.execute

    def another_worker_first(job):
        # While the parent starts on the first part, another worker takes and finishes the second.
        if job.task == "tests.record" and not CALLS:
            second = Job.objects.get(task="tests.record", arguments__piece="b")
            other = jobs.claim("worker-2", among=[second.pk])
            assert other is not None and other.arguments["piece"] == "b"
            real_execute(other)
        real_execute(job)

    with mock.patch("regie.core.jobs.execute", side_effect=another_worker_first):
        assert jobs.claim("worker-1", among=[parent.pk]) is not None
        real_execute(parent)
    parent.refresh_from_db()
    assert parent.status == JobStatus.SUCCEEDED, parent.error
    parts = Job.objects.filter(task="tests.record").order_by("pk")
    assert [p.label for p in parts] == ["Whole (1/3)", "Whole (2/3)", "Whole (3/3)"]
    assert {p.requested_by_id for p in parts} == {org.users["member_a"].pk}
    assert [p.arguments for p in parts] == [{"piece": x, "part_of": parent.pk} for x in "abc"]
    # Each part ran once, whoever took it; the parent's progress is the sum of the parts'.
    assert sorted(arguments["piece"] for _pk, arguments in CALLS) == ["a", "b", "c"]
    assert [p.worker for p in parts].count("worker-2") == 1
    assert (parent.progress_done, parent.progress_total) == (6, 6)
    assert parent.result == {"parts": [{"seen": {"piece": x, "part_of": parent.pk}} for x in "abc"]}


def test_a_part_whose_worker_died_is_run_by_the_parent_after_the_lease(settings):
    settings.REGIE_JOB_LEASE_SECONDS = 60
    parent = jobs.enqueue("tests.whole", pieces=["a"])
    parts = jobs.split(parent, "tests.record", [{"piece": "a"}], label="Whole")
    jobs.claim("dead-worker", among=parts)
    Job.objects.filter(pk=parts[0]).update(heartbeat_at=timezone.now() - timedelta(seconds=120))
    [part] = jobs.run_parts(parent, parts, poll_seconds=0.01)
    assert part.status == JobStatus.SUCCEEDED and part.attempts == 2
    assert [(part.pk, {"piece": "a", "part_of": parent.pk})] == CALLS


def test_a_job_fails_when_one_of_its_parts_failed_for_good():
    parent = jobs.enqueue("tests.whole", pieces=[])
    parts = jobs.split(parent, "tests.refuse", [{}, {}], label="Whole")
    with pytest.raises(jobs.JobFailed, match="2 of 2 parts failed: Bad input: row 3"):
        jobs.run_parts(parent, parts, poll_seconds=0.01)
    assert not Job.objects.filter(pk__in=parts).exclude(status=JobStatus.FAILED).exists()


def test_worker_loop_runs_due_jobs_and_stops(settings):
    jobs.enqueue("tests.record")
    jobs.enqueue("tests.record")
    # The declared periodic schedules are due on a fresh database, so they run in the same pass.
    assert jobs.work(once=True) == 2 + len(jobs.SCHEDULES)
    assert len(CALLS) == 2
    assert not Job.objects.exclude(status=JobStatus.SUCCEEDED).exists()


def test_job_page_shows_progress_to_its_owner_only(org):
    job = jobs.enqueue("tests.record", requested_by=org.users["member_a"], label="Mine")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress_done=3, progress_total=4)
    owner = org.client_for("member_a")
    page = owner.get(f"/jobs/{job.pk}/").content.decode()
    assert "75%" in page and 'hx-trigger="every 1s"' in page
    state = owner.get(f"/api/jobs/{job.pk}").json()
    assert state["percent"] == 75 and state["status"] == "running"
    assert org.client_for("member_all").get(f"/jobs/{job.pk}/").status_code == 404
    assert org.client_for("member_all").get(f"/api/jobs/{job.pk}").status_code == 404
    assert org.client_for("administrator").get(f"/jobs/{job.pk}/").status_code == 200
    assert "Mine" in owner.get("/my-work/").content.decode()
