"""Contract management's API: external organisations and their contacts, agreements with their versions
and service-level targets, and obligations. Versions change only through their workflow: a new version,
a draft changed with If-Match, submission and approval. A refused approval names the rule it broke
(``rule`` in the problem details): ``segregation_of_duties`` (403), ``only_in_review``,
``overlapping_period``, ``only_drafts_are_edited`` or ``one_open_version`` (409); a refused removal of a
target that service levels were measured against is ``target_measured`` (409)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from regie.core import permissions
from regie.core.api import CodeNameFilter, RecordOut, Strict, partial
from regie.core.api_tools import (
    HistoryEntryOut,
    PageParams,
    RecordId,
    check_id,
    dumps,
    etag_of,
    expected_version,
    problem,
    record_router,
    resolve_relations,
    rows_serializer,
    search_filter,
)
from regie.core.audit import history_for
from regie.core.models import Domain, OrgUnit, Person
from regie.suppliers import selectors, services
from regie.suppliers.choices import (
    AgreementKind,
    ConsequenceKind,
    Metric,
    ObligationStatus,
    OwedBy,
    Recurrence,
    VersionStatus,
)
from regie.suppliers.models import (
    EARLIEST_DATE,
    LATEST_DATE,
    Agreement,
    AgreementVersion,
    Contact,
    Obligation,
    Organisation,
    ServiceLevelTarget,
)

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
CURRENCY = r"^[A-Z]{3}$"
TEXT = 20000
#: A date an agreement or obligation may name (see ``models.within_dates``).
Day = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


def _refusals(request: HttpRequest, call: Callable[[], Any]) -> Any:
    """Run a workflow call; a broken rule becomes problem details that name it."""
    try:
        return call()
    except services.SegregationOfDuties as refused:
        return problem(request, 403, _("Segregation of duties."), str(refused), rule=refused.rule)
    except services.RuleBroken as refused:
        return problem(request, 409, _("Conflict."), str(refused), rule=refused.rule)


# --- organisations and contacts -------------------------------------------------------------------


class OrganisationOut(RecordOut):
    code: str
    name: str
    is_supplier: bool
    is_customer: bool
    domain_id: int | None
    scope_id: int
    registration_number: str
    address: str
    website: str
    notes: str


class OrganisationIn(Strict):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    is_supplier: bool = True
    is_customer: bool = False
    domain: RecordId | None = None
    registration_number: str = Field("", max_length=60)
    address: str = Field("", max_length=TEXT)
    website: str = Field("", max_length=200)
    notes: str = Field("", max_length=TEXT)


class OrganisationFilter(CodeNameFilter):
    is_supplier: bool | None = None
    is_customer: bool | None = None
    domain_id: RecordId | None = None


class ContactOut(RecordOut):
    organisation_id: int
    person_id: int | None
    name: str
    email: str
    phone: str
    role: str


class ContactIn(Strict):
    organisation: RecordId
    person: RecordId | None = None
    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    role: str = Field("", max_length=100)


class ContactFilter(CodeNameFilter):
    organisation_id: RecordId | None = None


organisations = record_router(
    model=Organisation,
    out_schema=OrganisationOut,
    create_schema=OrganisationIn,
    update_schema=partial(OrganisationIn),
    filter_schema=OrganisationFilter,
    tag="external organisations",
    resolve=resolve_relations(Organisation),
)
contacts = record_router(
    model=Contact,
    out_schema=ContactOut,
    create_schema=ContactIn,
    update_schema=partial(ContactIn),
    filter_schema=ContactFilter,
    tag="external organisations",
    resolve=resolve_relations(Contact),
)


# --- agreements -----------------------------------------------------------------------------------


class AgreementOut(RecordOut):
    kind: AgreementKind
    code: str
    name: str
    domain_id: int
    provider_unit_id: int | None
    provider_organisation_id: int | None
    customer_unit_id: int | None
    customer_organisation_id: int | None
    contract_manager_id: int
    description: str
    current_version_id: int | None
    current_version_number: int | None = Field(None, description="The number of the approved version in force")
    project_ids: list[int]

    list_annotations: ClassVar[dict[str, Any]] = {}

    @staticmethod
    def resolve_project_ids(obj: Any) -> list[int]:
        return list(obj["project_ids"]) if isinstance(obj, dict) else [p.pk for p in obj.projects.all()]

    @staticmethod
    def resolve_current_version_number(obj: Any) -> int | None:
        if isinstance(obj, dict):
            return obj.get("current_version_number")
        return obj.current_version.number if obj.current_version_id else None

    @staticmethod
    def finish_rows(rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        projects: dict[int, list[int]] = {pk: [] for pk in ids}
        through = Agreement.projects.through
        for agreement_id, project_id in (
            through.objects.filter(agreement_id__in=ids).order_by("project_id").values_list("agreement_id", "project_id")
        ):
            projects[agreement_id].append(project_id)
        numbers = dict(
            AgreementVersion.objects.filter(
                pk__in=[r["current_version_id"] for r in rows if r["current_version_id"]]
            ).values_list("pk", "number")
        )
        for row in rows:
            row["project_ids"] = projects[row["id"]]
            row["current_version_number"] = numbers.get(row["current_version_id"])


class AgreementIn(Strict):
    kind: AgreementKind
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    domain: RecordId
    provider_unit: RecordId | None = None
    provider_organisation: RecordId | None = None
    customer_unit: RecordId | None = None
    customer_organisation: RecordId | None = None
    contract_manager: RecordId
    projects: list[RecordId] = Field(default_factory=list, max_length=500)
    description: str = Field("", max_length=TEXT)


AgreementPatch = partial(AgreementIn)


class AgreementFilter(CodeNameFilter):
    kind: AgreementKind | None = None
    domain_id: RecordId | None = None
    provider_organisation_id: RecordId | None = None
    customer_organisation_id: RecordId | None = None
    contract_manager_id: RecordId | None = None


class AgreementPage(Schema):
    items: list[AgreementOut]
    count: int


def _one(queryset: QuerySet, pk: int | None, name: str, errors: dict[str, list[str]]) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        errors[name] = [_("No such record: %s") % pk]
    return found


def _agreement_data(request: HttpRequest, data: dict[str, Any], agreement: Agreement | None = None) -> dict[str, Any]:
    """Ids into records: units, external organisations and people by name from the whole organisation (as
    the form offers them), the domain and projects among those the user sees (or the agreement has)."""
    from regie.portfolio.models import Project

    errors: dict[str, list[str]] = {}
    units = OrgUnit.objects.active()
    organisations = Organisation.objects.active()
    for name, queryset in (
        ("provider_unit", units),
        ("customer_unit", units),
        ("provider_organisation", organisations),
        ("customer_organisation", organisations),
        ("contract_manager", Person.objects.active()),
        ("domain", Domain.objects.active().visible_to(request.user)),
    ):
        if name in data:
            data[name] = _one(queryset, data[name], name, errors)
    if "projects" in data:
        wanted = data["projects"] or []
        kept = list(agreement.projects.values_list("pk", flat=True)) if agreement else []
        visible = Project.objects.filter(
            Q(pk__in=Project.objects.active().visible_to(request.user).values("pk")) | Q(pk__in=kept)
        )
        found = list(visible.filter(pk__in=wanted))
        missing = sorted(set(wanted) - {p.pk for p in found})
        if missing:
            errors["projects"] = [_("No such record: %s") % ", ".join(map(str, missing))]
        data["projects"] = found
    if errors:
        raise ValidationError(errors)
    return data


agreements = Router(tags=["agreements"])
_serialize_agreements = rows_serializer(Agreement, AgreementOut)


def _agreement(request: HttpRequest, pk: int) -> Agreement:
    check_id(pk)
    agreement = Agreement.objects.visible_to(request.user).select_related("domain__scope").filter(pk=pk).first()
    if agreement is None:
        raise Http404
    return agreement


@agreements.get("/", response=AgreementPage, operation_id="agreement_list", summary="List agreements")
def list_agreements(request: HttpRequest, filters: Query[AgreementFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    qs = Agreement.objects.visible_to(request.user).filter(search_filter(Agreement, params.pop("q", None)))
    if not params.pop("archived", False):
        qs = qs.filter(archived_at__isnull=True)
    qs = qs.filter(**params).order_by("pk")
    body = {"items": _serialize_agreements(qs[page.offset : page.offset + page.limit]), "count": qs.count()}
    return HttpResponse(dumps(body), content_type="application/json")


@agreements.get("/{int:pk}", response=AgreementOut, operation_id="agreement_get", summary="Get one agreement")
def get_agreement(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    agreement = _agreement(request, pk)
    response["ETag"] = etag_of(agreement)
    return agreement


@agreements.post("/", response={201: AgreementOut}, operation_id="agreement_create", summary="Create an agreement")
def create_agreement(request: HttpRequest, response: HttpResponse, payload: AgreementIn) -> Any:
    if not permissions.holds_anywhere(request.user, "suppliers.add_agreement"):
        raise PermissionDenied
    data = _agreement_data(request, payload.model_dump())
    agreement = services.agreement_create(actor=request.user, data=data)
    response["ETag"] = etag_of(agreement)
    return Status(201, agreement)


@agreements.patch(
    "/{int:pk}", response=AgreementOut, operation_id="agreement_update", summary="Change an agreement (send If-Match)"
)
def update_agreement(request: HttpRequest, response: HttpResponse, pk: int, payload: AgreementPatch) -> Any:  # type: ignore[valid-type]
    agreement = _agreement(request, pk)
    data = _agreement_data(request, payload.model_dump(exclude_unset=True), agreement)  # type: ignore[attr-defined]
    agreement = services.agreement_update(
        actor=request.user, agreement=agreement, data=data, expected_version=expected_version(request)
    )
    response["ETag"] = etag_of(agreement)
    return agreement


@agreements.post(
    "/{int:pk}/archive", response=AgreementOut, operation_id="agreement_archive", summary="Archive or restore (send If-Match)"
)
def archive_agreement(request: HttpRequest, response: HttpResponse, pk: int, restore: bool = False) -> Any:
    agreement = services.agreement_archive(
        actor=request.user, agreement=_agreement(request, pk), expected_version=expected_version(request), restore=restore
    )
    response["ETag"] = etag_of(agreement)
    return agreement


@agreements.get(
    "/{int:pk}/history", response=list[HistoryEntryOut], operation_id="agreement_history", summary="History of an agreement"
)
def agreement_history(request: HttpRequest, pk: int) -> Any:
    return history_for(_agreement(request, pk))


# --- versions -------------------------------------------------------------------------------------


class TargetOut(Schema):
    id: int
    version_id: int
    metric: Metric
    priority: int | None
    target: Decimal
    compliance: Decimal | None = Field(None, description="Share of cases to be handled within a time target (%)")
    offering_id: int | None


class TargetIn(Strict):
    metric: Metric
    priority: int | None = Field(None, ge=1, le=4)
    target: Decimal = Field(..., max_digits=9, decimal_places=2)
    compliance: Decimal | None = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
    offering: RecordId | None = None


class VersionOut(Schema):
    id: int
    version: int = Field(..., description="The lock counter to send as If-Match")
    agreement_id: int
    number: int
    status: VersionStatus
    start: date
    end: date | None
    renewal_date: date | None
    notice_date: date | None
    calendar_id: int | None
    annual_value: Decimal
    currency: str
    price_terms: str
    penalty_terms: str
    change_summary: str
    service_ids: list[int]
    offering_ids: list[int]
    targets: list[TargetOut]
    specified_by_id: int
    edited_by_ids: list[int]
    submitted_by_id: int | None
    submitted_at: datetime | None
    approved_by_id: int | None
    approved_at: datetime | None
    warnings: list[str] = Field(default_factory=list, description="Overlapping agreements (refused at submission)")

    @staticmethod
    def resolve_service_ids(obj: Any) -> list[int]:
        return [s.pk for s in obj.services.all()]

    @staticmethod
    def resolve_offering_ids(obj: Any) -> list[int]:
        return [o.pk for o in obj.offerings.all()]

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.all())

    @staticmethod
    def resolve_edited_by_ids(obj: Any) -> list[int]:
        return [p.pk for p in obj.edited_by.all()]

    @staticmethod
    def resolve_warnings(obj: Any) -> list[str]:
        return list(getattr(obj, "warnings", []))


class VersionPatch(Strict):
    start: Day | None = None
    end: Day | None = None
    renewal_date: Day | None = None
    notice_date: Day | None = None
    calendar: RecordId | None = None
    annual_value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, pattern=CURRENCY)
    price_terms: str | None = Field(None, max_length=TEXT)
    penalty_terms: str | None = Field(None, max_length=TEXT)
    change_summary: str | None = Field(None, max_length=TEXT)
    services: list[RecordId] | None = Field(None, max_length=500)
    offerings: list[RecordId] | None = Field(None, max_length=500)


class NewVersionIn(Strict):
    change_summary: str = Field("", max_length=TEXT)


class ReturnIn(Strict):
    reason: str = Field(..., min_length=1, max_length=1000)


def _versions(request: HttpRequest, agreement: Agreement) -> QuerySet:
    return selectors.versions_visible(request.user, agreement).prefetch_related("services", "offerings", "targets", "edited_by")


def _version(request: HttpRequest, pk: int, number: int) -> AgreementVersion:
    agreement = _agreement(request, pk)
    check_id(number)
    version = _versions(request, agreement).filter(number=number).first()
    if version is None:
        raise Http404
    version.agreement = agreement
    return version


def _fresh(version: AgreementVersion) -> AgreementVersion:
    """Re-read a version with its relations after a write (the prefetched lists are stale)."""
    fresh = AgreementVersion.objects.prefetch_related("services", "offerings", "targets", "edited_by").get(pk=version.pk)
    fresh.warnings = getattr(version, "warnings", [])  # type: ignore[attr-defined]
    return fresh


def _version_response(response: HttpResponse, version: AgreementVersion) -> AgreementVersion:
    response["ETag"] = etag_of(version)
    return version


def _version_data(request: HttpRequest, data: dict[str, Any], version: AgreementVersion) -> dict[str, Any]:
    from regie.planning.models import WorkCalendar
    from regie.services.models import Service, ServiceOffering

    errors: dict[str, list[str]] = {}
    for name in ("price_terms", "penalty_terms", "change_summary"):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("start", "annual_value", "currency"):
        if name in data and data[name] is None:
            errors[name] = [_("This field cannot be empty.")]
    if "calendar" in data and data["calendar"] is not None:
        data["calendar"] = _one(WorkCalendar.objects.active(), data["calendar"], "calendar", errors)
    for name, model in (("services", Service), ("offerings", ServiceOffering)):
        if name not in data:
            continue
        if data[name] is None:
            data[name] = []
        kept = list(getattr(version, name).values_list("pk", flat=True))
        visible = model.objects.filter(Q(pk__in=model.objects.active().visible_to(request.user).values("pk")) | Q(pk__in=kept))
        found = list(visible.filter(pk__in=data[name]))
        missing = sorted(set(data[name]) - {o.pk for o in found})
        if missing:
            errors[name] = [_("No such record: %s") % ", ".join(map(str, missing))]
        data[name] = found
    if errors:
        raise ValidationError(errors)
    return data


@agreements.get(
    "/{int:pk}/versions",
    response=list[VersionOut],
    operation_id="agreement_versions",
    summary="An agreement's versions, newest first",
)
def list_versions(request: HttpRequest, pk: int) -> Any:
    return list(_versions(request, _agreement(request, pk))[:200])


@agreements.get(
    "/{int:pk}/versions/{int:number}", response=VersionOut, operation_id="agreement_version_get", summary="One version"
)
def get_version(request: HttpRequest, response: HttpResponse, pk: int, number: int) -> Any:
    return _version_response(response, _version(request, pk, number))


@agreements.post(
    "/{int:pk}/versions",
    response={201: VersionOut, 403: dict, 409: dict},
    operation_id="agreement_version_new",
    summary="Start a new draft from the version in force",
)
def new_version(request: HttpRequest, response: HttpResponse, pk: int, payload: NewVersionIn) -> Any:
    agreement = _agreement(request, pk)

    def call() -> Any:
        draft = services.version_new(actor=request.user, agreement=agreement, change_summary=payload.change_summary)
        return Status(201, _version_response(response, _fresh(draft)))

    return _refusals(request, call)


@agreements.patch(
    "/{int:pk}/versions/{int:number}",
    response={200: VersionOut, 409: dict},
    operation_id="agreement_version_update",
    summary="Change a draft's terms (send If-Match)",
)
def update_version(request: HttpRequest, response: HttpResponse, pk: int, number: int, payload: VersionPatch) -> Any:
    version = _version(request, pk, number)
    expected = expected_version(request)

    def call() -> Any:
        data = _version_data(request, payload.model_dump(exclude_unset=True), version)
        saved, warnings = services.version_update(actor=request.user, version=version, data=data, expected_version=expected)
        saved.warnings = warnings  # type: ignore[attr-defined]
        return _version_response(response, _fresh(saved))

    return _refusals(request, call)


def _transition(request: HttpRequest, response: HttpResponse, pk: int, number: int, action: Callable[..., Any]) -> Any:
    version = _version(request, pk, number)
    expected = expected_version(request)

    def call() -> Any:
        return _version_response(response, _fresh(action(version, expected)))

    return _refusals(request, call)


@agreements.post(
    "/{int:pk}/versions/{int:number}/submit",
    response={200: VersionOut, 403: dict, 409: dict},
    operation_id="agreement_version_submit",
    summary="Submit a draft for approval (send If-Match)",
)
def submit_version(request: HttpRequest, response: HttpResponse, pk: int, number: int) -> Any:
    return _transition(
        request,
        response,
        pk,
        number,
        lambda v, expected: services.version_submit(actor=request.user, version=v, expected_version=expected),
    )


@agreements.post(
    "/{int:pk}/versions/{int:number}/approve",
    response={200: VersionOut, 403: dict, 409: dict},
    operation_id="agreement_version_approve",
    summary="Approve a version in review: a contract manager who did not specify or edit it (send If-Match)",
)
def approve_version(request: HttpRequest, response: HttpResponse, pk: int, number: int) -> Any:
    return _transition(
        request,
        response,
        pk,
        number,
        lambda v, expected: services.version_approve(actor=request.user, version=v, expected_version=expected),
    )


@agreements.post(
    "/{int:pk}/versions/{int:number}/return",
    response={200: VersionOut, 403: dict, 409: dict},
    operation_id="agreement_version_return",
    summary="Send a version in review back to draft (send If-Match)",
)
def return_version(request: HttpRequest, response: HttpResponse, pk: int, number: int, payload: ReturnIn) -> Any:
    return _transition(
        request,
        response,
        pk,
        number,
        lambda v, expected: services.version_return(
            actor=request.user, version=v, reason=payload.reason, expected_version=expected
        ),
    )


def _target_data(request: HttpRequest, data: dict[str, Any], version: AgreementVersion) -> dict[str, Any]:
    if data.get("offering") is not None:
        errors: dict[str, list[str]] = {}
        data["offering"] = _one(version.offerings.all(), data["offering"], "offering", errors)
        if errors:
            raise ValidationError(errors)
    return data


@agreements.post(
    "/{int:pk}/versions/{int:number}/targets",
    response={201: TargetOut, 403: dict, 409: dict},
    operation_id="agreement_target_add",
    summary="Add a service-level target to a draft (send If-Match of the version)",
)
def add_target(request: HttpRequest, pk: int, number: int, payload: TargetIn) -> Any:
    version = _version(request, pk, number)
    expected = expected_version(request)

    def call() -> Any:
        data = _target_data(request, payload.model_dump(), version)
        return Status(201, services.target_add(actor=request.user, version=version, data=data, expected_version=expected))

    return _refusals(request, call)


@agreements.delete(
    "/{int:pk}/versions/{int:number}/targets/{int:target_pk}",
    response={204: None, 403: dict, 409: dict},
    operation_id="agreement_target_remove",
    summary="Remove a target from a draft (send If-Match of the version)",
)
def remove_target(request: HttpRequest, pk: int, number: int, target_pk: int) -> Any:
    version = _version(request, pk, number)
    check_id(target_pk)
    target = version.targets.filter(pk=target_pk).first()
    if target is None:
        raise Http404
    expected = expected_version(request)

    def call() -> Any:
        services.target_remove(actor=request.user, target=target, expected_version=expected)
        return Status(204, None)

    return _refusals(request, call)


# --- targets (read-only, across agreements) -------------------------------------------------------


class TargetFilter(Strict):
    agreement_id: RecordId | None = None
    version_id: RecordId | None = None
    metric: Metric | None = None
    in_force: bool | None = Field(None, description="Only the targets of versions in force")


class TargetPage(Schema):
    items: list[TargetOut]
    count: int


targets = Router(tags=["agreements"])
_serialize_targets = rows_serializer(ServiceLevelTarget, TargetOut)


def _visible_targets(request: HttpRequest) -> QuerySet:
    """The targets of the versions the user sees (an external viewer: of the agreed versions only)."""
    return ServiceLevelTarget.objects.filter(version__in=selectors.all_versions_visible(request.user).values("pk"))


@targets.get("/", response=TargetPage, operation_id="agreement_target_list", summary="List service-level targets")
def list_targets(request: HttpRequest, filters: Query[TargetFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    qs = _visible_targets(request)
    if "agreement_id" in params:
        qs = qs.filter(version__agreement_id=params.pop("agreement_id"))
    if params.pop("in_force", False):
        # In force: the agreement's current version (an approved version that starts later is not yet).
        qs = qs.filter(version__agreement__current_version_id=F("version_id"))
    qs = qs.filter(**params).order_by("pk")
    body = {"items": _serialize_targets(qs[page.offset : page.offset + page.limit]), "count": qs.count()}
    return HttpResponse(dumps(body), content_type="application/json")


@targets.get("/{int:pk}", response=TargetOut, operation_id="agreement_target_get", summary="One service-level target")
def get_target(request: HttpRequest, pk: int) -> Any:
    check_id(pk)
    target = _visible_targets(request).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


# --- obligations ----------------------------------------------------------------------------------


class ObligationOut(Schema):
    id: int
    revision: int = Field(..., description="The lock counter to send as If-Match")
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    agreement_id: int
    version_id: int | None
    description: str
    owed_by: OwedBy
    due_date: date
    recurrence: Recurrence
    status: ObligationStatus
    flag: str = Field(..., description="on_time, late, missed, overdue, open or waived")
    delivered_on: date | None
    consequence_kind: str
    penalty_amount: Decimal | None
    currency: str
    owner_id: int | None
    notes: str

    list_annotations: ClassVar[dict[str, Any]] = {}

    @staticmethod
    def resolve_flag(obj: Any) -> str:
        return obj["flag"] if isinstance(obj, dict) else obj.flag


class ObligationChange(Strict):
    version: RecordId | None = None
    description: str | None = Field(None, min_length=1, max_length=TEXT)
    owed_by: OwedBy | None = None
    due_date: Day | None = None
    recurrence: Recurrence | None = None
    consequence_kind: ConsequenceKind | None = None
    penalty_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, pattern=CURRENCY)
    owner: RecordId | None = None
    notes: str | None = Field(None, max_length=TEXT)


class ObligationIn(ObligationChange):
    agreement: RecordId
    description: str = Field(..., min_length=1, max_length=TEXT)  # type: ignore[assignment]
    due_date: Day  # type: ignore[assignment]


class ObligationFilter(Strict):
    agreement_id: RecordId | None = None
    supplier_id: RecordId | None = Field(None, description="Obligations under the contracts this supplier holds")
    status: ObligationStatus | None = None
    flag: str | None = Field(None, pattern=r"^(on_time|late|missed|overdue|open|waived)$")
    owner_id: RecordId | None = None
    q: str | None = Field(None, max_length=200)
    archived: bool = False


class DeliverIn(Strict):
    delivered_on: Day


class CloseIn(Strict):
    status: ObligationStatus
    note: str = Field("", max_length=2000)
    penalty_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    consequence_kind: ConsequenceKind | None = None


class ObligationPage(Schema):
    items: list[ObligationOut]
    count: int


class DeliveredOut(Schema):
    obligation: ObligationOut
    next: ObligationOut | None


obligations = Router(tags=["obligations"])
_serialize_obligations = rows_serializer(Obligation, ObligationOut)


def _revision_etag(obligation: Obligation) -> str:
    return f'"{obligation.revision}"'


def _obligation(request: HttpRequest, pk: int) -> Obligation:
    check_id(pk)
    obligation = selectors.with_flags(Obligation.objects.visible_to(request.user)).filter(pk=pk).first()
    if obligation is None:
        raise Http404
    return obligation


def _obligation_data(request: HttpRequest, data: dict[str, Any], agreement: Agreement) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if "version" in data and data["version"] is not None:
        data["version"] = _one(agreement.versions.all(), data["version"], "version", errors)
    if "owner" in data and data["owner"] is not None:
        data["owner"] = _one(Person.objects.active(), data["owner"], "owner", errors)
    for name in ("notes", "consequence_kind"):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("owed_by", "recurrence", "currency", "due_date", "description"):
        if name in data and data[name] is None:
            errors[name] = [_("This field cannot be empty.")]
    if errors:
        raise ValidationError(errors)
    return data


def _flagged(obligation: Obligation) -> Obligation:
    return selectors.with_flags(Obligation.objects.all()).get(pk=obligation.pk)


@obligations.get("/", response=ObligationPage, operation_id="obligation_list", summary="List obligations")
def list_obligations(request: HttpRequest, filters: Query[ObligationFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    qs = Obligation.objects.visible_to(request.user).filter(search_filter(Obligation, params.pop("q", None)))
    if not params.pop("archived", False):
        qs = qs.filter(archived_at__isnull=True)
    if "supplier_id" in params:
        qs = qs.filter(agreement__provider_organisation_id=params.pop("supplier_id"))
    qs = selectors.with_flags(qs, timezone.localdate()).filter(**params).order_by("pk")
    rows = list(qs[page.offset : page.offset + page.limit].values(*ObligationOut.model_fields))
    return HttpResponse(dumps({"items": rows, "count": qs.count()}), content_type="application/json")


@obligations.get("/{int:pk}", response=ObligationOut, operation_id="obligation_get", summary="Get one obligation")
def get_obligation(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    obligation = _obligation(request, pk)
    response["ETag"] = _revision_etag(obligation)
    return obligation


@obligations.post(
    "/", response={201: ObligationOut}, operation_id="obligation_create", summary="Add an obligation to an agreement"
)
def create_obligation(request: HttpRequest, response: HttpResponse, payload: ObligationIn) -> Any:
    if not permissions.holds_anywhere(request.user, "suppliers.add_obligation"):
        raise PermissionDenied
    data = payload.model_dump(exclude_unset=True)
    agreement = Agreement.objects.visible_to(request.user).filter(pk=data.pop("agreement")).first()
    if agreement is None:
        raise ValidationError({"agreement": [_("No such record: %s") % payload.agreement]})
    obligation = services.obligation_create(
        actor=request.user, agreement=agreement, data=_obligation_data(request, data, agreement)
    )
    response["ETag"] = _revision_etag(obligation)
    return Status(201, _flagged(obligation))


@obligations.patch(
    "/{int:pk}", response=ObligationOut, operation_id="obligation_update", summary="Change an obligation (send If-Match)"
)
def update_obligation(request: HttpRequest, response: HttpResponse, pk: int, payload: ObligationChange) -> Any:
    obligation = _obligation(request, pk)
    data = _obligation_data(request, payload.model_dump(exclude_unset=True), obligation.agreement)
    obligation = services.obligation_update(
        actor=request.user, obligation=obligation, data=data, expected_revision=expected_version(request)
    )
    response["ETag"] = _revision_etag(obligation)
    return _flagged(obligation)


@obligations.post(
    "/{int:pk}/deliver",
    response={200: DeliveredOut, 409: dict},
    operation_id="obligation_deliver",
    summary="Record delivery: late after the due date (send If-Match)",
)
def deliver_obligation(request: HttpRequest, response: HttpResponse, pk: int, payload: DeliverIn) -> Any:
    obligation = _obligation(request, pk)
    expected = expected_version(request)

    def call() -> Any:
        done, following = services.obligation_deliver(
            actor=request.user, obligation=obligation, delivered_on=payload.delivered_on, expected_revision=expected
        )
        response["ETag"] = _revision_etag(done)
        return {"obligation": _flagged(done), "next": _flagged(following) if following else None}

    return _refusals(request, call)


@obligations.post(
    "/{int:pk}/close",
    response={200: ObligationOut, 409: dict},
    operation_id="obligation_close",
    summary="Declare an open obligation missed or waive it (send If-Match)",
)
def close_obligation(request: HttpRequest, response: HttpResponse, pk: int, payload: CloseIn) -> Any:
    obligation = _obligation(request, pk)
    expected = expected_version(request)

    def call() -> Any:
        done = services.obligation_close(
            actor=request.user,
            obligation=obligation,
            status=payload.status,
            note=payload.note,
            penalty_amount=payload.penalty_amount,
            consequence_kind=payload.consequence_kind or None,
            expected_revision=expected,
        )
        response["ETag"] = _revision_etag(done)
        return _flagged(done)

    return _refusals(request, call)


@obligations.post(
    "/{int:pk}/archive", response=ObligationOut, operation_id="obligation_archive", summary="Archive or restore (send If-Match)"
)
def archive_obligation(request: HttpRequest, response: HttpResponse, pk: int, restore: bool = False) -> Any:
    obligation = services.obligation_archive(
        actor=request.user, obligation=_obligation(request, pk), expected_revision=expected_version(request), restore=restore
    )
    response["ETag"] = _revision_etag(obligation)
    return _flagged(obligation)


@obligations.get(
    "/{int:pk}/history", response=list[HistoryEntryOut], operation_id="obligation_history", summary="History of an obligation"
)
def obligation_history(request: HttpRequest, pk: int) -> Any:
    return history_for(_obligation(request, pk))
