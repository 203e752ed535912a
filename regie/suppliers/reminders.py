"""Reminder emails of contract management, each sent exactly once however often the job runs:

* to an agreement's **contract manager** before the notice date, the renewal date and the end date of the
  version in force, on each of the days of ``REGIE_AGREEMENT_NOTICE_DAYS`` (60, 30 and 7 by default);
* to an obligation's **owner** (or the agreement's contract manager, when it has no owner or its owner is
  archived or has no email address) ``REGIE_OBLIGATION_REMIND_DAYS`` days before its due date, and once
  when it becomes overdue.

A deadline reminder is keyed on the agreement, the kind of date, the date and the reminder day (not on the
version), so a new version that keeps the same notice date does not remind of it again.

Every email is recorded as an ``AgreementReminder`` before it is sent; if sending fails, the record is
removed so that the next run tries again. A job that did not run for a while sends only the nearest
reminder, not one per day it missed.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from regie.core.models import Person
from regie.suppliers import selectors
from regie.suppliers.choices import ObligationStatus, ReminderKind
from regie.suppliers.models import Agreement, AgreementReminder, Obligation

logger = logging.getLogger("regie.suppliers")


def _base() -> str:
    return settings.REGIE_BASE_URL.rstrip("/")


def _send_once(
    *,
    key: str,
    kind: str,
    person: Person,
    agreement: Agreement,
    subject: str,
    template: str,
    context: dict[str, Any],
    obligation: Obligation | None = None,
) -> bool:
    """Record, then send; a second run finds the record and sends nothing; a failed send removes it."""
    if not person.email:
        return False
    try:
        with transaction.atomic():
            record = AgreementReminder.objects.create(
                key=key[:200],
                kind=kind,
                agreement=agreement,
                obligation=obligation,
                recipient=person,
                email=person.email,
                subject=subject[:300],
            )
    except IntegrityError:
        return False
    try:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            body = render_to_string(template, {"person": person, **context})
        EmailMessage(subject, body, None, [person.email]).send()
    except Exception:  # noqa: BLE001 - any failure of the mail server: keep going, retry on the next run
        logger.exception("Sending %s to %s failed; it is tried again on the next run", kind, person.email)
        AgreementReminder.objects.filter(pk=record.pk).delete()
        return False
    return True


def _threshold(days_left: int, thresholds: list[int]) -> int | None:
    """The nearest reminder day reached: with 60, 30 and 7, 45 days left is the 60-day reminder."""
    for threshold in thresholds:
        if days_left <= threshold:
            return threshold
    return None


def send_deadline_reminders(today: date) -> int:
    """Remind contract managers of the notice, renewal and end dates of the versions in force."""
    thresholds = selectors.notice_days()
    horizon = today + timedelta(days=max(thresholds))
    window = Q(notice_date__range=(today, horizon)) | Q(renewal_date__range=(today, horizon)) | Q(end__range=(today, horizon))
    versions = selectors.current_versions().filter(window).select_related("agreement__contract_manager").order_by("pk")
    sent = 0
    for version in versions:
        agreement = version.agreement
        manager = agreement.contract_manager
        if manager.is_archived:
            continue
        for attr, kind in (
            ("notice_date", ReminderKind.NOTICE),
            ("renewal_date", ReminderKind.RENEWAL),
            ("end", ReminderKind.END),
        ):
            day = getattr(version, attr)
            if day is None or not today <= day <= horizon:
                continue
            threshold = _threshold((day - today).days, thresholds)
            if threshold is None:
                continue
            with translation.override(manager.language or settings.LANGUAGE_CODE):
                what = ReminderKind(kind).label
                subject = _("%(agreement)s: %(what)s on %(date)s") % {
                    "agreement": agreement.code,
                    "what": what,
                    "date": date_format(day, "j M Y"),
                }
            sent += _send_once(
                key=f"{kind}:agreement-{agreement.pk}:{day.isoformat()}:{threshold}:{manager.pk}",
                kind=kind,
                person=manager,
                agreement=agreement,
                subject=subject,
                template="suppliers/email/deadline.txt",
                context={
                    "agreement": agreement,
                    "version": version,
                    "what": what,
                    "day": day,
                    "days_left": (day - today).days,
                    "url": _base() + agreement.get_absolute_url(),
                },
            )
    return sent


def _reachable(person: Person | None) -> bool:
    return person is not None and not person.is_archived and bool(person.email)


def _obligation_recipient(obligation: Obligation) -> Person | None:
    """The owner, or the agreement's contract manager when the owner cannot be reached."""
    for person in (obligation.owner, obligation.agreement.contract_manager):
        if _reachable(person):
            return person
    return None


def send_obligation_reminders(today: date) -> int:
    """Remind an open obligation's owner before its due date and once when it is overdue (per due date:
    a new due date reminds again)."""
    sent = 0
    due = (
        Obligation.objects.active()
        .filter(status=ObligationStatus.OPEN, agreement__archived_at__isnull=True)
        .filter(due_date__lte=today + timedelta(days=selectors.obligation_remind_days()))
        .select_related("owner", "agreement__contract_manager")
        .order_by("due_date", "pk")
    )
    for obligation in due.iterator(chunk_size=500):
        person = _obligation_recipient(obligation)
        if person is None:
            continue
        overdue = obligation.due_date < today
        kind = ReminderKind.OBLIGATION_OVERDUE if overdue else ReminderKind.OBLIGATION_DUE
        with translation.override(person.language or settings.LANGUAGE_CODE):
            values = {
                "agreement": obligation.agreement.code,
                "obligation": obligation,
                "date": date_format(obligation.due_date, "j M Y"),
            }
            subject = (
                _("Overdue under %(agreement)s: %(obligation)s")
                if overdue
                else _("Due %(date)s under %(agreement)s: %(obligation)s")
            ) % values
        sent += _send_once(
            key=f"{kind}:{obligation.pk}:{obligation.due_date.isoformat()}:{person.pk}",
            kind=kind,
            person=person,
            agreement=obligation.agreement,
            obligation=obligation,
            subject=subject,
            template="suppliers/email/obligation.txt",
            context={"obligation": obligation, "overdue": overdue, "url": _base() + obligation.get_absolute_url()},
        )
    return sent


def send_due(today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return {"deadlines": send_deadline_reminders(today), "obligations": send_obligation_reminders(today)}
