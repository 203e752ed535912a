"""The configuration register's background job: a large import runs here, with progress on the job's
page, instead of in the request that uploaded it."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from regie.configuration import importing, services
from regie.core import permissions
from regie.core.jobs import JobFailed, enqueue, set_progress, task
from regie.core.models import Job
from regie.core.sheets import ImportRejected, SheetError

IMPORT_TASK = "configuration.import_items"


def import_message(result: services.ImportResult) -> str:
    return _("%(created)s items created, %(updated)s updated, %(unchanged)s unchanged; %(relations)s relations added.") % (
        result.as_dict()
    )


def enqueue_import(user: Any, items: Any, relations: Any = None) -> Job:
    """Store the uploaded files and queue their import; their contents are checked by the job."""
    if not permissions.holds_anywhere(user, services.IMPORT):
        raise PermissionDenied(_("You may not import configuration items."))
    stored = {}
    for name, upload in (("items", items), ("relations", relations)):
        if upload is None:
            continue
        suffix = ".xlsx" if (upload.name or "").lower().endswith(".xlsx") else ".csv"
        upload.seek(0)
        stored[name] = {"path": default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", upload), "filename": upload.name}
    return enqueue(
        IMPORT_TASK,
        label=_("Import configuration items from %s") % (items.name or "")[:100],
        requested_by=user,
        files=stored,
    )


def read_uploads(
    items: tuple[bytes, str], relations: tuple[bytes, str] | None
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The rows of the uploaded files; SheetError when a file cannot be read at all."""
    item_rows, relation_rows = importing.read_items(*items)
    if relations is not None:
        relation_rows = importing.read_relations(*relations)
    if not item_rows and not relation_rows:
        raise SheetError(_("The file has no rows below its header."))
    return item_rows, relation_rows


@task(IMPORT_TASK, max_attempts=1)
def import_items(job: Job, *, files: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Import items and relations, all or nothing; the uploaded files are removed whatever the outcome."""
    try:
        if job.requested_by_id is None:
            raise JobFailed(_("An import needs the person who asked for it."))
        actor = get_user_model()._default_manager.get(pk=job.requested_by_id)
        contents = {}
        for name, stored in files.items():
            with default_storage.open(stored["path"], "rb") as handle:
                contents[name] = (handle.read(), stored["filename"])
        try:
            item_rows, relation_rows = read_uploads(contents["items"], contents.get("relations"))
        except SheetError as error:
            raise JobFailed(str(error), {"errors": [{"row": 0, "column": "", "message": str(error)}]}) from None
        set_progress(job, 0, max(1, (len(item_rows) + len(relation_rows)) * 2), _("Checking %s rows") % len(item_rows))
        try:
            result = services.items_import(
                actor=actor,
                item_rows=item_rows,
                relation_rows=relation_rows,
                progress=lambda done, total, message: set_progress(job, done, total, message),
            )
        except ImportRejected as rejected:
            raise JobFailed(str(rejected), {"errors": [e.as_dict() for e in rejected.errors]}) from None
        except PermissionDenied as denied:
            message = str(denied) or _("You may not import these records.")
            raise JobFailed(message, {"errors": [{"row": 0, "column": "", "message": message}]}) from None
        return {**result.as_dict(), "message": import_message(result)}
    finally:
        for stored in files.values():
            if default_storage.exists(stored["path"]):
                default_storage.delete(stored["path"])
