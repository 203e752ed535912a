"""Service levels from the cases: per service, month and response or resolution target of the SLA in force,
the share of the month's cases that met the target and the breaches, each breach also counted against
the chain link whose own clock ran out on that case (the link that caused it). The figures go to the
service-level report as measurements "from cases" (``services.measurement_record``); computing a month
again replaces its figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from regie.cases.clocks import ZONE
from regie.cases.models import SlaClock


def _month(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = period.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=ZONE)
    return start, dt.datetime.combine(following, dt.time(), tzinfo=ZONE)


def _share(met: int, total: int) -> Decimal:
    return (Decimal(100) * met / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


COLUMNS = ("case_id", "case__service_id", "case__priority", "case__offering_id", "name", "link_id", "agreement_id", "breached")


def measure_month(period: dt.date) -> int:
    """The month's figures for every service whose cases had clocks; returns how many were recorded.
    A clock still running that has not run out does not count yet; one that ran out counts as a breach."""
    from regie.services.services import measurement_record
    from regie.suppliers.models import ServiceLevelTarget

    start, end = _month(period)
    rows = (
        SlaClock.objects.filter(case__opened_at__gte=start, case__opened_at__lt=end, case__archived_at__isnull=True)
        .exclude(status="running", breached=False)
        .values_list(
            "case_id", "case__service_id", "case__priority", "case__offering_id", "name", "link_id", "agreement_id", "breached"
        )
    )
    customer: dict[tuple[int, int, str], list[tuple[int, int | None, int | None, bool]]] = defaultdict(list)
    caused: dict[tuple[int, str], set[int]] = defaultdict(set)  # (case, clock) → links whose clock ran out
    for case_id, service_id, priority, offering_id, name, link_id, agreement_id, breached in rows:
        if link_id is None:
            customer[(service_id, agreement_id, name)].append((case_id, priority, offering_id, breached))
        elif breached:
            caused[(case_id, name)].add(link_id)
    if not customer:
        return 0
    from regie.services.models import Service, ServiceLink

    services = Service.objects.in_bulk({key[0] for key in customer})
    links = ServiceLink.objects.in_bulk({link for found in caused.values() for link in found})
    recorded = 0
    day = timezone.localtime(start).date()
    for (service_id, agreement_id, name), cases in customer.items():
        targets = ServiceLevelTarget.objects.filter(
            version__agreement_id=agreement_id,
            version__status__in=("approved", "superseded"),
            version__start__lte=day,
            metric=name,
        ).select_related("version")
        for target in targets:
            if target.version.end is not None and target.version.end < day:
                continue
            matching = [c for c in cases if target.priority in (None, c[1]) and target.offering_id in (None, c[2])]
            if not matching:
                continue
            breaches = [c for c in matching if c[3]]
            measurement_record(
                actor=None,
                service=services[service_id],
                target=target,
                period=day,
                achieved=_share(len(matching) - len(breaches), len(matching)),
                cases=len(matching),
                breaches=len(breaches),
                source="cases",
            )
            recorded += 1
            by_link: dict[int, int] = defaultdict(int)
            for case_id, *_rest in breaches:
                for link_id in caused.get((case_id, name), ()):
                    by_link[link_id] += 1
            for link_id, count in by_link.items():
                measurement_record(
                    actor=None,
                    service=services[service_id],
                    target=target,
                    period=day,
                    achieved=_share(len(matching) - count, len(matching)),
                    cases=len(matching),
                    breaches=count,
                    link=links[link_id],
                    source="cases",
                )
                recorded += 1
    return recorded


def measure_recent(today: Any = None) -> int:
    """This month so far and last month (cases of last month may still be resolved early this month)."""
    today = today or timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return measure_month(last_month) + measure_month(today)
