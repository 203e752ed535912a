"""Meetings: preparing the agenda from the project's data, taking the minutes, and recording decisions
and actions straight into the project's RAID log.

Whoever may change the project (its project manager and named PMO officers, PMO officers and portfolio
managers by role) prepares meetings and takes their minutes. A decision recorded in a meeting names the
accountable person who took it; the person recording it only records. Final minutes are not changed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.models import Person
from regie.core.services import claim_version
from regie.engagement.choices import AgendaKind, MeetingKind, MeetingState
from regie.engagement.models import AgendaItem, Meeting, MeetingOutcome
from regie.governance.services import manages
from regie.portfolio.choices import Rag, ReportState
from regie.portfolio.models import Project, StatusReport
from regie.portfolio.services import person_of
from regie.raid import selectors as raid_selectors
from regie.raid import services as raid_services
from regie.raid.choices import Kind, Status
from regie.raid.models import RaidItem, RiskScale


def may_manage(user: Any, project: Project) -> bool:
    return manages(user, project.scope)


def _require(user: Any, meeting_or_project: Meeting | Project) -> None:
    project = meeting_or_project.project if isinstance(meeting_or_project, Meeting) else meeting_or_project
    if not may_manage(user, project):
        raise PermissionDenied(_("Only those who may change the project prepare its meetings and take the minutes."))


def _open(meeting: Meeting) -> None:
    if meeting.state == MeetingState.CLOSED:
        raise ValidationError(_("The minutes are final and are not changed."))
    if meeting.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))


def _report_brief(report: StatusReport) -> str:
    lines = [
        _("Period %(start)s – %(end)s, overall %(rag)s.")
        % {"start": report.period_start.isoformat(), "end": report.period_end.isoformat(), "rag": report.get_overall_display()},
    ]
    ratings = ", ".join(
        f"{label}: {Rag(value).label}" for name, label, value, _rationale in report.ratings() if name != "overall"
    )
    if ratings:
        lines.append(ratings)
    for text in (report.summary, report.overall_rationale):
        if text.strip():
            lines.append(text.strip())
    return "\n".join(lines)


def agenda_for(project: Project, threshold: int) -> list[dict[str, Any]]:
    """The agenda the project's data asks for: its latest status report, the decisions needed, the open
    risks whose current exposure reaches ``threshold``, and the overdue actions; then other business."""
    points: list[dict[str, Any]] = []
    report = project.latest_report
    if report is not None and report.state == ReportState.SUBMITTED:
        points.append(
            {
                "kind": AgendaKind.REPORT,
                "title": _("Status report %(report)s") % {"report": report},
                "brief": _report_brief(report),
            }
        )
    log = raid_selectors.visible(None)
    within = raid_selectors.within(log, project.scope)
    for decision in within.filter(kind=Kind.DECISION, status=Status.OPEN).select_related("owner").order_by("due_date", "pk")[:20]:
        brief = decision.description
        if decision.owner:
            brief = (_("To be decided by %(person)s.") % {"person": decision.owner}) + ("\n" + brief if brief else "")
        points.append({"kind": AgendaKind.DECISION, "title": str(decision), "brief": brief.strip(), "item": decision})
    risks = (
        within.filter(kind=Kind.RISK, status=Status.OPEN, current_exposure__gte=threshold)
        .select_related("owner")
        .order_by("-current_exposure", "pk")[:20]
    )
    for risk in risks:
        brief = _("Exposure %(now)s (assessed %(assessed)s); owner %(owner)s.") % {
            "now": risk.current_exposure,
            "assessed": risk.exposure,
            "owner": risk.owner or "–",
        }
        if risk.response:
            brief += "\n" + _("Response: %(response)s") % {"response": risk.response}
        points.append({"kind": AgendaKind.RISK, "title": str(risk), "brief": brief, "item": risk})
    today = timezone.localdate()
    for action in (
        within.filter(kind=Kind.ACTION, status__in=(Status.OPEN, Status.IN_PROGRESS), due_date__lt=today)
        .select_related("owner")
        .order_by("due_date", "pk")[:30]
    ):
        brief = _("Owner %(owner)s, due %(date)s.") % {
            "owner": action.owner,
            "date": action.due_date.isoformat() if action.due_date else "–",
        }
        points.append({"kind": AgendaKind.ACTION, "title": str(action), "brief": brief, "item": action})
    points.append({"kind": AgendaKind.OTHER, "title": _("Any other business"), "brief": ""})
    return points


def meeting_prepare(
    *,
    actor: Any,
    project: Project,
    title: str,
    starts_at: datetime,
    kind: str = MeetingKind.STEERING_COMMITTEE,
    location: str = "",
    chair: Person | None = None,
    attendees: list[Person] | None = None,
    risk_threshold: int | None = None,
) -> Meeting:
    """Plan a meeting and assemble its agenda from the project's data (see ``agenda_for``)."""
    _require(actor, project)
    if project.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    scale = RiskScale.current()
    threshold = scale.red_from if risk_threshold is None else risk_threshold
    if not 1 <= threshold <= scale.levels**2:
        raise ValidationError(
            {"risk_threshold": [_("From 1 to %(top)d on the organisation's scale.") % {"top": scale.levels**2}]}
        )
    meeting = Meeting(
        project=project,
        kind=kind,
        title=(title or "").strip(),
        starts_at=starts_at,
        location=(location or "").strip(),
        chair=chair,
        secretary=person_of(actor),
        risk_threshold=threshold,
        report=project.latest_report if project.latest_report and project.latest_report.state == ReportState.SUBMITTED else None,
    )
    meeting.full_clean(exclude=["project"])
    archived = sorted(str(p) for p in [*(attendees or []), *([chair] if chair else [])] if p.is_archived)
    if archived:
        raise ValidationError({"attendees": [_("Archived people cannot attend: %(names)s.") % {"names": ", ".join(archived)}]})
    meeting._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        meeting.save()
        meeting.attendees.set(attendees or [])
        _write_agenda(meeting, agenda_for(project, threshold))
    return meeting


def _write_agenda(meeting: Meeting, points: list[dict[str, Any]]) -> None:
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=meeting, order=n, kind=p["kind"], title=p["title"][:300], brief=p["brief"], item=p.get("item"))
            for n, p in enumerate(points, 1)
        ]
    )


def agenda_refresh(*, actor: Any, meeting: Meeting, expected_version: int | None) -> Meeting:
    """Assemble a planned meeting's agenda again from the project's data as it is now."""
    _require(actor, meeting)
    _open(meeting)
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("The minutes are being taken: the agenda stays as it was."))
    with transaction.atomic():
        claim_version(meeting, expected_version)
        meeting.agenda.all().delete()
        report = meeting.project.latest_report
        meeting.report = report if report and report.state == ReportState.SUBMITTED else None
        meeting._history_user = actor  # type: ignore[attr-defined]
        meeting.save()
        _write_agenda(meeting, agenda_for(meeting.project, meeting.risk_threshold))
    return meeting


def minutes_save(*, actor: Any, meeting: Meeting, notes: str, per_item: dict[int, str], expected_version: int | None) -> Meeting:
    """Take the minutes: general notes and the minutes of each agenda item. The meeting counts as held."""
    _require(actor, meeting)
    _open(meeting)
    items = {a.pk: a for a in meeting.agenda.all()}
    unknown = sorted(set(per_item) - set(items))
    if unknown:
        raise ValidationError({"minutes": [_("No such agenda item: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]})
    with transaction.atomic():
        claim_version(meeting, expected_version)
        for pk, text in per_item.items():
            if items[pk].minutes != text.strip():
                items[pk].minutes = text.strip()
                items[pk].save(update_fields=["minutes"])
        meeting.notes = (notes or "").strip()
        meeting.state = MeetingState.HELD
        meeting._history_user = actor  # type: ignore[attr-defined]
        meeting.save()
    return meeting


def _agenda_item(meeting: Meeting, agenda_item: AgendaItem | None) -> AgendaItem | None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": [_("This point is not on the meeting's agenda.")]})
    return agenda_item


def _reference(meeting: Meeting) -> str:
    return f"{meeting.title} ({timezone.localtime(meeting.starts_at):%Y-%m-%d})"[:200]


def record_decision(
    *,
    actor: Any,
    meeting: Meeting,
    decided_by: Person | None,
    basis: str,
    title: str = "",
    decision: RaidItem | None = None,
    agenda_item: AgendaItem | None = None,
) -> RaidItem:
    """Record a decision taken in the meeting in the project's RAID log: an open decision of the log is
    marked decided, or a new decided one is added. It names the accountable person who decided."""
    _require(actor, meeting)
    _open(meeting)
    agenda_item = _agenda_item(meeting, agenda_item)
    if decision is None and agenda_item is not None and agenda_item.kind == AgendaKind.DECISION:
        decision = agenda_item.item
    decided_on: date = timezone.localtime(meeting.starts_at).date()
    fields = {"status": Status.DECIDED, "decided_by": decided_by, "decided_on": decided_on, "basis": basis}
    with transaction.atomic():
        if decision is not None:
            # locked, so that two clicks (or two meetings) cannot both record it
            decision = (
                raid_selectors.within(RaidItem.objects.select_for_update(), meeting.project.scope).filter(pk=decision.pk).first()
            )
            if decision is None or decision.kind != Kind.DECISION or decision.status != Status.OPEN:
                raise ValidationError({"decision": [_("Not an open decision of this project's log.")]})
            item = raid_services.item_update(actor=actor, item=decision, data=fields, expected_version=decision.version)
        else:
            item = raid_services.item_create(
                actor=actor,
                scope=meeting.project.scope,
                kind=Kind.DECISION,
                data={
                    "title": title,
                    "owner": decided_by,
                    "description": _("Decided in %(meeting)s.") % {"meeting": _reference(meeting)},
                    **fields,
                },
            )
        MeetingOutcome.objects.create(meeting=meeting, agenda_item=agenda_item, item=item, recorded_by=person_of(actor))
        _held(meeting, actor)
    return item


def record_action(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    owner: Person | None,
    due_date: date | None,
    agenda_item: AgendaItem | None = None,
) -> RaidItem:
    """Record an action agreed in the meeting in the project's RAID log, with the meeting as its origin;
    it appears on its owner's "My work"."""
    _require(actor, meeting)
    _open(meeting)
    agenda_item = _agenda_item(meeting, agenda_item)
    source = (
        agenda_item.item
        if agenda_item is not None and agenda_item.item and agenda_item.item.kind in (Kind.RISK, Kind.ISSUE)
        else None
    )
    with transaction.atomic():
        item = raid_services.item_create(
            actor=actor,
            scope=meeting.project.scope,
            kind=Kind.ACTION,
            data={
                "title": title,
                "owner": owner,
                "due_date": due_date,
                "origin": "meeting",
                "origin_reference": _reference(meeting),
                **({"source": source} if source is not None else {}),
            },
        )
        MeetingOutcome.objects.create(meeting=meeting, agenda_item=agenda_item, item=item, recorded_by=person_of(actor))
        _held(meeting, actor)
    return item


def _held(meeting: Meeting, actor: Any) -> None:
    if meeting.state == MeetingState.PLANNED:
        meeting.state = MeetingState.HELD
        meeting.version += 1
        meeting._history_user = actor  # type: ignore[attr-defined]
        meeting.save(update_fields=["state", "version", "updated_at"])


def minutes_close(*, actor: Any, meeting: Meeting, expected_version: int | None) -> Meeting:
    """Make the minutes final: from then on the meeting is read-only."""
    _require(actor, meeting)
    _open(meeting)
    if meeting.state != MeetingState.HELD:
        raise ValidationError(_("Take the minutes first."))
    with transaction.atomic():
        claim_version(meeting, expected_version)
        meeting.state = MeetingState.CLOSED
        meeting._history_user = actor  # type: ignore[attr-defined]
        meeting.save()
    return meeting
