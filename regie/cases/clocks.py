"""A case's SLA clocks: which agreements hold it, and what their clocks say, computed from its events.

- **The customer's clocks** (response and resolution) come from the SLA that covers the case: an SLA
  version in force when the case was logged, covering its service, for its customer (or, when the case
  names no customer, the one SLA that covers the service). They run in the workflow's running states,
  pause in its waiting states and stop in its stopped states; the response clock stops at the first
  state the workflow marks as a response.
- **Each chain link's clocks** come from the link's agreement (the internal team's OLA, the supplier's
  underpinning contract): they run only while the link holds the case — handed to its supplier, or
  assigned to its responsible team and to no supplier — and the case's state is a running one (for a
  supplier also a waiting one: the case then waits for that very supplier). A link's response
  clock stops at the first state change made while the link holds the case. So a breach is attributed to
  the link that held the case when it ran out.
- Targets are the agreement version's response and resolution times for the case's priority (a target
  for the offering before one for every offering; one for the priority before one for every priority),
  counted on the version's business-hours calendar in the site's time zone.

Nothing is counted here: ``regie.engine.slaclock`` replays the events every time, so a changed calendar, a
re-prioritisation or a re-opened case gives the right answer. ``SlaClock`` rows keep the last answer for
queues and the breach scan.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from regie.cases.choices import ClockName, ClockStatus, EventKind
from regie.cases.models import Case, CaseEvent, SlaClock
from regie.core.models import OrgUnit
from regie.engine import calendar as cal
from regie.engine import slaclock

#: The site's zone: business hours are wall-clock hours there.
ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass
class Holder:
    """Who a set of clocks belongs to: the customer's SLA (``link`` None) or a chain link."""

    link: Any | None
    agreement: Any
    version: Any
    targets: dict[str, int]  # clock name → business minutes

    def __post_init__(self) -> None:
        self.link_id = self.link.pk if self.link is not None else None
        self.agreement_id = self.agreement.pk
        self.target_key = tuple(sorted(self.targets.items()))


#: The statuses of a version that is or was in force (a superseded one was, for a case logged back then).
IN_FORCE = ("approved", "superseded")


def _in_force(version: Any, day: dt.date) -> bool:
    return version.start <= day and (version.end is None or version.end >= day)


@dataclass
class Cover:
    """What may hold the cases of one service, read at once: the SLA versions that are or were in force
    covering it (by agreement code, the latest version first) and its active chain links with an
    agreement, each with its agreement's versions that are or were in force (the latest first)."""

    slas: list[Any]
    links: list[tuple[Any, list[Any]]]


class Lookup:
    """What the clocks of many cases share, read once: per service the agreements that may hold its
    cases and their targets, the workflows' definitions, the engine's calendars. Which of them hold a
    case (the customer, the day it was logged) is then decided here, without asking the database again,
    so a job over a hundred thousand cases reads the agreements a few times, not per case."""

    def __init__(self) -> None:
        self.covers: dict[int, Cover] = {}
        self.agreements: dict[tuple[Any, ...], list[tuple[Any, Any, Any]]] = {}
        self.target_rows: dict[int, list[tuple[str, int | None, int | None, int]]] = {}
        self.definitions: dict[tuple[Any, ...], list[slaclock.ClockDefinition]] = {}
        self.parsed: dict[int, Any] = {}
        self.unit_paths: dict[int, str] = {}
        self.planned: dict[tuple[Any, ...], list[Holder]] = {}

    def workflow(self, case: Case | CaseRow) -> Any:
        parsed = self.parsed.get(case.workflow_version_id)
        if parsed is None:
            from regie.cases.models import WorkflowVersion

            if isinstance(case, Case) and Case.workflow_version.is_cached(case):  # type: ignore[attr-defined]
                version = case.workflow_version
            else:
                version = WorkflowVersion.objects.get(pk=case.workflow_version_id)
            parsed = self.parsed[case.workflow_version_id] = version.parsed()
        return parsed

    def unit_path(self, case: Case | CaseRow) -> str:
        unit = case.customer_unit_id
        assert unit is not None  # asked only of a case with a customer unit
        path = self.unit_paths.get(unit)
        if path is None:
            if isinstance(case, Case) and Case.customer_unit.is_cached(case) and case.customer_unit is not None:  # type: ignore[attr-defined]
                path = case.customer_unit.scope.path
            else:
                path = OrgUnit.objects.values_list("scope__path", flat=True).get(pk=unit)
            self.unit_paths[unit] = path
        return path

    def cover(self, service_id: int) -> Cover:
        found = self.covers.get(service_id)
        if found is None:
            found = self.covers[service_id] = self._read_cover(service_id)
        return found

    def _read_cover(self, service_id: int) -> Cover:
        from regie.services.models import ServiceLink
        from regie.suppliers.models import AgreementVersion, ServiceLevelTarget

        slas = list(
            AgreementVersion.objects.filter(agreement__kind="sla", status__in=IN_FORCE, services=service_id)
            .select_related("agreement__customer_unit__scope", "calendar")
            .order_by("agreement__code", "-number")
        )
        links = list(
            ServiceLink.objects.active().filter(service_id=service_id, agreement__isnull=False).select_related("agreement")
        )
        by_agreement: dict[int, list[Any]] = {link.agreement_id: [] for link in links}
        if links:
            # An OLA or a contract covers the supporting service, not the one the case is about: the
            # versions of the link's agreement, whatever they cover.
            for version in (
                AgreementVersion.objects.filter(agreement__in=list(by_agreement), status__in=IN_FORCE)
                .select_related("agreement", "calendar")
                .order_by("-number")
            ):
                by_agreement[version.agreement_id].append(version)
        versions = [v.pk for v in slas] + [v.pk for found in by_agreement.values() for v in found]
        for pk in versions:
            self.target_rows.setdefault(pk, [])
        rows = ServiceLevelTarget.objects.filter(version__in=versions, metric__in=(ClockName.RESPONSE, ClockName.RESOLUTION))
        for version_id, metric, offering_id, priority, target in rows.values_list(
            "version_id", "metric", "offering_id", "priority", "target"
        ):
            self.target_rows[version_id].append((metric, offering_id, priority, int(target)))
        return Cover(slas, [(link, by_agreement[link.agreement_id]) for link in links])

    def holders(self, case: Case | CaseRow) -> list[Holder]:
        day = timezone.localtime(case.opened_at, ZONE).date()
        key = (case.service_id, case.customer_unit_id, case.customer_organisation_id, day)
        plan_key = (*key, case.priority, case.offering_id)
        planned = self.planned.get(plan_key)
        if planned is None:
            planned = self.planned[plan_key] = self._holders(case, key, day)
        return planned

    def _holders(self, case: Case | CaseRow, key: tuple[Any, ...], day: dt.date) -> list[Holder]:
        found = self.agreements.get(key)
        if found is None:
            found = self.agreements[key] = self._agreements(case, day)
        return [
            Holder(link, agreement, version, _targets(self.target_rows[version.pk], case)) for link, agreement, version in found
        ]

    def _agreements(self, case: Case | CaseRow, day: dt.date) -> list[tuple[Any, Any, Any]]:
        """(link or None, agreement, version) of the SLA that covers the case and of the chain links with
        an agreement in force on the day the case was logged."""
        cover = self.cover(case.service_id)
        found: list[tuple[Any, Any, Any]] = []
        above: set[str] | None = None
        if case.customer_unit_id is not None:
            # An SLA with a unit covers the units inside it.
            path = self.unit_path(case)
            above = set([path[: i + 1] for i, char in enumerate(path) if char == "/"][1:])
        versions = []
        for version in cover.slas:
            agreement = version.agreement
            if not _in_force(version, day):
                continue
            if above is not None and (agreement.customer_unit_id is None or agreement.customer_unit.scope.path not in above):
                continue
            if case.customer_organisation_id and agreement.customer_organisation_id != case.customer_organisation_id:
                continue
            versions.append(version)
        # The nearest unit's agreement first (a department's own SLA before the organisation's).
        versions.sort(key=lambda v: -len(v.agreement.customer_unit.scope.path) if v.agreement.customer_unit_id else 0)
        agreements = {v.agreement_id for v in versions}
        if len(agreements) == 1 or (versions and (case.customer_unit_id or case.customer_organisation_id)):
            found.append((None, versions[0].agreement, versions[0]))
        for link, link_versions in cover.links:
            version = next((v for v in link_versions if _in_force(v, day)), None)
            if version is not None:
                found.append((link, link.agreement, version))
        return found


def _targets(rows: list[tuple[str, int | None, int | None, int]], case: Case | CaseRow) -> dict[str, int]:
    """The response and resolution minutes for the case's priority and offering (most specific first)."""
    chosen: dict[str, tuple[int, int]] = {}
    for metric, offering_id, priority, minutes in rows:
        if offering_id not in (None, case.offering_id) or priority not in (None, case.priority):
            continue
        rank = (offering_id is not None) * 2 + (priority is not None)
        if metric not in chosen or rank > chosen[metric][0]:
            chosen[metric] = (rank, minutes)
    return {metric: minutes for metric, (_rank, minutes) in chosen.items()}


def holders(case: Case | CaseRow) -> list[Holder]:
    """The SLA that covers the case and the chain links with an agreement in force, with their targets."""
    return Lookup().holders(case)


# --- from the case's events to the engine's ------------------------------------------------------------


def _definitions(case: Case | CaseRow, holder: Holder, lookup: Lookup) -> list[slaclock.ClockDefinition]:
    key = (case.workflow_version_id, holder.link is None, case.priority, holder.target_key)
    cached = lookup.definitions.get(key)
    if cached is None:
        cached = lookup.definitions[key] = _make_definitions(lookup.workflow(case), case.priority, holder)
    return cached


def _make_definitions(definition: Any, priority_number: int, holder: Holder) -> list[slaclock.ClockDefinition]:
    running, paused, stopped = definition.clock_states()
    priority = str(priority_number)
    result = []
    if holder.link is None:
        responded = definition.responded_states()
        clocks = {
            ClockName.RESPONSE: (running - responded, paused - responded, stopped | responded),
            ClockName.RESOLUTION: (running, paused, stopped),
        }
    else:
        clocks = {
            ClockName.RESPONSE: (frozenset({"held"}), frozenset({"released"}), frozenset({"acted", "stopped"})),
            ClockName.RESOLUTION: (frozenset({"held", "acted"}), frozenset({"released"}), frozenset({"stopped"})),
        }
    for name, (run, pause, stop) in clocks.items():
        if name not in holder.targets:
            continue
        result.append(
            slaclock.ClockDefinition(
                name=str(name),
                targets={priority: holder.targets[name]},
                running_states=frozenset(run),
                paused_states=frozenset(pause),
                stop_states=frozenset(stop),
            )
        )
    return result


# The events come from the case's history, checked when they were recorded: the engine need not check them.
Event = slaclock.Trusted


# A state or priority that repeats the one before it changes no clock (a property the engine's tests
# check), so the streams below leave such repeats out: the engine then places fewer moments.


def _customer_events(events: list[Any]) -> list[slaclock.Trusted]:
    out = []
    state = priority = None
    for event in events:
        if event.state and event.state != state:
            state = event.state
            out.append(Event(event.at, slaclock.STATE, state))
        if event.priority is not None and event.priority != priority:
            priority = event.priority
            out.append(Event(event.at, slaclock.PRIORITY, str(priority)))
    return out


def _link_events(case: Case | CaseRow, events: list[Any], link: Any, definition: Any) -> list[slaclock.Trusted]:
    """The case's history as the link sees it: "held" while its team or supplier has the case and the
    case's state runs the clock, "released" otherwise, "acted" once the holder has moved the case on,
    "stopped" in the workflow's stopped states."""
    running, paused, stopped = definition.clock_states()
    link_supplier, link_team = link.supplier_id, link.responsible_team_id
    # A supplier's clock runs while the case waits for that supplier; a team's pauses with the case.
    counting = running | paused if link_supplier is not None else running
    created, holding = EventKind.CREATED, (EventKind.CREATED, EventKind.ASSIGNED)
    STATE, PRIORITY = slaclock.STATE, slaclock.PRIORITY  # noqa: N806 - locals, read per event
    state = ""
    acted = held = False
    mode = priority = None
    out: list[slaclock.Trusted] = []
    for event in events:
        if event.kind in holding:
            # A case handed to a supplier is held by the supplier's link; otherwise by its team's link.
            supplier = event.supplier_id
            held = link_supplier == supplier if supplier is not None else link_team is not None and event.team_id == link_team
        if event.state:
            if held and state and event.state != state and event.kind != created:
                acted = True
            state = event.state
        if event.priority is not None and event.priority != priority:
            priority = event.priority
            out.append(Event(event.at, PRIORITY, str(priority)))
        if state in stopped:
            now = "stopped"
        elif held and state in counting:
            now = "acted" if acted else "held"
        else:
            now = "released"
        if not held:
            acted = False  # handed back: a new hand-over waits for a new response
        if now != mode:
            mode = now
            out.append(Event(event.at, STATE, mode))
    return out


_calendars: dict[tuple[Any, ...], cal.Calendar] = {}


def engine_calendar(work_calendar: Any) -> cal.Calendar:
    """The engine's calendar of a business-hours calendar, kept while the calendar is unchanged (its
    version is the same)."""
    from regie.planning import calendars

    # Every change to a calendar's working time (its week, an exception) takes its next version and is
    # saved at a new moment (a version number alone comes again after a change is rolled back).
    key = (work_calendar.pk, work_calendar.version, work_calendar.updated_at)
    cached = _calendars.get(key)
    if cached is None:
        if len(_calendars) > 100:
            _calendars.clear()
        cached = _calendars[key] = calendars.engine_calendar(work_calendar)
    return cached


class EventRow(NamedTuple):
    """The columns of a case event the clocks read (a plain row: thousands are read at once)."""

    at: dt.datetime
    kind: str
    state: str
    priority: int | None
    team_id: int | None
    supplier_id: int | None


def _rows(query: Any, moments: Iterable[int] = ()) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query set, read as the database gives them rather than through the
    query set's per-value converters (a job reads a million): the columns at ``moments`` are moments, which
    SQLite gives in UTC without a zone."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _native_moments(cursor.cursor)
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if connection.vendor == "postgresql" or not found:
        return found
    utc = dt.UTC
    moments = list(moments)
    rows = []
    for row in found:
        values = list(row)
        for i in moments:
            moment = values[i]
            if moment is not None and moment.tzinfo is None:
                values[i] = moment.replace(tzinfo=utc)
        rows.append(tuple(values))
    return rows


def _native_moments(cursor: Any) -> None:
    """Have this psycopg cursor read moments with psycopg's own (compiled) loader, in UTC as the
    connection's zone, rather than Django's, which parses each in Python: five times faster over the
    half million moments of a job's events."""
    import psycopg
    from psycopg.pq import Format

    timestamptz = psycopg.postgres.types["timestamptz"].oid
    cursor.adapters.register_loader("timestamptz", psycopg.adapters.get_loader(timestamptz, Format.TEXT))


def _events_of(case_ids: list[int]) -> dict[int, list[EventRow]]:
    rows: dict[int, list[EventRow]] = {pk: [] for pk in case_ids}
    columns = ("case_id", "at", "kind", "state", "priority", "team_id", "supplier_id")
    # Only what moves a clock: a mail or a comment (whenever it is recorded) says nothing of state or holder.
    moving = (EventKind.CREATED, EventKind.STATE, EventKind.PRIORITY, EventKind.ASSIGNED)
    events = CaseEvent.objects.filter(case_id__any_of=case_ids, kind__in=moving).order_by("case_id", "at", "id")
    make = EventRow._make
    for row in _rows(events.values_list(*columns), (1,)):
        rows[row[0]].append(make(row[1:]))
    return rows


class CaseRow(NamedTuple):
    """What the clocks read of a case (a plain row for the jobs that compute many)."""

    pk: int
    service_id: int
    offering_id: int | None
    customer_unit_id: int | None
    customer_organisation_id: int | None
    opened_at: dt.datetime
    priority: int
    workflow_version_id: int


#: the columns of ``CaseRow``
CLOCK_FIELDS = (
    "id",
    "service_id",
    "offering_id",
    "customer_unit_id",
    "customer_organisation_id",
    "opened_at",
    "priority",
    "workflow_version_id",
)


def case_rows(ids: list[int]) -> list[CaseRow]:
    """The cases of these ids as the clocks read them, in the order of ``ids``."""
    query = Case.objects.filter(pk__any_of=ids).order_by().values_list(*CLOCK_FIELDS)
    found = {row[0]: CaseRow(*row) for row in _rows(query, (CLOCK_FIELDS.index("opened_at"),))}
    return [found[pk] for pk in ids if pk in found]


def compute(
    case: Case | CaseRow,
    now: dt.datetime | None = None,
    *,
    events: list[Any] | None = None,
    lookup: Lookup | None = None,
    timeline: bool = True,
) -> list[tuple[Holder, slaclock.ClockResult]]:
    """Every clock of the case at ``now``, computed from its events (without their timelines when
    ``timeline`` is False)."""
    now = now or timezone.now()
    lookup = lookup or Lookup()
    if events is None:
        events = _events_of([case.pk])[case.pk]
    # The holders' event streams by calendar (usually one): the case's moments are placed once per calendar.
    by_calendar: dict[Any, list[tuple[Holder, list[slaclock.ClockDefinition], list[slaclock.Trusted]]]] = {}
    for holder in lookup.holders(case):
        if holder.version.calendar is None or not holder.targets:
            continue
        definitions = _definitions(case, holder, lookup)
        if not definitions:
            continue
        if holder.link is None:
            stream = _customer_events(events)
        else:
            stream = _link_events(case, events, holder.link, lookup.workflow(case))
        by_calendar.setdefault(holder.version.calendar, []).append((holder, definitions, stream))
    results: list[tuple[Holder, slaclock.ClockResult]] = []
    for calendar, streams in by_calendar.items():
        computed = slaclock.compute_streams(
            [(d, s) for _h, d, s in streams], engine_calendar(calendar), ZONE, now, timeline=timeline
        )
        for (holder, definitions, _stream), found in zip(streams, computed, strict=True):
            results.extend((holder, found[d.name]) for d in definitions)
    return results


#: the columns of a clock that its computation gives (besides the case, the name and the link)
VALUES = ("agreement_id", "target_minutes", "status", "elapsed_minutes", "due_at", "warn_at", "breached", "breached_at")


def recompute(
    cases: Iterable[Case | CaseRow], now: dt.datetime | None = None, *, lookup: Lookup | None = None, touch: bool = False
) -> int:
    """Compute the clocks of these cases again from their events and keep the answers, a batch at a time:
    the events of a batch in one query, its clocks in one, and only the clocks whose figures changed
    written, in one transaction (a paused or stopped clock rarely changes). ``touch``: note ``now`` as
    the computing moment of the unchanged clocks too (the breach scan, which must not find them again).
    Returns how many clocks the cases have."""
    now = now or timezone.now()
    lookup = lookup or Lookup()
    batch = list(cases)
    if not batch:
        return 0
    ids = [case.pk for case in batch]
    events = _events_of(ids)
    computed: dict[tuple[int, str, int | None], tuple[Any, ...]] = {}
    for case in batch:
        for holder, result in compute(case, now, events=events[case.pk], lookup=lookup, timeline=False):
            key = (case.pk, result.name, holder.link_id)
            computed[key] = (
                holder.agreement_id,
                result.target,
                result.status,
                result.elapsed,
                result.due,
                result.warn_due,
                result.breached,
                result.breached_at,
            )
    # The stored clocks are read before the writing transaction: on SQLite that transaction holds the
    # database's write lock from its start, and workers computing parts of one job then wait for each
    # other's writes only. A clock another writer created meanwhile is left as it wrote it (computed
    # from events at least as recent).
    kept = _kept(ids)
    gone = [pk for key, (pk, _values) in kept.items() if key not in computed]
    changed, new = [], []
    for key, values in computed.items():
        old = kept.get(key)
        if old is None:
            new.append(
                SlaClock(case_id=key[0], name=key[1], link_id=key[2], computed_at=now, **dict(zip(VALUES, values, strict=True)))
            )
        elif old[1] != values:
            changed.append((*values, now, old[0]))
    if not (gone or changed or new or touch):
        return len(computed)
    alone = not connection.in_atomic_block  # not part of a larger write (a case's step and its events)
    with transaction.atomic():
        if alone:
            _derived_only()
        if gone:
            SlaClock.objects.filter(pk__in=gone).delete()
        if changed:
            _update(changed)
        if new:
            SlaClock.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        if touch:
            SlaClock.objects.filter(case_id__any_of=ids, computed_at__lt=now).update(computed_at=now)
    return len(computed)


def _derived_only() -> None:
    """In a transaction that writes only clocks: on PostgreSQL its commit does not wait for the disk. The
    clocks are computed from the events, so a crash that loses the last moment's commits loses nothing
    that the next computation does not give again; the wait, once a batch, is most of a small write."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _kept(ids: list[int]) -> dict[tuple[int, str, int | None], tuple[int, tuple[Any, ...]]]:
    """The cases' stored clocks by (case, name, link): their id and ``VALUES``."""
    query = SlaClock.objects.filter(case_id__any_of=ids).order_by().values_list("pk", "case_id", "name", "link_id", *VALUES)
    moments = [4 + i for i, name in enumerate(VALUES) if name in ("due_at", "warn_at", "breached_at")]
    return {(row[1], row[2], row[3]): (row[0], row[4:]) for row in _rows(query, moments)}


def _update(rows: list[tuple[Any, ...]]) -> None:
    """Write the changed clocks (rows of ``VALUES``, the computing moment and the id). On PostgreSQL one
    ``UPDATE … FROM unnest(…)`` for the batch, each column an array: a statement per row would wait for
    the server once per row, and a ``VALUES`` list of the rows has the client quote and the server parse
    ten placeholders a row. Elsewhere one ``UPDATE`` by id, sent as a batch. (A ``CASE`` per column, as
    ``bulk_update`` writes, costs more than the rows it saves.)"""
    meta = SlaClock._meta
    fields: list[Any] = [meta.get_field(name.removesuffix("_id")) for name in (*VALUES, "computed_at")]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [quote(field.column) for field in fields]
            sets = ", ".join(f"{name} = v.{name}" for name in names)
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(
                f"UPDATE {table} AS c SET {sets} FROM unnest({arrays}, %s::bigint[])"  # noqa: S608 - names from the model, values as parameters
                f" AS v({', '.join(names)}, id) WHERE c.id = v.id",
                columns,
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            moments = [i for i, field in enumerate(fields) if isinstance(field, models.DateTimeField)]
            params = []
            for row in rows:
                values = list(row)
                for i in moments:
                    if values[i] is not None:
                        values[i] = adapt(values[i])
                params.append(values)
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", params)  # noqa: S608 - as above


def open_cases_on_calendar(calendar_id: int, days: tuple[dt.date, dt.date] | None = None) -> list[int]:
    """The ids of the open cases with a clock whose agreement counts on the calendar (in some version),
    in order. ``days``: only the first to the last of these days changed, so only the cases whose clocks
    they can move: when the days are still ahead, the cases with a running clock that is due or warns on
    or after the first of them (a clock due before it reaches its target as before; a paused or stopped
    one counts no time ahead); otherwise the cases logged before the last of them ended."""
    from django.db.models import Exists, OuterRef

    from regie.suppliers.models import AgreementVersion

    agreements = AgreementVersion.objects.filter(calendar_id=calendar_id).values("agreement_id")
    on_calendar = SlaClock.objects.filter(case=OuterRef("pk"), agreement_id__in=agreements)
    cases = Case.objects.filter(closed_at__isnull=True)
    if days is not None:
        start = dt.datetime.combine(days[0], dt.time(), ZONE)
        if start > timezone.now():
            ahead = Q(due_at__gte=start) | Q(warn_at__gte=start)
            on_calendar = on_calendar.filter(ahead, status=ClockStatus.RUNNING)
        else:
            cases = cases.filter(opened_at__lt=dt.datetime.combine(days[1] + dt.timedelta(days=1), dt.time(), ZONE))
    return list(cases.filter(Exists(on_calendar)).order_by("pk").values_list("pk", flat=True))
