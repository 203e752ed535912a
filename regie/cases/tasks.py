"""The cases' background jobs: the breach scan, every five minutes, and computing clocks again after a
business-hours calendar changed. Both compute from the events (``clocks.recompute``), so running them
twice does no harm."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.core.jobs import enqueue, every, set_progress, task
from regie.core.models import Job

BATCH = 500


@task("cases.scan_clocks")
def scan_clocks(job: Job) -> dict[str, Any]:
    """Compute again the open cases whose running clock has reached its warning or its due moment, so
    that warnings and breaches are recorded when they happen rather than when someone next looks."""
    from regie.cases import clocks
    from regie.cases.models import Case, SlaClock

    now = timezone.now()
    due = SlaClock.objects.filter(status="running", breached=False).filter(Q(due_at__lte=now) | Q(warn_at__lte=now))
    ids = list(due.order_by("case_id").values_list("case_id", flat=True).distinct()[:10_000])
    kept = 0
    for start in range(0, len(ids), BATCH):
        kept += clocks.recompute(Case.objects.filter(pk__in=ids[start : start + BATCH]).select_related("workflow_version"), now)
    breached = SlaClock.objects.filter(case_id__in=ids, breached=True).count()
    return {"cases": len(ids), "clocks": kept, "breached": breached, "message": _("%(n)s cases checked.") % {"n": len(ids)}}


@task("cases.recompute_clocks")
def recompute_clocks(job: Job, calendar: int) -> dict[str, Any]:
    """Every open case whose clocks count on the calendar, computed again."""
    from regie.cases import clocks

    cases = clocks.open_cases_on_calendar(calendar)
    total = cases.count()
    done, last = 0, 0
    lookup = clocks.Lookup()  # agreements, targets and definitions read once for the whole job
    while True:
        # Keyset pages (after the last id), not offsets: each batch costs the same however far the job is.
        batch = list(cases.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        clocks.recompute(batch, lookup=lookup)
        done, last = done + len(batch), batch[-1].pk
        set_progress(job, done, total, _("%(done)s of %(total)s cases") % {"done": done, "total": total})
    return {"cases": done, "message": _("The clocks of %(n)s open cases were computed again.") % {"n": done}}


def calendar_changed(calendar: Any, actor: Any = None) -> None:
    """A business-hours calendar changed: its open cases' clocks are computed again in the background."""
    enqueue(
        "cases.recompute_clocks",
        label=_("SLA clocks on %(calendar)s") % {"calendar": calendar},
        requested_by=actor,
        calendar=calendar.pk,
    )


@task("cases.measure_levels")
def measure_levels(job: Job) -> dict[str, Any]:
    """Last month's and this month's service levels from the cases, for the service-level reports."""
    from regie.cases import levels

    recorded = levels.measure_recent()
    return {"recorded": recorded, "message": _("%(n)s service-level figures from cases.") % {"n": recorded}}


every("SLA warnings and breaches", "cases.scan_clocks", timedelta(minutes=5))
every("Service levels from cases", "cases.measure_levels", timedelta(hours=6))
