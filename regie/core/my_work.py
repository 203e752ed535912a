"""Core's contributions to "My work": the teams I lead, units I manage, and my running or failed jobs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.core.models import Job, JobStatus, OrgUnit, Team
from regie.core.navigation import my_work_section


@my_work_section
def led_teams_and_units(user: Any) -> dict[str, Any] | None:
    teams = list(Team.objects.active().filter(lead__user=user).select_related("org_unit"))
    units = list(OrgUnit.objects.active().filter(manager__user=user))
    items = [{"label": t.name, "url": t.get_absolute_url(), "detail": _("Team lead")} for t in teams]
    items += [{"label": u.name, "url": u.get_absolute_url(), "detail": _("Unit manager")} for u in units]
    return {"title": _("Teams and units I lead"), "items": items} if items else None


@my_work_section
def my_jobs(user: Any) -> dict[str, Any] | None:
    jobs = list(Job.objects.filter(requested_by=user, status__in=[JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED])[:20])
    items = [{"label": str(j), "url": reverse("core:job_detail", args=[j.pk]), "detail": j.get_status_display()} for j in jobs]
    return {"title": _("My background jobs"), "items": items} if items else None
