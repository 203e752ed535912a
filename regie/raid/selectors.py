"""Reads of the RAID log: the heat map, overdue actions, top risks and open decisions, for one scope
and everything below it (a portfolio's view rolls up its programmes' and projects' logs)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from regie.core.models import Scope
from regie.raid.choices import OPEN_STATUSES, Kind, Status
from regie.raid.models import RaidItem, RiskScale


def visible(user: Any) -> QuerySet:
    """The active items the user may see; every active item when ``user`` is None (for the project's own
    reports, which the people named on the project draft)."""
    items = RaidItem.objects.active()
    return items if user is None else items.visible_to(user)


def within(queryset: QuerySet, scope: Scope | None) -> QuerySet:
    """The items on ``scope`` and on every scope below it."""
    if scope is None:
        return queryset
    return queryset.filter(scope_id__in=Scope.objects.filter(path__startswith=scope.path).values("pk"))


def scope_visible(user: Any, scope: Scope) -> bool:
    """May the user look at this scope's log: by a role there or above, or because they see the project,
    programme or portfolio it belongs to?"""
    from regie.core import permissions
    from regie.portfolio.models import Portfolio, Programme, Project

    if permissions.may(user, "raid.view_raiditem", scope=scope):
        return True
    return any(model.objects.visible_to(user).filter(scope=scope).exists() for model in (Project, Programme, Portfolio))


def heat_map(user: Any, scope: Scope | None = None) -> dict[str, Any]:
    """Open risks counted per probability × impact, before the response (as assessed) and after it (the
    residual score where one is given, else the assessed one), with the scale's names and bands."""
    scale = RiskScale.current()
    risks = within(visible(user), scope).filter(kind=Kind.RISK, status=Status.OPEN)
    # One pass over the risks (an index-only scan on PostgreSQL) gives both maps: at most levels^4 groups.
    scores = (
        risks.values_list("probability", "impact", "residual_probability", "residual_impact").annotate(n=Count("*")).order_by()
    )
    levels = scale.levels

    before_grid = [[0] * levels for _ in range(levels)]
    after_grid = [[0] * levels for _ in range(levels)]

    def count(cells: list[list[int]], probability: int | None, impact: int | None, n: int) -> None:
        if probability and impact and probability <= levels and impact <= levels:
            cells[probability - 1][impact - 1] += n

    for probability, impact, residual_probability, residual_impact, n in scores:
        count(before_grid, probability, impact, n)
        count(after_grid, residual_probability or probability, residual_impact or impact, n)
    probability_names = scale.probability_names()

    def rows(cells: list[list[int]]) -> list[dict[str, Any]]:
        # the highest probability on top, as a risk matrix is drawn
        return [
            {
                "level": p + 1,
                "name": probability_names[p],
                "cells": [{"count": cells[p][i], "band": scale.band((p + 1) * (i + 1))} for i in range(levels)],
            }
            for p in reversed(range(levels))
        ]

    return {
        "levels": levels,
        "probability_names": probability_names,
        "impact_names": scale.impact_names(),
        "amber_from": scale.amber_from,
        "red_from": scale.red_from,
        "before": before_grid,
        "after": after_grid,
        "before_rows": rows(before_grid),
        "after_rows": rows(after_grid),
        "total": sum(map(sum, before_grid)),
    }


def overdue_actions(user: Any, scope: Scope | None = None, today: date | None = None) -> QuerySet:
    """Open actions past their due date, the longest overdue first."""
    today = today or timezone.localdate()
    return (
        within(visible(user), scope)
        .filter(kind=Kind.ACTION, status__in=OPEN_STATUSES, due_date__lt=today)
        .select_related("owner", "scope")
        .order_by("due_date", "pk")
    )


def top_risks(user: Any, scope: Scope | None = None, limit: int = 5) -> list[RaidItem]:
    """The open risks with the highest exposure now (after their response where it has been scored)."""
    # The ranking reads only the covering index; the few rows shown are fetched afterwards.
    ranked = list(
        within(visible(user), scope)
        .filter(kind=Kind.RISK, status=Status.OPEN)
        .order_by("-current_exposure", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    rows = RaidItem.objects.filter(pk__in=ranked).select_related("owner", "scope").in_bulk()
    return [rows[pk] for pk in ranked if pk in rows]


def open_decisions(user: Any, scope: Scope | None = None, limit: int = 10) -> list[RaidItem]:
    """Decisions still to be taken, the most urgent first."""
    return list(
        within(visible(user), scope)
        .filter(kind=Kind.DECISION, status=Status.OPEN)
        .select_related("owner")
        .order_by(Coalesce("due_date", date.max), "pk")[:limit]
    )


def open_counts(user: Any, scope: Scope | None = None) -> dict[str, int]:
    """Open items per kind."""
    rows = within(visible(user), scope).filter(status__in=OPEN_STATUSES).values_list("kind").annotate(n=Count("pk")).order_by()
    counts = dict.fromkeys(Kind.values, 0)
    counts.update(dict(rows))
    return counts
