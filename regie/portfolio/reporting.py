"""Status reporting: reporting periods, drafting, submitting, correcting, commenting and acknowledging,
and the reminders that keep reports on time.

A project reports weekly (ISO weeks), fortnightly (two-week periods counted from Monday 1 January 2024)
or monthly (calendar months). A report for a period is due ``REGIE_STATUS_REPORT_GRACE_DAYS`` days after the
period ends. ``Project.report_due`` holds the due date of the first period not yet reported, so that
"overdue" is a plain, indexed filter.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regie.core.services import claim_version
from regie.portfolio.choices import ReportingFrequency, ReportState
from regie.portfolio.models import (
    Project,
    StatusReport,
    StatusReportAcknowledgement,
    StatusReportComment,
    StatusReportReminder,
)
from regie.portfolio.services import parts, person_of

log = logging.getLogger("regie.portfolio")

FORTNIGHT_ANCHOR = date(2024, 1, 1)
#: The fields a drafter writes; everything else on a report is kept by the rules below.
CONTENT_FIELDS = (
    "overall",
    "overall_rationale",
    "schedule",
    "schedule_rationale",
    "cost",
    "cost_rationale",
    "scope",
    "scope_rationale",
    "risks",
    "risks_rationale",
    "resources",
    "resources_rationale",
    "quality",
    "quality_rationale",
    "summary",
    "achievements",
    "plans",
    "decisions_needed",
    "top_risks",
)


def grace_days() -> int:
    return int(settings.REGIE_STATUS_REPORT_GRACE_DAYS)


def period_containing(frequency: str, day: date) -> tuple[date, date]:
    """The reporting period of ``frequency`` that contains ``day``."""
    if frequency == ReportingFrequency.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if frequency == ReportingFrequency.FORTNIGHTLY:
        start = FORTNIGHT_ANCHOR + timedelta(days=14 * ((day - FORTNIGHT_ANCHOR).days // 14))
        return start, start + timedelta(days=13)
    start = day.replace(day=1)
    return start, day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_after(frequency: str, end: date) -> tuple[date, date]:
    """The period that follows a period ending on ``end``."""
    return period_containing(frequency, end + timedelta(days=1))


def due_date(period_end: date) -> date:
    return period_end + timedelta(days=grace_days())


def next_period(project: Project) -> tuple[date, date]:
    """The period a new report covers: the one after the latest report, or — for a project without
    reports — the period that contains today."""
    latest = project.latest_report
    if latest is not None:
        return period_after(project.reporting_frequency, latest.period_end)
    return period_containing(project.reporting_frequency, timezone.localdate())


def compute_report_due(project: Project) -> date:
    """The due date of the first period the project has not reported on. A project without reports
    owes its first one for the period in which it was registered."""
    latest = project.latest_report
    if latest is not None:
        return due_date(period_after(project.reporting_frequency, latest.period_end)[1])
    first_day = timezone.localdate(project.created_at) if project.created_at else timezone.localdate()
    return due_date(period_containing(project.reporting_frequency, first_day)[1])


def refresh_report_due(project: Project) -> None:
    due = None if project.is_archived else compute_report_due(project)
    if due != project.report_due:
        Project.objects.filter(pk=project.pk).update(report_due=due)
        project.report_due = due


def _overlapping(project: Project, start: date, end: date, exclude: list[int]) -> StatusReport | None:
    return (
        project.status_reports.exclude(state=ReportState.SUPERSEDED)
        .exclude(pk__in=exclude)
        .filter(period_start__lte=end, period_end__gte=start)
        .first()
    )


# Other apps suggest what a report should say about the project (the planning app: the schedule's
# status from the plan and its baseline, and the coming milestones): a function of the project that
# gives None or {"rag", "rationale", "milestones"}.
SUGGESTERS: list[Callable[[Project], dict[str, Any] | None]] = []


def register_suggester(suggester: Callable[[Project], dict[str, Any] | None]) -> None:
    if suggester not in SUGGESTERS:
        SUGGESTERS.append(suggester)


def schedule_suggestion(project: Project) -> dict[str, Any] | None:
    """The schedule status and milestones the project's plan suggests; None without a plan."""
    for suggester in SUGGESTERS:
        found = suggester(project)
        if found is not None:
            return found
    return None


# Other apps suggest a new report's content (the RAID log: its top risks and the decisions needed): a
# function of the project that gives some of the CONTENT_FIELDS; an empty value suggests nothing.
CONTENT_SUGGESTERS: list[Callable[[Project], dict[str, str]]] = []


def register_content_suggester(suggester: Callable[[Project], dict[str, str]]) -> None:
    if suggester not in CONTENT_SUGGESTERS:
        CONTENT_SUGGESTERS.append(suggester)


def content_suggestion(project: Project) -> dict[str, str]:
    suggested: dict[str, str] = {}
    for suggester in CONTENT_SUGGESTERS:
        suggested.update({k: v for k, v in suggester(project).items() if k in CONTENT_FIELDS and v})
    return suggested


def report_start(
    *, actor: Any, project: Project, period_start: date | None = None, period_end: date | None = None
) -> StatusReport:
    """Start the draft of a new report, pre-filled from the latest submitted one. Without dates it
    covers the next period; a period may not overlap a report the project already has."""
    if not parts(actor, project).draft_report:
        raise PermissionDenied(_("Only the project manager or the PMO drafts a status report."))
    draft = project.status_reports.filter(state=ReportState.DRAFT).first()
    if draft is not None:
        raise ValidationError({"period_start": [_("A draft is already open: %s. Finish or submit it first.") % draft]})
    if period_start is None:
        period_start, proposed_end = next_period(project)
        period_end = period_end or proposed_end
    elif period_end is None:
        period_end = period_containing(project.reporting_frequency, period_start)[1]
    report = StatusReport(project=project, period_start=period_start, period_end=period_end, drafted_by=person_of(actor))
    previous = project.latest_report
    if previous is not None:
        for name in CONTENT_FIELDS:
            setattr(report, name, getattr(previous, name))
        # What was planned for this period is where the achievements start.
        report.achievements = previous.plans
        report.plans = ""
    for name, value in content_suggestion(project).items():
        setattr(report, name, value)
    suggested = schedule_suggestion(project)
    if suggested is not None:
        # the schedule is the plan's, not last period's
        report.schedule = suggested["rag"]
        report.schedule_rationale = suggested["rationale"]
        report.milestones = suggested["milestones"]
    report.full_clean(exclude=["project", "drafted_by"], validate_unique=False, validate_constraints=False)
    clash = _overlapping(project, period_start, period_end, [])
    if clash is not None:
        raise ValidationError({"period_start": [_("The period overlaps the report %s.") % clash]})
    report._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ValidationError({"period_start": [_("A draft is already open for this project.")]}) from None
    return report


def report_update(*, actor: Any, report: StatusReport, data: dict[str, Any], expected_version: int | None) -> StatusReport:
    """Change a draft. A submitted report is never edited; correct it instead."""
    if not parts(actor, report.project).draft_report:
        raise PermissionDenied(_("Only the project manager or the PMO drafts a status report."))
    if not report.is_draft:
        raise ValidationError(_("A submitted report is never changed: correct it with a new revision."))
    unknown = set(data) - set(CONTENT_FIELDS) - {"period_start", "period_end"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    if report.supersedes_id and ({"period_start", "period_end"} & set(data)):
        raise ValidationError({"period_start": [_("A correction keeps the period of the report it corrects.")]})
    for name, value in data.items():
        setattr(report, name, value.strip() if isinstance(value, str) and name not in ("overall",) else value)
    report.full_clean(validate_unique=False, validate_constraints=False)
    exclude = [report.pk] + ([report.supersedes_id] if report.supersedes_id else [])
    clash = _overlapping(report.project, report.period_start, report.period_end, exclude)
    if clash is not None:
        raise ValidationError({"period_start": [_("The period overlaps the report %s.") % clash]})
    with transaction.atomic():
        claim_version(report, expected_version)
        report._history_user = actor  # type: ignore[attr-defined]
        report.save()
    return report


def report_submit(*, actor: Any, report: StatusReport, expected_version: int | None) -> StatusReport:
    """Submit a draft: only the project manager does. The report becomes the project's latest status
    (and its health), a corrected report is kept as superseded, and the next due date moves on."""
    project = report.project
    if not parts(actor, project).submit_report:
        raise PermissionDenied(_("Only the project manager submits a status report."))
    if not report.is_draft:
        raise ValidationError(_("This report has been submitted already."))
    report.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        claim_version(report, expected_version)
        corrected = report.supersedes
        latest = project.latest_report
        if corrected is not None:
            corrected.state = ReportState.SUPERSEDED
            corrected.save(update_fields=["state", "updated_at"])
            report.previous_id = corrected.previous_id
        elif latest is not None and latest.period_end < report.period_start:
            report.previous = latest
        else:
            report.previous = (
                project.status_reports.filter(state=ReportState.SUBMITTED, period_end__lt=report.period_start)
                .order_by("-period_end")
                .first()
            )
        suggested = schedule_suggestion(project) if report.supersedes_id is None else None
        if suggested is not None:
            # as the plan stands at submission (a correction keeps those of the report it corrects)
            report.milestones = suggested["milestones"]
        report.state = ReportState.SUBMITTED
        report.submitted_by = person_of(actor)
        report.submitted_at = timezone.now()
        report._history_user = actor  # type: ignore[attr-defined]
        report.save()
        if latest is None or latest.pk == getattr(corrected, "pk", None) or report.period_end >= latest.period_end:
            # Later reports that pointed at the corrected one as their previous now point at the correction.
            if corrected is not None:
                StatusReport.objects.filter(previous=corrected).exclude(pk=report.pk).update(previous=report)
            Project.objects.filter(pk=project.pk).update(latest_report=report, health=report.overall)
            project.latest_report, project.health = report, report.overall
        elif corrected is not None:
            StatusReport.objects.filter(previous=corrected).exclude(pk=report.pk).update(previous=report)
        refresh_report_due(project)
    return report


def report_correct(*, actor: Any, report: StatusReport) -> StatusReport:
    """Start a correction of a submitted report: a new draft revision of the same period, pre-filled
    with the report's content. The original stays as it was until the correction is submitted."""
    project = report.project
    if not parts(actor, project).draft_report:
        raise PermissionDenied(_("Only the project manager or the PMO drafts a status report."))
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Only a submitted report that is not yet corrected can be corrected."))
    if project.status_reports.filter(state=ReportState.DRAFT).exists():
        raise ValidationError(_("A draft is already open for this project. Finish or submit it first."))
    correction = StatusReport(
        project=project,
        period_start=report.period_start,
        period_end=report.period_end,
        revision=report.revision + 1,
        supersedes=report,
        drafted_by=person_of(actor),
        milestones=report.milestones,
        **{name: getattr(report, name) for name in CONTENT_FIELDS},
    )
    correction._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            correction.save()
    except IntegrityError:
        raise ValidationError(_("This report is being corrected already.")) from None
    return correction


def report_comment(*, actor: Any, report: StatusReport, text: str) -> StatusReportComment:
    if not parts(actor, report.project).comment_report:
        raise PermissionDenied(_("Only the sponsor and the steering committee comment on a report."))
    if report.is_draft:
        raise ValidationError({"text": [_("A draft cannot be commented on yet.")]})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write a comment.")]})
    person = person_of(actor)
    assert person is not None
    return StatusReportComment.objects.create(report=report, author=person, text=text[:5000])


def report_acknowledge(*, actor: Any, report: StatusReport) -> StatusReportAcknowledgement:
    """A steering committee member (or the sponsor) has read the report; acknowledging twice is harmless."""
    if not parts(actor, report.project).comment_report:
        raise PermissionDenied(_("Only the sponsor and the steering committee acknowledge a report."))
    if report.is_draft:
        raise ValidationError(_("A draft cannot be acknowledged."))
    person = person_of(actor)
    assert person is not None
    acknowledgement, _created = StatusReportAcknowledgement.objects.get_or_create(report=report, person=person)
    return acknowledgement


# --- reminders ------------------------------------------------------------------------------------


def remind_days() -> int:
    return int(settings.REGIE_STATUS_REPORT_REMIND_DAYS)


def _drafters(project: Project) -> list[Any]:
    people = list(project.pmo_officers.all())
    if project.project_manager is not None:
        people.insert(0, project.project_manager)
    seen, result = set(), []
    for person in people:
        if person.pk not in seen and person.email and person.archived_at is None:
            seen.add(person.pk)
            result.append(person)
    return result


def send_reminders(today: date | None = None, progress: Any = None) -> dict[str, int]:
    """Email the drafters of each report due within ``REGIE_STATUS_REPORT_REMIND_DAYS`` days, and of each
    report now overdue, once per period and kind. Returns how many emails went out."""
    today = today or timezone.localdate()
    counts = {"due": 0, "overdue": 0}
    horizon = today + timedelta(days=remind_days())
    projects = (
        Project.objects.active()
        .filter(report_due__isnull=False, report_due__lte=horizon)
        .select_related("project_manager", "latest_report")
        .prefetch_related("pmo_officers")
        .order_by("pk")
    )
    total = projects.count()
    for index, project in enumerate(projects.iterator(chunk_size=200)):
        assert project.report_due is not None
        kind = StatusReportReminder.Kind.OVERDUE if project.report_due < today else StatusReportReminder.Kind.DUE
        start, end = period_containing(project.reporting_frequency, project.report_due - timedelta(days=grace_days()))
        recipients = _drafters(project)
        if not recipients:
            continue
        try:
            with transaction.atomic():
                StatusReportReminder.objects.create(
                    project=project, period_start=start, kind=kind, recipients=", ".join(p.email for p in recipients)
                )
                for person in recipients:
                    _send(person, project, kind, start, end)
                counts[kind] += len(recipients)
        except IntegrityError:
            continue  # reminded already for this period
        if progress and index % 100 == 0:
            progress(index, total)
    return counts


def _send(person: Any, project: Project, kind: str, start: date, end: date) -> None:
    base = settings.REGIE_BASE_URL.rstrip("/")
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {
            "person": person,
            "project": project,
            "kind": kind,
            "start": start,
            "end": end,
            "due": project.report_due,
            "url": base + reverse("portfolio:project_detail", args=[project.pk]),
        }
        subject = (
            _("Status report overdue: %(project)s")
            if kind == StatusReportReminder.Kind.OVERDUE
            else _("Status report due: %(project)s")
        ) % {"project": project}
        body = render_to_string("portfolio/email/report_reminder.txt", context)
    send_mail(subject, body, None, [person.email])


def overdue_filter(today: date | None = None) -> Q:
    return Q(report_due__lt=today or timezone.localdate())
