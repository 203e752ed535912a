"""Planning's background tasks: scheduling very large plans, importing and exporting MS Project XML."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.jobs import JobFailed, enqueue, set_progress, task
from regie.core.models import Job
from regie.planning import exchange, services
from regie.planning.models import Plan
from regie.portfolio.models import Portfolio, Project

XML = "application/vnd.ms-project+xml"


def _progress(job: Job) -> Any:
    def report(share: float, message: str = "") -> None:
        set_progress(job, int(share * 1000), 1000, message)

    return report


@task("planning.schedule", max_attempts=1)
def schedule(job: Job, *, plan: int) -> dict[str, Any]:
    row = Plan.objects.select_related("calendar", "project").filter(pk=plan).first()
    if row is None:
        raise JobFailed(_("The plan no longer exists."))
    report = _progress(job)
    try:
        result = services.reschedule(row, progress=lambda share: report(share, _("Scheduling")))
    except ValidationError as exc:
        Plan.objects.filter(pk=plan).update(schedule_error="; ".join(exc.messages))
        raise JobFailed("; ".join(exc.messages)) from None
    count = len(result.tasks) if result else 0
    return {"tasks": count, "message": _("%(count)s tasks scheduled.") % {"count": count}}


def enqueue_import(user: Any, upload: Any, portfolio: Portfolio, code: str = "") -> Job:
    if not permissions.may(user, "planning.import_plan", portfolio):
        raise PermissionDenied(_("You may not import plans into this portfolio."))
    name = (upload.name or "").lower()
    if not name.endswith(".xml"):
        raise ValidationError({"file": [_("Upload an MS Project XML file (.xml, saved with “Save as: XML format”).")]})
    if upload.size > settings.REGIE_MSPDI_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}.xml", upload)
    return enqueue(
        "planning.import_mspdi",
        label=_("Import plan from %s") % upload.name[:100],
        requested_by=user,
        path=stored,
        filename=upload.name[:255],
        portfolio=portfolio.pk,
        code=code,
    )


@task("planning.import_mspdi", max_attempts=1)
def import_mspdi(job: Job, *, path: str, filename: str, portfolio: int, code: str = "") -> dict[str, Any]:
    try:
        if job.requested_by_id is None:
            raise JobFailed(_("An import needs the person who asked for it."))
        user = get_user_model()._default_manager.get(pk=job.requested_by_id)
        target = Portfolio.objects.filter(pk=portfolio).first()
        if target is None:
            raise JobFailed(_("The portfolio no longer exists."))
        with default_storage.open(path, "rb") as handle:
            try:
                project = exchange.import_project(
                    handle, user=user, portfolio=target, code=code or None, filename=filename, progress=_progress(job)
                )
            except ValidationError as exc:
                raise JobFailed("; ".join(exc.messages)) from None
            except PermissionDenied as exc:
                raise JobFailed(str(exc)) from None
        return {
            "project": project.pk,
            "code": project.code,
            "url": project.plan.get_absolute_url(),
            "message": _("Project %(code)s created with %(count)s tasks.")
            % {"code": project.code, "count": project.plan.tasks.count()},
        }
    finally:
        if default_storage.exists(path):
            default_storage.delete(path)


def enqueue_export(user: Any, project: Project) -> Job:
    if not permissions.may(user, "portfolio.view_project", project):
        raise PermissionDenied(_("You may not see this project."))
    return enqueue(
        "planning.export_mspdi", label=_("MS Project file of %s") % project.code, requested_by=user, project=project.pk
    )


@task("planning.export_mspdi", max_attempts=2)
def export_mspdi(job: Job, *, project: int) -> dict[str, Any]:
    row = Project.objects.filter(pk=project).first()
    if row is None:
        raise JobFailed(_("The project no longer exists."))
    if job.requested_by is None:  # whose view of the other projects would the file take?
        raise JobFailed(_("The person who asked for this file no longer exists."))
    data = exchange.export_project(
        row, progress=lambda share: set_progress(job, int(share * 1000), 1000, _("Writing")), user=job.requested_by
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{row.code}-{stamp}.xml"
    stored = default_storage.save(f"exports/{uuid.uuid4().hex}.xml", ContentFile(data))
    return {"file": stored, "filename": filename, "content_type": XML, "message": _("%(name)s is ready.") % {"name": filename}}
