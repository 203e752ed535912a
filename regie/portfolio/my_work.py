"""Projects on "My work": those a person manages, sponsors, supports or steers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regie.core.navigation import my_work_section
from regie.portfolio.models import Project


@my_work_section
def my_projects(user: Any) -> dict[str, Any] | None:
    projects = (
        Project.objects.active()
        .filter(
            Q(project_manager__user_id=user.pk)
            | Q(sponsor__user_id=user.pk)
            | Q(pmo_officers__user_id=user.pk)
            | Q(steering_committee__user_id=user.pk)
        )
        .distinct()
        .select_related("project_manager", "sponsor")[:50]
    )
    items = []
    for project in projects:
        if project.project_manager and project.project_manager.user_id == user.pk:
            role = _("Project manager")
        elif project.sponsor and project.sponsor.user_id == user.pk:
            role = _("Sponsor")
        else:
            role = _("PMO officer or steering committee")
        items.append({"label": str(project), "url": project.get_absolute_url(), "detail": role})
    return {"title": _("My projects"), "items": items} if items else None
