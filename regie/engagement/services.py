"""Every write of the document register and the rules that guard it.

Views, the API, the demo and commands call these functions; none of them saves a document, a version or a
review directly. Each write checks the actor's part, validates everything before a file is stored, writes
in one transaction (the document row locked, so that two approvers approving at once count right), records
a line in the document's audit trail, and removes a stored file again when the transaction fails.

Review and approval are by named people, never by a role: the named reviewers and approvers give their
verdicts on the version under review; the document is approved once **every** named approver has
approved that version; a rejection by any of them sends it back to draft. The author of the document and
the uploader of the version under review can never approve it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core import permissions
from regie.core.models import Person, Scope
from regie.core.services import StaleWrite, claim_version
from regie.engagement import files
from regie.engagement.choices import DOCUMENT_SCOPE_KINDS, Capacity, DocumentKind, DocumentStatus, Verdict
from regie.engagement.models import Document, DocumentEvent, DocumentReview, DocumentVersion, EventKind
from regie.portfolio.models import KEEPERS, Project, named_on_project
from regie.portfolio.services import keeps, person_of, project_of_scope

VIEW = "engagement.view_document"
ADD = "engagement.add_document"
CHANGE = "engagement.change_document"
ARCHIVE = "engagement.archive_document"
EDITABLE = ("title", "reference", "kind", "description", "reviewers", "approvers")


# --- who may do what --------------------------------------------------------------------------------


def may_add(user: Any, scope: Scope) -> bool:
    """A document may be added where the user holds the add action, and on a project by its project
    manager and its named PMO officers."""
    if scope.kind not in DOCUMENT_SCOPE_KINDS:
        return False
    if permissions.may(user, ADD, scope=scope):
        return True
    project = project_of_scope(scope)
    return project is not None and not project.is_archived and keeps(user, project)


def addable_scopes(user: Any) -> models.QuerySet:
    """The scopes in which ``user`` may add documents, in tree order."""
    if not getattr(user, "is_authenticated", False):
        return Scope.objects.none()
    by_role = permissions.scopes_where(user, ADD).filter(kind__in=DOCUMENT_SCOPE_KINDS).values("pk")
    named = Project.objects.active().filter(named_on_project(user, prefix="", parts=KEEPERS)).values("scope_id")
    return Scope.objects.filter(models.Q(pk__in=by_role) | models.Q(pk__in=named)).order_by("path")


def may_add_somewhere(user: Any) -> bool:
    if permissions.holds_anywhere(user, ADD):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Project.objects.active().filter(named_on_project(user, prefix="", parts=KEEPERS)).exists()


@dataclass(frozen=True)
class Parts:
    """The parts a user plays on one document, and what they may therefore do with it."""

    view: bool = False
    change: bool = False
    archive: bool = False
    submit: bool = False
    withdraw: bool = False
    review: bool = False
    approve: bool = False
    capacity: str = ""
    is_author: bool = False


def parts(user: Any, document: Document) -> Parts:
    """What ``user`` may do with ``document``. Keeping it (details, uploads, sending for review) comes
    from a role on its scope, from being its author, or from managing or supporting its project;
    reviewing and approving only from being named on it."""
    person = person_of(user)
    pid = person.pk if person else None
    approvers = {p.pk for p in document.approvers.all()}
    reviewers = {p.pk for p in document.reviewers.all()}
    capacity = Capacity.APPROVER if pid in approvers else Capacity.REVIEWER if pid in reviewers else ""
    view = permissions.may(user, VIEW, document)
    keeper = not document.is_read_only and permissions.may(user, CHANGE, document)
    status = document.status
    current = _current_version(document)
    authors = {document.author_id, current.uploaded_by_id if current else None} - {None}
    reviewing = view and bool(capacity) and status == DocumentStatus.IN_REVIEW and not document.is_read_only
    return Parts(
        view=view,
        change=keeper,
        archive=permissions.may(user, ARCHIVE, document),
        submit=keeper and status == DocumentStatus.DRAFT and document.latest_version > 0,
        withdraw=keeper and status == DocumentStatus.IN_REVIEW,
        review=reviewing,
        approve=reviewing and capacity == Capacity.APPROVER and pid not in authors,
        capacity=str(capacity),
        is_author=pid is not None and pid in authors,
    )


def _current_version(document: Document) -> DocumentVersion | None:
    if not document.latest_version:
        return None
    cached = getattr(document, "_current_version", None)
    if cached is None or cached.number != document.latest_version:
        cached = document.versions.filter(number=document.latest_version).select_related("uploaded_by").first()
        document._current_version = cached  # type: ignore[attr-defined]
    return cached


def _require_change(actor: Any, document: Document) -> None:
    if not permissions.may(actor, CHANGE, document):
        raise PermissionDenied(_("Only the author, the project's manager and PMO, or a document keeper may do this."))
    if document.status == DocumentStatus.SUPERSEDED:
        raise ValidationError(_("This document is superseded and can no longer be changed."))
    if document.is_archived:
        raise ValidationError(_("An archived document cannot be changed; restore it first."))


def _locked(document: Document, expected_version: int | None) -> Document:
    """The document row, locked for the rest of the transaction; refused when it changed meanwhile."""
    current = Document.objects.select_for_update().get(pk=document.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleWrite(current.version)
    return current


def _event(document: Document, actor: Any, kind: str, *, version: int | None = None, detail: str = "") -> DocumentEvent:
    person = person_of(actor)
    who = str(person) if person else (actor.get_username() if getattr(actor, "pk", None) else _("system"))
    return DocumentEvent.objects.create(
        document=document,
        user=actor if getattr(actor, "pk", None) else None,
        who=who[:200],
        kind=kind,
        version_number=version,
        detail=detail,
    )


def _check_names(author_id: int | None, reviewers: Iterable[Person], approvers: Iterable[Person]) -> None:
    """Reviewers and approvers are active people; the author is never an approver of their own document."""
    errors: dict[str, list[str]] = {}
    for field, people in (("reviewers", reviewers), ("approvers", approvers)):
        if any(p.is_archived for p in people):
            errors[field] = [_("Name active people only.")]
    if author_id is not None and any(p.pk == author_id for p in approvers):
        errors["approvers"] = [_("The author cannot approve their own document; name someone else.")]
    if errors:
        raise ValidationError(errors)


def _names(people: Iterable[Person]) -> str:
    return ", ".join(sorted(str(p) for p in people)) or "—"


# --- registering and changing ------------------------------------------------------------------------


def document_create(
    *,
    actor: Any,
    scope: Scope,
    title: str,
    kind: str = DocumentKind.OTHER,
    reference: str = "",
    description: str = "",
    reviewers: Iterable[Person] = (),
    approvers: Iterable[Person] = (),
    upload: Any = None,
    filename: str = "",
    note: str = "",
) -> Document:
    """Register a document in a scope, with its first version when a file is given. The actor becomes its
    author. The file is checked completely before anything is stored."""
    if not may_add(actor, scope):
        raise PermissionDenied(_("You may not add documents here."))
    reviewers, approvers = list(reviewers), list(approvers)
    person = person_of(actor)
    document = Document(
        scope=scope,
        project=project_of_scope(scope),
        title=(title or "").strip(),
        kind=kind,
        reference=(reference or "").strip(),
        description=(description or "").strip(),
        author=person,
    )
    document.full_clean()
    _check_names(person.pk if person else None, reviewers, approvers)
    checked = files.check_upload(upload, name=filename or None) if upload is not None else None
    stored: list[str] = []
    try:
        with transaction.atomic():
            document.latest_version = 1 if checked else 0
            document._history_user = actor  # type: ignore[attr-defined]
            document.save()
            document.reviewers.set(reviewers)
            document.approvers.set(approvers)
            _event(document, actor, EventKind.CREATED, detail=str(document))
            if checked is not None:
                version = _store_version(document, actor, upload, checked, number=1, note=note, stored=stored)
                _event(document, actor, EventKind.UPLOADED, version=1, detail=version.original_name)
    except BaseException:
        _discard(stored)
        raise
    return document


def document_update(*, actor: Any, document: Document, data: dict[str, Any], expected_version: int | None) -> Document:
    """Change a document's details and the people named on it. While it is in review the reviewers and
    approvers stay as they are (withdraw it first), so that nobody is removed to force an approval."""
    _require_change(actor, document)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    reviewers = list(data["reviewers"]) if "reviewers" in data else list(document.reviewers.all())
    approvers = list(data["approvers"]) if "approvers" in data else list(document.approvers.all())
    names_change = {p.pk for p in reviewers} != set(document.reviewers.values_list("pk", flat=True)) or {
        p.pk for p in approvers
    } != set(document.approvers.values_list("pk", flat=True))
    if names_change and document.status == DocumentStatus.IN_REVIEW:
        raise ValidationError(
            {"approvers": [_("Reviewers and approvers cannot change while the document is in review; withdraw it first.")]}
        )
    _check_names(document.author_id, reviewers, approvers)
    changes = []
    for name in ("title", "reference", "kind", "description"):
        if name in data:
            value = (data[name] or "").strip() if isinstance(data[name], str) else data[name]
            if getattr(document, name) != value:
                changes.append(str(getattr(Document._meta.get_field(name), "verbose_name", name)))
            setattr(document, name, value)
    document.full_clean()
    with transaction.atomic():
        current = _locked(document, expected_version)
        for name in ("title", "reference", "kind", "description"):
            setattr(current, name, getattr(document, name))
        claim_version(current, current.version)
        current._history_user = actor  # type: ignore[attr-defined]
        current.save()
        if names_change:
            detail_names = _("reviewers: %(reviewers)s; approvers: %(approvers)s") % {
                "reviewers": _names(reviewers),
                "approvers": _names(approvers),
            }
            changes.append(detail_names)
            current.reviewers.set(reviewers)
            current.approvers.set(approvers)
        _event(current, actor, EventKind.CHANGED, detail="; ".join(changes))
    return current


# --- versions ---------------------------------------------------------------------------------------


def _store_version(
    document: Document, actor: Any, upload: Any, checked: files.CheckedFile, *, number: int, note: str, stored: list[str]
) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=checked.name,
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        uploaded_by=person_of(actor),
        note=(note or "").strip(),
    )
    upload.seek(0)
    version.file.save(checked.name, upload, save=False)
    stored.append(version.file.name)
    version.save()
    return version


def _discard(stored: list[str]) -> None:
    """Remove files stored by a write whose transaction failed, so that no file is left without a version."""
    for name in stored:
        # The failing write's own error is what the caller must see, not a failure to clean up.
        with contextlib.suppress(Exception):
            default_storage.delete(name)


def version_upload(
    *, actor: Any, document: Document, upload: Any, filename: str = "", note: str = "", expected_version: int | None
) -> DocumentVersion:
    """Upload a new version. Every upload is a new version; the older ones are kept and stay
    downloadable. The new version is a draft: a document in review goes back to draft (its review round
    ends), an approved one keeps its last approved version marked as such."""
    _require_change(actor, document)
    checked = files.check_upload(upload, name=filename or None)
    stored: list[str] = []
    try:
        with transaction.atomic():
            current = _locked(document, expected_version)
            latest = current.versions.filter(number=current.latest_version).first()
            if latest is not None and latest.sha256 == checked.sha256:
                raise ValidationError({"file": [_("This file is identical to version %(n)s.") % {"n": latest.number}]})
            number = current.latest_version + 1
            was = current.status
            version = _store_version(current, actor, upload, checked, number=number, note=note, stored=stored)
            current.latest_version = number
            current.status = DocumentStatus.DRAFT
            current.submitted_at = None
            claim_version(current, current.version)
            current._history_user = actor  # type: ignore[attr-defined]
            current.save()
            detail = version.original_name
            if was == DocumentStatus.IN_REVIEW:
                detail += " · " + _("the review round ended; the new version is a draft")
            _event(current, actor, EventKind.UPLOADED, version=number, detail=detail)
    except BaseException:
        _discard(stored)
        raise
    document.refresh_from_db()
    return version


def version_open(*, actor: Any, document: Document, number: int) -> tuple[DocumentVersion, Any]:
    """Open a version's file for download (anyone who may see the document); the download is recorded in
    the audit trail."""
    if not permissions.may(actor, VIEW, document):
        raise PermissionDenied(_("You may not see this document."))
    version = document.versions.filter(number=number).first()
    if version is None:
        raise DocumentVersion.DoesNotExist
    handle = version.file.storage.open(version.file.name, "rb")
    _event(document, actor, EventKind.DOWNLOADED, version=number, detail=version.original_name)
    return version, handle


# --- review and approval ------------------------------------------------------------------------------


def document_submit(*, actor: Any, document: Document, expected_version: int | None) -> Document:
    """Send the latest version for review. It needs a file and at least one approver, and neither the
    author nor the uploader of that version may be among the approvers (nobody approves their own
    work). A new review round starts: earlier verdicts no longer count."""
    _require_change(actor, document)
    with transaction.atomic():
        current = _locked(document, expected_version)
        if current.status != DocumentStatus.DRAFT:
            raise ValidationError(_("Only a draft can be sent for review."))
        if not current.latest_version:
            raise ValidationError({"file": [_("Upload the document's file before sending it for review.")]})
        approvers = list(current.approvers.all())
        if not approvers:
            raise ValidationError({"approvers": [_("Name at least one approver before sending the document for review.")]})
        version = _current_version(current)
        own = {current.author_id, version.uploaded_by_id if version else None} - {None}
        blocked = [p for p in approvers if p.pk in own]
        if blocked:
            raise ValidationError(
                {
                    "approvers": [
                        _("%(names)s wrote this version and cannot approve it; name another approver.")
                        % {"names": _names(blocked)}
                    ]
                }
            )
        current.status = DocumentStatus.IN_REVIEW
        current.review_round += 1
        current.submitted_at = timezone.now()
        claim_version(current, current.version)
        current._history_user = actor  # type: ignore[attr-defined]
        current.save()
        _event(
            current,
            actor,
            EventKind.SUBMITTED,
            version=current.latest_version,
            detail=_("approvers: %(names)s") % {"names": _names(approvers)},
        )
    return current


def document_withdraw(*, actor: Any, document: Document, expected_version: int | None) -> Document:
    """Take a document out of review, back to draft (to change the version or the people named)."""
    _require_change(actor, document)
    with transaction.atomic():
        current = _locked(document, expected_version)
        if current.status != DocumentStatus.IN_REVIEW:
            raise ValidationError(_("The document is not in review."))
        current.status = DocumentStatus.DRAFT
        current.submitted_at = None
        claim_version(current, current.version)
        current._history_user = actor  # type: ignore[attr-defined]
        current.save()
        _event(current, actor, EventKind.WITHDRAWN, version=current.latest_version)
    return current


def verdict_given(document: Document, person: Person | None) -> DocumentReview | None:
    """The person's approval or rejection in the current review round, if any."""
    if person is None or not document.review_round:
        return None
    return (
        document.reviews.filter(round=document.review_round, reviewer=person, verdict__in=[Verdict.APPROVE, Verdict.REJECT])
        .order_by("-id")
        .first()
    )


def document_review(
    *, actor: Any, document: Document, verdict: str, comment: str = "", version_number: int | None = None
) -> DocumentReview:
    """Give a verdict on the version under review: approve, reject (back to draft, with a reason) or
    comment. Only the people named as reviewers or approvers review; the author of the document and the
    uploader of the version can never approve it, whatever their roles. Each person approves or rejects
    once per round. The document is approved when every named approver has approved this version."""
    person = person_of(actor)
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": [_("Choose approve, reject or comment.")]})
    comment = (comment or "").strip()
    with transaction.atomic():
        current = _locked(document, None)
        approvers = set(current.approvers.values_list("pk", flat=True))
        reviewers = set(current.reviewers.values_list("pk", flat=True))
        if person is None or not permissions.may(actor, VIEW, current) or person.pk not in approvers | reviewers:
            raise PermissionDenied(_("Only the people named as reviewers or approvers review this document."))
        if current.is_read_only or current.status != DocumentStatus.IN_REVIEW:
            raise ValidationError(_("The document is not in review."))
        if version_number is not None and version_number != current.latest_version:
            raise ValidationError(
                {"version_number": [_("Version %(n)s is the one under review.") % {"n": current.latest_version}]}
            )
        version = current.versions.get(number=current.latest_version)
        if verdict == Verdict.APPROVE and person.pk in {current.author_id, version.uploaded_by_id}:
            raise PermissionDenied(_("The author of a document cannot approve it."))
        if verdict == Verdict.REJECT and not comment:
            raise ValidationError({"comment": [_("Say what must change before the document can be approved.")]})
        if verdict == Verdict.COMMENT and not comment:
            raise ValidationError({"comment": [_("Write the comment.")]})
        if verdict != Verdict.COMMENT and verdict_given(current, person) is not None:
            raise ValidationError({"verdict": [_("You have already given your verdict in this review round.")]})
        capacity = Capacity.APPROVER if person.pk in approvers else Capacity.REVIEWER
        review = DocumentReview.objects.create(
            document=current,
            version=version,
            round=current.review_round,
            reviewer=person,
            capacity=capacity,
            verdict=verdict,
            comment=comment,
        )
        _event(
            current,
            actor,
            EventKind.REVIEWED,
            version=version.number,
            detail=f"{Capacity(capacity).label}: {Verdict(verdict).label}" + (f" — {comment[:300]}" if comment else ""),
        )
        if verdict == Verdict.REJECT:
            current.status = DocumentStatus.DRAFT
            current.submitted_at = None
            claim_version(current, current.version)
            current._history_user = actor  # type: ignore[attr-defined]
            current.save()
            _event(current, actor, EventKind.REJECTED, version=version.number, detail=comment[:300])
        elif verdict == Verdict.APPROVE and capacity == Capacity.APPROVER:
            approved = set(
                current.reviews.filter(
                    round=current.review_round, verdict=Verdict.APPROVE, capacity=Capacity.APPROVER
                ).values_list("reviewer_id", flat=True)
            )
            if approvers <= approved:
                now = timezone.now()
                current.status = DocumentStatus.APPROVED
                current.approved_version = version.number
                claim_version(current, current.version)
                current._history_user = actor  # type: ignore[attr-defined]
                current.save()
                DocumentVersion.objects.filter(pk=version.pk).update(approved_at=now)
                _event(current, actor, EventKind.APPROVED, version=version.number, detail=_names(current.approvers.all()))
    document.refresh_from_db()
    return review


# --- superseding and archiving --------------------------------------------------------------------


def document_supersede(*, actor: Any, document: Document, by: Document, expected_version: int | None) -> Document:
    """Mark a document as replaced by another one; a superseded document is read-only (its versions
    stay downloadable)."""
    _require_change(actor, document)
    if by.pk == document.pk:
        raise ValidationError({"by": [_("A document cannot supersede itself.")]})
    if not permissions.may(actor, VIEW, by) or by.is_archived or by.status == DocumentStatus.SUPERSEDED:
        raise ValidationError({"by": [_("Choose an active document you can see.")]})
    with transaction.atomic():
        current = _locked(document, expected_version)
        current.status = DocumentStatus.SUPERSEDED
        current.superseded_by = by
        current.submitted_at = None
        claim_version(current, current.version)
        current._history_user = actor  # type: ignore[attr-defined]
        current.save()
        _event(current, actor, EventKind.SUPERSEDED, version=current.latest_version, detail=str(by))
    return current


def document_archive(*, actor: Any, document: Document, expected_version: int | None, restore: bool = False) -> Document:
    """Archive (or restore) a document: it leaves the working register but is never deleted, nor are
    its files."""
    if not permissions.may(actor, ARCHIVE, document):
        raise PermissionDenied(_("You may not archive this document."))
    with transaction.atomic():
        current = _locked(document, expected_version)
        current.archived_at = None if restore else timezone.now()
        claim_version(current, current.version)
        current._history_user = actor  # type: ignore[attr-defined]
        current.save()
        _event(current, actor, EventKind.RESTORED if restore else EventKind.ARCHIVED)
    return current
