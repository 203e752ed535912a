"""The communication plan and the emails Regie sends for it.

Those who may change a project keep its communication plan. A periodic job (``send_due``) sends, each
exactly once however often it runs:

* the plan's **announcements** by email on their date (once, weekly, fortnightly or monthly), to their
  recipients minus those who unsubscribed from that line;
* **milestone announcements** when a milestone of the project's plan is reached, to the recipients of the
  plan's lines "when a milestone is reached" (unsubscribing works here too);
* **action reminders** to the owner of each open action due within ``REGIE_ACTION_REMIND_DAYS`` days,
  and a notice when it becomes overdue — an owner cannot unsubscribe from their own actions;
* the **meeting pack** (the agenda as a Word file) to the attendees of a steering committee
  ``REGIE_MEETING_PACK_DAYS`` days before it.

Every email is recorded as a ``CommunicationSend``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from regie.core.models import Person
from regie.core.services import claim_version
from regie.engagement.choices import Channel, Frequency, MeetingKind, MeetingState, SendKind
from regie.engagement.models import AnnouncementOptOut, CommunicationItem, CommunicationSend, Meeting
from regie.governance.services import manages
from regie.portfolio.models import Project

logger = logging.getLogger("regie.engagement")
ITEM_FIELDS = ("audience", "message", "channel", "frequency", "owner", "subject", "recipients", "next_date", "active")
SALT = "regie.engagement.unsubscribe"


def remind_days() -> int:
    return int(getattr(settings, "REGIE_ACTION_REMIND_DAYS", 2))


def pack_days() -> int:
    return int(getattr(settings, "REGIE_MEETING_PACK_DAYS", 3))


# --- the plan -------------------------------------------------------------------------------------


def _require(actor: Any, project: Project) -> None:
    if not manages(actor, project.scope):
        raise PermissionDenied(_("Only those who may change the project keep its communication plan."))


def _apply(item: CommunicationItem, data: dict[str, Any]) -> list[Person] | None:
    unknown = sorted(set(data) - set(ITEM_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    recipients = data.get("recipients")
    for name, value in data.items():
        if name != "recipients":
            setattr(item, name, value.strip() if isinstance(value, str) else value)
    if item.owner_id and item.owner.is_archived:
        raise ValidationError({"owner": [_("An archived person cannot be named here.")]})
    return list(recipients) if recipients is not None else None


def item_create(*, actor: Any, project: Project, data: dict[str, Any]) -> CommunicationItem:
    """Add a line to the project's communication plan."""
    _require(actor, project)
    item = CommunicationItem(project=project)
    recipients = _apply(item, data)
    item.full_clean()
    item._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        item.save()
        item.recipients.set(recipients or [])
    return item


def item_update(*, actor: Any, item: CommunicationItem, data: dict[str, Any], expected_version: int | None) -> CommunicationItem:
    _require(actor, item.project)
    if item.is_archived:
        raise ValidationError(_("An archived record cannot be changed; restore it first."))
    recipients = _apply(item, data)
    item.full_clean()
    with transaction.atomic():
        claim_version(item, expected_version)
        item._history_user = actor  # type: ignore[attr-defined]
        item.save()
        if recipients is not None:
            item.recipients.set(recipients)
    return item


# --- unsubscribing --------------------------------------------------------------------------------


def unsubscribe_token(person: Person, item: CommunicationItem) -> str:
    return signing.dumps({"p": person.pk, "i": item.pk}, salt=SALT)


def unsubscribe(*, token: str, user: Any) -> CommunicationItem:
    """Stop a line's announcements for the signed-in person the link was sent to."""
    try:
        data = signing.loads(token, salt=SALT, max_age=60 * 60 * 24 * 365)
    except signing.BadSignature:
        raise ValidationError(_("This unsubscribe link is not valid.")) from None
    person = Person.objects.filter(pk=data.get("p"), user_id=user.pk).first() if user.is_authenticated else None
    if person is None:
        raise PermissionDenied(_("This link was sent to someone else."))
    item = CommunicationItem.objects.filter(pk=data.get("i")).first()
    if item is None:
        raise ValidationError(_("This unsubscribe link is not valid."))
    AnnouncementOptOut.objects.get_or_create(person=person, item=item)
    return item


# --- sending --------------------------------------------------------------------------------------


def _base() -> str:
    return settings.REGIE_BASE_URL.rstrip("/")


def _send_once(
    *,
    key: str,
    kind: str,
    person: Person,
    subject: str,
    template: str,
    context: dict[str, Any],
    project: Project | None,
    item: CommunicationItem | None = None,
    attachment: tuple[str, bytes, str] | None = None,
) -> bool:
    """Send one email and record it, unless one was sent under ``key`` already (then nothing happens).
    The record is written first, so that two runs never both send; if sending fails, it is removed again
    so that the next run tries once more, and the failure does not stop the other emails."""
    if not person.email:
        return False
    try:
        with transaction.atomic():
            record = CommunicationSend.objects.create(
                key=key[:200], kind=kind, project=project, item=item, recipient=person, email=person.email, subject=subject[:300]
            )
    except IntegrityError:
        return False
    try:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            body = render_to_string(template, {"person": person, **context})
        message = EmailMessage(subject, body, None, [person.email])
        if attachment:
            message.attach(*attachment)
        message.send()
    except Exception:  # noqa: BLE001 - any failure of the mail server: keep going, retry on the next run
        logger.exception("Sending %s to %s failed; it is tried again on the next run", kind, person.email)
        CommunicationSend.objects.filter(pk=record.pk).delete()
        return False
    return True


def _advance(item: CommunicationItem, day: date, today: date) -> None:
    """The next date of a periodic line: the first of its dates after today (a line that was not sent for
    a while sends once, not once per missed period); a one-off line is done."""
    if item.frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY, Frequency.MONTHLY):
        while day <= today:
            day = _next_date(item.frequency, day)
        item.next_date = day
    else:
        item.active = False
    item.save(update_fields=["next_date", "active", "updated_at"])


def _next_date(frequency: str, day: date) -> date:
    if frequency == Frequency.WEEKLY:
        return day + timedelta(days=7)
    if frequency == Frequency.FORTNIGHTLY:
        return day + timedelta(days=14)
    month, year = day.month % 12 + 1, day.year + (day.month == 12)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    return day + timedelta(days=28)


def _recipients(item: CommunicationItem) -> list[Person]:
    out = set(item.opt_outs.values_list("person_id", flat=True))
    return [p for p in item.recipients.filter(archived_at__isnull=True) if p.pk not in out]


def send_announcements(today: date) -> int:
    sent = 0
    due = (
        CommunicationItem.objects.active()
        .filter(active=True, channel=Channel.EMAIL, next_date__lte=today)
        .exclude(frequency=Frequency.MILESTONES)
        .select_related("project")
    )
    for item in due:
        day = item.next_date or today
        for person in _recipients(item):
            sent += _send_once(
                key=f"announcement:{item.pk}:{day.isoformat()}:{person.pk}",
                kind=SendKind.ANNOUNCEMENT,
                person=person,
                subject=item.subject,
                template="engagement/email/announcement.txt",
                context={
                    "item": item,
                    "url": _base() + item.project.get_absolute_url(),
                    "unsubscribe": _base() + reverse("engagement:unsubscribe", args=[unsubscribe_token(person, item)]),
                },
                project=item.project,
                item=item,
            )
        _advance(item, day, today)
    return sent


def send_milestones(today: date) -> int:
    """Announce each milestone reached (100 % complete) in the last week, once per milestone."""
    from regie.planning.models import Task

    sent = 0
    lines = list(
        CommunicationItem.objects.active()
        .filter(active=True, channel=Channel.EMAIL, frequency=Frequency.MILESTONES)
        .select_related("project")
    )
    if not lines:
        return 0
    since = timezone.now() - timedelta(days=7)
    reached = Task.objects.filter(
        plan__project_id__in={line.project_id for line in lines}, milestone=True, percent_complete=100, updated_at__gte=since
    ).select_related("plan")
    by_project: dict[int, list[Any]] = {}
    for task in reached:
        by_project.setdefault(task.plan.project_id, []).append(task)
    for line in lines:
        for milestone in by_project.get(line.project_id, []):
            for person in _recipients(line):
                sent += _send_once(
                    key=f"milestone:{line.pk}:{milestone.pk}:{person.pk}",
                    kind=SendKind.MILESTONE,
                    person=person,
                    subject=_("Milestone reached: %(milestone)s (%(project)s)")
                    % {"milestone": milestone.name, "project": line.project.code},
                    template="engagement/email/milestone.txt",
                    context={
                        "item": line,
                        "milestone": milestone,
                        "url": _base() + line.project.get_absolute_url(),
                        "unsubscribe": _base() + reverse("engagement:unsubscribe", args=[unsubscribe_token(person, line)]),
                    },
                    project=line.project,
                    item=line,
                )
    return sent


def send_action_reminders(today: date) -> int:
    """Remind each open action's owner once when it is due within the reminder days, and once when it is
    overdue (per due date: a new due date reminds again)."""
    from regie.raid.choices import OPEN_STATUSES, Kind
    from regie.raid.models import RaidItem

    sent = 0
    actions = (
        RaidItem.objects.active()
        .filter(kind=Kind.ACTION, status__in=OPEN_STATUSES, due_date__lte=today + timedelta(days=remind_days()))
        .filter(owner__isnull=False, owner__archived_at__isnull=True)
        .select_related("owner", "scope", "project")
        .order_by("due_date", "pk")
    )
    for action in actions.iterator(chunk_size=500):
        assert action.due_date is not None and action.owner is not None
        overdue = action.due_date < today
        kind = SendKind.ACTION_OVERDUE if overdue else SendKind.ACTION_DUE
        with translation.override(action.owner.language or settings.LANGUAGE_CODE):
            subject = (_("Overdue: %(action)s") if overdue else _("Due %(date)s: %(action)s")) % {
                "action": action,
                "date": action.due_date.isoformat(),
            }
        sent += _send_once(
            key=f"{kind}:{action.pk}:{action.due_date.isoformat()}:{action.owner_id}",
            kind=kind,
            person=action.owner,
            subject=subject,
            template="engagement/email/action_reminder.txt",
            context={"action": action, "overdue": overdue, "url": _base() + action.get_absolute_url()},
            project=action.project,
        )
    return sent


def send_meeting_packs(today: date) -> int:
    """Send a steering committee's attendees its agenda (Word) a few days before, once per meeting."""
    from regie.engagement.minutes import build_docx

    sent = 0
    start = timezone.make_aware(datetime.combine(today, time(0, 0)))
    meetings = Meeting.objects.active().filter(
        kind=MeetingKind.STEERING_COMMITTEE,
        state=MeetingState.PLANNED,
        starts_at__gte=start,
        starts_at__lt=start + timedelta(days=pack_days() + 1),
    )
    for meeting in meetings.select_related("project"):
        agendas: dict[str, bytes] = {}  # one agenda per language, not per attendee
        for person in meeting.attendees.filter(archived_at__isnull=True):
            language = person.language or settings.LANGUAGE_CODE
            with translation.override(language):
                if language not in agendas:
                    agendas[language] = build_docx(meeting, "agenda")
                agenda = agendas[language]
                subject = _("Meeting pack: %(meeting)s") % {"meeting": meeting}
            sent += _send_once(
                key=f"pack:{meeting.pk}:{person.pk}",
                kind=SendKind.MEETING_PACK,
                person=person,
                subject=subject,
                template="engagement/email/meeting_pack.txt",
                context={"meeting": meeting, "url": _base() + meeting.get_absolute_url()},
                project=meeting.project,
                attachment=("agenda.docx", agenda, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            )
    return sent


def send_due(today: date | None = None) -> dict[str, int]:
    """Everything the communication plans, the RAID logs and the meetings ask to send today."""
    today = today or timezone.localdate()
    return {
        "announcements": send_announcements(today),
        "milestones": send_milestones(today),
        "reminders": send_action_reminders(today),
        "packs": send_meeting_packs(today),
    }
