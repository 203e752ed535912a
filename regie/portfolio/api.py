"""The portfolio API: portfolios, programmes and projects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from regie.core.api import RecordOut, Strict, partial
from regie.core.api_tools import PageParams, RecordId, check_id, etag_of, expected_version, record_router, resolve_relations
from regie.portfolio import reporting, selectors, services
from regie.portfolio.choices import (
    ActionStatus,
    Assessment,
    GateOutcome,
    Health,
    Rag,
    ReportingFrequency,
    ReportState,
    ReviewState,
)
from regie.portfolio.models import GateCondition, GateDecision, GateReview, Portfolio, Programme, Project, StatusReport

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class PortfolioOut(RecordOut):
    scope_id: int = Field(..., description="The scope of its RAID log, documents and roles")
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
    scope_id: int = Field(..., description="The scope of its RAID log, documents and roles")
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
    scope_id: int = Field(..., description="The scope of its RAID log, documents and roles")
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


def _project(request: HttpRequest, pk: int) -> Project:
    check_id(pk)
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404
    return project


# --- gates ----------------------------------------------------------------------------------------


class GateReviewItemIn(Strict):
    assessment: Assessment | None = None
    evidence: str = Field("", max_length=5000)


class GateReviewIn(Strict):
    recommendation: GateOutcome | None = None
    summary: str = Field("", max_length=5000)
    items: list[GateReviewItemIn] = Field(default_factory=list, max_length=100)


class GateReviewItemOut(Schema):
    order: int
    criterion: str
    assessment: str
    evidence: str


class GateReviewOut(Schema):
    id: int
    version: int
    phase_id: int
    phase: str
    state: ReviewState
    recommendation: str
    summary: str
    prepared_by_id: int | None
    updated_at: datetime
    items: list[GateReviewItemOut]
    missing_fields: list[str]

    @staticmethod
    def resolve_phase(obj: GateReview) -> str:
        return obj.phase.name

    @staticmethod
    def resolve_items(obj: GateReview) -> list[Any]:
        return list(obj.items.order_by("order"))

    @staticmethod
    def resolve_missing_fields(obj: GateReview) -> list[str]:
        return services.missing_fields(obj.project) if obj.state == ReviewState.OPEN else []


class ConditionIn(Strict):
    description: str = Field(..., min_length=1, max_length=2000)
    owner: RecordId
    due_date: date


class GateDecisionIn(Strict):
    outcome: GateOutcome
    rationale: str = Field("", max_length=5000)
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=50)


class GateConditionOut(Schema):
    id: int
    version: int
    project_id: int
    decision_id: int
    description: str
    owner_id: int
    due_date: date
    status: ActionStatus
    completed_at: datetime | None
    note: str


class GateConditionPatch(Strict):
    status: ActionStatus
    note: str = Field("", max_length=5000)


class GateDecisionOut(Schema):
    id: int
    phase_id: int
    phase: str
    outcome: GateOutcome
    rationale: str
    review_id: int | None
    decided_by_id: int
    decided_at: datetime
    conditions: list[GateConditionOut]

    @staticmethod
    def resolve_phase(obj: GateDecision) -> str:
        return obj.phase.name

    @staticmethod
    def resolve_conditions(obj: GateDecision) -> list[Any]:
        return list(obj.conditions.all())


@projects.get("/{int:pk}/gate-decisions", response=list[GateDecisionOut], operation_id="project_gate_decisions")
def list_gate_decisions(request: HttpRequest, pk: int) -> Any:
    return _project(request, pk).gate_decisions.select_related("phase").prefetch_related("conditions")


@projects.post(
    "/{int:pk}/gate-decisions",
    response={201: GateDecisionOut},
    operation_id="project_gate_decide",
    summary="Record a gate decision (sponsor or steering committee only; send If-Match with the project's ETag)",
)
def create_gate_decision(request: HttpRequest, response: HttpResponse, pk: int, payload: GateDecisionIn) -> Any:
    project = _project(request, pk)
    decision = services.gate_decide(
        actor=request.user,
        project=project,
        outcome=payload.outcome,
        rationale=payload.rationale,
        conditions=[c.model_dump() for c in payload.conditions],
        expected_version=expected_version(request),
    )
    response["ETag"] = f'"{project.version}"'
    return Status(201, decision)


@projects.get(
    "/{int:pk}/gate-review",
    response=GateReviewOut,
    operation_id="project_gate_review",
    summary="The gate review in preparation for the current gate (404 when none has started)",
)
def get_gate_review(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    review = services.open_review(_project(request, pk))
    if review is None:
        raise Http404
    response["ETag"] = etag_of(review)
    return review


@projects.put(
    "/{int:pk}/gate-review",
    response=GateReviewOut,
    operation_id="project_gate_review_prepare",
    summary="Prepare the current gate's review: evidence per criterion and a recommendation (PMO only; "
    "send If-Match once the review exists)",
)
def put_gate_review(request: HttpRequest, response: HttpResponse, pk: int, payload: GateReviewIn) -> Any:
    project = _project(request, pk)
    existing = services.open_review(project)
    if not services.parts(request.user, project).prepare_gate:
        raise PermissionDenied
    review = services.review_prepare(
        actor=request.user,
        project=project,
        items=[item.model_dump() for item in payload.items],
        recommendation=payload.recommendation or "",
        summary=payload.summary,
        expected_version=expected_version(request) if existing else None,
    )
    response["ETag"] = etag_of(review)
    return review


@projects.get("/{int:pk}/gate-conditions", response=list[GateConditionOut], operation_id="project_gate_conditions")
def list_gate_conditions(request: HttpRequest, pk: int) -> Any:
    return _project(request, pk).gate_conditions.filter(archived_at__isnull=True)


gate_conditions = Router(tags=["gate conditions"])


@gate_conditions.patch(
    "/{int:pk}",
    response=GateConditionOut,
    operation_id="gate_condition_update",
    summary="Mark a gate condition done or open (its owner, the project manager or the PMO; send If-Match)",
)
def update_gate_condition(request: HttpRequest, response: HttpResponse, pk: int, payload: GateConditionPatch) -> Any:
    check_id(pk)
    condition = GateCondition.objects.visible_to(request.user).filter(pk=pk).select_related("project").first()
    if condition is None:
        raise Http404
    condition = services.condition_update(
        actor=request.user,
        condition=condition,
        status=payload.status,
        note=payload.note,
        expected_version=expected_version(request),
    )
    response["ETag"] = etag_of(condition)
    return condition


# --- status reports -------------------------------------------------------------------------------


class StatusReportOut(Schema):
    id: int
    version: int
    project_id: int
    period_start: date
    period_end: date
    revision: int
    supersedes_id: int | None
    previous_id: int | None
    state: ReportState
    overall: Rag
    overall_rationale: str
    schedule: Rag
    schedule_rationale: str
    cost: Rag
    cost_rationale: str
    scope: Rag
    scope_rationale: str
    risks: Rag
    risks_rationale: str
    resources: Rag
    resources_rationale: str
    quality: Rag
    quality_rationale: str
    summary: str
    achievements: str
    plans: str
    decisions_needed: str
    top_risks: str
    milestones: list[dict[str, Any]]
    drafted_by_id: int | None
    submitted_by_id: int | None
    submitted_at: datetime | None
    acknowledged_by_ids: list[int]

    @staticmethod
    def resolve_acknowledged_by_ids(obj: StatusReport) -> list[int]:
        return [a.person_id for a in obj.acknowledgements.all()]


class StatusReportStart(Strict):
    period_start: date | None = None
    period_end: date | None = None


_TEXT = Field(None, max_length=20000)


class StatusReportPatch(Strict):
    period_start: date | None = None
    period_end: date | None = None
    overall: Rag | None = None
    overall_rationale: str | None = _TEXT
    schedule: Rag | None = None
    schedule_rationale: str | None = _TEXT
    cost: Rag | None = None
    cost_rationale: str | None = _TEXT
    scope: Rag | None = None
    scope_rationale: str | None = _TEXT
    risks: Rag | None = None
    risks_rationale: str | None = _TEXT
    resources: Rag | None = None
    resources_rationale: str | None = _TEXT
    quality: Rag | None = None
    quality_rationale: str | None = _TEXT
    summary: str | None = _TEXT
    achievements: str | None = _TEXT
    plans: str | None = _TEXT
    decisions_needed: str | None = _TEXT
    top_risks: str | None = _TEXT


class CommentIn(Strict):
    text: str = Field(..., min_length=1, max_length=5000)


class CommentOut(Schema):
    id: int
    author_id: int
    author: str
    text: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author)


@projects.get("/{int:pk}/status-reports", response=list[StatusReportOut], operation_id="project_status_reports")
def list_status_reports(request: HttpRequest, pk: int) -> Any:
    return _project(request, pk).status_reports.prefetch_related("acknowledgements").order_by("-period_start", "-revision")


@projects.post(
    "/{int:pk}/status-reports",
    response={201: StatusReportOut},
    operation_id="project_status_report_start",
    summary="Start a status report draft, pre-filled from the latest one (project manager or PMO)",
)
def start_status_report(request: HttpRequest, response: HttpResponse, pk: int, payload: StatusReportStart) -> Any:
    report = reporting.report_start(
        actor=request.user, project=_project(request, pk), period_start=payload.period_start, period_end=payload.period_end
    )
    response["ETag"] = etag_of(report)
    return Status(201, report)


status_reports = Router(tags=["status reports"])


def _report(request: HttpRequest, pk: int) -> StatusReport:
    check_id(pk)
    report = (
        StatusReport.objects.visible_to(request.user)
        .filter(pk=pk)
        .select_related("project", "project__latest_report", "supersedes")
        .prefetch_related("project__pmo_officers", "project__steering_committee", "acknowledgements")
        .first()
    )
    if report is None:
        raise Http404
    return report


@status_reports.get("/{int:pk}", response=StatusReportOut, operation_id="status_report_get")
def get_status_report(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    report = _report(request, pk)
    response["ETag"] = etag_of(report)
    return report


@status_reports.patch(
    "/{int:pk}",
    response=StatusReportOut,
    operation_id="status_report_update",
    summary="Change a draft (project manager or PMO; send If-Match). A submitted report is never changed.",
)
def update_status_report(request: HttpRequest, response: HttpResponse, pk: int, payload: StatusReportPatch) -> Any:
    report = _report(request, pk)
    data = payload.model_dump(exclude_unset=True)
    for name in ("period_start", "period_end", *reporting.CONTENT_FIELDS):
        if name in data and data[name] is None:
            data.pop(name)
    report = reporting.report_update(actor=request.user, report=report, data=data, expected_version=expected_version(request))
    response["ETag"] = etag_of(report)
    return report


@status_reports.post(
    "/{int:pk}/submit",
    response=StatusReportOut,
    operation_id="status_report_submit",
    summary="Submit a draft (the project manager only; send If-Match)",
)
def submit_status_report(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    report = reporting.report_submit(actor=request.user, report=_report(request, pk), expected_version=expected_version(request))
    response["ETag"] = etag_of(report)
    return report


@status_reports.post(
    "/{int:pk}/correct",
    response={201: StatusReportOut},
    operation_id="status_report_correct",
    summary="Start a correction: a new draft revision of a submitted report (the old one is kept)",
)
def correct_status_report(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    correction = reporting.report_correct(actor=request.user, report=_report(request, pk))
    response["ETag"] = etag_of(correction)
    return Status(201, correction)


@status_reports.get("/{int:pk}/comments", response=list[CommentOut], operation_id="status_report_comments")
def list_comments(request: HttpRequest, pk: int) -> Any:
    return _report(request, pk).comments.select_related("author")


@status_reports.post(
    "/{int:pk}/comments",
    response={201: CommentOut},
    operation_id="status_report_comment",
    summary="Comment on a submitted report (sponsor and steering committee)",
)
def add_comment(request: HttpRequest, pk: int, payload: CommentIn) -> Any:
    return Status(201, reporting.report_comment(actor=request.user, report=_report(request, pk), text=payload.text))


@status_reports.post(
    "/{int:pk}/acknowledge",
    response=StatusReportOut,
    operation_id="status_report_acknowledge",
    summary="Acknowledge a submitted report (sponsor and steering committee)",
)
def acknowledge(request: HttpRequest, pk: int) -> Any:
    report = _report(request, pk)
    reporting.report_acknowledge(actor=request.user, report=report)
    return _report(request, pk)


# --- overview, exports and import -----------------------------------------------------------------


class RatingOut(Schema):
    dimension: str
    rag: str
    trend: str


class OverviewRowOut(Schema):
    id: int
    code: str
    name: str
    portfolio: str
    programme: str
    phase: str
    project_manager: str
    health: Health
    report_due: date | None
    overdue: bool
    latest_report_id: int | None
    period_end: date | None
    ratings: list[RatingOut]


class CountOut(Schema):
    name: str = ""
    rag: str = ""
    count: int


class OverviewOut(Schema):
    count: int
    items: list[OverviewRowOut]
    phases: list[CountOut]
    health: list[CountOut]


class OverviewQuery(Strict):
    q: str = Field("", max_length=100)
    domain: RecordId | None = None
    portfolio: RecordId | None = None
    programme: RecordId | None = None
    phase: str = Field("", max_length=100)
    rag: Literal["", "green", "amber", "red", "none"] = ""
    dimension: Literal["overall", "schedule", "cost", "scope", "risks", "resources", "quality"] = "overall"
    manager: RecordId | None = None
    overdue: bool = False
    sort: Literal[tuple(s for key in selectors.SORTS for s in (key, f"-{key}"))] = "code"  # type: ignore[valid-type]


overview = Router(tags=["portfolio overview"])


@overview.get("/", response=OverviewOut, operation_id="portfolio_overview", summary="Every visible project's latest status")
def portfolio_overview(request: HttpRequest, filters: Query[OverviewQuery], page: Query[PageParams]) -> Any:
    projects = selectors.overview(request.user, selectors.OverviewFilters(**filters.model_dump()))
    tally = selectors.counts(projects)
    ids = list(projects.values_list("pk", flat=True)[page.offset : page.offset + page.limit])
    rows = [selectors.row(p) for p in selectors.load(ids)]
    return {"count": projects.count(), "items": rows, **tally}


class ExportIn(OverviewQuery):
    kind: Literal["deck", "workbook"]


class JobRef(Schema):
    id: int
    status: str
    url: str


@overview.post(
    "/exports",
    response={202: JobRef},
    operation_id="portfolio_export",
    summary="Make the steering-committee deck (.pptx) or the portfolio workbook (.xlsx) of the filtered "
    "projects; poll the job, then download its file",
)
def portfolio_export(request: HttpRequest, payload: ExportIn) -> Any:
    from regie.portfolio import tasks

    data = payload.model_dump()
    job = tasks.enqueue_export(request.user, data.pop("kind"), data)
    return Status(202, {"id": job.pk, "status": job.status, "url": f"/api/jobs/{job.pk}"})


@projects.post(
    "/import",
    response={202: JobRef},
    operation_id="project_import",
    summary="Import projects from an .xlsx or .csv sheet, all or nothing; poll the job for the outcome",
)
def import_projects(request: HttpRequest, file: File[UploadedFile]) -> Any:
    from regie.portfolio import tasks

    job = tasks.enqueue_import(request.user, file)
    return Status(202, {"id": job.pk, "status": job.status, "url": f"/api/jobs/{job.pk}"})
