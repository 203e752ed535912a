"""The document register's API: documents, their versions (multipart uploads, downloads), review and
approval, superseding, archiving, the field history and the audit trail. Every write goes through
``services``, so the API keeps exactly the rules of the pages; errors are RFC 9457 problem details naming
the field; changes to a document need ``If-Match`` with its ETag."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from regie.core.api import RecordOut, Strict
from regie.core.api_tools import (
    HistoryEntryOut,
    PageParams,
    RecordId,
    check_id,
    dumps,
    etag_of,
    expected_version,
    rows_serializer,
    search_filter,
)
from regie.core.audit import history_for
from regie.core.models import Person, Scope
from regie.engagement import selectors, services
from regie.engagement.choices import Capacity, DocumentKind, DocumentStatus, Verdict
from regie.engagement.models import Document, DocumentVersion, EventKind

documents = Router(tags=["documents"])


# --- schemas ----------------------------------------------------------------------------------------


class DocumentOut(RecordOut):
    scope_id: int
    project_id: int | None
    title: str
    reference: str
    kind: DocumentKind
    description: str
    author_id: int | None
    status: DocumentStatus
    latest_version: int
    approved_version: int | None
    review_round: int
    submitted_at: datetime | None
    superseded_by_id: int | None
    reviewer_ids: list[int]
    approver_ids: list[int]

    list_annotations: ClassVar[dict[str, Any]] = {}

    @staticmethod
    def resolve_reviewer_ids(obj: Any) -> list[int]:
        return list(obj["reviewer_ids"]) if isinstance(obj, dict) else [p.pk for p in obj.reviewers.all()]

    @staticmethod
    def resolve_approver_ids(obj: Any) -> list[int]:
        return list(obj["approver_ids"]) if isinstance(obj, dict) else [p.pk for p in obj.approvers.all()]

    @staticmethod
    def finish_rows(rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        for field, key in (("reviewers", "reviewer_ids"), ("approvers", "approver_ids")):
            through = getattr(Document, field).through
            people: dict[int, list[int]] = {pk: [] for pk in ids}
            for document_id, person_id in (
                through.objects.filter(document_id__in=ids).order_by("person_id").values_list("document_id", "person_id")
            ):
                people[document_id].append(person_id)
            for row in rows:
                row[key] = people[row["id"]]


class DocumentPage(Schema):
    items: list[DocumentOut]
    count: int


class VersionOut(Schema):
    number: int
    original_name: str
    size: int
    sha256: str
    content_type: str
    uploaded_by_id: int | None
    uploaded_at: datetime
    note: str
    approved_at: datetime | None
    download_url: str

    @staticmethod
    def resolve_download_url(obj: DocumentVersion) -> str:
        return f"/api/documents/{obj.document_id}/versions/{obj.number}/file"


class DocumentDetailOut(DocumentOut):
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Document) -> list[DocumentVersion]:
        return selectors.versions(obj)


class ReviewOut(Schema):
    id: int
    round: int
    version_number: int
    reviewer_id: int
    reviewer: str
    capacity: Capacity
    verdict: Verdict
    comment: str
    created_at: datetime

    @staticmethod
    def resolve_version_number(obj: Any) -> int:
        return int(obj.version.number)

    @staticmethod
    def resolve_reviewer(obj: Any) -> str:
        return str(obj.reviewer)


class EventOut(Schema):
    at: datetime
    who: str
    kind: EventKind
    version_number: int | None
    detail: str


class DocumentFilter(Strict):
    q: str | None = Field(None, max_length=100, description="Search in title, reference and description")
    scope_id: RecordId | None = Field(None, description="Documents registered in exactly this scope")
    within: RecordId | None = Field(None, description="Documents in this scope and every scope below it")
    project_id: RecordId | None = None
    kind: DocumentKind | None = None
    status: DocumentStatus | None = None
    author_id: RecordId | None = None
    archived: bool = Field(False, description="Include archived documents")


class DocumentCreateIn(Strict):
    scope: RecordId = Field(..., description="The scope whose register the document is in (a domain, portfolio, project …)")
    title: str = Field(..., min_length=1, max_length=200)
    reference: str = Field("", max_length=60)
    kind: DocumentKind = DocumentKind.OTHER
    description: str = Field("", max_length=20000)
    reviewers: list[RecordId] = Field(default_factory=list, max_length=100)
    approvers: list[RecordId] = Field(default_factory=list, max_length=100)
    filename: str = Field("", max_length=255, description="Optional name for downloads; the uploaded file's name by default")
    note: str = Field("", max_length=2000)


class DocumentPatch(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    reference: str | None = Field(None, max_length=60)
    kind: DocumentKind | None = None
    description: str | None = Field(None, max_length=20000)
    reviewers: list[RecordId] | None = Field(None, max_length=100)
    approvers: list[RecordId] | None = Field(None, max_length=100)


class VersionIn(Strict):
    filename: str = Field("", max_length=255, description="Optional name for downloads; the uploaded file's name by default")
    note: str = Field("", max_length=2000)


class ReviewIn(Strict):
    verdict: Verdict
    comment: str = Field("", max_length=5000)
    version_number: int | None = Field(
        None, ge=1, le=2_000_000_000, description="The version reviewed (refused if not the one under review)"
    )


class SupersedeIn(Strict):
    by: RecordId = Field(..., description="The document that replaces this one")


# --- helpers ------------------------------------------------------------------------------------------


def _document(request: HttpRequest, pk: int) -> Document:
    check_id(pk)
    document = selectors.document_for(request.user, pk)
    if document is None:
        raise Http404
    return document


def _people(ids: list[int], field: str) -> list[Person]:
    found = list(Person.objects.active().filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in found})
    if missing:
        raise ValidationError({field: [_("No such person: %s") % ", ".join(map(str, missing))]})
    return found


def _refuse_unknown(request: HttpRequest, schema: type[Schema]) -> None:
    """Multipart forms refuse unknown fields as the JSON bodies do, rather than ignoring a misspelt one."""
    unknown = sorted((set(request.POST) - set(schema.model_fields)) | (set(request.FILES) - {"file"}))
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown[:20]})


def _fresh(request: HttpRequest, response: HttpResponse, pk: int) -> Document:
    document = _document(request, pk)
    response["ETag"] = etag_of(document)
    return document


_serialize = rows_serializer(Document, DocumentOut)


# --- documents ----------------------------------------------------------------------------------------


@documents.get("/", response=DocumentPage, operation_id="document_list", summary="List documents (the registers you may see)")
def list_documents(request: HttpRequest, filters: Query[DocumentFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    qs = Document.objects.visible_to(request.user).filter(search_filter(Document, params.pop("q", None)))
    if not params.pop("archived", False):
        qs = qs.filter(archived_at__isnull=True)
    within = params.pop("within", None)
    if within is not None:
        scope = Scope.objects.filter(pk=within).first()
        qs = qs.filter(scope__path__startswith=scope.path) if scope else qs.none()
    qs = qs.filter(**params).order_by("pk")
    count = qs.count()
    items = _serialize(qs[page.offset : page.offset + page.limit])
    return HttpResponse(dumps({"items": items, "count": count}), content_type="application/json")


@documents.get("/{int:pk}", response=DocumentDetailOut, operation_id="document_get", summary="Get one document with its versions")
def get_document(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    return _fresh(request, response, pk)


@documents.post(
    "/",
    response={201: DocumentDetailOut},
    operation_id="document_create",
    summary="Register a document (multipart form; the file is optional and becomes version 1)",
)
def create_document(
    request: HttpRequest, response: HttpResponse, payload: Form[DocumentCreateIn], file: File[UploadedFile | None] = None
) -> Any:
    if not services.may_add_somewhere(request.user):
        raise PermissionDenied
    _refuse_unknown(request, DocumentCreateIn)
    scope = Scope.objects.filter(pk=payload.scope).first()
    if scope is None:
        raise ValidationError({"scope": [_("No such scope.")]})
    document = services.document_create(
        actor=request.user,
        scope=scope,
        title=payload.title,
        kind=payload.kind,
        reference=payload.reference,
        description=payload.description,
        reviewers=_people(payload.reviewers, "reviewers"),
        approvers=_people(payload.approvers, "approvers"),
        upload=file,
        filename=payload.filename,
        note=payload.note,
    )
    return Status(201, _fresh(request, response, document.pk))


@documents.patch(
    "/{int:pk}",
    response=DocumentDetailOut,
    operation_id="document_update",
    summary="Change a document's details or the people named on it (send If-Match)",
)
def update_document(request: HttpRequest, response: HttpResponse, pk: int, payload: DocumentPatch) -> Any:
    document = _document(request, pk)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    for field in ("reviewers", "approvers"):
        if field in data:
            data[field] = _people(data[field], field)
    services.document_update(actor=request.user, document=document, data=data, expected_version=expected_version(request))
    return _fresh(request, response, pk)


@documents.post(
    "/{int:pk}/archive",
    response=DocumentDetailOut,
    operation_id="document_archive",
    summary="Archive (or with restore=true restore) a document (send If-Match)",
)
def archive_document(request: HttpRequest, response: HttpResponse, pk: int, restore: bool = False) -> Any:
    document = _document(request, pk)
    services.document_archive(actor=request.user, document=document, expected_version=expected_version(request), restore=restore)
    return _fresh(request, response, pk)


@documents.get("/{int:pk}/history", response=list[HistoryEntryOut], operation_id="document_history", summary="Field history")
def document_history(request: HttpRequest, pk: int) -> Any:
    return history_for(_document(request, pk))


@documents.get("/{int:pk}/trail", response=list[EventOut], operation_id="document_trail", summary="The audit trail, newest first")
def document_trail(request: HttpRequest, pk: int, page: Query[PageParams]) -> Any:
    return list(selectors.trail(_document(request, pk))[page.offset : page.offset + page.limit])


# --- versions -------------------------------------------------------------------------------------


@documents.get(
    "/{int:pk}/versions", response=list[VersionOut], operation_id="document_versions", summary="Every version, newest first"
)
def list_versions(request: HttpRequest, pk: int) -> Any:
    return selectors.versions(_document(request, pk))


@documents.post(
    "/{int:pk}/versions",
    response={201: VersionOut},
    operation_id="document_version_upload",
    summary="Upload a new version (multipart form with `file`; send If-Match with the document's ETag)",
)
def upload_version(
    request: HttpRequest, response: HttpResponse, pk: int, file: File[UploadedFile], payload: Form[VersionIn]
) -> Any:
    document = _document(request, pk)
    _refuse_unknown(request, VersionIn)
    version = services.version_upload(
        actor=request.user,
        document=document,
        upload=file,
        filename=payload.filename,
        note=payload.note,
        expected_version=expected_version(request),
    )
    response["ETag"] = etag_of(Document.objects.get(pk=pk))
    return Status(201, version)


@documents.get(
    "/{int:pk}/versions/{int:number}/file",
    operation_id="document_version_download",
    summary="Download a version's file (as an attachment under its original name)",
)
def download_version(request: HttpRequest, pk: int, number: int) -> FileResponse:
    document = _document(request, pk)
    check_id(number)
    try:
        version, handle = services.version_open(actor=request.user, document=document, number=number)
    except (DocumentVersion.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=version.original_name, content_type=version.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# --- review and approval ------------------------------------------------------------------------------


@documents.post(
    "/{int:pk}/submit",
    response=DocumentDetailOut,
    operation_id="document_submit",
    summary="Send the latest version for review (send If-Match)",
)
def submit_document(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    services.document_submit(actor=request.user, document=_document(request, pk), expected_version=expected_version(request))
    return _fresh(request, response, pk)


@documents.post(
    "/{int:pk}/withdraw",
    response=DocumentDetailOut,
    operation_id="document_withdraw",
    summary="Take a document out of review, back to draft (send If-Match)",
)
def withdraw_document(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    services.document_withdraw(actor=request.user, document=_document(request, pk), expected_version=expected_version(request))
    return _fresh(request, response, pk)


@documents.get("/{int:pk}/reviews", response=list[ReviewOut], operation_id="document_reviews", summary="Every review, by round")
def list_reviews(request: HttpRequest, pk: int) -> Any:
    return list(_document(request, pk).reviews.select_related("reviewer", "version").order_by("round", "created_at", "id"))


@documents.post(
    "/{int:pk}/reviews",
    response={201: ReviewOut},
    operation_id="document_review",
    summary="Approve, reject or comment on the version under review (named reviewers and approvers only; "
    "the author never approves)",
)
def review_document(request: HttpRequest, pk: int, payload: ReviewIn) -> Any:
    review = services.document_review(
        actor=request.user,
        document=_document(request, pk),
        verdict=payload.verdict,
        comment=payload.comment,
        version_number=payload.version_number,
    )
    return Status(201, review)


@documents.post(
    "/{int:pk}/supersede",
    response=DocumentDetailOut,
    operation_id="document_supersede",
    summary="Mark the document as superseded by another one; it becomes read-only (send If-Match)",
)
def supersede_document(request: HttpRequest, response: HttpResponse, pk: int, payload: SupersedeIn) -> Any:
    document = _document(request, pk)
    by = Document.objects.visible_to(request.user).filter(pk=payload.by).first()
    if by is None:
        raise ValidationError({"by": [_("No such document, or you may not see it.")]})
    services.document_supersede(actor=request.user, document=document, by=by, expected_version=expected_version(request))
    return _fresh(request, response, pk)
