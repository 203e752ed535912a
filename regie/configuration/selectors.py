"""Reads of the configuration register: the impact of an item (everything that rests on it, up to the
services and their customers) and its dependencies (everything it rests on).

Both are one recursive query (``closure``) that works on SQLite and PostgreSQL alike: it walks the
"runs on" and "depends on" relations from the item, level by level up to a depth limit, and is safe
against cycles (``UNION`` drops a step it has already taken, and the depth limit ends every walk). The
same statement counts what it reached per type, lists the services those items support and returns the
nearest items with the edges between them for the graph, so a page's number of queries does not grow
with the size of the estate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from regie.configuration.choices import PROPAGATING
from regie.configuration.models import ConfigurationItem, ItemType, Reach, Relation, ServiceItem
from regie.core.models import OrgUnit
from regie.services.models import Service, ServiceStatus

#: How many levels a walk goes; deeper chains are not realistic and would only cost time.
DEPTH_LIMIT = 12
MAX_DEPTH_LIMIT = 30
#: The nearest items a page lists and draws; the counts and services always cover everything reached.
NODE_CAP = 150
#: The services drawn in the graph (those the drawn items support), and listed on the page.
GRAPH_SERVICES = 40
LISTED_SERVICES = 200
DEPENDENTS = "dependents"
DEPENDENCIES = "dependencies"
#: The columns an item in an impact list needs (with its type's and domain's names).
LIGHT_ITEM = ("id", "name", "identifier", "status", "archived_at", "item_type_id", "domain_id", "item_type__name", "domain__name")


@dataclass
class Closure:
    """What a walk from ``root`` reached: the nearest ``cap`` items with their depth (1 = directly
    related), the edges among them as (nearer, further) pairs, the number of items per type id, and the
    services the root or any reached item supports (only when asked for)."""

    root: int
    depths: dict[int, int]
    edges: list[tuple[int, int]]
    type_counts: dict[int, int]
    service_ids: list[int]

    @property
    def total(self) -> int:
        return sum(self.type_counts.values())

    @property
    def capped(self) -> bool:
        return self.total > len(self.depths)


def _walk_sql(direction: str, cap: int | None, services: bool, exclude: bool) -> str:
    """The statement; ``far`` is the column of the item a step reaches, ``near`` the one it comes from.

    The walk keeps (item, depth) rows only: the edges the graph needs are read afterwards for the few
    items shown, which keeps the recursive part as small as the register allows. An archived item is
    not walked through (the ``gone`` set is read once, from the index on ``archived_at``)."""
    relation = Relation._meta.db_table
    item = ConfigurationItem._meta.db_table
    service_item = ServiceItem._meta.db_table
    far, near = ("source_id", "target_id") if direction == DEPENDENTS else ("target_id", "source_id")
    kinds = ", ".join(f"'{kind}'" for kind in PROPAGATING)
    live = f"r.kind IN ({kinds}) AND r.archived_at IS NULL" + (" AND r.id <> %(exclude)s" if exclude else "")
    first = f"{live} AND r.{far} NOT IN (SELECT id FROM gone)"  # noqa: S608
    # In the recursive step the same condition also names the walk's row (a condition that is always
    # false): otherwise SQLite, with statistics, first builds a Bloom filter over the whole relation
    # table on every walk, a cost that grows with the register instead of with what is walked.
    step = f"({first} OR w.depth IS NULL)"
    limit = "" if cap is None else " LIMIT %(cap)s"
    # Only table names and fixed words are put into the text; every value is a parameter. CROSS JOIN
    # keeps SQLite reading from the (small) reached set rather than the whole item table.
    parts = [
        f"""WITH RECURSIVE gone(id) AS (SELECT id FROM {item} WHERE archived_at IS NOT NULL),
walk(item_id, depth) AS (
    SELECT r.{far}, 1 FROM {relation} r WHERE r.{near} = %(root)s AND {first}
  UNION
    SELECT r.{far}, w.depth + 1 FROM walk w JOIN {relation} r ON r.{near} = w.item_id
    WHERE w.depth < %(depth)s AND {step}
),
reached AS (SELECT item_id, MIN(depth) AS depth FROM walk WHERE item_id <> %(root)s GROUP BY item_id),
shown AS (SELECT item_id, depth FROM reached ORDER BY depth, item_id{limit})
SELECT 'node', item_id, depth FROM shown
UNION ALL
SELECT 'type', c.item_type_id, COUNT(*) FROM reached CROSS JOIN {item} c WHERE c.id = reached.item_id GROUP BY c.item_type_id
UNION ALL
SELECT 'edge', r.{near}, r.{far} FROM {relation} r
WHERE r.{far} IN (SELECT item_id FROM shown) AND (r.{near} = %(root)s OR r.{near} IN (SELECT item_id FROM shown)) AND {live}"""  # noqa: S608
    ]
    if services:
        parts.append(
            f"""UNION ALL
SELECT 'service', service_id, NULL FROM (
    SELECT DISTINCT s.service_id FROM {service_item} s
    WHERE s.archived_at IS NULL AND s.item_id IN (SELECT item_id FROM reached UNION ALL SELECT %(root)s)
) services"""  # noqa: S608
        )
    return "\n".join(parts)


def _reach_sql(cap: int | None, services: bool) -> str:
    """The same rows as ``_walk_sql`` for the impact of a live item, read from the ``Reach`` table (what
    rests on each item, kept as relations and items change) instead of walked."""
    reach = Reach._meta.db_table
    relation = Relation._meta.db_table
    service_item = ServiceItem._meta.db_table
    kinds = ", ".join(f"'{kind}'" for kind in PROPAGATING)
    live = f"r.kind IN ({kinds}) AND r.archived_at IS NULL"
    limit = "" if cap is None else " LIMIT %(cap)s"
    rows = f"SELECT down_id AS item_id, depth, down_type_id FROM {reach} WHERE up_id = %(root)s AND depth <= %(depth)s"  # noqa: S608
    sql = f"""WITH reached AS ({rows}),
shown AS ({rows} ORDER BY depth, down_id{limit})
SELECT 'node', item_id, depth FROM shown
UNION ALL
SELECT 'type', down_type_id, COUNT(*) FROM reached GROUP BY down_type_id
UNION ALL
SELECT 'edge', r.target_id, r.source_id FROM {relation} r
WHERE r.source_id IN (SELECT item_id FROM shown)
  AND (r.target_id = %(root)s OR r.target_id IN (SELECT item_id FROM shown)) AND {live}"""  # noqa: S608
    if services:
        sql += f"""
UNION ALL
SELECT 'service', service_id, NULL FROM (
    SELECT DISTINCT s.service_id FROM {service_item} s
    WHERE s.archived_at IS NULL AND s.item_id IN (SELECT item_id FROM reached UNION ALL SELECT %(root)s)
) services"""  # noqa: S608
    return sql


def closure(
    root: int,
    *,
    direction: str = DEPENDENTS,
    depth_limit: int = DEPTH_LIMIT,
    cap: int | None = NODE_CAP,
    services: bool = False,
    exclude_relation: int | None = None,
    live_root: bool = False,
) -> Closure:
    """Walk from ``root`` along "runs on" and "depends on": towards what rests on it (``dependents``:
    its impact) or towards what it rests on (``dependencies``). Archived relations and archived items
    are not walked; "is connected to" never is. One statement, whatever the size of the register.

    The impact of a live item (``live_root``: the caller knows it is not archived) is read from the
    ``Reach`` table, which holds what a walk would find; anything else is walked."""
    if direction not in (DEPENDENTS, DEPENDENCIES):
        raise ValueError(direction)
    params: dict[str, Any] = {"root": root, "depth": max(1, min(depth_limit, MAX_DEPTH_LIMIT))}
    if cap is not None:
        params["cap"] = max(0, cap)
    if exclude_relation is not None:
        params["exclude"] = exclude_relation
    if direction == DEPENDENTS and live_root and exclude_relation is None:
        sql = _reach_sql(cap, services)
    else:
        sql = _walk_sql(direction, cap, services, exclude_relation is not None)
    depths: dict[int, int] = {}
    edges: list[tuple[int, int]] = []
    type_counts: dict[int, int] = {}
    service_ids: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row_kind, first, second in cursor.fetchall():
            if row_kind == "node":
                depths[first] = second
            elif row_kind == "type":
                type_counts[first] = second
            elif row_kind == "edge":
                # (nearer, further): the way a failure travels in the impact, the way a dependency
                # chain reads in the other direction
                edges.append((first, second))
            else:
                service_ids.append(first)
    ordered = dict(sorted(depths.items(), key=lambda pair: (pair[1], pair[0])))
    return Closure(root, ordered, sorted(edges), type_counts, sorted(service_ids))


def dependency_path(start: int, goal: int, *, exclude_relation: int | None = None) -> list[int] | None:
    """The ids of a chain start → … → goal along "runs on"/"depends on" (start depends on … on goal), or
    None. Used to refuse a relation that would close a cycle."""
    if start == goal:
        return [start]
    walked = closure(start, direction=DEPENDENCIES, depth_limit=MAX_DEPTH_LIMIT, cap=None, exclude_relation=exclude_relation)
    if goal not in walked.depths:
        return None
    came_from: dict[int, int] = {}
    for nearer, further in walked.edges:
        if walked.depths.get(further) == walked.depths.get(nearer, 0) + 1 and further not in came_from:
            came_from[further] = nearer
    path = [goal]
    while path[-1] != start and path[-1] in came_from and len(path) <= MAX_DEPTH_LIMIT + 1:
        path.append(came_from[path[-1]])
    return path[::-1] if path[-1] == start else None


# --- the impact view and the item page ------------------------------------------------------------


@dataclass
class Node:
    id: int
    depth: int
    item: ConfigurationItem | None  # None: reached, but the user may not see it
    via: int | None
    url: str = ""


def url_maker(view_name: str) -> Callable[[int], str]:
    """The detail address of a record by its id, with ``reverse`` done once: a list of hundreds of links
    would otherwise spend much of its time resolving the same pattern."""
    marker = 4_611_686_018_427_387_904
    return reverse(view_name, args=[marker]).replace(str(marker), "{}").format


@dataclass
class ServiceRow:
    """An affected service as the impact lists it (read as a plain row, not a model)."""

    pk: int
    code: str
    name: str
    status: str
    domain: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return self.url

    def get_status_display(self) -> str:
        return str(dict(ServiceStatus.choices).get(self.status, self.status))


@dataclass
class Impact:
    """An item's impact (or dependencies) as the user may see it: the nearest items (those the user
    may not see are counted, not named), the edges for the graph, counts per type over everything
    reached, the services (with their customers) that are affected."""

    item: ConfigurationItem
    direction: str
    depth_limit: int
    nodes: list[Node]
    edges: list[tuple[int, int]]
    total: int
    capped: bool
    type_counts: list[tuple[ItemType, int]]
    services: list[ServiceRow] = field(default_factory=list)
    hidden_services: int = 0
    customers: list[OrgUnit] = field(default_factory=list)
    supports: list[tuple[int, int]] = field(default_factory=list)  # (item id, service id) among the shown
    serves: list[tuple[int, int]] = field(default_factory=list)  # (service id, org unit id)

    @property
    def visible_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.item is not None]

    @property
    def hidden(self) -> int:
        return sum(1 for n in self.nodes if n.item is None)


#: Up to this many ids go to the database as a list; beyond, the (bounded) table is read and matched.
ID_LIST = 500


def _among(queryset: QuerySet, field: str, ids: list[int]) -> QuerySet:
    """``queryset`` narrowed to ``ids`` when they are few; the caller matches the rest itself."""
    return queryset.filter(**{f"{field}__in": ids}) if len(ids) <= ID_LIST else queryset


def visible_items(user: Any) -> QuerySet:
    return ConfigurationItem.objects.active().visible_to(user)


def impact(
    user: Any,
    item: ConfigurationItem,
    *,
    direction: str = DEPENDENTS,
    depth_limit: int = DEPTH_LIMIT,
    cap: int | None = None,
) -> Impact:
    """What rests on ``item`` (or what it rests on), as ``user`` may see it, in a fixed number of
    queries: the walk, the shown items, the type names, and for the impact the services and customers."""
    cap = NODE_CAP if cap is None else cap
    walked = closure(
        item.pk,
        direction=direction,
        depth_limit=depth_limit,
        cap=cap,
        services=direction == DEPENDENTS,
        live_root=not item.is_archived,
    )
    # Only what a list and the graph show: an item's attributes are not read (nor decoded) here.
    shown = (
        visible_items(user).filter(pk__in=list(walked.depths)).select_related("item_type", "domain").only(*LIGHT_ITEM).in_bulk()
        if walked.depths
        else {}
    )
    via: dict[int, int] = {}
    for nearer, further in walked.edges:
        if further not in via and walked.depths.get(nearer, 0) == walked.depths[further] - 1:
            via[further] = nearer
    item_url = url_maker("configuration:configurationitem_detail")
    nodes = [
        Node(pk, depth, shown.get(pk), via.get(pk), item_url(pk) if pk in shown else "") for pk, depth in walked.depths.items()
    ]
    types = ItemType.objects.in_bulk(list(walked.type_counts)) if walked.type_counts else {}
    type_counts = sorted(
        ((types[pk], n) for pk, n in walked.type_counts.items() if pk in types), key=lambda pair: (-pair[1], pair[0].name)
    )
    result = Impact(
        item=item,
        direction=direction,
        depth_limit=depth_limit,
        nodes=nodes,
        edges=walked.edges,
        total=walked.total,
        capped=walked.capped,
        type_counts=type_counts,
    )
    if direction == DEPENDENTS and walked.service_ids:
        reached_services = set(walked.service_ids)
        # Plain rows: a data centre's impact may reach thousands of services. Past a few hundred, the
        # catalogue is read whole and matched here: a list of thousands of ids costs the database
        # driver more than the rows it saves.
        rows = (
            _among(Service.objects.active().visible_to(user), "pk", walked.service_ids)
            .values_list("id", "code", "name", "status", "domain__name")
            .order_by("code")
        )
        service_url = url_maker("services:service_detail")
        result.services = [
            ServiceRow(pk, code, name, status, domain, service_url(pk))
            for pk, code, name, status, domain in rows
            if pk in reached_services
        ]
        result.hidden_services = len(walked.service_ids) - len(result.services)
        service_pks = [s.pk for s in result.services]
        visible_services = set(service_pks)
        if service_pks:
            through = Service.customers.through
            serves = [
                pair
                for pair in _among(through.objects.all(), "service_id", service_pks).values_list("service_id", "orgunit_id")
                if pair[0] in visible_services
            ]
            customers = OrgUnit.objects.active().filter(pk__in={unit for _service, unit in serves})
            result.customers = list(customers.only("id", "code", "name").order_by("name"))
            units = {u.pk for u in result.customers}
            result.serves = sorted((service, unit) for service, unit in serves if unit in units)
            shown_ids = [item.pk, *(n.id for n in nodes if n.item is not None)]
            links = ServiceItem.objects.active().filter(item_id__in=shown_ids).values_list("item_id", "service_id")
            result.supports = sorted(pair for pair in links if pair[1] in visible_services)
    return result


def graph_data(result: Impact, labels: dict[str, str]) -> dict[str, Any]:
    """The graph of an impact for the page's chart: the item, the nearest items, and for the impact the
    services those items support (at most ``GRAPH_SERVICES``) and their customers, each with its column
    (its depth) and its link."""
    nodes: list[dict[str, Any]] = [
        {"id": f"i{result.item.pk}", "name": str(result.item), "column": 0, "category": 0, "url": "", "root": True}
    ]
    categories = [labels["item"], labels["hidden"], labels["service"], labels["customer"]]
    deepest = 0
    for node in result.nodes:
        deepest = max(deepest, node.depth)
        if node.item is None:
            nodes.append({"id": f"i{node.id}", "name": labels["hidden"], "column": node.depth, "category": 1, "url": ""})
        else:
            nodes.append(
                {
                    "id": f"i{node.id}",
                    "name": str(node.item),
                    "type": str(node.item.item_type),
                    "column": node.depth,
                    "category": 0,
                    "url": node.url,
                }
            )
    links = [{"source": f"i{nearer}", "target": f"i{further}"} for nearer, further in result.edges]
    # The services the drawn items support (the lists under the graph hold them all).
    drawn = {service for _item, service in result.supports}
    services = [s for s in result.services if s.pk in drawn][:GRAPH_SERVICES]
    drawn = {s.pk for s in services}
    for service in services:
        nodes.append(
            {
                "id": f"s{service.pk}",
                "name": str(service),
                "column": deepest + 1,
                "category": 2,
                "url": service.get_absolute_url(),
            }
        )
    links += [{"source": f"i{item}", "target": f"s{service}"} for item, service in result.supports if service in drawn]
    serves = [(service, unit) for service, unit in result.serves if service in drawn]
    units = {unit for _service, unit in serves}
    for unit in result.customers:
        if unit.pk in units:
            nodes.append(
                {"id": f"u{unit.pk}", "name": str(unit), "column": deepest + 2, "category": 3, "url": unit.get_absolute_url()}
            )
    links += [{"source": f"s{service}", "target": f"u{unit}"} for service, unit in serves]
    return {"nodes": nodes, "links": links, "categories": categories}


def direct_relations(user: Any, item: ConfigurationItem, limit: int = 100) -> dict[str, list[Relation]]:
    """The item's own relations, both ways, with the other item; only those the user may see."""
    relations = Relation.objects.active().visible_to(user).select_related("source__item_type", "target__item_type")
    return {
        "outgoing": list(relations.filter(source=item).order_by("kind", "target__name")[:limit]),
        "incoming": list(relations.filter(target=item).order_by("kind", "source__name")[:limit]),
    }


def supported_services(user: Any, item: ConfigurationItem, limit: int = 100) -> list[ServiceItem]:
    return list(
        ServiceItem.objects.active()
        .visible_to(user)
        .filter(item=item, service__archived_at__isnull=True)
        .select_related("service")
        .order_by("service__code")[:limit]
    )


#: The links of one service read for its page; a service with more is said to have "at least" as many.
SERVICE_LINKS_READ = 5000


@dataclass
class ItemRow:
    """An item as a list of links shows it (read as a plain row, not a model)."""

    pk: int
    name: str
    identifier: str
    item_type: str
    url: str

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})" if self.identifier != self.name else self.name

    def get_absolute_url(self) -> str:
        return self.url


def supporting_items(user: Any, service: Service, limit: int = 50) -> tuple[list[ItemRow], int, bool]:
    """The items the user may see that support ``service``: the first ``limit`` by name, how many there
    are in all, and whether that count stopped at ``SERVICE_LINKS_READ``. The service's links are read
    first (from their own index), then the visible items among them in one query, so the cost follows
    the service, not the size of the register."""
    ids = list(
        ServiceItem.objects.active()
        .filter(service=service)
        .order_by("item_id")
        .values_list("item_id", flat=True)[: SERVICE_LINKS_READ + 1]
    )
    capped = len(ids) > SERVICE_LINKS_READ
    if not ids:
        return [], 0, False
    rows = visible_items(user).filter(pk__in=ids[:SERVICE_LINKS_READ]).values_list("id", "name", "identifier", "item_type__name")
    url = url_maker("configuration:configurationitem_detail")
    found = sorted(
        (ItemRow(pk, name, identifier, kind, url(pk)) for pk, name, identifier, kind in rows),
        key=lambda r: (r.name.lower(), r.pk),
    )
    return found[:limit], len(found), capped
