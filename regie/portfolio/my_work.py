"""Projects on "My work": those a person manages, sponsors, supports or steers."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regie.core.navigation import my_work_section
from regie.portfolio.models import Project, named_on_project

#: The parts that read, acknowledge and decide: the sponsor and the steering committee.
DECIDING = ("sponsor", "steering_committee")


@my_work_section
def my_projects(user: Any) -> dict[str, Any] | None:
    projects = (
        Project.objects.active().filter(named_on_project(user, prefix="")).select_related("project_manager", "sponsor")[:50]
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


@my_work_section
def my_reports(user: Any) -> dict[str, Any] | None:
    """Reports to write (as project manager or named PMO officer) when due within a week or overdue, or
    with a draft open; drafts the project manager has to submit."""
    from datetime import timedelta

    from django.utils import timezone

    from regie.portfolio.choices import ReportState
    from regie.portfolio.models import StatusReport

    today = timezone.localdate()
    drafting = named_on_project(user, prefix="", parts=("project_manager", "pmo_officers"))
    projects = Project.objects.active().filter(drafting, report_due__lte=today + timedelta(days=7)).order_by("report_due")[:50]
    items = []
    drafts = {
        r.project_id: r
        for r in StatusReport.objects.filter(
            state=ReportState.DRAFT, project__in=Project.objects.active().filter(drafting)
        ).select_related("project", "project__project_manager")
    }
    for report in drafts.values():
        is_manager = report.project.project_manager is not None and report.project.project_manager.user_id == user.pk
        items.append(
            {
                "label": str(report),
                "url": report.get_absolute_url(),
                "detail": _("draft — submit it") if is_manager else _("draft"),
            }
        )
    for project in projects:
        if project.pk in drafts:
            continue
        overdue = project.report_due is not None and project.report_due < today
        items.append(
            {
                "label": str(project),
                "url": project.get_absolute_url() + "#status-reports",
                "detail": (_("report overdue since %s") if overdue else _("report due %s")) % f"{project.report_due:%Y-%m-%d}",
            }
        )
    return {"title": _("Status reports to write"), "items": items} if items else None


@my_work_section
def reports_to_acknowledge(user: Any) -> dict[str, Any] | None:
    """The latest submitted reports of projects the person steers or sponsors, not yet acknowledged."""
    from regie.portfolio.models import StatusReport

    reports = (
        StatusReport.objects.filter(state="submitted", project__latest_report=models.F("pk"), project__archived_at=None)
        .filter(named_on_project(user, parts=DECIDING))
        .exclude(acknowledgements__person__user_id=user.pk)
        .select_related("project")
        .order_by("-submitted_at")[:50]
    )
    items = [{"label": str(r), "url": r.get_absolute_url(), "detail": _("to acknowledge")} for r in reports]
    return {"title": _("Status reports to read"), "items": items} if items else None


@my_work_section
def gates_to_decide(user: Any) -> dict[str, Any] | None:
    """Gate reviews the PMO has prepared with a recommendation, waiting for the person's decision."""
    from regie.portfolio.models import GateReview

    reviews = (
        GateReview.objects.filter(state="open", project__archived_at=None)
        .exclude(recommendation="")
        .filter(named_on_project(user, parts=DECIDING))
        .select_related("project", "phase")[:50]
    )
    items = [
        {
            "label": f"{r.project} · {r.phase}",
            "url": reverse("portfolio:gate_decision", args=[r.project_id]),
            "detail": _("recommended: %s") % r.get_recommendation_display(),
        }
        for r in reviews
    ]
    return {"title": _("Gate decisions to take"), "items": items} if items else None


@my_work_section
def my_conditions(user: Any) -> dict[str, Any] | None:
    """Open gate conditions the person owns."""
    from django.utils import timezone

    from regie.portfolio.models import GateCondition

    today = timezone.localdate()
    conditions = (
        GateCondition.objects.active()
        .filter(owner__user_id=user.pk, status="open", project__archived_at=None)
        .select_related("project")
        .order_by("due_date")[:50]
    )
    items = [
        {
            "label": f"{c.project.code} · {c.description[:80]}",
            "url": c.get_absolute_url(),
            "detail": (_("overdue since %s") if c.due_date < today else _("due %s")) % f"{c.due_date:%Y-%m-%d}",
        }
        for c in conditions
    ]
    return {"title": _("Gate conditions"), "items": items} if items else None
