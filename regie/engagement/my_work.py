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
