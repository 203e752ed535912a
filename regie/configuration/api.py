"""The configuration register API: item types, items (with their impact and an import), relations and
supporting items."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Schema, Status
from ninja.files import UploadedFile

from regie.configuration import selectors, tasks
from regie.configuration.choices import ItemStatus, RelationKind
from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.core.api import CodeNameFilter, RecordOut, Strict, partial
from regie.core.api_tools import RecordId, check_id, dumps, record_router, resolve_relations

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


# --- types ----------------------------------------------------------------------------------------


class ItemTypeOut(RecordOut):
    code: str
    name: str
    domain_id: int | None
    description: str
    attributes: list[dict[str, Any]] = Field(..., description="The attribute definitions")


class ItemTypeIn(Strict):
    code: str = Field(..., min_length=1, max_length=30, pattern=CODE)
    name: str = Field(..., min_length=1, max_length=100)
    domain: RecordId | None = None
    description: str = Field("", max_length=20000)
    attributes: list[Any] = Field(
        default_factory=list,
        max_length=200,
        description='A list of {"name": "ram_gb", "label": "RAM (GB)", "kind": "integer", "required": false}; '
        'kinds: integer, decimal, text, date, boolean, choice (with "choices": [...])',
    )


class ItemTypeFilter(CodeNameFilter):
    domain_id: RecordId | None = None


# --- items ----------------------------------------------------------------------------------------


class ItemOut(RecordOut):
    item_type_id: int
    name: str
    identifier: str
    domain_id: int
    status: ItemStatus
    owner_team_id: int | None
    owner_person_id: int | None
    description: str
    attributes: dict[str, Any]


class ItemIn(Strict):
    item_type: RecordId
    name: str = Field(..., min_length=1, max_length=200)
    identifier: str = Field(..., min_length=1, max_length=100)
    domain: RecordId
    status: ItemStatus = ItemStatus.IN_USE
    owner_team: RecordId | None = None
    owner_person: RecordId | None = None
    description: str = Field("", max_length=20000)
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="The values of the attributes the type defines, by name (a change replaces them all)"
    )


class ItemFilter(Strict):
    q: str | None = Field(None, max_length=100, description="Search in name and identifier")
    item_type_id: RecordId | None = None
    domain_id: RecordId | None = None
    status: ItemStatus | None = None
    owner_team_id: RecordId | None = None
    archived: bool = Field(False, description="Include archived records")


_resolve_item = resolve_relations(ConfigurationItem)


def _resolve_attributes(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Attributes must be an object; its values are checked by the model against the type."""
    if "attributes" in data and data["attributes"] is None:
        raise ValidationError({"attributes": [_("Send an object of name: value (empty: {}).")]})
    return _resolve_item(request, data)


# --- relations and supporting items ---------------------------------------------------------------


class RelationOut(RecordOut):
    source_id: int
    kind: RelationKind
    target_id: int
    note: str


class RelationIn(Strict):
    source: RecordId
    kind: RelationKind = RelationKind.RUNS_ON
    target: RecordId
    note: str = Field("", max_length=200)


class RelationFilter(Strict):
    source_id: RecordId | None = None
    target_id: RecordId | None = None
    kind: RelationKind | None = None
    archived: bool = False


class ServiceItemOut(RecordOut):
    item_id: int
    service_id: int
    note: str


class ServiceItemIn(Strict):
    item: RecordId
    service: RecordId
    note: str = Field("", max_length=200)


class ServiceItemFilter(Strict):
    item_id: RecordId | None = None
    service_id: RecordId | None = None
    archived: bool = False


item_types = record_router(
    model=ItemType,
    out_schema=ItemTypeOut,
    create_schema=ItemTypeIn,
    update_schema=partial(ItemTypeIn),
    filter_schema=ItemTypeFilter,
    tag="configuration item types",
    resolve=resolve_relations(ItemType),
)
items = record_router(
    model=ConfigurationItem,
    out_schema=ItemOut,
    create_schema=ItemIn,
    update_schema=partial(ItemIn),
    filter_schema=ItemFilter,
    tag="configuration items",
    resolve=_resolve_attributes,
)
relations = record_router(
    model=Relation,
    out_schema=RelationOut,
    create_schema=RelationIn,
    update_schema=partial(RelationIn),
    filter_schema=RelationFilter,
    tag="configuration relations",
    resolve=resolve_relations(Relation),
)
supporting_items = record_router(
    model=ServiceItem,
    out_schema=ServiceItemOut,
    create_schema=ServiceItemIn,
    update_schema=partial(ServiceItemIn),
    filter_schema=ServiceItemFilter,
    tag="configuration supporting items",
    resolve=resolve_relations(ServiceItem),
)


# --- impact, dependencies and import --------------------------------------------------------------


class ReachedItemOut(Schema):
    id: int
    name: str
    identifier: str
    item_type_id: int
    item_type: str
    domain_id: int
    status: ItemStatus
    depth: int = Field(..., description="1 = directly related")
    via_id: int | None = Field(None, description="A nearer item it is reached through")


class NamedOut(Schema):
    id: int
    code: str
    name: str


class TypeCountOut(Schema):
    item_type_id: int
    item_type: str
    count: int


class ImpactOut(Schema):
    item_id: int
    direction: str
    depth_limit: int
    total_items: int = Field(..., description="Every item reached, including those you may not see")
    items: list[ReachedItemOut] = Field(..., description="The nearest items you may see (at most `limit`), nearest first")
    hidden_items: int = Field(..., description="Items among the nearest that you may not see")
    capped: bool = Field(..., description="More items were reached than `limit`")
    by_type: list[TypeCountOut]
    edges: list[list[int]] = Field(..., description="[nearer id, further id] among the item and the listed ones")
    services: list[NamedOut] = Field(default_factory=list, description="Every affected service you may see")
    hidden_services: int = 0
    customers: list[NamedOut] = Field(default_factory=list, description="The customers of those services")


class WalkParams(Strict):
    depth: int = Field(selectors.DEPTH_LIMIT, ge=1, le=selectors.MAX_DEPTH_LIMIT, description="Levels to follow")
    limit: int = Field(200, ge=1, le=2000, description="Items to list (the counts and services cover all)")


def _item(request: HttpRequest, pk: int) -> ConfigurationItem:
    check_id(pk)
    item = selectors.visible_items(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _walk_out(result: selectors.Impact) -> HttpResponse:
    """The answer, encoded directly (as the lists are): validating thousands of services and items one
    by one would cost more than finding them."""
    shown_ids = {result.item.pk} | {n.id for n in result.visible_nodes}
    body = {
        "item_id": result.item.pk,
        "direction": result.direction,
        "depth_limit": result.depth_limit,
        "total_items": result.total,
        "items": [
            {
                "id": n.id,
                "name": n.item.name,
                "identifier": n.item.identifier,
                "item_type_id": n.item.item_type_id,
                "item_type": n.item.item_type.name,
                "domain_id": n.item.domain_id,
                "status": n.item.status,
                "depth": n.depth,
                "via_id": n.via,
            }
            for n in result.visible_nodes
            if n.item is not None
        ],
        "hidden_items": result.hidden,
        "capped": result.capped,
        "by_type": [{"item_type_id": t.pk, "item_type": t.name, "count": n} for t, n in result.type_counts],
        "edges": [[a, b] for a, b in result.edges if a in shown_ids and b in shown_ids],
        "services": [{"id": s.pk, "code": s.code, "name": s.name} for s in result.services],
        "hidden_services": result.hidden_services,
        "customers": [{"id": u.pk, "code": u.code, "name": u.name} for u in result.customers],
    }
    return HttpResponse(dumps(body), content_type="application/json")


@items.get(
    "/{int:pk}/impact",
    response=ImpactOut,
    operation_id="configurationitem_impact",
    summary="What rests on an item (transitively), the services those support and their customers",
)
def item_impact(request: HttpRequest, pk: int, params: Query[WalkParams]) -> Any:
    item = _item(request, pk)
    return _walk_out(selectors.impact(request.user, item, depth_limit=params.depth, cap=params.limit))


@items.get(
    "/{int:pk}/dependencies",
    response=ImpactOut,
    operation_id="configurationitem_dependencies",
    summary="What an item rests on (transitively)",
)
def item_dependencies(request: HttpRequest, pk: int, params: Query[WalkParams]) -> Any:
    item = _item(request, pk)
    return _walk_out(
        selectors.impact(request.user, item, direction=selectors.DEPENDENCIES, depth_limit=params.depth, cap=params.limit)
    )


class JobRef(Schema):
    id: int
    status: str
    url: str


@items.post(
    "/import",
    response={202: JobRef},
    operation_id="configurationitem_import",
    summary='Import items (.xlsx, with an optional "relations" sheet, or .csv) and optionally relations (.csv), '
    "all or nothing; poll the job for the outcome",
)
def import_items(request: HttpRequest, items: File[UploadedFile], relations: File[UploadedFile] | None = None) -> Any:
    from django.conf import settings

    for name, upload in (("items", items), ("relations", relations)):
        if upload is None:
            continue
        if not (upload.name or "").lower().endswith((".xlsx", ".csv")):
            raise ValidationError({name: [_("Upload a .csv or .xlsx file.")]})
        if upload.size > settings.REGIE_IMPORT_MAX_BYTES:
            raise ValidationError({name: [_("The file is too large.")]})
    job = tasks.enqueue_import(request.user, items, relations)
    return Status(202, {"id": job.pk, "status": job.status, "url": f"/api/jobs/{job.pk}"})
