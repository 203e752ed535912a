"""Reads for core's pages and API that are more than a one-line query."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from regie.core import navigation, permissions
from regie.core.models import Domain, Job, OrgUnit, Person, RoleAssignment, Team


def organisation_counts(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "label": model._meta.verbose_name_plural,
            "count": model.objects.active().visible_to(user).count(),
            "url": url,
        }
        for model, url in (
            (Domain, "core:domain_list"),
            (OrgUnit, "core:orgunit_list"),
            (Person, "core:person_list"),
            (Team, "core:team_list"),
        )
    ]


def search(user: Any, query: str, per_model: int = 10) -> list[dict[str, Any]]:
    """Matches per searchable model, only among records the user may see; one query per model."""
    from django.db.models import Q

    groups = []
    terms = query.split()[:5]
    model: Any
    for model, label in navigation.SEARCHABLE:
        condition = Q()
        for term in terms:
            term_q = Q()
            for field in model.search_fields:
                term_q |= Q(**{f"{field}__icontains": term})
            condition &= term_q
        hits = list(model.objects.active().visible_to(user).filter(condition)[: per_model + 1])
        if hits:
            groups.append({"label": label, "objects": hits[:per_model], "more": len(hits) > per_model})
    return groups


def _public_error(job: Job) -> str:
    """A task's own failure message is for the user; a crash's traceback stays in the server log."""
    if job.status != "failed":
        return ""
    if job.error.startswith("Traceback"):
        return str(_("The job failed unexpectedly; the error has been logged."))
    return job.error


def job_state(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "task": job.task,
        "label": job.label,
        "status": job.status,
        "percent": job.percent,
        "done": job.progress_done,
        "total": job.progress_total,
        "message": job.progress_message,
        "result": job.result,
        "error": _public_error(job),
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def job_file_response(job: Job) -> Any:
    """The file a succeeded job stored (``result["file"]``), as a download; 404 when there is none."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404

    result = job.result or {}
    path = result.get("file") if job.status == "succeeded" and isinstance(result, dict) else None
    if not path or not default_storage.exists(path):
        raise Http404("This job has no file to download (any more).")
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=result.get("filename") or path.rsplit("/", 1)[-1],
        content_type=result.get("content_type") or "application/octet-stream",
    )
    return response


def visible_jobs(user: Any) -> Any:
    """Everyone sees the jobs they asked for; holders of core.view_job on the whole organisation see all."""
    if permissions.holds_globally(user, "core.view_job"):
        return Job.objects.all()
    return Job.objects.filter(requested_by_id=getattr(user, "pk", None) or 0)


def manageable_assignments(user: Any) -> Any:
    """The role assignments on scopes where ``user`` may manage roles."""
    scopes = permissions.scopes_where(user, "core.manage_roles").values("pk")
    return RoleAssignment.objects.filter(scope__in=scopes).select_related("scope")
