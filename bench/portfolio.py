"""How fast is the portfolio overview on a large portfolio, and the steering-committee deck? A self-contained benchmark.

What is measured
    On a fresh database (bulk-loaded, then ``VACUUM ANALYZE``, ``ANALYZE`` on SQLite) with 1 domain,
    10 portfolios, 200 programmes, 300 people and 5,000 projects (about 70 % in a programme, a 6-phase life
    cycle, weekly, fortnightly and monthly reporting), each with 10 submitted status reports over
    consecutive reporting periods (``previous`` chained, ``Project.latest_report`` and ``report_due`` set;
    about 10 % of the projects have an overdue report), Django's test client (in this process, no HTTP
    server) requests:

    * the portfolio overview ``GET /portfolio-overview/``, a page of 50 projects: one portfolio filtered
      to amber, the unfiltered first page, the overdue projects, page 5 sorted by ``-due`` (all as a
      portfolio manager on the domain), and the first page as a user without a role who is a named PMO
      officer on about 30 projects (the visibility path of the people named on projects);
    * the JSON API ``GET /api/portfolio-overview/?limit=50`` (informational);
    * two baselines for the same page as the filtered overview, measured in the same run: the generic
      project list ``GET /projects/?portfolio=<id>&health=amber`` and a bare ORM list of the same 50 rows
      (``Project.objects.filter(...)[:50]``, no request, no template).

    After a warm-up that is not counted, the requests run in interleaved rounds (``--runs``, 30 by
    default); reported per request: the median and p95 of the time spent in Django (ms), the SQL queries
    of one request (``CaptureQueriesContext``) and the time those queries took. Everything is measured
    first with ``--small`` projects (500 by default, with their reports), then the rest is added and it
    is measured again, so that the query counts at both sizes stand side by side.

    Then the steering-committee deck of 50 projects of one portfolio
    (``exports.build_deck(list(for_export(overview(...))[:50]))``, 5 runs) and the workbook of all
    projects (informational, one run).

Targets (exit code 0 when all pass, 1 otherwise)
    * every overview request makes the same number of SQL queries with the small and the full data set;
    * the p95 of every overview request at full size is at most 200 ms;
    * the slowest of 5 decks of 50 projects takes at most 5 s.
    When a target fails, the slowest SQL statements are printed with their plan (``EXPLAIN QUERY PLAN`` on
    SQLite, ``EXPLAIN ANALYZE`` on PostgreSQL); ``--explain`` prints them always.

Reproduce
    .venv/bin/python bench/portfolio.py                      # SQLite file in a temporary directory
    .venv/bin/python bench/portfolio.py --database-url postgres://postgres@127.0.0.1:5432/regie_bench_portfolio

    Options: ``--projects 5000 --reports-per-project 10 --runs 30 --small 500``; ``--explain`` prints every
    statement of every overview request and the plan of the slowest; ``--profile`` prints a cProfile of 20
    filtered overview requests; ``--no-workbook`` skips the workbook; ``--keep`` keeps the temporary directory
    and the database. Without ``--database-url`` the benchmark reads ``DATABASE_URL``. The PostgreSQL
    database named in the URL (local, its name must contain "bench") is dropped and created again, and
    dropped at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261123

TARGET_P95_MS = 200.0
TARGET_DECK_SECONDS = 5.0
DECK_PROJECTS = 50
DECK_RUNS = 5
WARMUP = 3


# --- the data ---------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",")]


GIVEN_NAMES = _words(
    "Sanne, Daan, Lotte, Bram, Noor, Ruben, Emma, Thijs, Fleur, Jeroen, Anouk, Maarten, Eva, Wouter, Iris, Pieter, "
    "Erik, Ingrid, Johan, Astrid, Oskar, Maja, Sven, Elin, Lars, Hanna, Liam, Claire, Priya, Tom, Olivia, James, "
    "Fatima, Yusuf, Aylin, Marco"
)
FAMILY_NAMES = _words(
    "de Vries, Jansen, Bakker, Visser, Smit, Meijer, de Jong, Mulder, de Boer, Bos, Dekker, van Dijk, Andersson, "
    "Johansson, Lindqvist, Berg, Holm, Lund, Sandberg, Smith, Taylor, Brown, O'Connor, Raman, Dubois, Kowalski, "
    "Rossi, Kaya, El Amrani, Walker"
)
PORTFOLIOS = [
    ("Digital workplace", 18),
    ("Infrastructure", 14),
    ("Customer services", 12),
    ("Business applications", 11),
    ("Data and analytics", 10),
    ("Security and compliance", 9),
    ("Finance and control", 8),
    ("Facilities and housing", 7),
    ("People and organisation", 6),
    ("Innovation", 5),
]
AREAS = _words(
    "Digital, Customer, Permit, Finance, Data, Cloud, Workplace, Service, Asset, Identity, Security, Payroll, "
    "Procurement, Records, Network, Mobile, Facility, Citizen, Supplier, Learning, Archive, Contract"
)
SUBJECTS = _words(
    "portal, platform, CRM, ERP, data warehouse, service desk, intranet, workflow, case management, "
    "document management, website, contact centre, fleet, inventory, register, reporting, planning, telephony, "
    "access control, e-forms"
)
ACTIONS = _words(
    "renewal, migration, replacement, upgrade, consolidation, roll-out, redesign, implementation, modernisation, "
    "integration, tender, phase 2, pilot, decommissioning"
)
THEMES = _words(
    "Digital first, Cloud journey, Smart city, One service desk, Data driven, Zero trust, Future workplace, "
    "Paperless, Customer journey, Lean finance, Green housing, Connected care, Open data, Modern HR"
)
PHASES = [("Idea", 8), ("Initiation", 12), ("Definition", 16), ("Realisation", 38), ("Transition", 16), ("Closure", 10)]
FREQUENCIES = [("monthly", 70), ("fortnightly", 20), ("weekly", 10)]
RAGS = ("green", "amber", "red")
#: Overall status from one period to the next: mostly it stays, green is the common state.
OVERALL_START = {"green": 66, "amber": 24, "red": 10}
OVERALL_NEXT = {
    "green": {"green": 84, "amber": 13, "red": 3},
    "amber": {"green": 30, "amber": 58, "red": 12},
    "red": {"green": 8, "amber": 37, "red": 55},
}
#: A dimension's status given the overall one.
DIMENSION_GIVEN_OVERALL = {
    "green": {"green": 90, "amber": 10, "red": 0},
    "amber": {"green": 55, "amber": 38, "red": 7},
    "red": {"green": 35, "amber": 35, "red": 30},
}
DIMENSIONS = ("schedule", "cost", "scope", "risks", "resources", "quality")
RATIONALES = {
    "overall": [
        "Several dimensions need attention; the steering committee is asked to decide on the re-plan.",
        "Delivery is at risk because of the supplier delay and the open decision on scope.",
        "The project is behind plan and over budget; recovery measures are being prepared.",
    ],
    "schedule": [
        "The supplier delivered the test environment three weeks late; the critical path is under review.",
        "Acceptance testing takes longer than planned because of the number of findings.",
        "The go-live moves one month because the migration rehearsal failed.",
    ],
    "cost": [
        "External hours exceed the estimate by 12 %; a change request for the budget follows.",
        "The licence price rose after the tender; the business case is being recalculated.",
        "Extra hardware is needed for the acceptance environment.",
    ],
    "scope": [
        "Two departments ask for extra functions that were not in the project brief.",
        "The interface with the finance system is not yet agreed and may move to a later release.",
        "The requirements for reporting are still open.",
    ],
    "risks": [
        "The dependency on the network renewal is not under control.",
        "Key-user availability during the summer is uncertain.",
        "The privacy impact assessment has not been completed.",
    ],
    "resources": [
        "The lead architect leaves at the end of the quarter; a replacement is being sought.",
        "Two developers are also assigned to an urgent incident backlog.",
        "The business cannot release the key users that were agreed.",
    ],
    "quality": [
        "The number of open findings after the last test round is too high for acceptance.",
        "Performance tests show response times above the agreed norm.",
        "The documentation for the service desk is incomplete.",
    ],
}
SUMMARIES = [
    "The project is on track. The design was approved and the build of the first release has started.",
    "Progress this period was steady; the supplier delivered the second sprint and the test plan is ready.",
    "The migration rehearsal has been carried out; the findings are being resolved before the cut-over.",
    "The tender has been published and four suppliers have asked questions; the award is planned next month.",
    "The pilot with two departments ended; the evaluation is positive and the roll-out is being planned.",
]
ACHIEVEMENTS = [
    "- Functional design approved by the product owner\n- Test environment delivered\n- Key users trained",
    "- Data migration rehearsal completed\n- Interfaces with HR and finance tested",
    "- Supplier contract signed\n- Project plan baselined\n- Kick-off with the business held",
    "- Sprint 4 delivered and demonstrated\n- Security review completed",
]
PLANS = [
    "- Start the acceptance test\n- Prepare the go/no-go for the first release",
    "- Complete the build of release 2\n- Plan the training for the service desk",
    "- Finish the migration scripts\n- Agree the cut-over weekend with operations",
    "- Evaluate the tender\n- Prepare the award decision for the steering committee",
]
TOP_RISKS = [
    "1. Availability of key users during the holidays\n2. Dependency on the network renewal",
    "1. Supplier capacity\n2. Late decisions on scope",
    "1. Data quality in the legacy system\n2. Budget pressure because of the licence price",
]
DECISIONS = [
    "Approve the change request for the additional budget of EUR 45,000.",
    "Decide whether the reporting module moves to release 2.",
    "Agree to extend the planned end by two months.",
]


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


@dataclass
class World:
    """What every generated project refers to."""

    domain: Any
    portfolios: list[Any]
    portfolio_weights: list[int]
    programmes_of: dict[int, list[Any]]
    people: list[Any]
    lifecycle: Any
    phases: list[Any]
    named: Any
    today: date
    created: int = 0


def _bulk_scopes(kind: str, names: list[str], parents: list[int]) -> list[Any]:
    """Scopes under the given parents, with their materialised paths (two statements per batch)."""
    from regie.core.models import Scope

    paths = dict(Scope.objects.filter(pk__in=set(parents)).values_list("pk", "path"))
    scopes = Scope.objects.bulk_create(
        [Scope(kind=kind, name=name[:200], parent_id=parent) for name, parent in zip(names, parents, strict=True)],
        batch_size=1000,
    )
    for scope in scopes:
        scope.path = f"{paths[scope.parent_id]}{scope.pk}/"
    Scope.objects.bulk_update(scopes, ["path"], batch_size=1000)
    return scopes


def populate_base(programmes: int, people: int) -> World:
    """The domain, portfolios, programmes, people, the life cycle, and the two users measured with."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from regie.core.models import Domain, OrgUnit, Person, RoleAssignment, Scope
    from regie.portfolio.models import LifecycleModel, Phase, Portfolio, Programme

    rng = random.Random(SEED)
    with transaction.atomic():
        Scope.root()  # the whole organisation, above the domain
        domain = Domain(code="DIG", name="Digital services")
        domain.save()
        unit = OrgUnit(code="NB", name="Northbridge")
        unit.save()
        pool = []
        for n in range(people):
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            local = "".join(c for c in f"{given}.{family}".lower() if c.isalnum() or c == ".")
            email = f"{local}.{n}@northbridge.example"
            pool.append(Person(given_name=given, family_name=family, email=email, org_unit=unit, employee_number=f"NB{n:06}"))
        pool = Person.objects.bulk_create(pool, batch_size=1000)

        lifecycle = LifecycleModel.objects.create(code="FULL", name="Full life cycle")
        phases = Phase.objects.bulk_create(
            [
                Phase(lifecycle=lifecycle, order=i, name=name, gate_criteria="Business case approved\nPlan baselined")
                for i, (name, _weight) in enumerate(PHASES, start=1)
            ]
        )

        names = [name for name, _weight in PORTFOLIOS]
        scopes = _bulk_scopes("portfolio", names, [domain.scope_id] * len(names))
        portfolios = Portfolio.objects.bulk_create(
            [
                Portfolio(code=f"PF-{i:02}", name=name, domain=domain, owner=pool[i], scope=scope)
                for i, (name, scope) in enumerate(zip(names, scopes, strict=True), start=1)
            ]
        )
        weights = [weight for _name, weight in PORTFOLIOS]
        # Every portfolio has a programme; the rest follow the portfolios' sizes.
        homes = portfolios + rng.choices(portfolios, weights, k=programmes - len(portfolios))
        labels = [f"{rng.choice(THEMES)} {n:03}" for n in range(1, programmes + 1)]
        scopes = _bulk_scopes("programme", labels, [p.scope_id for p in homes])
        created = Programme.objects.bulk_create(
            [
                Programme(code=f"PG-{n:03}", name=label, portfolio=home, manager=rng.choice(pool[:150]), goal="", scope=scope)
                for n, (label, home, scope) in enumerate(zip(labels, homes, scopes, strict=True), start=1)
            ]
        )
        programmes_of: dict[int, list[Any]] = {p.pk: [] for p in portfolios}
        for programme in created:
            programmes_of[programme.portfolio_id].append(programme)

        users = {}
        for username, given in (("bench-portfolio-manager", "Portia"), ("bench-named-pmo", "Nico")):
            user = get_user_model()(username=username, email=f"{username}@northbridge.example")
            user.set_unusable_password()
            user.save()
            users[username] = Person.objects.create(
                given_name=given, family_name="Bench", email=user.email, org_unit=unit, user=user
            )
        RoleAssignment.objects.create(person=users["bench-portfolio-manager"], role="portfolio_manager", scope=domain.scope)

    return World(
        domain=domain,
        portfolios=portfolios,
        portfolio_weights=weights,
        programmes_of=programmes_of,
        people=pool,
        lifecycle=lifecycle,
        phases=phases,
        named=users["bench-named-pmo"],
        today=timezone.localdate(),
    )


def _periods(frequency: str, last_start: date, count: int) -> list[tuple[date, date]]:
    """``count`` consecutive reporting periods, the last one starting on ``last_start``; oldest first."""
    from regie.portfolio.reporting import period_containing

    periods = [period_containing(frequency, last_start)]
    while len(periods) < count:
        periods.append(period_containing(frequency, periods[-1][0] - timedelta(days=1)))
    return periods[::-1]


def add_projects(world: World, start: int, stop: int, reports_per_project: int) -> dict[str, int]:
    """Projects ``start`` .. ``stop - 1`` with their reports, people and gate conditions. Each project's
    values come from its own seeded generator, so a data set built in two steps equals one built at once."""
    from django.db import transaction
    from django.utils import timezone

    from regie.portfolio.choices import GateOutcome
    from regie.portfolio.models import GateCondition, GateDecision, Project, StatusReport
    from regie.portfolio.reporting import due_date, period_after, period_containing

    people = world.people
    managers, sponsors, officers, committee = people[:150], people[150:190], people[190:215], people[150:240]
    phase_weights = [weight for _name, weight in PHASES]
    frequencies, frequency_weights = zip(*FREQUENCIES, strict=True)
    tz = timezone.get_current_timezone()
    specs = []
    for index in range(start, stop):
        rng = random.Random(f"{SEED}-{index}")
        portfolio = rng.choices(world.portfolios, world.portfolio_weights)[0]
        programme = rng.choice(world.programmes_of[portfolio.pk]) if rng.random() < 0.70 else None
        frequency = rng.choices(frequencies, frequency_weights)[0]
        # Most projects have reported on the last finished period; about 10 % are two to five periods behind.
        behind = rng.choice([3, 4, 5, 6]) if rng.random() < 0.10 else 1
        last = period_containing(frequency, world.today)
        for _ in range(behind):
            last = period_containing(frequency, last[0] - timedelta(days=1))
        periods = _periods(frequency, last[0], reports_per_project)
        planned_start = periods[0][0] - timedelta(days=rng.randrange(0, 60))
        specs.append(
            {
                "index": index,
                "rng": rng,
                "portfolio": portfolio,
                "programme": programme,
                "frequency": frequency,
                "periods": periods,
                "planned_start": planned_start,
                "planned_end": planned_start + timedelta(days=rng.randrange(180, 900)),
                "phase": rng.choices(world.phases, phase_weights)[0],
                "name": f"{rng.choice(AREAS)} {rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}",
                "manager": rng.choice(managers),
                "sponsor": rng.choice(sponsors) if rng.random() < 0.95 else None,
                "archived": rng.random() < 0.03,
            }
        )

    with transaction.atomic():
        scopes = _bulk_scopes(
            "project",
            [f"P-{s['index'] + 1:05} {s['name']}" for s in specs],
            [(s["programme"] or s["portfolio"]).scope_id for s in specs],
        )
        projects = []
        for spec, scope in zip(specs, scopes, strict=True):
            rng = spec["rng"]
            first = spec["periods"][0][0]
            created_at = datetime.combine(first - timedelta(days=rng.randrange(10, 40)), datetime.min.time(), tz)
            projects.append(
                Project(
                    code=f"P-{spec['index'] + 1:05}",
                    name=spec["name"],
                    goal=f"Deliver the {spec['name'].lower()} within budget, so that the old solution can be retired.",
                    portfolio=spec["portfolio"],
                    programme=spec["programme"],
                    sponsor=spec["sponsor"],
                    project_manager=spec["manager"],
                    planned_start=spec["planned_start"],
                    planned_end=spec["planned_end"],
                    lifecycle=world.lifecycle,
                    current_phase=spec["phase"],
                    reporting_frequency=spec["frequency"],
                    expected_costs=Decimal(rng.randrange(20, 4000) * 1000),
                    expected_benefits="Lower licence and maintenance costs; fewer manual steps for the service desk.",
                    strategic_contribution="Digital first",
                    scope=scope,
                    created_at=created_at,
                    archived_at=timezone.now() if spec["archived"] else None,
                )
            )
        projects = Project.objects.bulk_create(projects, batch_size=500)

        through_pmo, through_committee = Project.pmo_officers.through, Project.steering_committee.through
        pmo_rows, committee_rows = [], []
        for spec, project in zip(specs, projects, strict=True):
            rng = spec["rng"]
            chosen = set()
            if rng.random() < 0.6:
                chosen.add(rng.choice(officers).pk)
            if spec["index"] % 167 == 0:  # the named PMO officer without a role: about 30 of 5,000 projects
                chosen.add(world.named.pk)
            pmo_rows += [through_pmo(project_id=project.pk, person_id=pk) for pk in sorted(chosen)]
            members = {p.pk for p in rng.sample(committee, rng.randrange(2, 5))}
            committee_rows += [through_committee(project_id=project.pk, person_id=pk) for pk in sorted(members)]
        through_pmo.objects.bulk_create(pmo_rows, batch_size=2000)
        through_committee.objects.bulk_create(committee_rows, batch_size=2000)

        reports = []
        for spec, project in zip(specs, projects, strict=True):
            rng = spec["rng"]
            overall = _pick(rng, OVERALL_START)
            for n, (period_start, period_end) in enumerate(spec["periods"]):
                if n:
                    overall = _pick(rng, OVERALL_NEXT[overall])
                values: dict[str, Any] = {"overall": overall}
                for name in DIMENSIONS:
                    values[name] = _pick(rng, DIMENSION_GIVEN_OVERALL[overall])
                if overall != "green" and overall not in (values[name] for name in DIMENSIONS):
                    values[rng.choice(DIMENSIONS)] = overall  # an amber or red overall has a reason among the dimensions
                for name in ("overall", *DIMENSIONS):
                    values[f"{name}_rationale"] = rng.choice(RATIONALES[name]) if values[name] != "green" else ""
                submitted = datetime.combine(period_end + timedelta(days=rng.randrange(0, 4)), datetime.min.time(), tz)
                submitted += timedelta(hours=rng.randrange(8, 18), minutes=rng.randrange(60))
                reports.append(
                    StatusReport(
                        project=project,
                        period_start=period_start,
                        period_end=period_end,
                        state="submitted",
                        summary=rng.choice(SUMMARIES),
                        achievements=rng.choice(ACHIEVEMENTS),
                        plans=rng.choice(PLANS),
                        top_risks=rng.choice(TOP_RISKS),
                        decisions_needed=rng.choice(DECISIONS) if overall != "green" and rng.random() < 0.5 else "",
                        drafted_by=project.project_manager,
                        submitted_by=project.project_manager,
                        submitted_at=submitted,
                        created_at=submitted - timedelta(days=2),
                        **values,
                    )
                )
        reports = StatusReport.objects.bulk_create(reports, batch_size=500)
        chained = []
        for before, report in zip(reports, reports[1:], strict=False):
            if before.project_id == report.project_id:
                report.previous_id = before.pk
                chained.append(report)
        StatusReport.objects.bulk_update(chained, ["previous"], batch_size=1000)

        latest = {report.project_id: report for report in reports}
        for spec, project in zip(specs, projects, strict=True):
            report = latest.get(project.pk)
            project.latest_report = report
            project.health = report.overall if report else "green"
            if spec["archived"]:
                project.report_due = None
            elif report is not None:
                project.report_due = due_date(period_after(project.reporting_frequency, report.period_end)[1])
            else:
                project.report_due = due_date(period_containing(project.reporting_frequency, world.today)[1])
        Project.objects.bulk_update(projects, ["latest_report", "health", "report_due"], batch_size=1000)

        # About 15 % of the projects passed a gate "with conditions"; most conditions are still open.
        decided = []
        for spec, project in zip(specs, projects, strict=True):
            if spec["phase"].order >= 2 and spec["rng"].random() < 0.15:
                decided.append((spec, project))
        decisions = GateDecision.objects.bulk_create(
            [
                GateDecision(
                    project=project,
                    phase=world.phases[spec["phase"].order - 2],
                    outcome=GateOutcome.GO_WITH_CONDITIONS,
                    rationale="The business case holds; the conditions below must be met before the next gate.",
                    decided_by=project.sponsor or project.project_manager,
                )
                for spec, project in decided
            ],
            batch_size=1000,
        )
        conditions = []
        for (spec, project), decision in zip(decided, decisions, strict=True):
            rng = spec["rng"]
            for n in range(rng.randrange(1, 4)):
                is_open = rng.random() < 0.7
                conditions.append(
                    GateCondition(
                        project=project,
                        decision=decision,
                        description=f"Condition {n + 1}: update the risk register and the plan for the {spec['name'].lower()}.",
                        owner=project.project_manager,
                        due_date=world.today + timedelta(days=rng.randrange(-45, 90)),
                        status="open" if is_open else "done",
                        completed_at=None if is_open else timezone.now(),
                    )
                )
        GateCondition.objects.bulk_create(conditions, batch_size=1000)
    world.created = stop
    return {"projects": len(projects), "reports": len(reports), "conditions": len(conditions)}


def analyse() -> None:
    """Planner statistics (and on PostgreSQL the visibility map), as autovacuum keeps a production server."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def data_summary() -> dict[str, Any]:
    from django.utils import timezone

    from regie.portfolio.models import Programme, Project, StatusReport

    active = Project.objects.filter(archived_at__isnull=True)
    return {
        "projects": Project.objects.count(),
        "active": active.count(),
        "in_programme": active.exclude(programme=None).count(),
        "programmes": Programme.objects.count(),
        "reports": StatusReport.objects.count(),
        "overdue": active.filter(report_due__lt=timezone.localdate()).count(),
        "rag": {rag: active.filter(latest_report__overall=rag).count() for rag in RAGS},
    }


# --- measuring --------------------------------------------------------------------------------------


@dataclass
class Request:
    key: str
    label: str
    call: Callable[[], int]  # returns the number of rows
    targeted: bool = False  # the overview page: its p95 and its query count are targets


@dataclass
class Measured:
    times: list[float] = field(default_factory=list)  # seconds
    rows: int = 0
    queries: list[dict[str, Any]] = field(default_factory=list)  # sql, ms

    @property
    def count(self) -> int:
        return len(self.queries)

    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    def p95_ms(self) -> float:
        return percentile(self.times, 0.95) * 1000

    def sql_ms(self) -> float:
        return sum(q["ms"] for q in self.queries)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def page_rows(response: Any) -> int:
    if response.status_code != 200:
        raise SystemExit(
            f"bench: {response.request['PATH_INFO']} answered HTTP {response.status_code}: {response.content[:500]!r}"
        )
    if response["Content-Type"].startswith("application/json"):
        return len(response.json()["items"])
    text = response.content.decode()
    return text.count('<tr data-code="') or text.count('<tr data-href="') or text.count("<tr") - 1


def requests_for(portfolio_id: int) -> list[Request]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from regie.portfolio.models import Project

    users = get_user_model()._default_manager
    manager, named = Client(), Client()
    manager.force_login(users.get(username="bench-portfolio-manager"))
    named.force_login(users.get(username="bench-named-pmo"))

    def get(client: Client, path: str) -> Callable[[], int]:
        return lambda: page_rows(client.get(path))

    def bare() -> int:
        rows = Project.objects.filter(portfolio_id=portfolio_id, latest_report__overall="amber", archived_at__isnull=True)
        return len(list(rows.order_by("code")[:50]))

    filtered = f"?portfolio={portfolio_id}&rag=amber"
    return [
        Request("filtered", f"overview {filtered}", get(manager, f"/portfolio-overview/{filtered}"), targeted=True),
        Request("first", "overview (first page)", get(manager, "/portfolio-overview/"), targeted=True),
        Request("overdue", "overview ?overdue=on", get(manager, "/portfolio-overview/?overdue=on"), targeted=True),
        Request("page5", "overview ?sort=-due&page=5", get(manager, "/portfolio-overview/?sort=-due&page=5"), targeted=True),
        Request("named", "overview, named PMO officer", get(named, "/portfolio-overview/"), targeted=True),
        Request("api", "API /api/portfolio-overview/?limit=50", get(manager, "/api/portfolio-overview/?limit=50")),
        Request(
            "list",
            f"baseline /projects/?portfolio={portfolio_id}&health=amber",
            get(manager, f"/projects/?portfolio={portfolio_id}&health=amber"),
        ),
        Request("bare", "baseline Project.objects.filter(...)[:50]", bare),
    ]


def capture(call: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
    """Run ``call`` once and return its result and its SQL statements, each with its own duration."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durations: list[float] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            durations.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        result = call()
    statements = captured.captured_queries
    if len(durations) != len(statements):  # never expected; fall back to Django's own (ms-rounded) timings
        durations = [float(q["time"]) for q in statements]
    return result, [{"sql": q["sql"], "ms": d * 1000} for q, d in zip(statements, durations, strict=True)]


def measure(requests: list[Request], runs: int) -> dict[str, Measured]:
    results = {r.key: Measured() for r in requests}
    for request in requests:  # warm-up, not counted: imports, templates, the first reads of every table
        for _ in range(WARMUP):
            request.call()
    for request in requests:
        results[request.key].rows, results[request.key].queries = capture(request.call)
    # What the benchmark loaded stays in this process (a server would not hold it): frozen, so that the
    # garbage collector's full passes during the measured requests do not walk it.
    gc.collect()
    gc.freeze()
    for n in range(runs):  # interleaved rounds, the order rotating, so that noise hits every request alike
        shift = n % len(requests)
        for request in requests[shift:] + requests[:shift]:
            started = time.perf_counter()
            request.call()
            results[request.key].times.append(time.perf_counter() - started)
    return results


def measure_exports(user: Any, portfolio_id: int, workbook: bool) -> dict[str, Any]:
    from regie.portfolio import exports, selectors
    from regie.portfolio.selectors import OverviewFilters

    def deck() -> bytes:
        projects = list(selectors.for_export(selectors.overview(user, OverviewFilters(portfolio=portfolio_id)))[:DECK_PROJECTS])
        if len(projects) != DECK_PROJECTS:
            raise SystemExit(f"bench: the deck's portfolio has only {len(projects)} projects")
        return exports.build_deck(projects, title="Portfolio")

    result: dict[str, Any] = {}
    data, queries = capture(deck)  # the first run also counts the queries
    times = []
    for _ in range(DECK_RUNS):
        started = time.perf_counter()
        data = deck()
        times.append(time.perf_counter() - started)
    if not data.startswith(b"PK"):
        raise SystemExit("bench: the deck is not a .pptx file")
    result["deck"] = {"times": times, "bytes": len(data), "queries": len(queries)}
    if workbook and hasattr(exports, "build_workbook"):
        started = time.perf_counter()
        projects = list(selectors.for_export(selectors.overview(user, OverviewFilters())))
        data = exports.build_workbook(projects)
        result["workbook"] = {"seconds": time.perf_counter() - started, "bytes": len(data), "projects": len(projects)}
    return result


def profile(request: Request) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        request.call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)  # a DECLARE too: its plan differs
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


# --- reporting --------------------------------------------------------------------------------------


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


CURSOR = re.compile(r'DECLARE "[^"]+" NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR ')


def shorten(sql: str, limit: int) -> str:
    """A statement on one line: the long column lists of SELECT cut short. A query that iterating a
    queryset on PostgreSQL runs in a server-side cursor (``DECLARE ... CURSOR FOR SELECT``, planned for its
    first rows: ``cursor_tuple_fraction``) is marked [cursor]."""
    match = CURSOR.match(sql)
    text = " ".join((sql[match.end() :] if match else sql).split())
    if text.startswith("SELECT ") and " FROM " in text:
        columns = text[7:].split(" FROM ", 1)[0]
        if len(columns) > 60:
            text = text[:47] + "..." + text[7 + len(columns) :]
    text = ("[cursor] " if match else "") + text
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def describe(info: dict[str, Any], label: str) -> str:
    rag = info["rag"]
    share = {k: 100 * v / max(1, info["active"]) for k, v in rag.items()}
    return (
        f"  {label:12} {info['projects']:,} projects ({info['active']:,} active, {info['in_programme']:,} in a programme),"
        f" {info['programmes']} programmes, {info['reports']:,} reports; latest overall"
        f" {share['green']:.0f}/{share['amber']:.0f}/{share['red']:.0f} % green/amber/red;"
        f" {info['overdue']:,} overdue ({100 * info['overdue'] / max(1, info['active']):.0f} %)"
    )


def report(
    options: argparse.Namespace,
    info: dict[str, Any],
    requests: list[Request],
    small: dict[str, Measured],
    full: dict[str, Measured],
    exported: dict[str, Any],
) -> bool:
    from django.db import connection

    engine = "postgresql" if connection.vendor == "postgresql" else "sqlite (file in a temporary directory)"
    print()
    print("Regie portfolio overview benchmark")
    print(f"  database     {engine}")
    print(describe(info["small"], "data, small"))
    print(describe(info["full"], "data, full"))
    print(f"  generated    in {info['load_seconds']:.1f} s (bulk_create, then ANALYZE)")
    print(f"  measured     Django test client in-process, DEBUG=false; {WARMUP} warm-up requests each, then {options.runs} runs")
    print("               per request in interleaved rounds; queries counted with CaptureQueriesContext")
    print(
        f"  machine      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1 min)"
        f" {info['load_before']:.2f} before the timed runs, {info['load_after']:.2f} after"
    )
    print()
    n_small, n_full = f"{info['small']['projects']:,}", f"{info['full']['projects']:,}"
    header = [
        "request",
        "rows",
        f"queries {n_small} / {n_full}",
        f"p50 ms @{n_small}",
        "p50 ms",
        "p95 ms",
        f"SQL ms @{n_small}",
        "SQL ms",
        "x /projects/",
        "x bare ORM",
    ]
    base_list, base_bare = full["list"].median_ms(), full["bare"].median_ms()
    rows = [header]
    for request in requests:
        m, s = full[request.key], small[request.key]
        rows.append(
            [
                request.label,
                str(m.rows),
                f"{s.count} / {m.count}",
                f"{s.median_ms():.1f}",
                f"{m.median_ms():.1f}",
                f"{m.p95_ms():.1f}",
                f"{s.sql_ms():.1f}",
                f"{m.sql_ms():.1f}",
                f"{m.median_ms() / base_list:.2f}",
                f"{m.median_ms() / base_bare:.1f}",
            ]
        )
    print(table(rows, right={1, 2, 3, 4, 5, 6, 7, 8, 9}))
    print(f"\n  at {n_full} projects; p50/p95 = median/95th percentile of {options.runs} runs; SQL ms = the statements of one")
    print("  request; x = the median against the baseline's median measured in the same run")
    deck = exported["deck"]
    print()
    rows = [["export", "projects", "runs", "median s", "max s", "size", "queries"]]
    rows.append(
        [
            "steering-committee deck (.pptx)",
            str(DECK_PROJECTS),
            str(len(deck["times"])),
            f"{statistics.median(deck['times']):.2f}",
            f"{max(deck['times']):.2f}",
            f"{deck['bytes'] / 1024:.0f} KB",
            str(deck["queries"]),
        ]
    )
    if "workbook" in exported:
        book = exported["workbook"]
        rows.append(
            ["portfolio workbook (.xlsx)", f"{book['projects']:,}", "1", f"{book['seconds']:.2f}", f"{book['seconds']:.2f}"]
            + [f"{book['bytes'] / 1024:.0f} KB", "-"]
        )
    print(table(rows, right={1, 2, 3, 4, 5, 6}))
    print()

    checks = []
    for request in requests:
        if request.targeted:
            s, m = small[request.key].count, full[request.key].count
            checks.append((f"SQL queries equal at both sizes: {request.label}", f"{s} / {m}", "equal", s == m))
    for request in requests:
        if request.targeted:
            p95 = full[request.key].p95_ms()
            checks.append(
                (
                    f"p95 at {n_full} projects: {request.label}",
                    f"{p95:.1f} ms",
                    f"<= {TARGET_P95_MS:.0f} ms",
                    p95 <= TARGET_P95_MS,
                )
            )
    worst = max(deck["times"])
    checks.append(
        (
            f"deck of {DECK_PROJECTS} projects, slowest of {len(deck['times'])}",
            f"{worst:.2f} s",
            f"<= {TARGET_DECK_SECONDS:.0f} s",
            worst <= TARGET_DECK_SECONDS,
        )
    )
    rows = [["check", "measured", "target", "result"]]
    rows += [[name, measured, target, "PASS" if ok else "FAIL"] for name, measured, target, ok in checks]
    print(table(rows, right={1}))
    passed = all(ok for *_, ok in checks)

    print("\nThe slowest SQL statement of each overview request (full size):")
    failing = {
        r.key
        for r in requests
        if r.targeted and (full[r.key].p95_ms() > TARGET_P95_MS or small[r.key].count != full[r.key].count)
    }
    for request in requests:
        if not request.targeted and request.key != "api":
            continue
        measured = full[request.key]
        top = max(measured.queries, key=lambda q: q["ms"])
        print(f"  {request.label}: {top['ms']:.1f} ms of {measured.sql_ms():.1f} ms SQL in {measured.count} statements")
        print(f"    {shorten(top['sql'], 300)}")
    for request in requests:
        if not (request.key in failing or (options.explain and (request.targeted or request.key == "api"))):
            continue
        print(f"\n  {request.label}: every statement, ms at {n_small} and at {n_full} projects")
        before, after = small[request.key].queries, full[request.key].queries
        if len(before) == len(after):
            for a, b in zip(before, after, strict=True):
                print(f"    {a['ms']:6.1f} {b['ms']:6.1f}  {shorten(b['sql'], 150)}")
        else:
            for size, statements in ((n_small, before), (n_full, after)):
                print(f"    at {size}:")
                for statement in statements:
                    print(f"      {statement['ms']:6.1f}  {shorten(statement['sql'], 150)}")
        top = max(after, key=lambda q: q["ms"])
        print(f"    plan of the slowest ({top['ms']:.1f} ms):")
        for line in explain(top["sql"]):
            print(f"      {line}")
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


# --- environment ------------------------------------------------------------------------------------


def configure(var_dir: Path, database_url: str) -> None:
    """The environment Django reads at start-up: a production configuration on a private database."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="regie.settings",
        REGIE_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECRET_KEY=secrets.token_urlsafe(48),
        LOG_LEVEL="WARNING",
        EMAIL_URL="consolemail://",
    )


@contextmanager
def private_database(options: argparse.Namespace, prefix: str, *, django_here: bool = True) -> Iterator[tuple[Path, str]]:
    """A benchmark's own database and folder: a temporary SQLite file, or the PostgreSQL database of
    ``options.database_url`` created for the run; Django configured for it (and set up in this process
    when ``django_here``); everything dropped at the end unless ``options.keep``. Yields the folder and
    the database URL."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    database_url = options.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    configure(tmp, database_url)
    try:
        if options.database_url:
            postgres_admin(options.database_url, "create")
        if django_here:
            import django

            django.setup()
            from django.core.management import call_command

            step = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            call_command("collectstatic", interactive=False, verbosity=0)  # as `regie run` does before serving
            print(f"migrated and collected the static files in {time.perf_counter() - step:.1f} s", flush=True)
        yield tmp, database_url
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if options.keep:
            print(f"kept {tmp} and {database_url}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
            if options.database_url:
                postgres_admin(options.database_url, "drop")


def run_at_two_sizes(
    options: argparse.Namespace,
    prefix: str,
    load_small: Callable[[], tuple[Any, dict[str, Any]]],
    load_rest: Callable[[Any], None],
    requests_for: Callable[[Any], list[Request]],
    summary: Callable[[Any], dict[str, Any]],
    finish: Callable[[dict[str, Any], list[Request], dict[str, Measured], dict[str, Measured]], bool],
) -> int:
    """The frame of a benchmark that measures the same requests on a small data set and again after the
    rest is loaded, so that query counts and times at both sizes stand side by side: a private database
    (a temporary SQLite file, or the PostgreSQL database of ``options.database_url``, created and
    dropped), migrated, loaded, analysed, measured twice. Returns the exit code (0 when ``finish`` says
    every target passed)."""
    with private_database(options, prefix):
        step = time.perf_counter()
        world, loaded = load_small()
        analyse()
        info: dict[str, Any] = {"small": summary(world)}
        print(f"small data set in {time.perf_counter() - step:.1f} s: {loaded}", flush=True)
        requests = requests_for(world)
        small = measure(requests, options.runs)
        load_rest(world)
        analyse()
        info["load_seconds"] = time.perf_counter() - step
        info["full"] = summary(world)
        info["load_before"] = os.getloadavg()[0]
        full = measure(requests, options.runs)
        info["load_after"] = os.getloadavg()[0]
        return 0 if finish(info, requests, small, full) else 1


def postgres_admin(database_url: str, action: str) -> None:
    """Drop (and for ``create`` create again) the database named in ``database_url``."""
    import psycopg
    from psycopg import sql

    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if action == "create":
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--projects", type=int, default=5000, help="projects at full size (default 5000)")
    parser.add_argument("--reports-per-project", type=int, default=10, help="submitted reports per project (default 10)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per request (default 30)")
    parser.add_argument("--small", type=int, default=0, help="projects at the small size (default: a tenth of --projects)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="local PostgreSQL URL (default: $DATABASE_URL, else a fresh SQLite file)",
    )
    parser.add_argument("--explain", action="store_true", help="list every overview statement, with plans")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of 20 filtered overview requests")
    parser.add_argument("--no-workbook", action="store_true", help="skip the workbook of all projects")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and database")
    options = parser.parse_args(argv)
    options.small = options.small or options.projects // 10
    if options.projects < 500 or options.reports_per_project < 2 or options.runs < 5:
        parser.error("need --projects >= 500, --reports-per-project >= 2 and --runs >= 5")
    if not DECK_PROJECTS * 2 <= options.small < options.projects:
        parser.error(f"need {DECK_PROJECTS * 2} <= --small < --projects")
    check_database_url(parser, options.database_url)
    return options


def check_database_url(parser: argparse.ArgumentParser, database_url: str) -> None:
    """A benchmark drops and creates its database: only a local PostgreSQL database named for it."""
    if database_url:
        url = urlsplit(database_url)
        if url.scheme not in ("postgres", "postgresql") or url.hostname not in ("127.0.0.1", "localhost"):
            parser.error("--database-url must be a local PostgreSQL URL (postgres://...@127.0.0.1/...)")
        if "bench" not in url.path:
            parser.error("the database is dropped and created: its name must contain 'bench'")


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    with private_database(options, "regie-bench-portfolio-"):
        step = time.perf_counter()
        world = populate_base(programmes=200, people=300)
        added = add_projects(world, 0, options.small, options.reports_per_project)
        analyse()
        info: dict[str, Any] = {"load_seconds": time.perf_counter() - step, "small": data_summary()}
        print(f"small data set in {time.perf_counter() - step:.1f} s: {added}", flush=True)

        # The deck's and the filtered page's portfolio: the largest one.
        portfolio_id = world.portfolios[0].pk
        requests = requests_for(portfolio_id)
        small = measure(requests, options.runs)
        print(f"measured {options.small:,} projects", flush=True)

        step = time.perf_counter()
        added = {"projects": 0, "reports": 0, "conditions": 0}
        for start in range(options.small, options.projects, 1000):
            batch = add_projects(world, start, min(start + 1000, options.projects), options.reports_per_project)
            added = {k: added[k] + batch[k] for k in added}
        analyse()
        info["load_seconds"] += time.perf_counter() - step
        info["full"] = data_summary()
        print(f"added the rest in {time.perf_counter() - step:.1f} s: {added}", flush=True)

        info["load_before"] = os.getloadavg()[0]
        full = measure(requests, options.runs)
        from django.contrib.auth import get_user_model

        user = get_user_model()._default_manager.get(username="bench-portfolio-manager")
        exported = measure_exports(user, portfolio_id, workbook=not options.no_workbook)
        info["load_after"] = os.getloadavg()[0]
        passed = report(options, info, requests, small, full, exported)
        if options.profile:
            print(f"\ncProfile of 20 requests of {requests[0].label} at full size (Django test client):")
            print(profile(requests[0]))
        return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
