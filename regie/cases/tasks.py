"""The cases' background jobs: the breach scan, every five minutes, and computing clocks again after a
business-hours calendar changed. Both compute from the events (``clocks.recompute``), so running them
twice does no harm."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.jobs import enqueue, every, run_parts, set_progress, split, task
from regie.core.models import Job

BATCH = 500
#: the cases of one part of a job that computes many: more are split into parts for several workers
PART = 2000


@task("cases.scan_clocks")
def scan_clocks(job: Job) -> dict[str, Any]:
    """Compute again the open cases whose running clock has reached its due moment and is not yet
    recorded as breached, or has reached its warning moment since it was last computed, so that warnings
    and breaches are recorded when they happen rather than when someone next looks. A warned clock is
    not computed again at every scan: its computing moment is then past its warning."""
    from regie.cases import clocks
    from regie.cases.models import SlaClock

    now = timezone.now()
    running = SlaClock.objects.filter(status="running", breached=False).order_by()
    due = running.filter(due_at__lte=now).values_list("case_id", flat=True)
    warned = running.filter(warn_at__lte=now, warn_at__gt=F("computed_at")).values_list("case_id", flat=True)
    # Two statements, each on its index, rather than one OR that reads neither.
    ids = sorted(set(due) | set(warned))[:10_000]
    kept = 0
    lookup = clocks.Lookup()
    for start in range(0, len(ids), BATCH):
        kept += clocks.recompute(clocks.case_rows(ids[start : start + BATCH]), now, lookup=lookup, touch=True)
    breached = SlaClock.objects.filter(case_id__in=ids, breached=True).count() if ids else 0
    return {"cases": len(ids), "clocks": kept, "breached": breached, "message": _("%(n)s cases checked.") % {"n": len(ids)}}


@task("cases.recompute_clocks")
def recompute_clocks(job: Job, calendar: int, first: str | None = None, last: str | None = None) -> dict[str, Any]:
    """The open cases whose clocks count on the calendar, computed again: all of them, or, when only the
    days ``first`` to ``last`` (ISO dates) changed, those whose clocks those days can move. More than
    ``PART`` cases are split into parts of that many, queued as jobs of their own so that every free
    worker computes some while this one computes the rest."""
    from regie.cases import clocks

    days = (dt.date.fromisoformat(first), dt.date.fromisoformat(last)) if first and last else None
    ids = clocks.open_cases_on_calendar(calendar, days)
    total = len(ids)
    if total > PART:
        set_progress(job, 0, total, _progress(0, total))
        parts = split(
            job,
            "cases.recompute_clocks_part",
            [{"ids": ids[start : start + PART]} for start in range(0, total, PART)],
            label=job.label or _("SLA clocks"),
        )
        run_parts(job, parts, message=_progress)
    else:
        _recompute(job, ids)
    return {"cases": total, "message": _("The clocks of %(n)s open cases were computed again.") % {"n": total}}


@task("cases.recompute_clocks_part")
def recompute_clocks_part(job: Job, ids: list[int], part_of: int | None = None) -> dict[str, Any]:
    """A part of ``recompute_clocks``: the clocks of these cases computed again."""
    _recompute(job, ids, part_of)
    return {"cases": len(ids), "message": _("The clocks of %(n)s open cases were computed again.") % {"n": len(ids)}}


def _progress(done: int, total: int) -> str:
    return _("%(done)s of %(total)s cases") % {"done": done, "total": total}


#: the ``Lookup`` of the job whose parts this worker is computing: read once for all the parts it takes
_lookups: dict[int, Any] = {}


def _recompute(job: Job, ids: list[int], part_of: int | None = None) -> None:
    from regie.cases import clocks

    total = len(ids)
    # Agreements, targets and definitions read once for the whole job (in each worker that takes parts).
    lookup = _lookups.get(part_of) if part_of is not None else None
    if lookup is None:
        lookup = clocks.Lookup()
        if part_of is not None:
            _lookups.clear()
            _lookups[part_of] = lookup
    for start in range(0, total, BATCH):
        clocks.recompute(clocks.case_rows(ids[start : start + BATCH]), lookup=lookup)
        done = min(start + BATCH, total)
        set_progress(job, done, total, _progress(done, total))


def calendar_changed(calendar: Any, actor: Any = None, days: tuple[dt.date, dt.date] | None = None) -> None:
    """A business-hours calendar changed (on the days ``days``, or on any): its open cases' clocks are
    computed again in the background."""
    enqueue(
        "cases.recompute_clocks",
        label=_("SLA clocks on %(calendar)s") % {"calendar": calendar},
        requested_by=actor,
        calendar=calendar.pk,
        **({"first": days[0].isoformat(), "last": days[1].isoformat()} if days else {}),
    )


@task("cases.measure_levels")
def measure_levels(job: Job) -> dict[str, Any]:
    """Last month's and this month's service levels from the cases, for the service-level reports."""
    from regie.cases import levels

    recorded = levels.measure_recent()
    return {"recorded": recorded, "message": _("%(n)s service-level figures from cases.") % {"n": recorded}}


every("SLA warnings and breaches", "cases.scan_clocks", timedelta(minutes=5))
every("Service levels from cases", "cases.measure_levels", timedelta(hours=6))
