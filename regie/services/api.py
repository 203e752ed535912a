"""The service catalogue API: services and their offerings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Schema

from regie.core.api import CodeNameFilter, RecordOut, Strict, partial
from regie.core.api_tools import RecordId, check_id, record_router, resolve_relations
from regie.services.models import Service, ServiceLink, ServiceOffering, ServiceStatus

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class ServiceOut(RecordOut):
    code: str
    name: str
    domain_id: int
    scope_id: int = Field(..., description="The scope of its RAID log, documents and roles")
    owner_id: int
    manager_id: int | None
    status: ServiceStatus
    facility: str
    support: str
    annual_cost: Decimal
    currency: str
    customer_ids: list[int]
    customer_organisation_ids: list[int] = Field(..., description="External customers (organisations)")

    @staticmethod
    def resolve_customer_ids(obj: Any) -> list[int]:
        return list(obj["customer_ids"]) if isinstance(obj, dict) else [u.pk for u in obj.customers.all()]

    @staticmethod
    def resolve_customer_organisation_ids(obj: Any) -> list[int]:
        if isinstance(obj, dict):
            return list(obj["customer_organisation_ids"])
        return [o.pk for o in obj.customer_organisations.all()]

    @staticmethod
    def finish_rows(rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        customers: dict[int, list[int]] = {pk: [] for pk in ids}
        through = Service.customers.through
        for service_id, unit_id in (
            through.objects.filter(service_id__in=ids).order_by("orgunit_id").values_list("service_id", "orgunit_id")
        ):
            customers[service_id].append(unit_id)
        organisations: dict[int, list[int]] = {pk: [] for pk in ids}
        for service_id, organisation_id in (
            Service.customer_organisations.through.objects.filter(service_id__in=ids)
            .order_by("organisation_id")
            .values_list("service_id", "organisation_id")
        ):
            organisations[service_id].append(organisation_id)
        for row in rows:
            row["customer_ids"] = customers[row["id"]]
            row["customer_organisation_ids"] = organisations[row["id"]]

    list_annotations: ClassVar[dict[str, Any]] = {}


class ServiceIn(Strict):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    domain: RecordId
    owner: RecordId
    manager: RecordId | None = None
    status: ServiceStatus = ServiceStatus.IN_DESIGN
    facility: str = Field("", max_length=20000)
    support: str = Field("", max_length=20000)
    customers: list[RecordId] = Field(default_factory=list, max_length=1000)
    customer_organisations: list[RecordId] = Field(
        default_factory=list, max_length=1000, description="External organisations registered as customers"
    )
    annual_cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    currency: str = Field("EUR", min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")


class ServiceFilter(CodeNameFilter):
    domain_id: RecordId | None = None
    status: ServiceStatus | None = None
    owner_id: RecordId | None = None


class OfferingOut(RecordOut):
    service_id: int
    code: str
    name: str
    description: str
    price: Decimal
    unit: str


class OfferingIn(Strict):
    service: RecordId
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    price: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    unit: str = Field("", max_length=60)


class OfferingFilter(CodeNameFilter):
    service_id: RecordId | None = None


_resolve_service = resolve_relations(Service)


def _resolve_with_customers(request: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Customers are any active units of the organisation (their names are shared, as people's are)."""
    from regie.core.models import OrgUnit

    wanted = data.pop("customers", None)
    data = _resolve_service(request, data)
    if wanted is not None:
        found = list(OrgUnit.objects.active().filter(pk__in=wanted))
        missing = sorted(set(wanted) - {u.pk for u in found})
        if missing:
            raise ValidationError({"customers": [gettext("No such record: %s") % ", ".join(map(str, missing))]})
        data["customers"] = found
    outside = data.get("customer_organisations")
    if outside:
        not_customers = sorted(str(o) for o in outside if not o.is_customer)
        if not_customers:
            raise ValidationError(
                {"customer_organisations": [gettext("Not registered as an external customer: %s") % ", ".join(not_customers)]}
            )
    return data


services = record_router(
    model=Service,
    out_schema=ServiceOut,
    create_schema=ServiceIn,
    update_schema=partial(ServiceIn),
    filter_schema=ServiceFilter,
    tag="services",
    resolve=_resolve_with_customers,
    queryset=lambda: Service.objects.prefetch_related("customers", "customer_organisations"),
)
offerings = record_router(
    model=ServiceOffering,
    out_schema=OfferingOut,
    create_schema=OfferingIn,
    update_schema=partial(OfferingIn),
    filter_schema=OfferingFilter,
    tag="service offerings",
    resolve=resolve_relations(ServiceOffering),
)


class LinkOut(RecordOut):
    service_id: int
    supporting_service_id: int | None
    supplier_id: int | None
    responsible_team_id: int | None
    agreement_id: int | None
    result: str


class LinkIn(Strict):
    service: RecordId
    supporting_service: RecordId | None = Field(None, description="Either a supporting service …")
    supplier: RecordId | None = Field(None, description="… or a supplier (an external organisation)")
    responsible_team: RecordId | None = Field(None, description="Required for a supporting service")
    agreement: RecordId | None = Field(None, description="The OLA or underpinning contract that holds the link")
    result: str = Field(..., min_length=1, max_length=5000, description="The result this link is responsible for")


class LinkFilter(Strict):
    q: str | None = Field(None, max_length=100, description="Search in the result")
    archived: bool = Field(False, description="Include archived records")
    service_id: RecordId | None = None
    supporting_service_id: RecordId | None = None
    supplier_id: RecordId | None = None


_resolve_link = resolve_relations(ServiceLink)


def _resolve_link_with_team(request: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The responsible team is any active team of the organisation (a chain crosses units)."""
    from regie.core.models import Team

    team = data.pop("responsible_team", None) if "responsible_team" in data else ...
    data = _resolve_link(request, data)
    if team is not ...:
        found = Team.objects.active().filter(pk=team).first() if team is not None else None
        if team is not None and found is None:
            raise ValidationError({"responsible_team": [gettext("No such record: %s") % team]})
        data["responsible_team"] = found
    return data


links = record_router(
    model=ServiceLink,
    out_schema=LinkOut,
    create_schema=LinkIn,
    update_schema=partial(LinkIn),
    filter_schema=LinkFilter,
    tag="service chains",
    resolve=_resolve_link_with_team,
)


class ChainNodeOut(Schema):
    key: str
    kind: str = Field(..., description="service or supplier")
    id: int
    label: str
    depth: int = Field(..., description="-1 for services depending on this one, 0 for the service, 1… down its chain")


class ChainLinkOut(Schema):
    id: int
    source: str = Field(..., description="The providing node's key")
    target: str = Field(..., description="The key of the service it supports")
    responsible: str
    agreement_id: int | None
    result: str


class ChainOut(Schema):
    service_id: int
    nodes: list[ChainNodeOut]
    links: list[ChainLinkOut]
    truncated: bool


@services.get("/{pk}/chain", response=ChainOut, operation_id="service_chain", summary="A service's chain")
def service_chain(request: HttpRequest, pk: int) -> Any:
    """What depends on the service (one level up) and everything it depends on, link by link."""
    from regie.services import selectors

    check_id(pk)
    service = Service.objects.visible_to(request.user).filter(pk=pk).first()
    if service is None:
        raise Http404
    chain = selectors.chain(request.user, service)
    return {
        "service_id": service.pk,
        "nodes": [{"key": n.key, "kind": n.kind, "id": n.pk, "label": n.label, "depth": n.depth} for n in chain.nodes.values()],
        "links": [
            {
                "id": e.link.pk,
                "source": e.source,
                "target": e.target,
                "responsible": str(e.link.responsible or ""),
                "agreement_id": e.link.agreement_id,
                "result": e.link.result,
            }
            for e in chain.edges
        ],
        "truncated": chain.truncated,
    }


class MeasurementIn(Strict):
    service: RecordId
    target: RecordId = Field(..., description="The agreement version's service-level target")
    period: datetime.date = Field(..., description="Any day of the month measured")
    achieved: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=3)
    cases: int | None = Field(None, ge=0, le=10_000_000)
    breaches: int = Field(0, ge=0, le=10_000_000)
    link: RecordId | None = Field(None, description="The chain link the breaches are attributed to")


class MeasurementOut(Schema):
    id: int
    service_id: int
    target_id: int
    period: datetime.date
    link_id: int | None
    achieved: Decimal | None
    cases: int | None
    breaches: int
    source: str


class LevelMonthOut(Schema):
    period: datetime.date
    achieved: Decimal | None
    cases: int | None
    breaches: int
    met: bool | None


class LevelLinkOut(Schema):
    link_id: int
    breaches: int


class TargetLevelsOut(Schema):
    target_id: int
    agreement_id: int
    version: int
    metric: str
    priority: int | None
    agreed: Decimal | None
    months: list[LevelMonthOut]
    breaches_by_link: list[LevelLinkOut]


measurements = Router(tags=["service levels"])


@measurements.post(
    "/", response={200: MeasurementOut}, operation_id="service_level_record", summary="Record a month's service level"
)
def record_measurement(request: HttpRequest, payload: MeasurementIn) -> Any:
    """Record (or replace) what a service achieved against a target in one month."""
    from django.apps import apps

    from regie.services import services as service_writes

    data = payload.model_dump()
    errors: dict[str, list[str]] = {}
    service = Service.objects.visible_to(request.user).filter(pk=data["service"]).first()
    if service is None:
        errors["service"] = [gettext("No such record: %s") % data["service"]]
    target_model = apps.get_model("suppliers", "ServiceLevelTarget")
    # Whether the person may name this target is the service's rule (measurement_record).
    target = target_model.objects.select_related("version__agreement").filter(pk=data["target"]).first()
    if target is None:
        errors["target"] = [gettext("No such record: %s") % data["target"]]
    link = None
    if data["link"] is not None:
        link = ServiceLink.objects.filter(pk=data["link"], service=service).first() if service else None
        if link is None:
            errors["link"] = [gettext("No such record: %s") % data["link"]]
    if errors:
        raise ValidationError(errors)
    return service_writes.measurement_record(
        actor=request.user,
        service=service,  # type: ignore[arg-type]
        target=target,
        period=data["period"],
        achieved=data["achieved"],
        cases=data["cases"],
        breaches=data["breaches"],
        link=link,
    )


@services.get(
    "/{pk}/service-levels", response=list[TargetLevelsOut], operation_id="service_levels", summary="A service's service levels"
)
def service_levels(request: HttpRequest, pk: int, start: datetime.date | None = None, end: datetime.date | None = None) -> Any:
    """Targets against achievements per month (the last twelve complete months unless asked otherwise)."""
    from regie.services import selectors

    check_id(pk)
    service = Service.objects.visible_to(request.user).filter(pk=pk).first()
    if service is None:
        raise Http404
    from regie.services.views import last_twelve_months

    default_start, default_end = last_twelve_months()
    end = (end or default_end).replace(day=1)
    start = (start or default_start).replace(day=1)
    if start > end:
        raise ValidationError({"start": [gettext("The first month comes before the last.")]})
    if end.year > 9998 or start.year > 9998:
        raise ValidationError(
            {"end" if end.year > 9998 else "start": [gettext("Give a month before the year %(year)s.") % {"year": 9999}]}
        )
    if (end - start).days > 3700:
        raise ValidationError({"start": [gettext("Report at most ten years at once.")]})
    return [
        {
            "target_id": r.target.pk,
            "agreement_id": r.target.version.agreement_id,
            "version": r.target.version.number,
            "metric": r.target.metric,
            "priority": r.target.priority,
            "agreed": r.agreed,
            "months": [vars(row) for row in r.rows],
            "breaches_by_link": [{"link_id": link.pk, "breaches": n} for link, n in r.by_link.items()],
        }
        for r in selectors.service_levels(service, start, end)
    ]
