"""The portfolio's background tasks: the steering-committee deck and the portfolio workbook, project
import, and the status-report reminders."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.jobs import JobFailed, enqueue, every, set_progress, task
from regie.core.models import Job
from regie.portfolio import reporting, selectors

EXPORTS = {
    "deck": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "workbook": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
#: The largest deck a single export makes: a steering committee reads a few dozen projects, not thousands.
MAX_DECK_PROJECTS = 300
MAX_WORKBOOK_PROJECTS = 20000


def enqueue_export(user: Any, kind: str, filters: dict[str, Any]) -> Job:
    if not permissions.holds_anywhere(user, "portfolio.export_portfolio"):
        raise PermissionDenied(_("You may not export the portfolio."))
    if kind not in EXPORTS:
        raise ValidationError({"kind": [_("Choose deck or workbook.")]})
    known = {f.name for f in fields(selectors.OverviewFilters)} - {"extra"}
    filters = {k: v for k, v in filters.items() if k in known}
    label = _("Steering-committee deck") if kind == "deck" else _("Portfolio workbook")
    return enqueue(
        "portfolio.export",
        label=label,
        requested_by=user,
        kind=kind,
        filters=filters,
        language=translation.get_language() or "en",
    )


@task("portfolio.export", max_attempts=2)
def export(job: Job, *, kind: str, filters: dict[str, Any], language: str = "en") -> dict[str, Any]:
    """Make the deck or the workbook of the projects the requester sees through the given filters."""
    from regie.portfolio import exports

    if job.requested_by_id is None:
        raise JobFailed(_("An export needs the person who asked for it."))
    user = get_user_model()._default_manager.get(pk=job.requested_by_id)
    suffix, content_type = EXPORTS[kind]
    with translation.override(language):
        projects = selectors.for_export(selectors.overview(user, selectors.OverviewFilters(**filters)))
        limit = MAX_DECK_PROJECTS if kind == "deck" else MAX_WORKBOOK_PROJECTS
        chosen = list(projects[: limit + 1])
        if len(chosen) > limit:
            raise JobFailed(
                _("%(count)s projects or more: narrow the filters to at most %(limit)s.") % {"count": limit + 1, "limit": limit}
            )
        if not chosen:
            raise JobFailed(_("No projects match the filters."))
        set_progress(job, 0, len(chosen), _("Preparing %s projects") % len(chosen))

        def progress(done: int, total: int) -> None:
            if done % 10 == 0 or done == total:
                set_progress(job, done, total, _("Project %(done)s of %(total)s") % {"done": done, "total": total})

        if kind == "deck":
            data = exports.build_deck(chosen, title=_("Portfolio status"), progress=progress)
        else:
            data = exports.build_workbook(chosen, progress=progress)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{'steering-committee' if kind == 'deck' else 'portfolio'}-{stamp}.{suffix}"
        path = default_storage.save(f"exports/{uuid.uuid4().hex}.{suffix}", ContentFile(data))
        return {
            "file": path,
            "filename": filename,
            "content_type": content_type,
            "projects": len(chosen),
            "message": _("%(name)s is ready: %(count)s projects.") % {"name": filename, "count": len(chosen)},
        }


def enqueue_import(user: Any, upload: Any) -> Job:
    """Store an uploaded sheet and queue its import; the sheet's contents are checked by the job."""
    if not permissions.holds_anywhere(user, "portfolio.import_project"):
        raise PermissionDenied(_("You may not import projects."))
    name = (upload.name or "").lower()
    if not name.endswith((".xlsx", ".csv")):
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    if upload.size > settings.REGIE_IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    suffix = ".xlsx" if name.endswith(".xlsx") else ".csv"
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload)
    return enqueue(
        "portfolio.import_projects",
        label=_("Import projects from %s") % upload.name[:100],
        requested_by=user,
        path=stored,
        filename=upload.name,
    )


@task("portfolio.send_report_reminders")
def send_report_reminders(job: Job) -> dict[str, Any]:
    """Email the drafters of reports that are due soon or overdue (each once per period)."""
    counts = reporting.send_reminders(progress=lambda done, total: set_progress(job, done, total))
    return {**counts, "message": _("%(due)s reminders, %(overdue)s overdue notices.") % counts}


every("Status report reminders", "portfolio.send_report_reminders", timedelta(hours=6))
