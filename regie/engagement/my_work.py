"""Documents on "My work": those waiting for my review or approval, and my drafts sent back to me."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from regie.core.navigation import my_work_section
from regie.engagement.choices import DocumentStatus
from regie.engagement.models import Document


@my_work_section
def documents_to_review(user: Any) -> dict[str, Any] | None:
    """Documents in review on which I am named as approver or reviewer and have not given my verdict."""
    from regie.engagement import selectors

    documents = list(selectors.waiting_for(user).prefetch_related("approvers")[:50])
    items = []
    for document in documents:
        approver = any(p.user_id == user.pk for p in document.approvers.all())
        detail = _("to approve") if approver else _("to review")
        items.append({"label": f"{document} · v{document.latest_version}", "url": document.get_absolute_url(), "detail": detail})
    return {"title": _("Documents waiting for my review or approval"), "items": items} if items else None


@my_work_section
def my_documents_sent_back(user: Any) -> dict[str, Any] | None:
    """My drafts whose last review ended in a rejection and that have no new version since."""
    from django.db.models import OuterRef, Subquery

    from regie.engagement.models import DocumentEvent

    last_step = (
        DocumentEvent.objects.filter(
            document=OuterRef("pk"), kind__in=["uploaded", "submitted", "withdrawn", "rejected", "approved"]
        )
        .order_by("-at", "-id")
        .values("kind")[:1]
    )
    documents = (
        Document.objects.active()
        .filter(author__user_id=user.pk, status=DocumentStatus.DRAFT, review_round__gt=0)
        .annotate(last_step=Subquery(last_step))
        .filter(last_step="rejected")
        .order_by("title")[:50]
    )
    items = [{"label": str(d), "url": d.get_absolute_url(), "detail": _("changes requested")} for d in documents]
    return {"title": _("My documents sent back"), "items": items} if items else None


@my_work_section
def my_meetings(user: Any) -> dict[str, Any] | None:
    """Meetings I attend in the coming two weeks, and those whose minutes I take that are not final."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from regie.engagement.choices import MeetingState
    from regie.engagement.models import Meeting

    now = timezone.now()
    meetings = list(
        Meeting.objects.active()
        .filter(
            Q(attendees__user_id=user.pk, starts_at__gte=now, starts_at__lte=now + timedelta(days=14))
            | Q(secretary__user_id=user.pk, state=MeetingState.HELD)
        )
        .select_related("project")
        .distinct()
        .order_by("starts_at")[:20]
    )
    items = [
        {
            "label": str(m),
            "url": m.get_absolute_url(),
            "detail": f"{timezone.localtime(m.starts_at):%Y-%m-%d %H:%M} · {m.get_state_display()}",
        }
        for m in meetings
    ]
    return {"title": _("My meetings"), "items": items} if items else None
