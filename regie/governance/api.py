"""The governance API: stakeholder registers, RACI matrices, and who does what."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from regie.core.api import RecordOut, Strict, partial
from regie.core.api_tools import PageParams, RecordId, check_id, etag_of, expected_version, resolve_relations
from regie.core.models import Person, Scope
from regie.governance import services
from regie.governance.models import Attitude, RowKind, Stakeholder
from regie.portfolio.models import Project

stakeholders = Router(tags=["stakeholders"])
raci = Router(tags=["RACI"])


class StakeholderOut(RecordOut):
    scope_id: int
    project_id: int | None
    person_id: int | None
    organisation: str
    role: str
    interest: int
    influence: int
    attitude: Attitude
    desired_attitude: Attitude
    engagement: str
    relationship_owner_id: int | None
    quadrant: str = Field(..., description="manage, satisfy, inform or monitor on the power/interest grid")


class StakeholderIn(Strict):
    person: RecordId | None = None
    organisation: str = Field("", max_length=200)
    role: str = Field(..., min_length=1, max_length=200)
    interest: int = Field(3, ge=1, le=5)
    influence: int = Field(3, ge=1, le=5)
    attitude: Attitude = Attitude.NEUTRAL
    desired_attitude: Attitude = Attitude.SUPPORTIVE
    engagement: str = Field("", max_length=20000)
    relationship_owner: RecordId | None = None


class StakeholderCreate(StakeholderIn):
    scope: RecordId


StakeholderPatch = partial(StakeholderIn)
_resolve = resolve_relations(Stakeholder)


class StakeholderPage(Schema):
    items: list[StakeholderOut]
    count: int


def _stakeholder(request: HttpRequest, pk: int) -> Stakeholder:
    check_id(pk)
    item = Stakeholder.objects.visible_to(request.user).filter(pk=pk).select_related("scope").first()
    if item is None:
        raise Http404
    return item


@stakeholders.get("/", response=StakeholderPage, operation_id="stakeholder_list", summary="List stakeholders")
def list_stakeholders(request: HttpRequest, page: Query[PageParams], scope: RecordId | None = None) -> Any:
    qs = Stakeholder.objects.active().visible_to(request.user).order_by("pk")
    if scope is not None:
        qs = qs.filter(scope_id=scope)
    return {"items": list(qs[page.offset : page.offset + page.limit]), "count": qs.count()}


@stakeholders.get("/{int:pk}", response=StakeholderOut, operation_id="stakeholder_get", summary="Get a stakeholder")
def get_stakeholder(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    item = _stakeholder(request, pk)
    response["ETag"] = etag_of(item)
    return item


@stakeholders.post(
    "/", response={201: StakeholderOut}, operation_id="stakeholder_create", summary="Add a stakeholder to a register"
)
def create_stakeholder(request: HttpRequest, response: HttpResponse, payload: StakeholderCreate) -> Any:
    scope = Scope.objects.filter(pk=payload.scope).first()
    if scope is None:
        raise ValidationError({"scope": [_("No such record: %s") % payload.scope]})
    data = _resolve(request, payload.model_dump(exclude={"scope"}))
    item = services.stakeholder_create(actor=request.user, scope=scope, data=data)
    response["ETag"] = etag_of(item)
    return Status(201, item)


@stakeholders.patch(
    "/{int:pk}", response=StakeholderOut, operation_id="stakeholder_update", summary="Change a stakeholder (send If-Match)"
)
def update_stakeholder(request: HttpRequest, response: HttpResponse, pk: int, payload: StakeholderPatch) -> Any:  # type: ignore[valid-type]
    item = _stakeholder(request, pk)
    data = _resolve(request, payload.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
    item = services.stakeholder_update(actor=request.user, item=item, data=data, expected_version=expected_version(request))
    response["ETag"] = etag_of(item)
    return item


@stakeholders.post(
    "/{int:pk}/archive", response=StakeholderOut, operation_id="stakeholder_archive", summary="Archive or restore (send If-Match)"
)
def archive_stakeholder(request: HttpRequest, response: HttpResponse, pk: int, restore: bool = False) -> Any:
    item = services.stakeholder_archive(
        actor=request.user, item=_stakeholder(request, pk), expected_version=expected_version(request), restore=restore
    )
    response["ETag"] = etag_of(item)
    return item


# --- RACI -----------------------------------------------------------------------------------------


class CellSchema(Strict):
    person: RecordId
    part: Literal["R", "A", "C", "I"]


class RowSchema(Strict):
    id: RecordId | None = None
    subject: str = Field(..., max_length=200)
    kind: RowKind = RowKind.DELIVERABLE
    cells: list[CellSchema] = Field(default_factory=list, max_length=200)


class MatrixIn(Strict):
    rows: list[RowSchema] = Field(..., max_length=500)


class MatrixOut(Schema):
    project_id: int
    etag: str
    rows: list[RowSchema]


class ResponsibilityOut(Schema):
    project_id: int
    project_code: str
    row_id: int
    subject: str
    kind: RowKind
    part: str


def _project(request: HttpRequest, pk: int) -> Project:
    check_id(pk)
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def _matrix(project: Project) -> dict[str, Any]:
    rows = services.matrix_rows(project)
    return {
        "project_id": project.pk,
        "etag": services.matrix_etag(project, rows),
        "rows": [
            {
                "id": r.pk,
                "subject": r.subject,
                "kind": r.kind,
                "cells": [{"person": c.person_id, "part": c.letter} for c in r.cells.all()],
            }
            for r in rows
        ],
    }


@raci.get("/matrices/{int:project_id}", response=MatrixOut, operation_id="raci_get", summary="A project's RACI matrix")
def get_matrix(request: HttpRequest, response: HttpResponse, project_id: int) -> Any:
    matrix = _matrix(_project(request, project_id))
    response["ETag"] = matrix["etag"]
    return matrix


@raci.put(
    "/matrices/{int:project_id}",
    response=MatrixOut,
    operation_id="raci_save",
    summary="Replace a project's RACI matrix (send If-Match with the matrix's ETag); exactly one A per row",
)
def put_matrix(request: HttpRequest, response: HttpResponse, project_id: int, payload: MatrixIn) -> Any:
    project = _project(request, project_id)
    etag = request.headers.get("If-Match", "").strip()
    if not etag:
        raise HttpError(428, _("Send If-Match with the ETag of the version you are changing."))
    rows = []
    for row in payload.rows:
        cells: dict[int, str] = {}
        for cell in row.cells:
            if cell.person in cells:
                raise ValidationError(
                    {"rows": [_("%(person)s has two parts in “%(row)s”.") % {"person": cell.person, "row": row.subject}]}
                )
            cells[cell.person] = cell.part
        rows.append(services.RowIn(subject=row.subject, kind=row.kind, cells=cells, id=row.id))
    services.raci_save(actor=request.user, project=project, rows=rows, expected_etag=etag)
    matrix = _matrix(project)
    response["ETag"] = matrix["etag"]
    return matrix


@raci.get(
    "/responsibilities",
    response=list[ResponsibilityOut],
    operation_id="raci_responsibilities",
    summary="What a person is responsible, accountable, consulted or informed for",
)
def who_does_what(request: HttpRequest, person: RecordId) -> Any:
    found = Person.objects.filter(pk=person).first()
    if found is None:
        raise ValidationError({"person": [_("No such record: %s") % person]})
    return [
        {
            "project_id": c.row.project_id,
            "project_code": c.row.project.code,
            "row_id": c.row_id,
            "subject": c.row.subject,
            "kind": c.row.kind,
            "part": c.letter,
        }
        for c in services.responsibilities(request.user, found)
    ]
