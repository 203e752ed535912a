"""Reads of the service catalogue that are more than a one-line query: a service's chain."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from regie.services.models import CHAIN_DEPTH, Service, ServiceLink


@dataclass
class ChainNode:
    key: str
    kind: str  # "service" or "supplier"
    pk: int
    label: str
    depth: int
    url: str | None = None  # None where the person may not open the record: named, not linked
    status: str = ""


@dataclass
class ChainEdge:
    source: str
    target: str
    link: ServiceLink
    url: str | None = None


@dataclass
class Chain:
    """A service, the services that depend on it (one level up) and everything it depends on (down its
    chain), with each link's result, responsible team or supplier and agreement."""

    service: Service
    nodes: dict[str, ChainNode] = field(default_factory=dict)
    edges: list[ChainEdge] = field(default_factory=list)
    truncated: bool = False

    @property
    def links(self) -> list[ChainEdge]:
        return [edge for edge in self.edges if edge.target != f"s{self.service.pk}"]

    def graph(self) -> dict[str, Any]:
        """Nodes placed in columns by depth (dependents left, the service, then its chain to the right),
        for the chain graph on the service page."""
        columns: dict[int, list[ChainNode]] = {}
        for node in self.nodes.values():
            columns.setdefault(node.depth, []).append(node)
        nodes = []
        for depth, column in sorted(columns.items()):
            column.sort(key=lambda n: (n.kind, n.label))
            for row, node in enumerate(column):
                nodes.append(
                    {
                        "id": node.key,
                        "name": node.label,
                        "category": 0
                        if node.pk == self.service.pk and node.kind == "service"
                        else (1 if node.kind == "service" else 2),
                        "x": depth * 260,
                        "y": (row - (len(column) - 1) / 2) * 90,
                        "url": node.url,
                    }
                )
        edges = [
            {
                "source": edge.source,
                "target": edge.target,
                "result": edge.link.result,
                "responsible": str(edge.link.responsible or ""),
                "agreement": edge.link.agreement.code if edge.link.agreement is not None else "",
            }
            for edge in self.edges
        ]
        return {"nodes": nodes, "edges": edges}


_RELATED = ("service", "supporting_service", "supplier", "responsible_team", "agreement")


def chain(user: Any, service: Service, depth: int = CHAIN_DEPTH) -> Chain:
    """The chain of ``service``: one query per level of the chain, plus one for what ``user`` may open."""
    result = Chain(service=service)
    links = ServiceLink.objects.active().select_related(*_RELATED)

    def add_service(obj: Service, level: int) -> str:
        key = f"s{obj.pk}"
        if key not in result.nodes:
            result.nodes[key] = ChainNode(key, "service", obj.pk, str(obj), level, status=obj.get_status_display())
        return key

    add_service(service, 0)
    # Edges point from the provider to the service it supports, as the result flows.
    for link in links.filter(supporting_service=service).order_by("service__code"):
        result.edges.append(ChainEdge(add_service(service, 0), add_service(link.service, -1), link))
    frontier = {service.pk}
    seen = {service.pk}
    for level in range(1, depth + 1):
        if not frontier:
            break
        step = list(links.filter(service_id__in=frontier).order_by("service_id", "id"))
        frontier = set()
        for link in step:
            if link.supplier_id:
                key = f"o{link.supplier_id}"
                if key not in result.nodes:
                    result.nodes[key] = ChainNode(key, "supplier", link.supplier_id, str(link.supplier), level)
            else:
                key = add_service(link.supporting_service, level)
                if link.supporting_service_id not in seen:
                    seen.add(link.supporting_service_id)
                    frontier.add(link.supporting_service_id)
            result.edges.append(ChainEdge(key, f"s{link.service_id}", link))
    else:
        result.truncated = bool(frontier)
    service_ids = [n.pk for n in result.nodes.values() if n.kind == "service"]
    visible = set(Service.objects.visible_to(user).filter(pk__in=service_ids).values_list("pk", flat=True))
    suppliers = _visible_suppliers(user, [n.pk for n in result.nodes.values() if n.kind == "supplier"])
    for node in result.nodes.values():
        if node.kind == "service" and node.pk in visible:
            node.url = Service(pk=node.pk).get_absolute_url()
        elif node.kind == "supplier" and node.pk in suppliers:
            node.url = suppliers[node.pk]
    for edge in result.edges:
        if edge.link.service_id in visible:
            edge.url = edge.link.get_absolute_url()
    return result


def _visible_suppliers(user: Any, ids: list[int]) -> dict[int, str]:
    """The pages of the suppliers ``user`` may open, among ``ids``."""
    if not ids:
        return {}
    organisation: Any = ServiceLink._meta.get_field("supplier").related_model
    return {
        pk: organisation(pk=pk).get_absolute_url()
        for pk in organisation.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
    }


@dataclass
class LevelRow:
    period: Any
    achieved: Any
    cases: int | None
    breaches: int
    met: bool | None


@dataclass
class TargetReport:
    """One service-level target over the months asked for: what was agreed, what was achieved, and the
    breaches attributed to each link of the chain."""

    target: Any
    rows: list[LevelRow] = field(default_factory=list)
    by_link: dict[Any, int] = field(default_factory=dict)

    @property
    def agreed(self) -> Any:
        """The level to reach each month: the availability, or the share of cases within the time."""
        return self.target.agreed_level

    @property
    def months_missed(self) -> int:
        return sum(1 for row in self.rows if row.met is False)


def months_between(start: Any, end: Any) -> list[Any]:
    months: list[Any] = []
    current = start.replace(day=1)
    while current <= end and len(months) < 120:
        months.append(current)
        if current.year > 9998:
            break
        current = datetime.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def service_levels(service: Service, start: Any, end: Any, agreement: Any = None) -> list[TargetReport]:
    """Targets against achievements per month for ``service`` (and one agreement, if given), in two
    queries whatever the number of months, targets and links."""
    from regie.services.models import ServiceLevelMeasurement

    measurements = (
        ServiceLevelMeasurement.objects.filter(service=service, period__gte=start.replace(day=1), period__lte=end)
        .select_related(
            "target__version__agreement",
            "target__offering",
            "link__supporting_service",
            "link__supplier",
            "link__responsible_team",
        )
        .order_by("target_id", "period")
    )
    if agreement is not None:
        measurements = measurements.filter(target__version__agreement=agreement)
    reports: dict[int, TargetReport] = {}
    overall: dict[tuple[int, Any], Any] = {}
    m: Any
    for m in measurements:
        report = reports.setdefault(m.target_id, TargetReport(target=m.target))
        if m.link_id is None:
            overall[(m.target_id, m.period)] = m
        else:
            report.by_link[m.link] = report.by_link.get(m.link, 0) + m.breaches
    for report in reports.values():
        agreed = report.agreed
        for period in months_between(start, end):
            m = overall.get((report.target.pk, period))
            if m is None:
                continue
            met = None if m.achieved is None or agreed is None else m.achieved >= agreed
            report.rows.append(LevelRow(period, m.achieved, m.cases, m.breaches, met))
    order = {"availability": 0, "response": 1, "resolution": 2}
    return sorted(
        reports.values(),
        key=lambda r: (r.target.version.agreement.code, order.get(r.target.metric, 9), r.target.priority or 0, r.target.pk),
    )
