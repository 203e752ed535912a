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
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from regie.cases.choices import ClockName, EventKind
from regie.cases.models import Case, CaseEvent, SlaClock
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


#: The statuses of a version that is or was in force (a superseded one was, for a case logged back then).
IN_FORCE = ("approved", "superseded")


def _version_in_force(agreement_filter: Q, day: dt.date, service_id: int) -> Any:
    from regie.suppliers.models import AgreementVersion

    return (
        AgreementVersion.objects.filter(agreement_filter, status__in=IN_FORCE, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .filter(services=service_id)
        .select_related("agreement__customer_unit__scope", "calendar")
        .order_by("agreement__code", "-number")
    )


def _targets(version: Any, case: Case) -> dict[str, int]:
    """The response and resolution minutes for the case's priority and offering (most specific first)."""
    chosen: dict[str, tuple[int, int]] = {}
    for target in version.targets.filter(metric__in=(ClockName.RESPONSE, ClockName.RESOLUTION)):
        if target.offering_id not in (None, case.offering_id) or target.priority not in (None, case.priority):
            continue
        rank = (target.offering_id is not None) * 2 + (target.priority is not None)
        if target.metric not in chosen or rank > chosen[target.metric][0]:
            chosen[target.metric] = (rank, int(target.target))
    return {metric: minutes for metric, (_rank, minutes) in chosen.items()}


class Lookup:
    """What the clocks of many cases share, read once: the agreements in force per service, customer and
    day, their targets per priority and offering, the workflows' definitions, the engine's calendars."""

    def __init__(self) -> None:
        self.agreements: dict[tuple[Any, ...], list[tuple[Any, Any, Any]]] = {}
        self.targets: dict[tuple[int, int, int | None], dict[str, int]] = {}
        self.definitions: dict[tuple[Any, ...], list[slaclock.ClockDefinition]] = {}
        self.parsed: dict[int, Any] = {}

    def workflow(self, case: Case) -> Any:
        parsed = self.parsed.get(case.workflow_version_id)
        if parsed is None:
            parsed = self.parsed[case.workflow_version_id] = case.workflow_version.parsed()
        return parsed

    def holders(self, case: Case) -> list[Holder]:
        day = timezone.localtime(case.opened_at, ZONE).date()
        key = (case.service_id, case.customer_unit_id, case.customer_organisation_id, day)
        found = self.agreements.get(key)
        if found is None:
            found = self.agreements[key] = _agreements(case, day)
        result = []
        for link, agreement, version in found:
            target_key = (version.pk, case.priority, case.offering_id)
            targets = self.targets.get(target_key)
            if targets is None:
                targets = self.targets[target_key] = _targets(version, case)
            result.append(Holder(link, agreement, version, targets))
        return result


def _agreements(case: Case, day: dt.date) -> list[tuple[Any, Any, Any]]:
    """(link or None, agreement, version) of the SLA that covers the case and of the chain links with an
    agreement in force on the day the case was logged."""
    from regie.services.models import ServiceLink
    from regie.suppliers.models import AgreementVersion

    found: list[tuple[Any, Any, Any]] = []
    customer = Q(agreement__kind="sla")
    if case.customer_unit_id or case.customer_organisation_id:
        unit = case.customer_unit
        if unit is not None:
            # An SLA with a unit covers the units inside it.
            path = unit.scope.path
            above = [path[: i + 1] for i, char in enumerate(path) if char == "/"][1:]
            customer &= Q(agreement__customer_unit__scope__path__in=above)
        customer &= Q(agreement__customer_organisation_id=case.customer_organisation_id) if case.customer_organisation_id else Q()
    versions = sorted(
        _version_in_force(customer, day, case.service_id),
        # The nearest unit's agreement first (a department's own SLA before the organisation's).
        key=lambda v: -len(v.agreement.customer_unit.scope.path) if v.agreement.customer_unit_id else 0,
    )
    agreements = {v.agreement_id for v in versions}
    if len(agreements) == 1 or (versions and (case.customer_unit_id or case.customer_organisation_id)):
        found.append((None, versions[0].agreement, versions[0]))
    links = ServiceLink.objects.active().filter(service_id=case.service_id, agreement__isnull=False).select_related("agreement")
    for link in links:
        # An OLA or a contract covers the supporting service, not the one the case is about: the version of
        # the link's agreement in force that day, whatever it covers.
        version = (
            AgreementVersion.objects.filter(agreement=link.agreement, status__in=IN_FORCE, start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gte=day))
            .select_related("agreement", "calendar")
            .order_by("-number")
            .first()
        )
        if version is not None:
            found.append((link, link.agreement, version))
    return found


def holders(case: Case) -> list[Holder]:
    """The SLA that covers the case and the chain links with an agreement in force, with their targets."""
    return Lookup().holders(case)


# --- from the case's events to the engine's ------------------------------------------------------------


def _definitions(case: Case, holder: Holder, lookup: Lookup) -> list[slaclock.ClockDefinition]:
    key = (case.workflow_version_id, holder.link is None, case.priority, tuple(sorted(holder.targets.items())))
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


def _customer_events(events: list[Any]) -> list[slaclock.Event]:
    out = []
    for event in events:
        if event.state:
            out.append(slaclock.Event(event.at, slaclock.STATE, event.state))
        if event.priority is not None:
            out.append(slaclock.Event(event.at, slaclock.PRIORITY, str(event.priority)))
    return out


def _link_events(case: Case, events: list[Any], link: Any, definition: Any) -> list[slaclock.Event]:
    """The case's history as the link sees it: "held" while its team or supplier has the case and the
    case's state runs the clock, "released" otherwise, "acted" once the holder has moved the case on,
    "stopped" in the workflow's stopped states."""
    running, paused, stopped = definition.clock_states()
    # A supplier's clock runs while the case waits for that supplier; a team's pauses with the case.
    counting = running | paused if link.supplier_id is not None else running
    team = supplier = None
    state = ""
    acted = False
    out: list[slaclock.Event] = []
    for event in events:
        if event.kind in (EventKind.CREATED, EventKind.ASSIGNED):
            team, supplier = event.team_id, event.supplier_id
        was_held = _holds(link, team, supplier)
        if event.state:
            if was_held and state and event.state != state and event.kind != EventKind.CREATED:
                acted = True
            state = event.state
        if event.priority is not None:
            out.append(slaclock.Event(event.at, slaclock.PRIORITY, str(event.priority)))
        held = _holds(link, team, supplier)
        if state in stopped:
            mode = "stopped"
        elif held and state in counting:
            mode = "acted" if acted else "held"
        else:
            mode = "released"
        if not held:
            acted = False  # handed back: a new hand-over waits for a new response
        out.append(slaclock.Event(event.at, slaclock.STATE, mode))
    return out


def _holds(link: Any, team: int | None, supplier: int | None) -> bool:
    """A case handed to a supplier is held by the supplier's link; otherwise by its team's link."""
    if supplier is not None:
        return link.supplier_id == supplier
    return link.responsible_team_id is not None and team == link.responsible_team_id


_calendars: dict[tuple[int, Any], cal.Calendar] = {}


def engine_calendar(work_calendar: Any) -> cal.Calendar:
    """The engine's calendar of a business-hours calendar, kept while the calendar is unchanged (its
    version is the same)."""
    from regie.planning import calendars

    # Every change to a calendar's working time (its week, an exception) takes its next version.
    key = (work_calendar.pk, work_calendar.version)
    cached = _calendars.get(key)
    if cached is None:
        if len(_calendars) > 100:
            _calendars.clear()
        cached = _calendars[key] = calendars.engine_calendar(work_calendar)
    return cached


@dataclass
class EventRow:
    """The columns of a case event the clocks read (a plain row: thousands are read at once)."""

    at: dt.datetime
    kind: str
    state: str
    priority: int | None
    team_id: int | None
    supplier_id: int | None


def _events_of(case_ids: list[int]) -> dict[int, list[EventRow]]:
    rows: dict[int, list[EventRow]] = {pk: [] for pk in case_ids}
    columns = ("case_id", "at", "kind", "state", "priority", "team_id", "supplier_id")
    # Only what moves a clock: a mail or a comment (whenever it is recorded) says nothing of state or holder.
    moving = (EventKind.CREATED, EventKind.STATE, EventKind.PRIORITY, EventKind.ASSIGNED)
    events = CaseEvent.objects.filter(case_id__in=case_ids, kind__in=moving).order_by("case_id", "at", "id")
    for case_id, *values in events.values_list(*columns):
        rows[case_id].append(EventRow(*values))
    return rows


def compute(
    case: Case, now: dt.datetime | None = None, *, events: list[Any] | None = None, lookup: Lookup | None = None
) -> list[tuple[Holder, slaclock.ClockResult]]:
    """Every clock of the case at ``now``, computed from its events."""
    now = now or timezone.now()
    lookup = lookup or Lookup()
    if events is None:
        events = _events_of([case.pk])[case.pk]
    results: list[tuple[Holder, slaclock.ClockResult]] = []
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
        computed = slaclock.compute_all(definitions, stream, engine_calendar(holder.version.calendar), ZONE, now)
        results.extend((holder, computed[d.name]) for d in definitions)
    return results


def recompute(cases: Iterable[Case], now: dt.datetime | None = None, *, lookup: Lookup | None = None) -> int:
    """Compute the clocks of these cases again from their events and keep the answers, a batch at a time
    (the events of a batch in one query, its clocks replaced in two); returns how many clocks were kept."""
    now = now or timezone.now()
    lookup = lookup or Lookup()
    batch = list(cases)
    if not batch:
        return 0
    ids = [case.pk for case in batch]
    events = _events_of(ids)
    rows = []
    for case in batch:
        for holder, result in compute(case, now, events=events[case.pk], lookup=lookup):
            rows.append(
                SlaClock(
                    case_id=case.pk,
                    name=result.name,
                    link_id=holder.link.pk if holder.link is not None else None,
                    agreement_id=holder.agreement.pk,
                    target_minutes=result.target,
                    status=result.status,
                    elapsed_minutes=result.elapsed,
                    due_at=result.due,
                    warn_at=result.warn_due,
                    breached=result.breached,
                    breached_at=result.breached_at,
                    computed_at=now,
                )
            )
    with transaction.atomic():
        SlaClock.objects.filter(case_id__in=ids).delete()
        SlaClock.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def open_cases_on_calendar(calendar_id: int) -> Any:
    """The open cases with a clock whose agreement version counts on the calendar."""
    from regie.suppliers.models import AgreementVersion

    agreements = AgreementVersion.objects.filter(calendar_id=calendar_id).values("agreement_id")
    return (
        Case.objects.filter(closed_at__isnull=True, clocks__agreement_id__in=agreements)
        .distinct()
        .select_related("workflow_version")
        .order_by("pk")
    )
