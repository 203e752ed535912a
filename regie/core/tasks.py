"""Core's background tasks and periodic schedules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import services
from regie.core.jobs import JobFailed, every, set_progress, task
from regie.core.models import Job, JobStatus
from regie.core.sheets import ImportRejected, SheetError, read_sheet


def import_sheet(
    job: Job,
    *,
    path: str,
    filename: str,
    importer: Callable[..., list[Any]],
    done: Callable[[int], str],
) -> dict[str, Any]:
    """Run an all-or-nothing sheet import as a job: read the uploaded file, hand its rows to ``importer``
    (called as ``importer(actor=…, rows=…, progress=…)``), and turn every refusal into a failed job that
    names the problems by row and column. The uploaded file is removed whatever the outcome."""
    try:
        if job.requested_by_id is None:
            raise JobFailed(_("An import needs the person who asked for it."))
        actor = get_user_model()._default_manager.get(pk=job.requested_by_id)
        with default_storage.open(path, "rb") as handle:
            data = handle.read()
        try:
            _header, rows = read_sheet(data, filename)
        except SheetError as error:
            raise JobFailed(str(error), {"errors": [{"row": 0, "column": "", "message": str(error)}]}) from None
        set_progress(job, 0, max(1, len(rows) * 2), _("Checking %s rows") % len(rows))
        try:
            created = importer(
                actor=actor,
                rows=rows,
                progress=lambda done_rows, total, message: set_progress(job, done_rows, total, message),
            )
        except ImportRejected as rejected:
            raise JobFailed(str(rejected), {"errors": [e.as_dict() for e in rejected.errors]}) from None
        except PermissionDenied as denied:
            message = str(denied) or _("You may not import these records.")
            raise JobFailed(message, {"errors": [{"row": 0, "column": "", "message": message}]}) from None
        return {"created": len(created), "message": done(len(created))}
    finally:
        if default_storage.exists(path):
            default_storage.delete(path)


@task("core.import_people", max_attempts=1)
def import_people(job: Job, *, path: str, filename: str) -> dict[str, Any]:
    """Import people from an uploaded sheet; the file is removed afterwards whatever the outcome."""
    return import_sheet(
        job,
        path=path,
        filename=filename,
        importer=services.people_import,
        done=lambda count: ngettext("%(count)s person imported.", "%(count)s people imported.", count) % {"count": count},
    )


@task("core.clear_expired_sessions")
def clear_expired_sessions(job: Job) -> dict[str, Any]:
    """Remove expired sign-in sessions (they are never valid again)."""
    deleted, _detail = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"deleted": deleted}


@task("core.purge_finished_jobs")
def purge_finished_jobs(job: Job, *, days: int = 90) -> dict[str, Any]:
    """Finished job records older than ``days`` are removed; recent ones stay visible to their owners."""
    cutoff = timezone.now() - timedelta(days=days)
    old = Job.objects.filter(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED], finished_at__lt=cutoff)
    for result in old.exclude(result=None).values_list("result", flat=True):
        # Files a job made (exports) go with it.
        path = result.get("file") if isinstance(result, dict) else None
        if path and default_storage.exists(path):
            default_storage.delete(path)
    deleted, _detail = old.delete()
    return {"deleted": deleted}


@task("core.ping", max_attempts=1)
def ping(job: Job, *, seconds: float = 0.0) -> dict[str, Any]:
    """Diagnostic: proves that a worker runs jobs, and says which worker took this one."""
    import time

    time.sleep(max(0.0, min(float(seconds), 10.0)))
    return {"worker": job.worker}


every("Clear expired sessions", "core.clear_expired_sessions", timedelta(hours=6))
every("Purge finished jobs", "core.purge_finished_jobs", timedelta(days=1), days=90)
