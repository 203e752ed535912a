"""Core's API: the organisation's records, roles, jobs and the current user."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, ClassVar

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, EmailStr, create_model, field_validator

from regie.core import permissions, selectors, services
from regie.core.api_tools import RecordId, check_id, record_router, resolve_relations
from regie.core.models import Domain, JobProfile, OrgUnit, Person, RoleAssignment, Scope, Team

Code = Field(..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Strict(Schema):
    """Input: unknown fields are refused, and so is text with NUL characters (no database stores them)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("Text may not contain NUL characters.")
        return value


def partial(schema: type[Strict]) -> type[Strict]:
    """The schema of a partial update: every field of ``schema`` optional, with the same constraints."""
    fields: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        optional = copy.copy(info)
        optional.default, optional.default_factory = None, None
        fields[name] = (info.annotation | None, optional)  # type: ignore[operator]
    return create_model(schema.__name__.removesuffix("In") + "Patch", __base__=Strict, **fields)


class RecordOut(Schema):
    id: int
    version: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


# --- domains --------------------------------------------------------------------------------------
class DomainOut(RecordOut):
    code: str
    name: str
    description: str


class DomainIn(Strict):
    code: str = Field(..., min_length=1, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""


DomainPatch = partial(DomainIn)


class CodeNameFilter(Strict):
    q: str | None = Field(None, max_length=100, description="Search in code and name")
    archived: bool = Field(False, description="Include archived records")


# --- organisational units -------------------------------------------------------------------------
class OrgUnitOut(RecordOut):
    code: str
    name: str
    parent_id: int | None
    manager_id: int | None
    description: str


class OrgUnitIn(Strict):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)
    parent: RecordId | None = None
    manager: RecordId | None = None
    description: str = ""


OrgUnitPatch = partial(OrgUnitIn)


class OrgUnitFilter(CodeNameFilter):
    parent_id: RecordId | None = None


# --- job profiles ---------------------------------------------------------------------------------
class JobProfileOut(RecordOut):
    code: str
    name: str
    description: str


class JobProfileIn(Strict):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""


JobProfilePatch = partial(JobProfileIn)


# --- people ---------------------------------------------------------------------------------------
class PersonOut(RecordOut):
    given_name: str
    family_name: str
    email: str | None
    phone: str
    employee_number: str
    org_unit_id: int | None
    job_profile_id: int | None
    language: str
    has_login: bool = Field(False)

    list_annotations: ClassVar[dict[str, Any]] = {
        "has_login": ExpressionWrapper(Q(user__isnull=False), output_field=BooleanField())
    }

    @staticmethod
    def resolve_has_login(obj: Person | dict[str, Any]) -> bool:
        if isinstance(obj, dict):
            return bool(obj["has_login"])
        return obj.user_id is not None


class PersonIn(Strict):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str = Field("", max_length=40)
    employee_number: str = Field("", max_length=40)
    org_unit: RecordId | None = None
    job_profile: RecordId | None = None
    language: str = Field("en", pattern="^(en|nl|sv)$")


PersonPatch = partial(PersonIn)


class PersonFilter(Strict):
    q: str | None = Field(None, max_length=100, description="Search in names, email and employee number")
    org_unit_id: RecordId | None = None
    job_profile_id: RecordId | None = None
    archived: bool = False


# --- teams ----------------------------------------------------------------------------------------
class TeamOut(RecordOut):
    code: str
    name: str
    org_unit_id: int
    domain_id: int | None
    lead_id: int | None
    description: str
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(obj: Team | dict[str, Any]) -> list[int]:
        if isinstance(obj, dict):
            return list(obj["member_ids"])
        return [m.pk for m in obj.members.all()]

    @staticmethod
    def finish_rows(rows: list[dict[str, Any]]) -> None:
        members: dict[int, list[int]] = {row["id"]: [] for row in rows}
        through = Team.members.through.objects.filter(team_id__in=list(members)).order_by("person_id")
        for team_id, person_id in through.values_list("team_id", "person_id"):
            members[team_id].append(person_id)
        for row in rows:
            row["member_ids"] = members[row["id"]]


class TeamIn(Strict):
    code: str = Code
    name: str = Field(..., min_length=1, max_length=200)
    org_unit: RecordId
    domain: RecordId | None = None
    lead: RecordId | None = None
    members: list[RecordId] = Field(default_factory=list, max_length=1000)
    description: str = ""


TeamPatch = partial(TeamIn)


class TeamFilter(Strict):
    q: str | None = Field(None, max_length=100)
    org_unit_id: RecordId | None = None
    domain_id: RecordId | None = None
    archived: bool = False


domains = record_router(
    model=Domain,
    out_schema=DomainOut,
    create_schema=DomainIn,
    update_schema=DomainPatch,
    filter_schema=CodeNameFilter,
    tag="domains",
)
org_units = record_router(
    model=OrgUnit,
    out_schema=OrgUnitOut,
    create_schema=OrgUnitIn,
    update_schema=OrgUnitPatch,
    filter_schema=OrgUnitFilter,
    tag="organisational units",
    resolve=resolve_relations(OrgUnit),
)
job_profiles = record_router(
    model=JobProfile,
    out_schema=JobProfileOut,
    create_schema=JobProfileIn,
    update_schema=JobProfilePatch,
    filter_schema=CodeNameFilter,
    tag="job profiles",
)
people = record_router(
    model=Person,
    out_schema=PersonOut,
    create_schema=PersonIn,
    update_schema=PersonPatch,
    filter_schema=PersonFilter,
    tag="people",
    resolve=resolve_relations(Person),
)
teams = record_router(
    model=Team,
    out_schema=TeamOut,
    create_schema=TeamIn,
    update_schema=TeamPatch,
    filter_schema=TeamFilter,
    tag="teams",
    resolve=resolve_relations(Team),
    queryset=lambda: Team.objects.prefetch_related("members"),
)


# --- roles, jobs, me ------------------------------------------------------------------------------
class RoleOut(Schema):
    code: str
    label: str
    description: str
    actions: list[str]


class RoleAssignmentOut(Schema):
    id: int
    person_id: int
    role: str
    scope_id: int
    scope_name: str = Field(..., alias="scope.name")
    created_at: datetime


class RoleAssignmentIn(Strict):
    person: RecordId
    role: str = Field(..., max_length=60)
    scope: RecordId


misc = Router(tags=["roles and jobs"])


@misc.get("/roles", response=list[RoleOut], operation_id="roles_list", summary="The roles and their actions")
def list_roles(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "label": str(r.label),
            "description": str(r.description),
            "actions": sorted(r.actions),
        }
        for r in permissions.ROLES.values()
    ]


@misc.get("/role-assignments", response=list[RoleAssignmentOut], operation_id="role_assignments_list")
def list_assignments(request: HttpRequest, person_id: RecordId | None = None) -> Any:
    qs = selectors.manageable_assignments(request.user).order_by("pk")
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs[:1000]


@misc.post("/role-assignments", response={201: RoleAssignmentOut}, operation_id="role_assignments_create")
def create_assignment(request: HttpRequest, payload: RoleAssignmentIn) -> Any:
    from django.core.exceptions import ValidationError

    person = Person.objects.visible_to(request.user).filter(pk=payload.person).first()
    scope = permissions.scopes_where(request.user, "core.manage_roles").filter(pk=payload.scope).first()
    errors = {}
    if person is None:
        errors["person"] = ["No such person, or you may not see them."]
    if scope is None:
        errors["scope"] = ["No such scope, or you may not assign roles on it."]
    if errors:
        raise ValidationError(errors)
    assert person is not None and scope is not None
    return Status(201, services.role_assign(actor=request.user, person=person, role=payload.role, scope=scope))


@misc.delete("/role-assignments/{int:pk}", response={204: None}, operation_id="role_assignments_withdraw")
def withdraw_assignment(request: HttpRequest, pk: int) -> Any:
    check_id(pk)
    assignment = selectors.manageable_assignments(request.user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    services.role_withdraw(actor=request.user, assignment=assignment)
    return Status(204, None)


class JobOut(Schema):
    id: int
    task: str
    label: str
    status: str
    percent: int
    done: int
    total: int
    message: str
    result: Any = None
    error: str
    attempts: int
    created_at: str
    finished_at: str | None


@misc.get("/jobs/{int:pk}", response=JobOut, operation_id="jobs_get", summary="A background job's progress")
def get_job(request: HttpRequest, pk: int) -> Any:
    check_id(pk)
    job = selectors.visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return selectors.job_state(job)


@misc.get(
    "/jobs/{int:pk}/file",
    response={200: None},
    operation_id="jobs_file",
    summary="Download the file a finished job made (an export)",
)
def get_job_file(request: HttpRequest, pk: int) -> Any:
    check_id(pk)
    job = selectors.visible_jobs(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return selectors.job_file_response(job)


class MeOut(Schema):
    username: str
    person_id: int | None
    name: str
    roles: list[dict[str, Any]]


@misc.get("/me", response=MeOut, operation_id="me", summary="The signed-in user")
def me(request: HttpRequest) -> Any:
    person = Person.objects.filter(user_id=_uid(request)).first()
    assignments = RoleAssignment.objects.filter(person__user_id=_uid(request)).select_related("scope")
    return {
        "username": request.user.get_username(),
        "person_id": person.pk if person else None,
        "name": str(person) if person else request.user.get_username(),
        "roles": [{"role": a.role, "scope_id": a.scope_id, "scope": a.scope.name} for a in assignments],
    }


class ScopeOut(Schema):
    id: int
    kind: str
    name: str
    parent_id: int | None


@misc.get("/scopes", response=list[ScopeOut], operation_id="scopes_list", summary="Scopes where I manage roles")
def list_scopes(request: HttpRequest) -> Any:
    return permissions.scopes_where(request.user, "core.manage_roles").order_by("path")[:2000]


_unused = Scope


def _uid(request: HttpRequest) -> int:
    """The signed-in user's id (0, which matches nothing, for anyone else)."""
    return int(request.user.pk or 0)
