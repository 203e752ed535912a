"""The portfolio API: portfolios, programmes and projects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Schema, Status

from regie.core.api import RecordOut, Strict, partial
from regie.core.api_tools import RecordId, check_id, expected_version, record_router, resolve_relations
from regie.portfolio.choices import GateOutcome, Health, ReportingFrequency
from regie.portfolio.models import GateDecision, Portfolio, Programme, Project
from regie.portfolio.services import gate_decide

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class PortfolioOut(RecordOut):
    code: str
    name: str
    domain_id: int
    owner_id: int | None
    description: str


class PortfolioIn(Strict):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    domain: RecordId
    owner: RecordId | None = None
    description: str = ""


class ProgrammeOut(RecordOut):
    code: str
    name: str
    portfolio_id: int
    manager_id: int | None
    goal: str


class ProgrammeIn(Strict):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    portfolio: RecordId
    manager: RecordId | None = None
    goal: str = ""


class ProjectOut(RecordOut):
    code: str
    name: str
    goal: str
    portfolio_id: int
    programme_id: int | None
    sponsor_id: int | None
    project_manager_id: int | None
    planned_start: date | None
    planned_end: date | None
    lifecycle_id: int | None
    current_phase_id: int | None
    health: Health
    reporting_frequency: ReportingFrequency
    expected_costs: Decimal
    currency: str
    expected_benefits: str
    strategic_contribution: str
    pmo_officer_ids: list[int]
    steering_committee_ids: list[int]

    @staticmethod
    def resolve_pmo_officer_ids(obj: Any) -> list[int]:
        return list(obj["pmo_officer_ids"]) if isinstance(obj, dict) else [p.pk for p in obj.pmo_officers.all()]

    @staticmethod
    def resolve_steering_committee_ids(obj: Any) -> list[int]:
        if isinstance(obj, dict):
            return list(obj["steering_committee_ids"])
        return [p.pk for p in obj.steering_committee.all()]

    @staticmethod
    def finish_rows(rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        for field, key in (("pmo_officers", "pmo_officer_ids"), ("steering_committee", "steering_committee_ids")):
            through = getattr(Project, field).through
            people: dict[int, list[int]] = {pk: [] for pk in ids}
            for project_id, person_id in (
                through.objects.filter(project_id__in=ids).order_by("person_id").values_list("project_id", "person_id")
            ):
                people[project_id].append(person_id)
            for row in rows:
                row[key] = people[row["id"]]

    list_annotations: ClassVar[dict[str, Any]] = {}


class ProjectIn(Strict):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    goal: str = ""
    portfolio: RecordId
    programme: RecordId | None = None
    sponsor: RecordId | None = None
    project_manager: RecordId | None = None
    pmo_officers: list[RecordId] = Field(default_factory=list, max_length=100)
    steering_committee: list[RecordId] = Field(default_factory=list, max_length=100)
    planned_start: date | None = None
    planned_end: date | None = None
    lifecycle: RecordId | None = None
    health: Health = Health.GREEN
    reporting_frequency: ReportingFrequency = ReportingFrequency.MONTHLY
    expected_costs: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    expected_benefits: str = ""
    strategic_contribution: str = ""


class CodeNameFilter(Strict):
    q: str | None = Field(None, max_length=100)
    archived: bool = False


class ProgrammeFilter(CodeNameFilter):
    portfolio_id: RecordId | None = None


class ProjectFilter(CodeNameFilter):
    portfolio_id: RecordId | None = None
    programme_id: RecordId | None = None
    project_manager_id: RecordId | None = None
    health: Health | None = None


portfolios = record_router(
    model=Portfolio,
    out_schema=PortfolioOut,
    create_schema=PortfolioIn,
    update_schema=partial(PortfolioIn),
    filter_schema=CodeNameFilter,
    tag="portfolios",
    resolve=resolve_relations(Portfolio),
)
programmes = record_router(
    model=Programme,
    out_schema=ProgrammeOut,
    create_schema=ProgrammeIn,
    update_schema=partial(ProgrammeIn),
    filter_schema=ProgrammeFilter,
    tag="programmes",
    resolve=resolve_relations(Programme),
)
projects = record_router(
    model=Project,
    out_schema=ProjectOut,
    create_schema=ProjectIn,
    update_schema=partial(ProjectIn),
    filter_schema=ProjectFilter,
    tag="projects",
    resolve=resolve_relations(Project),
    queryset=lambda: Project.objects.prefetch_related("pmo_officers", "steering_committee"),
)


class GateDecisionIn(Strict):
    outcome: GateOutcome
    rationale: str = Field("", max_length=5000)
    conditions: str = Field("", max_length=5000)


class GateDecisionOut(Schema):
    id: int
    phase_id: int
    phase: str
    outcome: GateOutcome
    rationale: str
    conditions: str
    decided_by_id: int
    decided_at: datetime

    @staticmethod
    def resolve_phase(obj: GateDecision) -> str:
        return obj.phase.name


@projects.get("/{int:pk}/gate-decisions", response=list[GateDecisionOut], operation_id="project_gate_decisions")
def list_gate_decisions(request: HttpRequest, pk: int) -> Any:
    check_id(pk)
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project.gate_decisions.select_related("phase")


@projects.post(
    "/{int:pk}/gate-decisions",
    response={201: GateDecisionOut},
    operation_id="project_gate_decide",
    summary="Record a gate decision (sponsor or steering committee only; send If-Match)",
)
def create_gate_decision(request: HttpRequest, response: HttpResponse, pk: int, payload: GateDecisionIn) -> Any:
    check_id(pk)
    project = Project.objects.visible_to(request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    decision = gate_decide(
        actor=request.user,
        project=project,
        outcome=payload.outcome,
        rationale=payload.rationale,
        conditions=payload.conditions,
        expected_version=expected_version(request),
    )
    response["ETag"] = f'"{project.version}"'
    return Status(201, decision)
