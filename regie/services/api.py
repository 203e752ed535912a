"""The service catalogue API: services and their offerings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from ninja import Field

from regie.core.api import CodeNameFilter, RecordOut, Strict, partial
from regie.core.api_tools import RecordId, record_router, resolve_relations
from regie.services.models import Service, ServiceOffering, ServiceStatus

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

    @staticmethod
    def resolve_customer_ids(obj: Any) -> list[int]:
        return list(obj["customer_ids"]) if isinstance(obj, dict) else [u.pk for u in obj.customers.all()]

    @staticmethod
    def finish_rows(rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        customers: dict[int, list[int]] = {pk: [] for pk in ids}
        through = Service.customers.through
        for service_id, unit_id in (
            through.objects.filter(service_id__in=ids).order_by("orgunit_id").values_list("service_id", "orgunit_id")
        ):
            customers[service_id].append(unit_id)
        for row in rows:
            row["customer_ids"] = customers[row["id"]]

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
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from regie.core.models import OrgUnit

    wanted = data.pop("customers", None)
    data = _resolve_service(request, data)
    if wanted is not None:
        found = list(OrgUnit.objects.active().filter(pk__in=wanted))
        missing = sorted(set(wanted) - {u.pk for u in found})
        if missing:
            raise ValidationError({"customers": [_("No such record: %s") % ", ".join(map(str, missing))]})
        data["customers"] = found
    return data


services = record_router(
    model=Service,
    out_schema=ServiceOut,
    create_schema=ServiceIn,
    update_schema=partial(ServiceIn),
    filter_schema=ServiceFilter,
    tag="services",
    resolve=_resolve_with_customers,
    queryset=lambda: Service.objects.prefetch_related("customers"),
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
