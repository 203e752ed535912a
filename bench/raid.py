"""How fast are the RAID log's portfolio heat map and overdue-actions list on a large organisation? A self-contained benchmark.

What is measured
    On a fresh database (bulk-loaded, then ``VACUUM ANALYZE``, ``ANALYZE`` on SQLite) with the portfolio
    benchmark's organisation (1 domain, 10 portfolios of different sizes, 200 programmes, 300 people; see
    ``bench/portfolio.py``) and 5,000 projects, the RAID logs hold 200,000 risks and 500,000 actions: 40 risks
    and 100 actions per project on average (from 0.2 to 1.8 times that, per project), about 8 % of them on
    a programme's or portfolio's log (escalated). Risks are scored on the 5 × 5 scale, skewed towards the
    middle, 60 % with a residual score after response; 75 % are open. Actions are due from a year ago to
    half a year ahead; 70 % of those due in the past are done, so about 20 % of all actions are overdue.

    Django's test client (in this process, no HTTP server) requests, as a portfolio manager on the domain:

    * the heat map page of the largest portfolio ``GET /raid/heat-map/?within=<portfolio scope>`` (the
      counts before and after response, and the portfolio's top 10 risks), and of everything
      (``/raid/heat-map/``);
    * the heat map in the API ``GET /api/raid-items/heat-map?within=<portfolio scope>``;
    * the overdue actions of the largest portfolio ``GET /raid/overdue-actions/?within=<portfolio scope>``
      (the first page of 50, the longest overdue first, and the count), and of everything;
    * the same heat map and overdue list as a user without a role who is the named PMO officer of 30
      projects (the visibility path of the people named on projects);
    * a baseline measured in the same run: the heat map's aggregate (open risks of the largest portfolio
      grouped by their scores before and after response) as a bare ORM query (no request, no visibility
      rule, no template).

    After a warm-up that is not counted, the requests run in interleaved rounds (``--runs``, 30 by
    default); reported per request: the median and p95 (ms), and the SQL queries of one request. Everything
    is measured first with ``--small`` projects (a tenth by default, with their items), then the rest is
    added and measured again, so that the query counts at both sizes stand side by side.

Targets (exit code 0 when all pass, 1 otherwise)
    * every request makes the same number of SQL queries with the small and the full data set;
    * the p95 of every heat map request at full size is at most 200 ms;
    * the p95 of every overdue-actions request at full size is at most 150 ms.
    When a target fails, the slowest SQL statements are printed with their plan; ``--explain`` prints
    them always.

Reproduce
    .venv/bin/python bench/raid.py                           # SQLite file in a temporary directory
    .venv/bin/python bench/raid.py --database-url postgres://postgres@127.0.0.1:5432/regie_bench_raid

    Options: ``--projects 5000 --risks 200000 --actions 500000 --runs 30 --small 500``, ``--explain``,
    ``--keep``. Without ``--database-url`` the benchmark reads ``DATABASE_URL``. The PostgreSQL database
    named in the URL (local, its name must contain "bench") is dropped and created again, and dropped at
    the end.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.portfolio import (  # noqa: E402
    Measured,
    Request,
    World,
    add_projects,
    check_database_url,
    explain,
    page_rows,
    populate_base,
    run_at_two_sizes,
    shorten,
    table,
)

SEED = 20261202
TARGET_HEAT_MAP_MS = 200.0
TARGET_OVERDUE_MS = 150.0
NAMED_PROJECTS = 30

RISK_TITLES = [
    "Supplier delivers late",
    "Key users not available",
    "Data quality in the legacy system",
    "Licence costs rise",
    "Scope creep from the business",
    "Performance below the norm",
    "Privacy assessment not finished",
    "Architect leaves the project",
    "Interface with finance not agreed",
    "Budget cut next year",
]
ACTION_TITLES = [
    "Ask the supplier for a recovery plan",
    "Agree the key users' time with their managers",
    "Clean the customer records",
    "Renegotiate the licence",
    "Freeze the scope for release 1",
    "Run the load test again",
    "Finish the privacy assessment",
    "Hand over the architecture",
    "Agree the interface specification",
    "Prepare the budget request",
]
#: probability and impact 1..5, the middle more common
SCORE_WEIGHTS = [10, 25, 35, 20, 10]


def add_items(world: World, project_ids: list[int], risks_per_project: float, actions_per_project: float) -> dict[str, int]:
    """The RAID items of the given projects (each project's from its own seeded generator)."""
    from django.db import transaction

    from regie.portfolio.models import Programme, Project
    from regie.raid.models import RaidItem

    projects = list(Project.objects.filter(pk__in=project_ids).values_list("pk", "scope_id", "programme_id", "portfolio_id"))
    programme_scopes = dict(Programme.objects.values_list("pk", "scope_id"))
    portfolio_scopes = {p.pk: p.scope_id for p in world.portfolios}
    people = [p.pk for p in world.people]
    today = world.today
    counts = {"risks": 0, "actions": 0}
    batch: list[RaidItem] = []

    def place(
        rng: random.Random, scope_id: int, project_id: int, programme_id: int | None, portfolio_id: int
    ) -> tuple[int, int | None]:
        """The project's log, or (about 8 %) escalated to its programme's or portfolio's."""
        if rng.random() >= 0.08:
            return scope_id, project_id
        if programme_id and rng.random() < 0.7:
            return programme_scopes[programme_id], None
        return portfolio_scopes[portfolio_id], None

    def flush() -> None:
        RaidItem.objects.bulk_create(batch, batch_size=5000)
        batch.clear()

    with transaction.atomic():
        for project_id, scope_id, programme_id, portfolio_id in projects:
            rng = random.Random(f"{SEED}-{project_id}")
            factor = rng.uniform(0.2, 1.8)

            for n in range(round(risks_per_project * factor)):
                where, project = place(rng, scope_id, project_id, programme_id, portfolio_id)
                p, i = rng.choices(range(1, 6), SCORE_WEIGHTS, k=2)
                residual = rng.random() < 0.6
                rp, ri = (max(1, p - rng.randint(0, 2)), max(1, i - rng.randint(0, 1))) if residual else (None, None)
                status = "open" if rng.random() < 0.75 else rng.choice(["closed", "occurred"])
                batch.append(
                    RaidItem(
                        scope_id=where,
                        project_id=project,
                        kind="risk",
                        title=f"{RISK_TITLES[n % len(RISK_TITLES)]} ({n + 1})",
                        owner_id=rng.choice(people),
                        status=status,
                        probability=p,
                        impact=i,
                        exposure=p * i,
                        residual_probability=rp,
                        residual_impact=ri,
                        residual_exposure=rp * ri if residual else None,
                        current_exposure=rp * ri if residual else p * i,
                        proximity=today + timedelta(days=rng.randint(-30, 365)),
                        strategy=rng.choice(["reduce", "avoid", "transfer", "accept"]),
                        raised_on=today - timedelta(days=rng.randint(0, 700)),
                    )
                )
                counts["risks"] += 1
            for n in range(round(actions_per_project * factor)):
                where, project = place(rng, scope_id, project_id, programme_id, portfolio_id)
                due = today + timedelta(days=rng.randint(-365, 180))
                late_and_done = due < today and rng.random() < 0.7
                status = "done" if late_and_done else "in_progress" if rng.random() < 0.3 else "open"
                batch.append(
                    RaidItem(
                        scope_id=where,
                        project_id=project,
                        kind="action",
                        title=f"{ACTION_TITLES[n % len(ACTION_TITLES)]} ({n + 1})",
                        owner_id=rng.choice(people),
                        status=status,
                        due_date=due,
                        origin=rng.choice(["log", "meeting", "risk_response"]),
                        raised_on=due - timedelta(days=rng.randint(7, 90)),
                        closed_on=due if status == "done" else None,
                    )
                )
                counts["actions"] += 1
            if len(batch) >= 20000:
                flush()
        flush()
    return counts


def name_the_pmo_officer(world: World) -> None:
    """The named PMO officer (no role) supports the first projects of the largest portfolio."""
    from regie.portfolio.models import Project

    for project in Project.objects.filter(portfolio=world.portfolios[0]).order_by("pk")[:NAMED_PROJECTS]:
        project.pmo_officers.add(world.named)


def requests_for(world: World) -> list[Request]:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from regie.core.models import Scope
    from regie.raid.models import RaidItem

    users = get_user_model()._default_manager
    manager, named = Client(), Client()
    manager.force_login(users.get(username="bench-portfolio-manager"))
    named.force_login(users.get(username="bench-named-pmo"))
    scope = world.portfolios[0].scope

    def get(client: Client, path: str) -> Any:
        return lambda: page_rows(client.get(path))

    def bare() -> int:
        """The heat map's one aggregate, without the visibility rule, the scale or a template."""
        risks = RaidItem.objects.filter(
            kind="risk",
            status="open",
            scope_id__in=Scope.objects.filter(path__startswith=scope.path).values("pk"),
            archived_at=None,
        )
        scores = risks.values_list("probability", "impact", "residual_probability", "residual_impact").annotate(n=Count("*"))
        return len(list(scores.order_by()))

    def api_total(path: str) -> int:
        response = manager.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench: {path} answered HTTP {response.status_code}")
        return response.json()["total"]

    within = f"?within={scope.pk}"
    return [
        Request("heat", f"heat map page {within} (largest portfolio)", get(manager, f"/raid/heat-map/{within}"), targeted=True),
        Request("heat_all", "heat map page, everything", get(manager, "/raid/heat-map/"), targeted=True),
        Request(
            "heat_api",
            f"API /api/raid-items/heat-map{within}",
            lambda: api_total(f"/api/raid-items/heat-map{within}"),
            targeted=True,
        ),
        Request("heat_named", "heat map page, named PMO officer", get(named, "/raid/heat-map/"), targeted=True),
        Request("overdue", f"overdue actions {within}", get(manager, f"/raid/overdue-actions/{within}"), targeted=True),
        Request("overdue_all", "overdue actions, everything", get(manager, "/raid/overdue-actions/"), targeted=True),
        Request("overdue_named", "overdue actions, named PMO officer", get(named, "/raid/overdue-actions/"), targeted=True),
        Request("bare", "baseline: the heat map's aggregate, bare ORM", bare),
    ]


def data_summary(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from regie.portfolio.models import Project
    from regie.raid.models import RaidItem

    items = RaidItem.objects
    return {
        "projects": Project.objects.count(),
        "risks": items.filter(kind="risk").count(),
        "open_risks": items.filter(kind="risk", status="open").count(),
        "actions": items.filter(kind="action").count(),
        "overdue": items.filter(kind="action", status__in=["open", "in_progress"], due_date__lt=timezone.localdate()).count(),
        "escalated": items.filter(project=None).count(),
        "portfolio_risks": items.filter(
            kind="risk", status="open", scope__path__startswith=world.portfolios[0].scope.path
        ).count(),
    }


def report(
    options: argparse.Namespace,
    info: dict[str, Any],
    requests: list[Request],
    small: dict[str, Measured],
    full: dict[str, Measured],
) -> bool:
    from django.db import connection

    print()
    print("Regie RAID log benchmark")
    print(f"  database     {connection.vendor}")
    for label in ("small", "full"):
        d = info[label]
        print(
            f"  {label:12} {d['projects']:,} projects; {d['risks']:,} risks ({d['open_risks']:,} open,"
            f" {d['portfolio_risks']:,} open in the largest portfolio), {d['actions']:,} actions"
            f" ({d['overdue']:,} overdue); {d['escalated']:,} items above a project"
        )
    print(f"  loading      {info['load_seconds']:.0f} s in all")
    print(f"  measured     median and p95 of {options.runs} interleaved runs per request (Django test client, in process)")
    print(
        f"  machine      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1 min)"
        f" {info['load_before']:.2f} before, {info['load_after']:.2f} after"
    )
    print()
    baseline = full["bare"].median_ms()
    rows = [["request", "rows", "queries small", "queries full", "median ms", "p95 ms", "x bare", "target"]]
    passed = True
    failing: list[str] = []
    for request in requests:
        s, f = small[request.key], full[request.key]
        target = ""
        if request.targeted:
            limit = TARGET_HEAT_MAP_MS if request.key.startswith("heat") else TARGET_OVERDUE_MS
            ok = f.p95_ms() <= limit and s.count == f.count
            target = f"<= {limit:.0f} ms, same queries: {'PASS' if ok else 'FAIL'}"
            if not ok:
                passed = False
                failing.append(request.key)
        rows.append(
            [
                request.label,
                f"{f.rows:,}",
                str(s.count),
                str(f.count),
                f"{f.median_ms():.1f}",
                f"{f.p95_ms():.1f}",
                f"{f.median_ms() / baseline:.1f}" if baseline else "",
                target,
            ]
        )
    print(table(rows, right={1, 2, 3, 4, 5, 6}))
    for key in failing if not options.explain else [r.key for r in requests if r.targeted]:
        measured = full[key]
        slowest = sorted(measured.queries, key=lambda q: q["ms"], reverse=True)[:2]
        print(f"\n{key}: {measured.count} statements; the slowest:")
        for query in slowest:
            print(f"  {query['ms']:.1f} ms  {shorten(query['sql'], 300)}")
            for line in explain(query["sql"]):
                print("      " + line)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--risks", type=int, default=200_000)
    parser.add_argument("--actions", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--small", type=int, default=0, help="projects at the small size (default: a tenth)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args(argv)
    options.small = options.small or options.projects // 10
    if options.projects < 100 or options.runs < 5 or not 0 < options.small < options.projects:
        parser.error("need --projects >= 100, --runs >= 5 and 0 < --small < --projects")
    check_database_url(parser, options.database_url)
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    risks_per_project, actions_per_project = options.risks / options.projects, options.actions / options.projects

    def load_small() -> tuple[World, dict[str, int]]:
        from regie.portfolio.models import Project

        world = populate_base(programmes=200, people=300)
        loaded = add_projects(world, 0, options.small, 2)
        add_items(world, list(Project.objects.values_list("pk", flat=True)), risks_per_project, actions_per_project)
        name_the_pmo_officer(world)
        return world, loaded

    def load_rest(world: World) -> None:
        from regie.portfolio.models import Project

        for start in range(options.small, options.projects, 1000):
            known = set(Project.objects.values_list("pk", flat=True))
            add_projects(world, start, min(start + 1000, options.projects), 2)
            added = sorted(set(Project.objects.values_list("pk", flat=True)) - known)
            add_items(world, added, risks_per_project, actions_per_project)
            print(f"  {min(start + 1000, options.projects):,} projects loaded", flush=True)

    return run_at_two_sizes(
        options,
        "regie-bench-raid-",
        load_small,
        load_rest,
        requests_for,
        data_summary,
        lambda info, requests, small, full: report(options, info, requests, small, full),
    )


if __name__ == "__main__":
    sys.exit(main())
