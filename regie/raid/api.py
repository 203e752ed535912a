"""The RAID log API: items of every kind, escalation, the heat map and overdue actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from regie.core.api import RecordOut, Strict
from regie.core.api_tools import (
    HistoryEntryOut,
    PageParams,
    RecordId,
    check_id,
    dumps,
    etag_of,
    expected_version,
    resolve_relations,
    rows_serializer,
    search_filter,
)
from regie.core.audit import history_for
from regie.core.models import Scope
from regie.raid import selectors, services
from regie.raid.choices import OPEN_STATUSES, Kind, Origin, Severity, Strategy
from regie.raid.choices import Status as ItemStatus
from regie.raid.models import RaidItem

items = Router(tags=["raid"])

_TEXT = Field(None, max_length=20000)
_SCORE = Field(None, ge=1, le=7)


class RaidItemOut(RecordOut):
    scope_id: int
    project_id: int | None
    kind: Kind
    title: str
    description: str
    owner_id: int | None
    status: ItemStatus
    due_date: date | None
    raised_by_id: int | None
    raised_on: date
    closed_on: date | None
    progress: str
    cause: str
    event: str
    effect: str
    probability: int | None
    impact: int | None
    exposure: int | None
    proximity: date | None
    strategy: str
    response: str
    residual_probability: int | None
    residual_impact: int | None
    residual_exposure: int | None
    severity: str
    resolution: str
    origin: Origin
    source_id: int | None
    origin_reference: str
    decided_by_id: int | None
    decided_on: date | None
    basis: str
    depends_on: str


class RaidItemChange(Strict):
    """The fields of an item; which apply depends on its kind (a field of another kind is refused)."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = _TEXT
    owner: RecordId | None = None
    status: ItemStatus | None = None
    due_date: date | None = None
    progress: str | None = _TEXT
    cause: str | None = _TEXT
    event: str | None = _TEXT
    effect: str | None = _TEXT
    probability: int | None = _SCORE
    impact: int | None = _SCORE
    proximity: date | None = None
    strategy: Strategy | None = None
    response: str | None = _TEXT
    residual_probability: int | None = _SCORE
    residual_impact: int | None = _SCORE
    severity: Severity | None = None
    resolution: str | None = _TEXT
    origin: Origin | None = None
    source: RecordId | None = None
    origin_reference: str | None = Field(None, max_length=200)
    decided_by: RecordId | None = None
    decided_on: date | None = None
    basis: str | None = _TEXT
    depends_on: str | None = Field(None, max_length=200)


class RaidItemIn(RaidItemChange):
    scope: RecordId
    kind: Kind
    title: str = Field(..., min_length=1, max_length=200)  # type: ignore[assignment]


class RaidItemFilter(Strict):
    kind: Kind | None = None
    status: ItemStatus | None = None
    open: bool | None = Field(None, description="Only items still open or in progress")
    within: RecordId | None = Field(None, description="Only items on this scope and the scopes below it")
    owner: RecordId | None = None
    overdue: bool | None = Field(None, description="Only open items past their due date")
    q: str | None = Field(None, max_length=200)
    archived: bool = False


class EscalateIn(Strict):
    to_scope: RecordId
    reason: str = Field(..., min_length=1, max_length=20000)


class RaidItemPage(Schema):
    items: list[RaidItemOut]
    count: int


class HeatMapOut(Schema):
    levels: int
    probability_names: list[str]
    impact_names: list[str]
    amber_from: int
    red_from: int
    total: int
    before: list[list[int]] = Field(..., description="Open risks per [probability - 1][impact - 1], as assessed")
    after: list[list[int]] = Field(..., description="The same after response (the residual score where given)")


_resolve = resolve_relations(RaidItem)
_serialize = rows_serializer(RaidItem, RaidItemOut)
_BLANKABLE = {
    "description",
    "progress",
    "cause",
    "event",
    "effect",
    "response",
    "resolution",
    "basis",
    "origin_reference",
    "depends_on",
    "strategy",
    "severity",
}


def _data(request: HttpRequest, payload: Schema, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if k not in drop}
    for name in _BLANKABLE & set(data):
        if data[name] is None:
            data[name] = ""
    return _resolve(request, data)


def _scope(request: HttpRequest, pk: int | None) -> Scope | None:
    if pk is None:
        return None
    scope = Scope.objects.filter(pk=pk).first()
    if scope is None:
        raise ValidationError({"within": [_("No such record: %s") % pk]})
    return scope


def _fetch(request: HttpRequest, pk: int) -> RaidItem:
    check_id(pk)
    item = RaidItem.objects.visible_to(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


@items.get("/", response=RaidItemPage, operation_id="raiditem_list", summary="List RAID items")
def list_items(request: HttpRequest, filters: Query[RaidItemFilter], page: Query[PageParams]) -> HttpResponse:
    params = filters.model_dump(exclude_none=True)
    qs = RaidItem.objects.visible_to(request.user).filter(search_filter(RaidItem, params.pop("q", None)))
    if not params.pop("archived", False):
        qs = qs.filter(archived_at__isnull=True)
    qs = selectors.within(qs, _scope(request, params.pop("within", None)))
    if params.pop("open", False):
        qs = qs.filter(status__in=OPEN_STATUSES)
    if params.pop("overdue", False):
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
    if "owner" in params:
        params["owner_id"] = params.pop("owner")
    qs = qs.filter(**params).order_by("pk")
    body = {"items": _serialize(qs[page.offset : page.offset + page.limit]), "count": qs.count()}
    return HttpResponse(dumps(body), content_type="application/json")


@items.get("/heat-map", response=HeatMapOut, operation_id="raiditem_heat_map", summary="Open risks by probability and impact")
def heat_map(request: HttpRequest, within: RecordId | None = None) -> Any:
    return selectors.heat_map(request.user, _scope(request, within))


@items.get("/{int:pk}", response=RaidItemOut, operation_id="raiditem_get", summary="Get one RAID item")
def get_item(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    item = _fetch(request, pk)
    response["ETag"] = etag_of(item)
    return item


@items.post("/", response={201: RaidItemOut}, operation_id="raiditem_create", summary="Add an item to a scope's log")
def create_item(request: HttpRequest, response: HttpResponse, payload: RaidItemIn) -> Any:
    scope = Scope.objects.filter(pk=payload.scope).first()
    if scope is None:
        raise ValidationError({"scope": [_("No such record: %s") % payload.scope]})
    item = services.item_create(
        actor=request.user, scope=scope, kind=payload.kind, data=_data(request, payload, ("scope", "kind"))
    )
    response["ETag"] = etag_of(item)
    return Status(201, item)


@items.patch("/{int:pk}", response=RaidItemOut, operation_id="raiditem_update", summary="Change an item (send If-Match)")
def update_item(request: HttpRequest, response: HttpResponse, pk: int, payload: RaidItemChange) -> Any:
    item = _fetch(request, pk)
    item = services.item_update(
        actor=request.user, item=item, data=_data(request, payload), expected_version=expected_version(request)
    )
    response["ETag"] = etag_of(item)
    return item


@items.post(
    "/{int:pk}/escalate",
    response=RaidItemOut,
    operation_id="raiditem_escalate",
    summary="Escalate an item up the scope tree (send If-Match)",
)
def escalate_item(request: HttpRequest, response: HttpResponse, pk: int, payload: EscalateIn) -> Any:
    item = _fetch(request, pk)
    to_scope = Scope.objects.filter(pk=payload.to_scope).first()
    if to_scope is None:
        raise ValidationError({"to_scope": [_("No such record: %s") % payload.to_scope]})
    item = services.item_escalate(
        actor=request.user, item=item, to_scope=to_scope, reason=payload.reason, expected_version=expected_version(request)
    )
    response["ETag"] = etag_of(item)
    return item


@items.post(
    "/{int:pk}/archive",
    response=RaidItemOut,
    operation_id="raiditem_archive",
    summary="Archive or restore an item (send If-Match)",
)
def archive_item(request: HttpRequest, response: HttpResponse, pk: int, restore: bool = False) -> Any:
    item = services.item_archive(
        actor=request.user, item=_fetch(request, pk), expected_version=expected_version(request), restore=restore
    )
    response["ETag"] = etag_of(item)
    return item


@items.get("/{int:pk}/history", response=list[HistoryEntryOut], operation_id="raiditem_history", summary="History of an item")
def item_history(request: HttpRequest, pk: int) -> Any:
    return history_for(_fetch(request, pk))
