"""Background jobs on the database: a task registry, ``enqueue``, progress, retries, schedules and the
worker loop behind ``regie worker``.

A worker claims a job inside a transaction: on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED`` so
that workers never wait for each other; on SQLite every transaction begins IMMEDIATE, which serialises
claims. Either way one queued job is claimed by one worker. A job whose worker died (no heartbeat within
the lease) is queued again; a failing job is retried with back-off until its attempts run out.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.models import Job, JobStatus, Schedule

log = logging.getLogger("regie.jobs")


@dataclass
class TaskDefinition:
    name: str
    function: Callable[..., Any]
    max_attempts: int = 3


@dataclass
class ScheduleDefinition:
    name: str
    task: str
    interval: timedelta
    arguments: dict[str, Any]


TASKS: dict[str, TaskDefinition] = {}
SCHEDULES: dict[str, ScheduleDefinition] = {}


def task(name: str, *, max_attempts: int = 3) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a function as a background task. It is called as ``function(job, **arguments)``."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        TASKS[name] = TaskDefinition(name, function, max_attempts)
        return function

    return decorate


def every(name: str, task_name: str, interval: timedelta, **arguments: Any) -> None:
    """Declare a periodic schedule; ``regie worker`` keeps the database's schedules in line with these."""
    SCHEDULES[name] = ScheduleDefinition(name, task_name, interval, arguments)


def enqueue(task_name: str, *, label: str = "", requested_by: Any = None, run_after: Any = None, **arguments: Any) -> Job:
    """Queue a job. Called inside a transaction, the job becomes visible to workers when it commits."""
    if task_name not in TASKS:
        raise KeyError(f"Unknown task {task_name!r}")
    return Job.objects.create(
        task=task_name,
        label=str(label)[:200],
        arguments=arguments,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        run_after=run_after or timezone.now(),
        max_attempts=TASKS[task_name].max_attempts,
    )


class JobFailed(Exception):
    """Raised by a task for an expected failure: the job fails at once, without retries, with this message
    and the optional ``result`` (for example the rows of an import that were wrong)."""

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result


def set_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress (also the worker's heartbeat); pages poll it to draw the progress bar."""
    job.progress_done = done
    if total is not None:
        job.progress_total = total
    job.progress_message = str(message)[:300]
    job.heartbeat_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        progress_message=job.progress_message,
        heartbeat_at=job.heartbeat_at,
    )


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _lock(queryset: Any) -> Any:
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


def sync_schedules() -> None:
    """Create or update the database's schedules from the declared ones (idempotent)."""
    for definition in SCHEDULES.values():
        schedule, created = Schedule.objects.get_or_create(
            name=definition.name,
            defaults={
                "task": definition.task,
                "arguments": definition.arguments,
                "interval_seconds": int(definition.interval.total_seconds()),
            },
        )
        if not created:
            Schedule.objects.filter(pk=schedule.pk).update(
                task=definition.task,
                arguments=definition.arguments,
                interval_seconds=int(definition.interval.total_seconds()),
            )


def queue_due_schedules() -> int:
    """Queue one job for each due schedule and move its next run on. Returns how many were queued."""
    queued = 0
    now = timezone.now()
    with transaction.atomic():
        due = list(_lock(Schedule.objects.filter(enabled=True, next_run_at__lte=now)))
        for schedule in due:
            if schedule.task in TASKS:
                job = enqueue(schedule.task, label=schedule.name, **schedule.arguments)
                Job.objects.filter(pk=job.pk).update(schedule=schedule)
                queued += 1
            next_run = schedule.next_run_at + timedelta(seconds=schedule.interval_seconds)
            if next_run <= now:
                next_run = now + timedelta(seconds=schedule.interval_seconds)
            Schedule.objects.filter(pk=schedule.pk).update(next_run_at=next_run, last_queued_at=now)
    return queued


def requeue_abandoned() -> int:
    """Jobs whose worker stopped sending heartbeats within the lease go back in the queue."""
    cutoff = timezone.now() - timedelta(seconds=settings.REGIE_JOB_LEASE_SECONDS)
    with transaction.atomic():
        abandoned = Job.objects.filter(status=JobStatus.RUNNING).filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
        # A job that keeps killing its worker must not come back for ever: its attempts run out too.
        abandoned.filter(attempts__gte=F("max_attempts")).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            error="The worker running this job stopped responding.",
        )
        return abandoned.filter(attempts__lt=F("max_attempts")).update(status=JobStatus.QUEUED, worker="")


def claim(worker: str | None = None, among: list[int] | None = None) -> Job | None:
    """Take the oldest due job (of the jobs ``among``, when given), or None. One job is claimed by one
    worker only."""
    worker = worker or _worker_name()
    now = timezone.now()
    with transaction.atomic():
        due = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now)
        if among is not None:
            due = due.filter(pk__in=among)
        job = _lock(due).order_by("run_after", "id").first()
        if job is None:
            return None
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            worker=worker[:120],
        )
        if not updated:
            return None
    job.refresh_from_db()
    return job


def execute(job: Job) -> None:
    """Run a claimed job and record its outcome: success, a retry later, or failure."""
    definition = TASKS.get(job.task)
    try:
        if definition is None:
            raise JobFailed(f"Unknown task {job.task!r}")
        result = definition.function(job, **job.arguments)
    except JobFailed as failure:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=str(failure), result=failure.result
        )
        return
    except Exception:  # noqa: BLE001 - a task's crash must never stop the worker
        log.exception("Job %s (%s) failed", job.pk, job.task)
        error = traceback.format_exc(limit=8)
        if job.attempts < job.max_attempts:
            delay = timedelta(seconds=min(3600, 10 * 2 ** (job.attempts - 1)))
            Job.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, run_after=timezone.now() + delay, error=error, worker=""
            )
        else:
            Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(), error=error)
        return
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        result=result,
        error="",
        progress_done=F("progress_total"),
    )


def split(job: Job, task_name: str, parts: list[dict[str, Any]], *, label: str) -> list[int]:
    """Queue the parts of a large job as jobs of their own (``task_name`` with each part's arguments), so
    that every worker that is free takes some; ``run_parts`` then works through them. Returns their ids."""
    with transaction.atomic():
        return [
            enqueue(
                task_name,
                label=f"{label} ({number}/{len(parts)})",
                requested_by=job.requested_by,
                **{**arguments, "part_of": job.pk},
            ).pk
            for number, arguments in enumerate(parts, start=1)
        ]


def run_parts(
    job: Job, parts: list[int], *, message: Callable[[int, int], str] | None = None, poll_seconds: float = 0.05
) -> list[Job]:
    """Run the queued ``parts`` of ``job`` in this worker, one after the other, while other workers take
    theirs; then wait until every part has ended, keeping ``job``'s progress at the sum of theirs (and its
    message at ``message(done, total)``). With no other worker, this one runs them all. A part whose
    worker died is queued again after the lease and taken here. Raises ``JobFailed`` when a part failed
    for good; returns the parts."""
    worker = _worker_name()
    ended = (JobStatus.SUCCEEDED, JobStatus.FAILED)
    while True:
        part = claim(worker, among=parts)
        if part is not None:
            execute(part)
        rows = list(Job.objects.filter(pk__in=parts).order_by("pk"))
        done = sum(row.progress_done for row in rows if row.status != JobStatus.QUEUED)
        total = max(sum(row.progress_total for row in rows), job.progress_total)  # (a queued part's is 0)
        finished = sum(1 for row in rows if row.status in ended)
        set_progress(job, done, total, message(done, total) if message else job.progress_message)
        if finished == len(rows):
            break
        if part is None:
            requeue_abandoned()
            time.sleep(poll_seconds)
    failed = [row for row in rows if row.status == JobStatus.FAILED]
    if failed:
        first = (failed[0].error.strip().splitlines() or [""])[-1]
        refusal = _("%(failed)s of %(parts)s parts failed: %(error)s")
        raise JobFailed(refusal % {"failed": len(failed), "parts": len(rows), "error": first})
    return rows


def run_pending(limit: int = 1000) -> int:
    """Run due jobs in this process until none is left (or ``limit``); used by tests and commands."""
    ran = 0
    while ran < limit:
        job = claim()
        if job is None:
            break
        execute(job)
        ran += 1
    return ran


def work(*, once: bool = False, poll_seconds: float | None = None, max_jobs: int | None = None) -> int:
    """The worker loop: queue due schedules, requeue abandoned jobs, run due jobs; sleep when idle."""
    poll = settings.REGIE_WORKER_POLL_SECONDS if poll_seconds is None else poll_seconds
    name = _worker_name()
    stopping = False

    def stop(*_args: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sync_schedules()
    ran = 0
    log.info("Worker %s started", name)
    while not stopping:
        if not connection.in_atomic_block:  # inside a transaction (tests) the connection must stay
            close_old_connections()
        queue_due_schedules()
        requeue_abandoned()
        job = claim(name)
        if job is not None:
            execute(job)
            ran += 1
            if max_jobs is not None and ran >= max_jobs:
                break
            continue
        if once:
            break
        time.sleep(poll)
    log.info("Worker %s stopped after %s jobs", name, ran)
    return ran
