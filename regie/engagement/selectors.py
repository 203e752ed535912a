"""Reads of the document register that are more than a one-line query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from regie.core.models import Person
from regie.engagement.choices import Capacity, DocumentStatus, Verdict
from regie.engagement.models import Document, DocumentEvent, DocumentReview, DocumentVersion


def documents_for(user: Any) -> QuerySet:
    """The documents the user may see, with what their pages and the API read, fetched once."""
    return (
        Document.objects.visible_to(user)
        .select_related("scope", "project", "author", "superseded_by")
        .prefetch_related(
            Prefetch("reviewers", queryset=Person.objects.order_by("family_name", "given_name")),
            Prefetch("approvers", queryset=Person.objects.order_by("family_name", "given_name")),
        )
    )


def document_for(user: Any, pk: int) -> Document | None:
    return documents_for(user).filter(pk=pk).first()


def versions(document: Document) -> list[DocumentVersion]:
    """Every version, newest first."""
    return list(document.versions.select_related("uploaded_by").order_by("-number"))


@dataclass
class Round:
    number: int
    reviews: list[DocumentReview]


def review_rounds(document: Document) -> list[Round]:
    """The reviews grouped by review round, newest round first."""
    reviews = list(document.reviews.select_related("reviewer", "version").order_by("-round", "created_at", "id"))
    rounds: dict[int, Round] = {}
    for review in reviews:
        rounds.setdefault(review.round, Round(review.round, [])).reviews.append(review)
    return list(rounds.values())


@dataclass
class Named:
    person: Person
    capacity: str
    verdict: DocumentReview | None


def named_with_verdicts(document: Document) -> list[Named]:
    """The approvers, then the reviewers, each with their approval or rejection in the current round."""
    given: dict[int, DocumentReview] = {}
    if document.review_round:
        # Verdicts of the latest round, as long as they are on the latest version (a new upload starts afresh).
        latest = document.reviews.filter(
            round=document.review_round, version__number=document.latest_version, verdict__in=[Verdict.APPROVE, Verdict.REJECT]
        )
        for review in latest.order_by("id"):
            given[review.reviewer_id] = review
    approvers = list(document.approvers.all())
    approver_ids = {p.pk for p in approvers}
    named = [Named(p, Capacity.APPROVER, given.get(p.pk)) for p in approvers]
    named += [Named(p, Capacity.REVIEWER, given.get(p.pk)) for p in document.reviewers.all() if p.pk not in approver_ids]
    return named


def trail(document: Document) -> QuerySet:
    """The document's audit trail, newest first."""
    return DocumentEvent.objects.filter(document=document).order_by("-at", "-id")


def waiting_for(user: Any) -> QuerySet:
    """Documents in review on which the user is named and has not yet approved or rejected the version
    under review (the authors of that version are not asked to approve)."""
    from django.db.models import Exists, OuterRef, Q

    decided = DocumentReview.objects.filter(
        document=OuterRef("pk"),
        round=OuterRef("review_round"),
        reviewer__user_id=user.pk,
        verdict__in=[Verdict.APPROVE, Verdict.REJECT],
    )
    named = Q(approvers__user_id=user.pk) | Q(reviewers__user_id=user.pk)
    ids = Document.objects.filter(named).values("pk")
    return (
        Document.objects.active()
        .filter(pk__in=ids, status=DocumentStatus.IN_REVIEW)
        .exclude(Exists(decided))
        .select_related("scope")
        .order_by("submitted_at", "id")
    )
