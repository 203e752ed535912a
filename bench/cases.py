"""How fast are a team's queue, the SLA clocks after a calendar change and the breach scan? A self-contained benchmark.

What is measured
    On a fresh database (bulk-loaded, then ``VACUUM ANALYZE``, ``ANALYZE`` on SQLite), the service desk of
    an IT domain over two years:

    * 30 services (26 for the business, 4 supporting: hosting, network, identity and access, the data
      platform), each with 2-3 offerings and with 1-12 of 12 departments as customers; six of them rest
      on a chain: a supporting service run by a responsible team under an OLA, and for five of those a
      supplier under an underpinning contract (UC);
    * one business-hours calendar (Monday to Friday 08:00-12:00 and 13:00-17:00, with four yearly
      holidays) on which every agreement counts; an SLA per service (the whole organisation as its
      customer) in two versions (the one of the first year superseded), with response and resolution
      targets for priorities 1-4; the OLAs and UCs likewise;
    * 40 teams of 5-15 people (a service desk that takes every new case, teams that resolve the cases
      of one or two services, a few big ones), 3,000 requesters in the departments;
    * 1,000,000 cases (58 % incidents, 34 % service requests, 4 % changes, 4 % problems) logged over the
      two years, most in office hours, each with its events in the order of the default (USM) workflow of
      its kind at increasing moments inside and outside office hours: logged, assigned to a team and to a
      person, started, comments, now and then a new priority, waiting for the customer (who answers, often
      in the evening), handed to the chain's supplier and back, handed to another team, resolved,
      reopened, closed, or cancelled; 9.8 events a case, about 9,750,000 in all. About 90 % are closed;
      the open ones are mostly recent, with a tail over the two years (waiting for a customer or a
      supplier, known errors, approved changes, forgotten cases): about 100,000, spread over the teams
      (the largest queues hold several thousand). Case numbers follow the moments the cases were
      logged, as in a service desk that has run for two years; the data set's "now" is the moment the
      load starts.

    The cases and events are written with ``COPY`` (PostgreSQL) or ``executemany`` (SQLite); then the
    SLA clocks of the open cases are computed as the application computes them (``clocks.recompute``,
    500 cases a batch, sharing one ``Lookup``); both times are reported.

    Django's test client (in this process, no HTTP server) requests, as a service-desk agent on the
    domain, the queue of the team with the most open cases ``GET /cases/queue/?team=<id>``, the case list
    (open cases, the default) and the page of the first case in that queue (both informational). After a
    warm-up that is not counted, the requests run in interleaved rounds (``--runs``, 30 by default);
    reported per request: the median and p95 (ms), and the SQL queries of one request.

    Then the background jobs:

    * two calendar changes, each followed by the job it queues (``tasks.recompute_clocks``, timed as it
      runs; ``--recompute-runs`` times each, 3 by default):
      - **a closure day ahead**: a weekday a few weeks after the data set's "now" becomes a closure day
        (``calendar_exception_create``; each run adds another). The job computes only the cases those
        days can move: those with a running clock due or warning on or after the day;
      - **the week changed**: Friday afternoon ends an hour earlier, or at 17:00 again
        (``calendar_update``). Any day may count differently, so the job computes the clocks of **every**
        open case on the calendar: the target's 100,000 cases.
      The job reports its progress after each batch of 500 cases (``set_progress``); the benchmark notes
      the time of each batch and of its statements that read the cases, and with ``--recompute-budget``
      stops a run that has taken longer than that many seconds at its next report: such a run fails its
      target and is reported as "more than" its time, with the cases it got through;
    * the breach scan ``tasks.scan_clocks``, with the time (``timezone.now``) set to five working minutes
      after the clocks were last computed: the scan that runs in office hours every five minutes. It
      computes the cases with a running clock past its due moment and not yet breached, or whose warning
      (75 % of the target) came after the clock was last computed; a warned clock is computed once, not
      at every scan. The clocks it rewrites are put back before each run, so that every run does the same
      work (``--scan-runs``, 5 by default).

    The job splits more than 2,000 cases into parts queued as jobs of their own (``tasks.PART``), which
    every free worker takes: while the recompute runs, ``--workers`` - 1 helper ``regie worker``
    processes (one by default) run beside the benchmark's process, which claims the job itself in the
    change's transaction and computes parts too; a run's time is the time until its last part ended.
    The helpers start before the runs at each size and run nothing else (the schedules are switched off).

    For every job the statements it runs in the benchmark's process (not the helpers') are counted and
    timed by kind (through an ``execute_wrapper`` around every run). Everything is measured first with
    ``--small`` cases (20,000 by default: every 50th case of the full set, so over the same two years),
    then the rest is added and it is measured again, so that the figures at both sizes stand side by side.

Targets (exit code 0 when all pass, 1 otherwise)
    * the team queue makes the same number of SQL queries at both sizes, and its p95 at full size is at
      most 150 ms;
    * computing the clocks of the open cases again after a calendar change takes at most 10 s (the median
      of the runs): after the closure day ahead, and after the changed week (every open case, about
      100,000 at full size);
    * the breach scan takes at most 1 s (the median of the runs).
    When a target fails, the slowest statements are printed (with their plan for the queue); ``--explain``
    prints them always, ``--profile`` adds a cProfile of one more run of each job (the changed week's, for
    at most its first minute).

Reproduce
    .venv/bin/python bench/cases.py                          # SQLite file in a temporary directory
    .venv/bin/python bench/cases.py --database-url postgres://postgres@127.0.0.1:5432/regie_bench_cases

    Options: ``--cases 1000000 --small 20000 --runs 30 --recompute-runs 3 --recompute-budget 0
    --scan-runs 5 --workers 2`` (a budget of 0 lets every run finish), ``--explain``, ``--profile``,
    ``--keep``.
    Without ``--database-url`` the benchmark reads ``DATABASE_URL``. The PostgreSQL database named in
    the URL (local, its name must contain "bench") is dropped and created again, and dropped at the end.
    A full run takes about 20 minutes on 2 cores with either database, most of it loading and the
    recompute's runs.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import io
import itertools
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.portfolio import (  # noqa: E402
    CURSOR,
    Measured,
    Request,
    analyse,
    check_database_url,
    explain,
    measure,
    private_database,
    shorten,
    table,
)

SEED = 20261210
TARGET_QUEUE_MS = 150.0
TARGET_RECOMPUTE_S = 10.0
TARGET_SCAN_S = 1.0
DAYS = 730
BLOCK = 10_000  # cases written per transaction
CLOCK_BATCH = 500  # as the jobs do
SCAN_AFTER = 5  # working minutes between the last computation and the scan
PROFILE_SECONDS = 60.0  # the recompute run profiled with --profile is stopped after this

# --- the service desk -------------------------------------------------------------------------------

#: code, name, weight (share of the cases), the resolving team (index in TEAMS)
SERVICES = [
    ("WORKPLACE", "Digital workplace", 180, 1),
    ("MAIL", "Email and calendar", 90, 2),
    ("ACCESS", "Accounts and access", 85, 4),
    ("PRINT", "Printing and scanning", 60, 7),
    ("PHONE", "Telephony", 55, 6),
    ("MOBILE", "Mobile devices", 50, 8),
    ("FILES", "File storage", 45, 3),
    ("CRM", "Customer contact system", 40, 10),
    ("ERP", "Finance system", 38, 11),
    ("HRM", "HR and payroll system", 36, 12),
    ("DMS", "Document management", 34, 13),
    ("CASEMGT", "Case management", 32, 14),
    ("PORTAL", "Citizen portal", 30, 15),
    ("VIDEO", "Video conferencing", 28, 16),
    ("MEETING", "Meeting rooms and AV", 26, 17),
    ("INTRANET", "Intranet", 24, 18),
    ("WEBSITE", "Public website", 22, 19),
    ("PERMITS", "Permit system", 20, 20),
    ("TAX", "Local taxes", 18, 21),
    ("GIS", "Maps and geodata", 16, 22),
    ("BI", "Reporting and analytics", 15, 23),
    ("PAY", "Payments platform", 14, 24),
    ("FORMS", "Forms and workflow", 13, 25),
    ("PARKING", "Parking system", 12, 26),
    ("ARCHIVE", "E-archive", 10, 27),
    ("DEVPLAT", "Development platform", 9, 28),
    ("HOST", "Hosting", 14, 3),
    ("NET", "Network", 12, 5),
    ("IDM", "Identity and access management", 8, 4),
    ("DATA", "Data platform", 7, 9),
]
SUPPORTING = ("HOST", "NET", "IDM", "DATA")
#: the chains: service -> (supporting service, supplier or None)
CHAINS = {
    "WORKPLACE": ("HOST", "DESKWARE"),
    "MAIL": ("HOST", "CLOUDMAIL"),
    "PHONE": ("NET", "TELECONNECT"),
    "ACCESS": ("IDM", None),
    "FILES": ("HOST", "STORAGEONE"),
    "CRM": ("DATA", "CONTACTSOFT"),
}
SUPPLIERS = {
    "DESKWARE": "Deskware",
    "CLOUDMAIL": "CloudMail",
    "TELECONNECT": "TeleConnect",
    "STORAGEONE": "StorageOne",
    "CONTACTSOFT": "ContactSoft",
}
#: code, name, members; a few resolve for many, the rest for one service or two
TEAMS = [
    ("SD", "Service desk", 15),
    ("WPS", "Workplace support", 15),
    ("COLLAB", "Collaboration", 12),
    ("HOSTING", "Hosting and platforms", 14),
    ("IAM", "Identity and access", 10),
    ("NETWORK", "Network", 11),
    ("TEL", "Telephony", 8),
    ("PRINT", "Print services", 7),
    ("MOBILE", "Mobile devices", 8),
    ("DATA", "Data platform", 9),
    ("APP-CRM", "Applications: customer contact", 10),
    ("APP-FIN", "Applications: finance", 9),
    ("APP-HR", "Applications: HR", 8),
    ("APP-DMS", "Applications: documents", 8),
    ("APP-CASE", "Applications: case management", 9),
    ("WEB-PORTAL", "Web: citizen portal", 7),
    ("AV", "Audio and video", 6),
    ("FACILITY-IT", "Facility IT", 5),
    ("WEB-INTRA", "Web: intranet", 6),
    ("WEB-SITE", "Web: public website", 6),
    ("APP-PERMIT", "Applications: permits", 7),
    ("APP-TAX", "Applications: taxes", 7),
    ("GEO", "Geodata", 6),
    ("BI", "Business intelligence", 8),
    ("PAYMENTS", "Payments", 6),
    ("FORMS", "Forms and workflow", 5),
    ("PARKING", "Parking", 5),
    ("RECORDS", "Records and archive", 6),
    ("DEVOPS", "Development platform", 9),
    ("SECURITY", "Security operations", 10),
    ("CHANGE", "Change management", 6),
    ("PROBLEM", "Problem management", 5),
    ("DBA", "Database administration", 7),
    ("MIDDLEWARE", "Middleware", 7),
    ("STORAGE", "Storage and backup", 6),
    ("CLOUD", "Cloud services", 8),
    ("LICENCES", "Licences and software", 5),
    ("ONBOARD", "Joiners and leavers", 9),
    ("FIELD", "Field services", 12),
    ("L2-APPS", "Second line applications", 11),
]
DEPARTMENTS = [
    ("SOC", "Social affairs"),
    ("FIN", "Finance"),
    ("HR", "Human resources"),
    ("CITY", "City development"),
    ("PUB", "Public space"),
    ("EDU", "Education"),
    ("HEALTH", "Health and care"),
    ("SAFETY", "Safety and enforcement"),
    ("CIVIC", "Civic services"),
    ("COMM", "Communication"),
    ("LEGAL", "Legal affairs"),
    ("BOARD", "Board office"),
]
REQUESTERS = 3000
#: SLA targets in working minutes, (response, resolution) per priority: the second year's version and the first's
SLA_TARGETS = {1: (15, 240), 2: (30, 480), 3: (120, 1440), 4: (480, 2400)}
SLA_FIRST_YEAR = {1: (30, 240), 2: (60, 600), 3: (240, 1920), 4: (480, 2880)}
OLA_TARGETS = {1: (10, 120), 2: (20, 240), 3: (60, 960), 4: (240, 1920)}
UC_TARGETS = {None: (60, 960), 1: (30, 240)}
#: yearly holidays on the calendar: (month, day, name)
HOLIDAYS = [(1, 1, "New Year's Day"), (4, 27, "King's Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day")]

KINDS = [("incident", 58), ("service_request", 34), ("change", 4), ("problem", 4)]
IMPACT = {1: 10, 2: 45, 3: 45}
URGENCY = {1: 10, 2: 50, 3: 40}
#: where an open case stands, by kind, for a case logged in the last two days and for an older one
OPEN_STATES = {
    "incident": (
        {"logged": 15, "assigned": 25, "in_progress": 40, "waiting_customer": 10, "resolved": 10},
        {"assigned": 8, "in_progress": 30, "waiting_customer": 30, "waiting_supplier": 15, "resolved": 17},
    ),
    "service_request": (
        {"logged": 15, "assigned": 30, "in_progress": 40, "waiting_customer": 10, "delivered": 5},
        {"assigned": 10, "in_progress": 35, "waiting_customer": 40, "delivered": 15},
    ),
    "change": (
        {"specified": 50, "assessed": 40, "approved": 10},
        {"specified": 10, "assessed": 15, "approved": 40, "in_realisation": 25, "realised": 10},
    ),
    "problem": (
        {"logged": 40, "investigating": 60},
        {"logged": 5, "investigating": 45, "known_error": 45, "resolved": 5},
    ),
}
#: the chance that a case logged ``age`` days ago is still open: almost all of the last days, a tail of
#: about 3 % over the whole period (about 10 % of the two years' cases in all)
OPEN_FLOOR, OPEN_RECENT, OPEN_DAYS = 0.028, 0.92, 52.0

TITLES = {
    "incident": [
        "Cannot sign in",
        "Application very slow",
        "Error message when saving",
        "Screen stays black after the update",
        "No connection in the meeting room",
        "Report does not load",
        "Mail is not delivered",
        "Printer on the second floor does not print",
        "Headset not recognised",
        "Page shows an error 500",
    ],
    "service_request": [
        "Access for a new colleague",
        "Extra screen at the workplace",
        "Install software",
        "New mobile phone",
        "Shared mailbox for the team",
        "Rights on a folder",
        "Account for an intern",
        "Restore a deleted file",
    ],
    "change": [
        "Upgrade to the supplier's new release",
        "Move the servers to the new cluster",
        "Change the firewall rules for the portal",
        "Add a field to the intake form",
        "Renew the certificates",
    ],
    "problem": [
        "Repeated time-outs at the start of the day",
        "Sign-in fails now and then after a password change",
        "Reports show yesterday's figures",
        "Calls drop after ten minutes",
    ],
}
COMMENTS = [
    "Called the user; the problem can be reproduced.",
    "Log files attached; looking into it.",
    "Checked with a colleague of the second line.",
    "Waiting for a maintenance window tonight.",
    "The user confirms it works again for now.",
    "Asked the user for a screenshot.",
]
RESOLUTIONS = [
    "Cleared the cache and restarted the service.",
    "Rights corrected; the user can work again.",
    "Replaced the device.",
    "Known error: workaround applied.",
    "Configuration corrected and documented.",
]


@dataclass
class Holder:
    team: int
    members: list[tuple[int, int]]  # (person, user)


@dataclass
class ServiceInfo:
    pk: int
    code: str
    weight: int
    team: int  # the resolving team
    offerings: list[int]
    ola_team: int | None = None  # the chain's responsible team
    supplier: int | None = None  # the chain's supplier


@dataclass
class World:
    domain: Any
    calendar: Any
    engine: Any  # the calendar as the engine counts it (local wall minutes)
    start: int  # the data set's first and last local minute
    end: int
    services: list[ServiceInfo]
    teams: dict[int, Holder]
    team_order: list[int]
    desk: int
    change_team: int
    problem_team: int
    requesters: list[int]
    versions: dict[str, tuple[int, Any]]  # kind -> (workflow version id, parsed definition)
    arrivals: Arrivals
    total: int = 0  # cases at full size
    next_case: int = 1
    next_event: int = 1
    holidays: int = 0
    queue_team: int = 0
    figures: dict[str, float] = field(default_factory=dict)


class Arrivals:
    """When the cases are logged: 85 % spread evenly over the office hours of the two years, 15 % over
    every hour. Case ``index`` of ``total`` is logged at the matching quantile (with a random offset
    within its share), so that case numbers follow the moments, as they do in a real service desk."""

    def __init__(self, engine: Any, start: int, end: int) -> None:
        self.first = start // 60 + 1
        working = [engine.is_working(hour * 60) for hour in range(self.first, end // 60)]
        in_hours, every = 0.85 / sum(working), 0.15 / len(working)
        self.cumulative: list[float] = []
        total = 0.0
        for flag in working:
            total += (in_hours if flag else 0.0) + every
            self.cumulative.append(total)

    def moment(self, share: float) -> int:
        """The local minute at which the given share of the cases has been logged."""
        cumulative = self.cumulative
        wanted = share * cumulative[-1]
        hour = min(bisect.bisect_right(cumulative, wanted), len(cumulative) - 1)
        before = cumulative[hour - 1] if hour else 0.0
        within = (wanted - before) / (cumulative[hour] - before)
        return (self.first + hour) * 60 + min(59, int(within * 60))


# --- building the service desk ------------------------------------------------------------------


def populate_base() -> World:
    """The domain, departments, people and teams, the calendar, the services with their chains, the
    agreements with their versions and targets, the workflows and the two users the benchmark works as."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from regie.cases.services import workflow_version_for
    from regie.core.models import Domain, OrgUnit, Person, RoleAssignment, Scope, Team
    from regie.engine import calendar as cal
    from regie.planning import calendars
    from regie.planning.models import CalendarException, WorkCalendar, default_week
    from regie.services.models import Service, ServiceLink, ServiceOffering
    from regie.suppliers.models import Agreement, AgreementVersion, Organisation, ServiceLevelTarget

    rng = random.Random(SEED)
    users = get_user_model()
    zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
    now = timezone.localtime(timezone.now(), zone).replace(second=0, microsecond=0, tzinfo=None)
    end = cal.to_minute(now)
    start = end - DAYS * cal.MINUTES_PER_DAY
    first_day = (now - dt.timedelta(days=DAYS + 30)).date()
    second_year = (now - dt.timedelta(days=DAYS // 2)).date()

    with transaction.atomic():
        Scope.root()
        domain = Domain(code="IT", name="Information technology")
        domain.save()
        top = OrgUnit(code="NB", name="Northbridge")
        top.save()
        it = OrgUnit(code="IT", name="IT department", parent=top)
        it.save()
        operations = OrgUnit(code="IT-OPS", name="IT operations", parent=it)
        operations.save()
        departments = []
        for code, name in DEPARTMENTS:
            unit = OrgUnit(code=code, name=name, parent=top)
            unit.save()
            departments.append(unit)

        # the teams' people sign in (they act on the cases); the requesters do not
        staff = sum(size for _c, _n, size in TEAMS)
        accounts = users.objects.bulk_create(
            [users(username=f"bench-staff-{n:03}", email=f"staff{n}@northbridge.example", password="!") for n in range(staff)]
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    given_name=f"Agent{n}",
                    family_name="Bench",
                    email=account.email,
                    org_unit=operations if n % 3 else it,
                    user=account,
                )
                for n, account in enumerate(accounts)
            ]
        )
        requesters = Person.objects.bulk_create(
            [
                Person(
                    given_name=f"Requester{n}",
                    family_name="Bench",
                    email=f"requester{n}@northbridge.example",
                    org_unit=departments[n % len(departments)],
                )
                for n in range(REQUESTERS)
            ]
        )
        teams: dict[int, Holder] = {}
        order = []
        through = Team.members.through
        memberships = []
        taken = 0
        for code, name, size in TEAMS:
            team = Team.objects.create(code=code, name=name, org_unit=operations, domain=domain, lead=people[taken])
            members = people[taken : taken + size]
            taken += size
            memberships += [through(team_id=team.pk, person_id=p.pk) for p in members]
            teams[team.pk] = Holder(team.pk, [(p.pk, p.user_id) for p in members])
            order.append(team.pk)
        through.objects.bulk_create(memberships)

        calendar = WorkCalendar.objects.create(name="Office hours", domain=domain, week=default_week(), is_default=True)
        for month, day, name in HOLIDAYS:
            CalendarException.objects.create(
                calendar=calendar,
                name=name,
                start=dt.date(first_day.year, 1, 1),
                end=dt.date(now.year + 3, 12, 31),
                recurrence="yearly",
                month=month,
                month_day=day,
            )

        suppliers = {
            code: Organisation.objects.create(code=code, name=name, is_supplier=True, domain=domain)
            for code, name in SUPPLIERS.items()
        }
        services: dict[str, Any] = {}
        for code, name, _weight, _team in SERVICES:
            service = Service(code=code, name=name, domain=domain, owner=rng.choice(people), status="live")
            service.save()
            services[code] = service
            customers = departments if code in SUPPORTING else rng.sample(departments, rng.randint(1, len(departments)))
            service.customers.set(customers)
        offerings: dict[str, list[int]] = {}
        rows = []
        for code, service in services.items():
            for n, label in enumerate(("Standard", "Extended", "Premium")[: rng.randint(2, 3)], start=1):
                rows.append(ServiceOffering(service=service, code=f"{code}-{n}", name=f"{service.name} {label.lower()}"))
        for offering in ServiceOffering.objects.bulk_create(rows):
            offerings.setdefault(offering.code.rsplit("-", 1)[0], []).append(offering.pk)

        def agreement(kind: str, code: str, covered: list[Any], targets: list[dict[Any, tuple[int, int]]], **parties: Any) -> Any:
            """An agreement in force from before the data set, in one version a year (the first superseded)."""
            made = Agreement.objects.create(kind=kind, code=code, name=code, domain=domain, contract_manager=people[0], **parties)
            periods = [(first_day, second_year - dt.timedelta(days=1)), (second_year, None)]
            if len(targets) == 1:
                periods = [(first_day, None)]
            version = None
            for number, ((begin, until), values) in enumerate(zip(periods, targets, strict=True), start=1):
                last = number == len(targets)
                version = AgreementVersion.objects.create(
                    agreement=made,
                    number=number,
                    status="approved" if last else "superseded",
                    start=begin,
                    end=until,
                    calendar=calendar,
                    specified_by=people[0],
                    approved_by=people[1],
                )
                version.services.set(covered)
                ServiceLevelTarget.objects.bulk_create(
                    [
                        ServiceLevelTarget(version=version, metric=metric, priority=priority, target=Decimal(minutes))
                        for priority, pair in values.items()
                        for metric, minutes in zip(("response", "resolution"), pair, strict=True)
                    ]
                )
            Agreement.objects.filter(pk=made.pk).update(current_version=version)
            return made

        for code, service in services.items():
            agreement("sla", f"SLA-{code}", [service], [SLA_FIRST_YEAR, SLA_TARGETS], provider_unit=it, customer_unit=top)
        olas = {
            code: agreement("ola", f"OLA-{code}", [services[code]], [OLA_TARGETS], provider_unit=operations, customer_unit=it)
            for code in SUPPORTING
        }
        ucs = {
            code: agreement(
                "uc", f"UC-{code}", [services[chain] for chain, (_s, s) in CHAINS.items() if s == code], [UC_TARGETS],
                provider_organisation=supplier, customer_unit=it,
            )
            for code, supplier in suppliers.items()
        }  # fmt: skip
        team_by_index = dict(enumerate(order))
        resolver = {code: team_by_index[team] for code, _name, _weight, team in SERVICES}
        infos = []
        for code, _name, weight, _team in SERVICES:
            info = ServiceInfo(services[code].pk, code, weight, resolver[code], offerings[code])
            if code in CHAINS:
                supporting, supplier = CHAINS[code]
                info.ola_team = resolver[supporting]
                ServiceLink.objects.create(
                    service=services[code],
                    supporting_service=services[supporting],
                    responsible_team_id=info.ola_team,
                    agreement=olas[supporting],
                    result=f"{services[supporting].name} for {services[code].name.lower()}",
                )
                if supplier is not None:
                    info.supplier = suppliers[supplier].pk
                    ServiceLink.objects.create(
                        service=services[code],
                        supplier=suppliers[supplier],
                        agreement=ucs[supplier],
                        result=f"Second-line support by {suppliers[supplier].name}",
                    )
            infos.append(info)

        versions = {}
        for kind, _weight in KINDS:
            version = workflow_version_for(kind, domain)
            versions[kind] = (version.pk, version.parsed())

        for username, role in (("bench-agent", "servicedesk_agent"), ("bench-calendar-keeper", "portfolio_manager")):
            user = users(username=username, email=f"{username}@northbridge.example")
            user.set_unusable_password()
            user.save()
            person = Person.objects.create(given_name=username, family_name="Bench", email=user.email, org_unit=it, user=user)
            RoleAssignment.objects.create(person=person, role=role, scope=domain.scope)

    return World(
        domain=domain,
        calendar=calendar,
        engine=calendars.engine_calendar(calendar),
        start=start,
        end=end,
        services=infos,
        teams=teams,
        team_order=order,
        desk=team_by_index[0],
        change_team=team_by_index[30],
        problem_team=team_by_index[31],
        requesters=[p.pk for p in requesters],
        versions=versions,
        arrivals=Arrivals(calendars.engine_calendar(calendar), start, end),
    )


# --- generating the cases ---------------------------------------------------------------------------


class Stop(Exception):
    """The case's story ends here: it reached the state it stands in now, or the data set's end."""


class Axis:
    """Local wall minutes (the engine's axis) as the database's UTC text: ``YYYY-MM-DD HH:MM:SS`` (with
    ``+00`` for PostgreSQL). A wall hour skipped when the clocks go forward is read as the next hour's
    start; a repeated one as its first pass, so that the order of a case's events is kept."""

    def __init__(self, postgresql: bool) -> None:
        from django.utils import timezone

        self.zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
        self.suffix = "+00" if postgresql else ""
        self.hours: dict[int, tuple[int, int]] = {}  # local hour -> (its first minute in UTC, 1; or 0 when skipped)
        self.days: dict[int, str] = {}

    def _hour(self, hour: int) -> tuple[int, int]:
        from regie.engine import calendar as cal

        naive = cal.from_minute(hour * 60)
        aware = naive.replace(tzinfo=self.zone)
        if aware.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) != naive:
            found = (self._hour(hour + 1)[0], 0)
        else:
            found = (hour * 60 - int(aware.utcoffset().total_seconds()) // 60, 1)  # type: ignore[union-attr]
        self.hours[hour] = found
        return found

    def utc(self, minute: int) -> int:
        hour = minute // 60
        base, step = self.hours.get(hour) or self._hour(hour)
        return base + (minute - hour * 60) * step

    def text(self, minute: int) -> str:
        day, rest = divmod(self.utc(minute), 1440)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = dt.date.fromordinal(day).isoformat() + " "
        return f"{prefix}{rest // 60:02d}:{rest % 60:02d}:00{self.suffix}"


class Life:
    """One case's history as it is generated: the events in order, and where the case stands."""

    def __init__(self, rng: random.Random, world: World, definition: Any, goal: str | None) -> None:
        self.rng = rng
        self.engine = world.engine
        self.end = world.end
        self.goal = goal
        self.definition = definition
        self.events: list[tuple[Any, ...]] = []
        self.t = 0
        self.state = ""
        self.priority = 3
        self.impact = self.urgency = 2
        self.team: int | None = None
        self.assignee: int | None = None
        self.supplier: int | None = None
        self.resolved: int | None = None
        self.closed: int | None = None
        self.resolution = ""

    def later(self, mean: float, outside: float = 0.1) -> int:
        """The moment of the next step: ``mean`` working minutes after the last on average; now and then
        the same in wall-clock minutes (work done outside office hours)."""
        gap = max(1, int(self.rng.expovariate(1.0 / mean)))
        if self.rng.random() < outside:
            return self.t + gap
        return self.engine.add(self.t, gap)

    def wall(self, mean: float) -> int:
        return self.t + max(1, int(self.rng.expovariate(1.0 / mean)))

    def _add(self, at: int, kind: str, actor: int | None, state: str, transition: str, priority: int | None, **rest: Any) -> None:
        if at > self.end:
            raise Stop
        self.t = at
        holder = kind in ("created", "assigned")
        self.events.append(
            (
                at,
                kind,
                actor,
                state,
                transition,
                priority,
                self.team if holder else None,
                self.assignee if holder else None,
                self.supplier if holder else None,
                rest.get("note", ""),
                rest.get("data", "{}"),
            )
        )
        if state:
            self.state = state
            found = self.definition.state(state)
            if found.clock == "stopped":
                self.resolved = self.resolved or at
            else:
                self.resolved = None
            self.closed = at if found.final else None
            if state == self.goal:
                raise Stop

    def created(self, at: int, state: str, actor: int | None, team: int | None) -> None:
        self.team = team
        self._add(at, "created", actor, state, "", self.priority)

    def step(self, at: int, transition: str, state: str, actor: int | None, note: str = "", data: str = "{}") -> None:
        self._add(at, "state", actor, state, transition, None, note=note, data=data)

    def assign(self, at: int, actor: int | None, team: int | None, assignee: int | None, supplier: int | None = None) -> None:
        if at > self.end:
            raise Stop
        self.team, self.assignee, self.supplier = team, assignee, supplier
        self._add(at, "assigned", actor, "", "", None)

    def comment(self, at: int, actor: int | None) -> None:
        self._add(at, "comment", actor, "", "", None, note=self.rng.choice(COMMENTS))

    def reprioritise(self, at: int, actor: int | None) -> None:
        from regie.cases.choices import priority_of

        if at > self.end:
            raise Stop
        self.impact, self.urgency = _pick(self.rng, IMPACT), _pick(self.rng, URGENCY)
        self.priority = priority_of(self.impact, self.urgency)
        data = f'{{"impact": {self.impact}, "urgency": {self.urgency}}}'
        self._add(at, "priority", actor, "", "", self.priority, note="Impact and urgency assessed again.", data=data)

    def resolve(self, at: int, transition: str, state: str, actor: int | None) -> None:
        self.resolution = self.rng.choice(RESOLUTIONS)
        self.step(at, transition, state, actor, data=f'{{"resolution": "{self.resolution}"}}')


def _pick(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


def _member(rng: random.Random, world: World, team: int) -> tuple[int, int]:
    return rng.choice(world.teams[team].members)


def _resolver(rng: random.Random, world: World, service: ServiceInfo) -> int:
    """Most cases of a service go to its team; a chain's to the supporting team now and then; some to
    the service desk itself (first-line fixes) or to another team."""
    draw = rng.random()
    if service.ola_team is not None and draw < 0.35:
        return service.ola_team
    if draw < 0.75:
        return service.team
    if draw < 0.92:
        return world.desk
    return rng.choice(world.team_order)


def incident(life: Life, world: World, service: ServiceInfo, opened: int, request: bool = False) -> None:
    """The incident (or, with ``request``, the service request) workflow: logged, assigned, started,
    perhaps waiting for the customer or the supplier or handed to another team, resolved, closed."""
    rng = life.rng
    _desk_person, desk_user = _member(rng, world, world.desk)
    life.created(opened, "logged", desk_user if rng.random() < 0.6 else None, world.desk)
    if life.goal is None and rng.random() < 0.03:
        life.step(life.later(40), "cancel", "cancelled", desk_user, note="Logged twice.")
        return
    team = _resolver(rng, world, service)
    life.assign(life.later(25), desk_user, team, None)
    life.step(life.t, "assign", "assigned", desk_user)
    person, user = _member(rng, world, team)
    life.assign(life.later(60), user, team, person)
    life.step(life.later(30), "start", "in_progress", user)
    life.comment(life.later(60), user)
    if rng.random() < 0.6:  # the requester asks for news by mail, often in the evening
        life.comment(life.wall(600), None)
    if rng.random() < 0.1:
        life.reprioritise(life.later(60), user)
    waits = life.goal == "waiting_customer" or (life.goal is None and rng.random() < 0.25)
    if waits:
        life.step(life.later(120), "wait_for_customer", "waiting_customer", user, note="Which version do you use?")
        life.step(life.wall(1440), "answer", "in_progress", None, note="The latest one.")
    if not request and service.supplier and (life.goal == "waiting_supplier" or (life.goal is None and rng.random() < 0.35)):
        life.assign(life.later(120), user, team, person, service.supplier)
        life.step(life.t, "wait_for_supplier", "waiting_supplier", user, note="Logged with the supplier.")
        life.step(life.later(900), "resume", "in_progress", user)
        life.assign(life.t, user, team, person)
    if not request and life.goal is None and rng.random() < 0.06:
        life.step(life.later(120), "reassign", "assigned", user, note="Belongs to another team.")
        team = rng.choice(world.team_order)
        life.assign(life.t, user, team, None)
        person, user = _member(rng, world, team)
        life.assign(life.later(60), user, team, person)
        life.step(life.later(30), "start", "in_progress", user)
    if rng.random() < 0.7:
        life.comment(life.later(120), user)
    done = ("deliver", "delivered") if request else ("resolve", "resolved")
    life.resolve(life.later(300), *done, user)
    if not request and life.goal is None and rng.random() < 0.03:
        life.step(life.wall(2000), "reopen", "in_progress", desk_user, note="It happens again.")
        life.resolve(life.later(240), *done, user)
    life.step(life.later(1200), "close", "closed", desk_user if rng.random() < 0.7 else None)


def change(life: Life, world: World, service: ServiceInfo, opened: int) -> None:
    """Specified, assessed, approved by the board, realised in a window, evaluated."""
    rng = life.rng
    _person, manager = _member(rng, world, world.change_team)
    life.created(opened, "specified", None, None)
    life.assign(life.later(240), manager, world.change_team, None)
    life.step(life.later(960), "assess", "assessed", manager, note="Risk and impact assessed.")
    life.comment(life.later(480), manager)
    life.step(life.later(2400), "approve", "approved", manager, note="Approved by the change advisory board.")
    team = service.team
    person, user = _member(rng, world, team)
    life.step(life.later(4800), "realise", "in_realisation", manager)
    life.assign(life.t, manager, team, person)
    life.comment(life.later(240), user)
    life.step(life.later(480), "complete", "realised", user, note="Realised in the window; tests passed.")
    life.step(life.later(2400), "evaluate", "evaluated", manager, note="Evaluated: no incidents followed.")


def problem(life: Life, world: World, service: ServiceInfo, opened: int) -> None:
    """Logged, investigated by a team, perhaps a known error with a workaround, resolved, closed."""
    rng = life.rng
    _person, manager = _member(rng, world, world.problem_team)
    life.created(opened, "logged", manager, None)
    if life.goal is None and rng.random() < 0.05:
        life.step(life.later(2400), "cancel", "cancelled", manager, note="Not a problem after all.")
        return
    team = service.team
    life.assign(life.later(960), manager, team, None)
    life.step(life.t, "investigate", "investigating", manager)
    person, user = _member(rng, world, team)
    life.assign(life.later(480), user, team, person)
    for _ in range(rng.randint(1, 3)):
        life.comment(life.later(1920), user)
    if life.goal == "known_error" or (life.goal is None and rng.random() < 0.5):
        life.step(life.later(2400), "record_known_error", "known_error", user, note="Workaround published.")
        life.comment(life.later(9600), user)
    life.resolve(life.later(4800), "resolve", "resolved", user)
    life.step(life.later(2400), "close", "closed", manager)


def open_chance(age_days: float) -> float:
    return OPEN_FLOOR + OPEN_RECENT * math.exp(-age_days / OPEN_DAYS)


CASE_COLUMNS = (
    "id", "created_at", "updated_at", "version", "archived_at", "number", "kind", "title", "description", "service_id",
    "offering_id", "configuration_item_id", "customer_unit_id", "customer_organisation_id", "requester_id",
    "requester_email", "impact", "urgency", "priority", "workflow_version_id", "state", "team_id", "assignee_id",
    "supplier_id", "resolution", "cause", "workaround", "risk", "impact_assessment", "planned_start", "planned_end",
    "opened_at", "resolved_at", "closed_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "case_id", "at", "kind", "actor_id", "state", "transition", "priority", "team_id", "assignee_id", "supplier_id",
    "note", "data",
)  # fmt: skip
PREFIXES = {"incident": "INC", "service_request": "REQ", "change": "RFC", "problem": "PRB"}


def add_cases(world: World, axis: Axis, indices: list[int]) -> dict[str, int]:
    """The cases of these indices (of ``world.total``) with their events, each from its own seeded
    generator (so a data set built in two steps equals one built at once but for the case numbers),
    written in one transaction."""
    from django.db import transaction

    from regie.cases.choices import priority_of

    kinds, kind_weights = zip(*KINDS, strict=True)
    weights = [s.weight for s in world.services]
    case_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    opened_count = 0
    text = axis.text
    for index in indices:
        rng = random.Random(SEED * 10_000_000 + index)
        case_id = world.next_case
        world.next_case += 1
        opened = world.arrivals.moment((index + rng.random()) / world.total)
        kind = rng.choices(kinds, kind_weights)[0]
        service = rng.choices(world.services, weights)[0]
        age = (world.end - opened) / 1440
        goal = None
        if rng.random() < open_chance(age):
            goal = _pick(rng, OPEN_STATES[kind][0 if age < 2 else 1])
            if goal == "waiting_supplier" and service.supplier is None:
                goal = "waiting_customer"
        version_id, definition = world.versions[kind]
        life = Life(rng, world, definition, goal)
        life.impact, life.urgency = _pick(rng, IMPACT), _pick(rng, URGENCY)
        life.priority = priority_of(life.impact, life.urgency)
        try:
            if kind in ("incident", "service_request"):
                incident(life, world, service, opened, request=kind == "service_request")
            elif kind == "change":
                change(life, world, service, opened)
            else:
                problem(life, world, service, opened)
        except Stop:
            pass
        opened_count += life.closed is None
        requester = rng.choice(world.requesters)
        realised = kind == "change" and life.state not in ("specified",)
        for at, event_kind, actor, state, transition, priority, team, assignee, supplier, note, data in life.events:
            event_rows.append(
                (world.next_event, case_id, text(at), event_kind, actor, state, transition, priority, team, assignee, supplier)
                + (note, data)
            )
            world.next_event += 1
        first, last = text(life.events[0][0]), text(life.events[-1][0])
        case_rows.append(
            (
                case_id, first, last, len(life.events), None, f"{PREFIXES[kind]}-{case_id:06d}", kind,
                rng.choice(TITLES[kind]), "Reported through the portal.", service.pk,
                rng.choice(service.offerings) if kind == "service_request" else None, None, None, None, requester,
                "", life.impact, life.urgency, life.priority, version_id, life.state, life.team, life.assignee, life.supplier,
                life.resolution if life.resolved is not None else "", "", "", 2 if realised else None,
                "Limited: one service, in a window." if realised else "", None, None, first,
                text(life.resolved) if life.resolved is not None else None,
                text(life.closed) if life.closed is not None else None,
            )
        )  # fmt: skip
    with transaction.atomic():
        write_rows("cases_case", CASE_COLUMNS, case_rows)
        write_rows("cases_caseevent", EVENT_COLUMNS, event_rows)
    return {"cases": len(case_rows), "events": len(event_rows), "open": opened_count}


def write_rows(table_name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows straight into a table: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    from django.db import connection

    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
                buffer.write("\n")
            with cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table_name} ({names}) VALUES ({marks})", rows)  # noqa: S608


def reset_sequences() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    from regie.cases.models import Case, CaseEvent

    statements = connection.ops.sequence_reset_sql(no_style(), [Case, CaseEvent])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def load_cases(world: World, indices: Iterator[int]) -> dict[str, int]:
    """The cases of these indices in blocks, and the clocks of the open ones; the times go to ``world.figures``."""
    from django.db import connection

    from regie.cases.models import Case

    axis = Axis(connection.vendor == "postgresql")
    first = world.next_case
    totals = {"cases": 0, "events": 0, "open": 0}
    step = time.perf_counter()
    blocks = 0
    while block := list(itertools.islice(indices, BLOCK)):
        added = add_cases(world, axis, block)
        totals = {k: totals[k] + added[k] for k in totals}
        blocks += 1
        if blocks % 10 == 0:
            print(f"  {world.next_case - 1:,} cases written ({time.perf_counter() - step:.0f} s)", flush=True)
    reset_sequences()
    world.figures["write_seconds"] = world.figures.get("write_seconds", 0.0) + time.perf_counter() - step
    world.figures["written_cases"] = world.figures.get("written_cases", 0) + totals["cases"]
    world.figures["written_events"] = world.figures.get("written_events", 0) + totals["events"]
    print(f"  {totals['cases']:,} cases and {totals['events']:,} events in {time.perf_counter() - step:.0f} s", flush=True)

    step = time.perf_counter()
    kept = compute_clocks(Case.objects.filter(pk__gte=first, closed_at__isnull=True))
    world.figures["clock_seconds"] = world.figures.get("clock_seconds", 0.0) + time.perf_counter() - step
    world.figures["clock_cases"] = world.figures.get("clock_cases", 0) + totals["open"]
    print(f"  clocks of {totals['open']:,} open cases: {kept:,} clocks in {time.perf_counter() - step:.0f} s", flush=True)
    return totals


def compute_clocks(cases: Any) -> int:
    """The clocks of these cases as the application computes them (``clocks.recompute``), a batch at a
    time, the agreements and targets read once for all (one ``Lookup``)."""
    from django.utils import timezone

    from regie.cases import clocks

    lookup = clocks.Lookup()
    now = timezone.now()
    last = 0
    kept = 0
    while True:
        batch = list(cases.filter(pk__gt=last).select_related("workflow_version").order_by("pk")[:CLOCK_BATCH])
        if not batch:
            return kept
        kept += clocks.recompute(batch, now, lookup=lookup)
        last = batch[-1].pk


# --- measuring ------------------------------------------------------------------------------------


def largest_queue() -> tuple[int, int]:
    from django.db.models import Count

    from regie.cases.models import Case

    row = (
        Case.objects.filter(closed_at__isnull=True)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by("-n", "team_id")
        .values_list("team_id", "n")
        .first()
    )
    assert row is not None
    return row[0], row[1]


def rows_of(response: Any, marker: str) -> int:
    if response.status_code != 200:
        raise SystemExit(
            f"bench: {response.request['PATH_INFO']} answered HTTP {response.status_code}: {response.content[:500]!r}"
        )
    return response.content.decode().count(marker)


def requests_for(world: World) -> list[Request]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from regie.cases.models import Case

    client = Client()
    client.force_login(get_user_model()._default_manager.get(username="bench-agent"))
    first = (
        Case.objects.filter(team_id=world.queue_team, closed_at__isnull=True, kind="incident")
        .order_by("priority", "opened_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )

    def get(path: str, marker: str) -> Callable[[], int]:
        return lambda: rows_of(client.get(path), marker)

    return [
        Request("queue", "team queue, largest team", get(f"/cases/queue/?team={world.queue_team}", 'data-case="'), targeted=True),
        Request("list", "case list (open cases)", get("/cases/", 'data-case="')),
        Request("case", "case page (first incident in the queue)", get(f"/cases/{first}/", 'data-event="')),
    ]


class Tally:
    """The statements run while it is installed (``connection.execute_wrapper``), counted and timed by
    what they do to which table; the slowest one kept with its parameters."""

    def __init__(self) -> None:
        self.shapes: dict[str, list[float]] = {}  # shape -> [count, seconds]
        self.count = 0
        self.seconds = 0.0
        self.slowest: tuple[float, str, Any] = (0.0, "", None)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            entry = self.shapes.setdefault(shape_of(sql), [0, 0.0])
            entry[0] += 1
            entry[1] += elapsed
            if elapsed > self.slowest[0]:
                self.slowest = (elapsed, sql, params)


def shape_of(sql: str) -> str:
    """``SELECT FROM cases_caseevent``, ``INSERT INTO cases_slaclock``, ``SELECT DISTINCT FROM cases_case``..."""
    text = CURSOR.sub("", sql).lstrip()
    verb = text.split(None, 1)[0].upper() if text else "?"
    if verb == "SELECT":
        found = re.search(r'\sFROM\s+"?(\w+)"?', text)
        kind = " DISTINCT" if text.startswith("SELECT DISTINCT") else " COUNT" if text.startswith("SELECT COUNT(") else ""
        return f"SELECT{kind} FROM {found.group(1) if found else '?'}"
    found = re.search(r'(?:INTO|UPDATE|FROM)\s+"?(\w+)"?', text)
    return f"{verb} {found.group(1) if found else ''}".strip()


@contextmanager
def tallied(tally: Tally) -> Iterator[Tally]:
    from django.db import connection

    with connection.execute_wrapper(tally):
        yield tally


@dataclass
class JobRuns:
    """The runs of one background job at one size."""

    label: str
    cases: int = 0
    times: list[float] = field(default_factory=list)
    tallies: list[Tally] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def median(self) -> float:
        return statistics.median(self.times)

    def middle(self) -> Tally:
        """The statements of the median run."""
        order = sorted(range(len(self.times)), key=self.times.__getitem__)
        return self.tallies[order[len(order) // 2]]


def add_closure_day(world: World) -> None:
    """A closure day on the calendar, a few weeks ahead (a weekday): the calendar takes its next
    version and ``cases.recompute_clocks`` is queued, as when someone adds it on the calendar's page."""
    from django.contrib.auth import get_user_model

    from regie.planning import calendars
    from regie.planning.models import WorkCalendar

    world.holidays += 1
    ahead = dt.date.fromordinal(world.end // 1440) + dt.timedelta(days=14 + 7 * world.holidays)
    day = ahead - dt.timedelta(days=ahead.weekday() - world.holidays % 5)
    keeper = get_user_model()._default_manager.get(username="bench-calendar-keeper")
    calendar = WorkCalendar.objects.get(pk=world.calendar.pk)
    calendars.calendar_exception_create(
        actor=keeper, calendar=calendar, values={"name": f"Closure day {world.holidays}", "start": day, "end": day}
    )


def change_week(world: World) -> None:
    """The calendar's week changed (Friday afternoon ends an hour earlier, or again at 17:00): any day
    may count differently, so ``cases.recompute_clocks`` is queued for every open case on the calendar."""
    from django.contrib.auth import get_user_model

    from regie.planning import calendars
    from regie.planning.models import WorkCalendar

    keeper = get_user_model()._default_manager.get(username="bench-calendar-keeper")
    calendar = WorkCalendar.objects.get(pk=world.calendar.pk)
    week = [list(day) for day in calendar.week]
    week[4] = [["08:00", "12:00"], ["13:00", "16:00" if week[4][-1][1] == "17:00" else "17:00"]]
    calendars.calendar_update(actor=keeper, calendar=calendar, values={"week": week}, version=calendar.version)


#: the calendar changes measured: (key, label, the change)
CHANGES: list[tuple[str, str, Callable[[World], None]]] = [
    ("recompute", "a closure day ahead", add_closure_day),
    ("recompute_all", "the week changed: every open case", change_week),
]


#: the task of a part of ``recompute_clocks`` (more than ``tasks.PART`` cases are split into parts)
PART_TASK = "cases.recompute_clocks_part"


class OutOfTime(Exception):
    """The job ran past the benchmark's budget for one run."""


#: the statements ``recompute_clocks`` reads the cases with (``open_cases_on_calendar``, ``case_rows``)
PAGING = "SELECT FROM cases_case"


class Progress:
    """Stands in for ``set_progress`` while the job runs (and calls it): notes when each batch was done
    and how long the paging statement took so far, and stops the job once it has run longer than
    ``budget`` seconds (0: never)."""

    def __init__(self, budget: float, tally: Tally) -> None:
        from regie.core import jobs

        self.record = jobs.set_progress
        self.budget = budget
        self.tally = tally
        self.started = time.perf_counter()
        self.marks: list[tuple[float, int, float]] = [(0.0, 0, 0.0)]  # (seconds, cases done, seconds paging)
        self.total = 0
        self.job: int | None = None  # the job whose progress is marked
        self.parts: list[tuple[str, Any, Any]] = []  # the job's parts: (worker, started, finished)

    def mark(self, done: int) -> float:
        elapsed = time.perf_counter() - self.started
        self.marks.append((elapsed, done, self.tally.shapes.get(PAGING, [0, 0.0])[1]))
        return elapsed

    def __call__(self, job: Any, done: int, total: int | None = None, message: str = "") -> None:
        self.record(job, done, total, message)
        if self.job is not None and job.pk != self.job:
            return  # a part's own progress (the parts this process takes)
        self.total = total or self.total
        elapsed = self.mark(done)
        if self.budget and elapsed > self.budget and done < self.total:
            raise OutOfTime

    def batches(self) -> list[tuple[float, float]]:
        """Each batch's seconds, and the seconds of its paging statement."""
        return [(b[0] - a[0], b[2] - a[2]) for a, b in zip(self.marks, self.marks[1:], strict=False) if b[1] > a[1]]


def run_recompute(
    world: World, budget: float, tally: Tally | None = None, change: Callable[[World], None] = add_closure_day
) -> Progress:
    """One calendar change and ``tasks.recompute_clocks`` for it, stopped after ``budget`` seconds. The
    job is claimed by this process in the change's transaction (so a helper worker takes only its
    parts); its parts are computed here and by the helper workers that run."""
    from django.db import transaction

    from regie.cases import tasks
    from regie.core import jobs
    from regie.core.models import Job as JobRow

    with transaction.atomic():
        change(world)
        row = JobRow.objects.filter(task="cases.recompute_clocks").order_by("-pk").first()
        assert row is not None and row.arguments.get("calendar") == world.calendar.pk
        assert jobs.claim("bench", among=[row.pk]) is not None
    gc.collect()
    tally = tally or Tally()
    progress = Progress(budget, tally)
    progress.job = row.pk
    with (
        mock.patch("regie.cases.tasks.set_progress", progress),
        mock.patch("regie.core.jobs.set_progress", progress),
        tallied(tally),
    ):
        progress.started = time.perf_counter()
        with suppress(OutOfTime):
            tasks.recompute_clocks(row, **row.arguments)
        progress.mark(progress.marks[-1][1])
    parts = JobRow.objects.filter(task=PART_TASK, arguments__part_of=row.pk)
    if parts.filter(status="queued").update(status="failed", error="stopped by the benchmark"):
        while parts.filter(status="running").exists():  # the helpers finish the parts they took
            time.sleep(0.1)
    JobRow.objects.filter(pk=row.pk).update(status="succeeded")
    progress.parts = list(parts.values_list("worker", "started_at", "finished_at"))
    return progress


@contextmanager
def helper_workers(count: int) -> Iterator[None]:
    """``count`` ``regie worker`` processes beside this one, as in a deployment with ``count`` + 1 workers:
    they take parts of the jobs measured, and nothing else (the schedules are switched off first, the
    jobs left from the load are ended). Waits until each has started; stops them at the end."""
    from regie.core import jobs
    from regie.core.models import Job as JobRow
    from regie.core.models import Schedule

    jobs.sync_schedules()
    Schedule.objects.update(enabled=False)
    JobRow.objects.filter(status__in=("queued", "running")).update(status="failed", error="left by the benchmark")
    logs = []
    helpers = []
    for _ in range(count):
        log = tempfile.NamedTemporaryFile(mode="w+", prefix="regie-bench-worker-", suffix=".log")  # noqa: SIM115 - closed below
        logs.append(log)
        helpers.append(
            subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-m", "regie.cli", "worker"],
                env={**os.environ, "LOG_LEVEL": "INFO"},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        )
    try:
        deadline = time.monotonic() + 120
        for log, helper in zip(logs, helpers, strict=True):
            while "Worker " not in Path(log.name).read_text() or " started" not in Path(log.name).read_text():
                if helper.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"a helper worker did not start: {Path(log.name).read_text()[-2000:]}")
                time.sleep(0.2)
        yield
    finally:
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            helper.wait(timeout=120)
        for log in logs:
            log.close()


def measure_recompute(world: World, runs: int, budget: float, label: str, change: Callable[[World], None]) -> JobRuns:
    """``tasks.recompute_clocks`` after each of ``runs`` calendar changes."""
    job = JobRuns(f"clocks computed again: {label}")
    for _ in range(runs):
        tally = Tally()
        progress = run_recompute(world, budget, tally, change)
        elapsed, done, _paging = progress.marks[-1]
        job.times.append(elapsed)
        job.tallies.append(tally)
        job.cases = progress.total
        job.detail.setdefault("done", []).append(done)
        job.detail["stopped"] = job.detail.get("stopped", False) or done < progress.total
        job.detail["batches"] = progress.batches()
        job.detail["parts"] = progress.parts
        if done < progress.total:
            print(f"  recompute_clocks: stopped after {elapsed:.1f} s at {done:,} of {progress.total:,} cases", flush=True)
        else:
            print(f"  recompute_clocks: {done:,} cases in {elapsed:.1f} s", flush=True)
    return job


def scan_moment(world: World) -> tuple[dt.datetime, dt.datetime]:
    """When the clocks were last computed, and five working minutes later: the next scan in office hours."""
    from django.db.models import Max
    from django.utils import timezone

    from regie.cases.clocks import engine_calendar
    from regie.cases.models import SlaClock
    from regie.engine import calendar as cal
    from regie.planning.models import WorkCalendar

    zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
    last = SlaClock.objects.aggregate(last=Max("computed_at"))["last"]
    engine = engine_calendar(WorkCalendar.objects.get(pk=world.calendar.pk))
    local = cal.to_minute(timezone.localtime(last, zone)) + 1
    moment = cal.from_minute(engine.add(local, SCAN_AFTER)).replace(tzinfo=zone)
    return last, max(moment, last + dt.timedelta(minutes=SCAN_AFTER))


def measure_scan(world: World, runs: int) -> JobRuns:
    """``tasks.scan_clocks`` at the next scan's moment, ``runs`` times over the same clocks (those it
    rewrites are put back before each run)."""
    from django.db.models import Q

    from regie.cases import tasks
    from regie.cases.models import SlaClock

    last, when = scan_moment(world)
    running = SlaClock.objects.filter(status="running", breached=False)
    due = running.filter(Q(due_at__lte=when) | Q(warn_at__lte=when))
    ids = list(due.order_by("case_id").values_list("case_id", flat=True).distinct()[:10_000])
    columns = [f.attname for f in SlaClock._meta.concrete_fields if f.attname != "id"]
    saved = []
    for begin in range(0, len(ids), 500):
        saved += list(SlaClock.objects.filter(case_id__in=ids[begin : begin + 500]).values(*columns))

    def put_back() -> None:
        for begin in range(0, len(ids), 500):
            SlaClock.objects.filter(case_id__in=ids[begin : begin + 500]).delete()
        SlaClock.objects.bulk_create([SlaClock(**row) for row in saved], batch_size=1000)

    job = JobRuns("breach scan")
    job.detail["candidates"] = len(ids)  # the cases whose clocks are saved and put back
    job.detail = {
        "when": when,
        "running": running.count(),
        "warned": running.filter(warn_at__lte=last).count(),
        "crossed": running.filter(Q(warn_at__gt=last, warn_at__lte=when) | Q(due_at__gt=last, due_at__lte=when)).count(),
        "due": running.filter(due_at__lte=when).count(),
    }
    for n in range(runs + 1):  # the first run warms up
        put_back()
        gc.collect()
        tally = Tally()
        with mock.patch("django.utils.timezone.now", return_value=when), tallied(tally):
            started = time.perf_counter()
            result = tasks.scan_clocks(None)
            elapsed = time.perf_counter() - started
        if n:
            job.times.append(elapsed)
            job.tallies.append(tally)
        job.detail["breached"] = result["breached"]
        job.detail["clocks"] = result["clocks"]
        job.cases = result["cases"]  # the cases the scan computed
    put_back()
    print(f"  scan_clocks: {job.cases:,} cases computed, median {job.median():.2f} s", flush=True)
    return job


def profile_jobs(world: World, budget: float) -> str:
    """A cProfile of the first minute of one more recompute run, and of one more scan."""
    import cProfile
    import pstats

    from regie.cases import tasks

    out = io.StringIO()
    profiler = cProfile.Profile()
    profiler.enable()
    progress = run_recompute(world, min(budget or PROFILE_SECONDS, PROFILE_SECONDS), change=change_week)
    profiler.disable()
    elapsed, done, _paging = progress.marks[-1]
    out.write(
        f"cProfile of one tasks.recompute_clocks (full size; {done:,} of {progress.total:,} cases in {elapsed:.0f} s"
        " under the profiler), by cumulative time:\n"
    )
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    out.write("\n... and by own time:\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    _last, when = scan_moment(world)
    profiler = cProfile.Profile()
    with mock.patch("django.utils.timezone.now", return_value=when):
        profiler.enable()
        tasks.scan_clocks(None)
        profiler.disable()
    out.write("\ncProfile of one tasks.scan_clocks (full size), by cumulative time:\n")
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return out.getvalue()


def data_summary(world: World) -> dict[str, Any]:
    from django.db.models import Count

    from regie.cases.models import Case, CaseEvent, SlaClock

    open_cases = Case.objects.filter(closed_at__isnull=True)
    in_teams = open_cases.filter(team__isnull=False).values("team_id").annotate(n=Count("id"))
    queues = sorted(in_teams.values_list("n", flat=True), reverse=True)
    clocks = SlaClock.objects
    return {
        "cases": Case.objects.count(),
        "open": open_cases.count(),
        "events": CaseEvent.objects.count(),
        "clocks": clocks.count(),
        "running": clocks.filter(status="running").count(),
        "breached": clocks.filter(breached=True).count(),
        "queue": open_cases.filter(team_id=world.queue_team).count(),
        "queues": queues[:5],
        "teams": len(queues),
        "kinds": dict(Case.objects.values_list("kind").annotate(n=Count("id")).order_by()),
    }


# --- reporting --------------------------------------------------------------------------------------


def report(
    options: argparse.Namespace,
    world: World,
    info: dict[str, Any],
    requests: list[Request],
    small: dict[str, Measured],
    full: dict[str, Measured],
    jobs: dict[str, dict[str, JobRuns]],
) -> bool:
    from django.db import connection

    figures = world.figures
    print()
    print("Regie service desk benchmark")
    print(f"  database     {connection.vendor}")
    for label in ("small", "full"):
        d = info[label]
        print(
            f"  {label:12} {d['cases']:,} cases ({d['open']:,} open; "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(d["kinds"].items()))
            + f"), {d['events']:,} events ({d['events'] / max(1, d['cases']):.1f} a case); {d['clocks']:,} clocks"
            f" ({d['running']:,} running, {d['breached']:,} breached); open cases in {d['teams']} teams, the largest"
            f" queues {', '.join(f'{n:,}' for n in d['queues'])}"
        )
    print(
        f"  loading      cases and events written in {figures['write_seconds']:.0f} s"
        f" ({figures['written_events'] / figures['write_seconds']:,.0f} events/s); the clocks of the"
        f" {figures['clock_cases']:,} open cases computed in {figures['clock_seconds']:.0f} s (clocks.recompute,"
        f" {CLOCK_BATCH} a batch, one Lookup); {'VACUUM ANALYZE' if connection.vendor == 'postgresql' else 'ANALYZE'}"
        f" {figures['analyse_seconds']:.0f} s"
    )
    print(
        f"  measured     requests: median and p95 of {options.runs} interleaved runs (Django test client, in process);"
        f" jobs: the median of {options.recompute_runs} / {options.scan_runs} runs"
    )
    print(
        f"  machine      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1 min)"
        f" {info['load_before']:.2f} before, {info['load_after']:.2f} after"
    )
    print()
    passed = True
    failing: list[str] = []
    rows = [["request", "rows", "queries small", "queries full", "median ms small", "median ms", "p95 ms", "target"]]
    for request in requests:
        s, f = small[request.key], full[request.key]
        target = ""
        if request.targeted:
            ok = f.p95_ms() <= TARGET_QUEUE_MS and s.count == f.count
            target = f"<= {TARGET_QUEUE_MS:.0f} ms, same queries: {'PASS' if ok else 'FAIL'}"
            if not ok:
                passed = False
                failing.append(request.key)
        rows.append(
            [
                request.label,
                f"{f.rows:,}",
                str(s.count),
                str(f.count),
                f"{s.median_ms():.1f}",
                f"{f.median_ms():.1f}",
                f"{f.p95_ms():.1f}",
                target,
            ]
        )
    print(table(rows, right={1, 2, 3, 4, 5, 6}))
    print(f"\n  the queue of the largest team holds {info['full']['queue']:,} open cases ({info['small']['queue']:,} small)")

    print()
    rows = [
        ["job", "cases small", "median s small", "cases", "runs", "median s", "min s", "max s", "statements", "SQL s", "target"]
    ]
    limits = {"recompute": TARGET_RECOMPUTE_S, "recompute_all": TARGET_RECOMPUTE_S, "scan": TARGET_SCAN_S}
    for key, limit in limits.items():
        s, f = jobs["small"][key], jobs["full"][key]
        stopped = ">" if f.detail.get("stopped") else ""
        ok = f.median() <= limit and not stopped
        passed = passed and ok
        tally = f.middle()
        rows.append(
            [
                f.label,
                f"{s.cases:,}",
                f"{s.median():.2f}",
                f"{f.cases:,}",
                str(len(f.times)),
                f"{stopped}{f.median():.2f}",
                f"{min(f.times):.2f}",
                f"{max(f.times):.2f}",
                f"{tally.count:,}",
                f"{tally.seconds:.2f}",
                f"<= {limit:.0f} s: {'PASS' if ok else 'FAIL'}",
            ]
        )
    print(table(rows, right={1, 2, 3, 4, 5, 6, 7, 8, 9}))
    recompute = jobs["full"]["recompute_all"]
    parts = recompute.detail["parts"]
    if parts:
        from regie.cases.tasks import PART

        took = [(finished - started).total_seconds() for _worker, started, finished in parts if started and finished]
        by_worker: dict[str, int] = {}
        for worker, _started, _finished in parts:
            by_worker[worker] = by_worker.get(worker, 0) + 1
        print(
            f"\n  computing every open case again (the last run): {len(parts)} parts of {PART:,} cases in"
            f" {len(by_worker)} workers ({', '.join(str(n) for n in sorted(by_worker.values(), reverse=True))} parts),"
            f" a part in {statistics.median(took):.2f} s (median; {min(took):.2f}–{max(took):.2f});"
            f" --workers {options.workers}"
        )
    else:
        batches = recompute.detail["batches"]
        every = [f"{t:.2f} ({p:.2f})" for t, p in batches]
        print(
            f"\n  computing every open case again in batches of {CLOCK_BATCH} cases (the last run), seconds a batch (of which"
            " reading the cases):"
            + (
                f" the first three {', '.join(every[:3])}; the last three {', '.join(every[-3:])}"
                if len(every) > 6
                else f" {', '.join(every)}"
            )
        )
    if recompute.detail.get("stopped"):
        print(
            f"  runs stopped after {options.recompute_budget:.0f} s (--recompute-budget) had computed"
            f" {', '.join(f'{d:,}' for d in recompute.detail['done'])} of {recompute.cases:,} cases"
        )
    scan = jobs["full"]["scan"].detail
    print(
        f"\n  the scan at {scan['when']:%Y-%m-%d %H:%M %Z}, {SCAN_AFTER} working minutes after the clocks were computed: of"
        f" {scan['running']:,} running clocks not breached, {scan['warned']:,} were past their warning already and"
        f" {scan['crossed']:,} reached their warning or due moment in these minutes ({scan['due']:,} past due);"
        f" {jobs['full']['scan'].cases:,} cases computed again ({scan['clocks']:,} clocks; the warned ones not again),"
        f" {scan['breached']:,} breached after"
    )
    for key in limits:
        f = jobs["full"][key]
        tally = f.middle()
        print(f"\n{f.label} (full size, the median run): {tally.count:,} statements, {tally.seconds:.2f} s of {f.median():.2f} s")
        for shape, (count, seconds) in sorted(tally.shapes.items(), key=lambda kv: -kv[1][1])[:10]:
            print(f"  {seconds:8.2f} s {int(count):9,}  {shape}")
        elapsed, sql, _params = tally.slowest
        print(f"  the slowest statement ({elapsed * 1000:.0f} ms): {shorten(sql, 300)}")

    for key in failing if not options.explain else [r.key for r in requests if r.targeted]:
        measured = full[key]
        print(f"\n{key}: {measured.count} statements, ms at small and at full size:")
        for a, b in zip(small[key].queries, measured.queries, strict=False):
            print(f"  {a['ms']:7.1f} {b['ms']:7.1f}  {shorten(b['sql'], 150)}")
        top = max(measured.queries, key=lambda q: q["ms"])
        print(f"  plan of the slowest ({top['ms']:.1f} ms):")
        for line in explain(top["sql"]):
            print("      " + line)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases at full size (default 1,000,000)")
    parser.add_argument("--small", type=int, default=20_000, help="cases at the small size (default 20,000)")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per request (default 30)")
    parser.add_argument("--recompute-runs", type=int, default=3, help="runs of the recompute after a calendar change")
    parser.add_argument(
        "--recompute-budget",
        type=float,
        default=0.0,
        help="seconds after which a run of the recompute is stopped (and fails); default 0: never",
    )
    parser.add_argument("--scan-runs", type=int, default=5, help="runs of the breach scan")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="workers that compute the parts of a job: this process and helper `regie worker` processes (default 2)",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true", help="a cProfile of one more run of each job at full size")
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args(argv)
    if options.runs < 5 or options.recompute_runs < 1 or options.scan_runs < 1 or options.workers < 1:
        parser.error("need --runs >= 5, --recompute-runs >= 1, --scan-runs >= 1 and --workers >= 1")
    if not 1000 <= options.small < options.cases:
        parser.error("need 1000 <= --small < --cases")
    check_database_url(parser, options.database_url)
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    with private_database(options, "regie-bench-cases-"):
        step = time.perf_counter()
        world = populate_base()
        world.total = options.cases
        stride = options.cases // options.small  # the small data set: every so many cases of the full one
        print(f"the service desk set up in {time.perf_counter() - step:.1f} s", flush=True)
        load_cases(world, iter(range(0, options.cases, stride)))
        step = time.perf_counter()
        analyse()
        world.figures["analyse_seconds"] = time.perf_counter() - step
        world.queue_team = largest_queue()[0]
        info: dict[str, Any] = {"small": data_summary(world)}
        requests = requests_for(world)
        small = measure(requests, options.runs)
        with helper_workers(options.workers - 1):
            jobs = {
                "small": {
                    key: measure_recompute(world, options.recompute_runs, options.recompute_budget, label, change)
                    for key, label, change in CHANGES
                }
            }
        jobs["small"]["scan"] = measure_scan(world, options.scan_runs)
        print(f"measured {options.small:,} cases", flush=True)

        load_cases(world, (index for index in range(options.cases) if index % stride))
        step = time.perf_counter()
        analyse()
        world.figures["analyse_seconds"] = time.perf_counter() - step
        info["full"] = data_summary(world)
        info["load_before"] = os.getloadavg()[0]
        full = measure(requests, options.runs)
        with helper_workers(options.workers - 1):
            jobs["full"] = {
                key: measure_recompute(world, options.recompute_runs, options.recompute_budget, label, change)
                for key, label, change in CHANGES
            }
        jobs["full"]["scan"] = measure_scan(world, options.scan_runs)
        info["load_after"] = os.getloadavg()[0]
        passed = report(options, world, info, requests, small, full, jobs)
        if options.profile:
            print()
            print(profile_jobs(world, options.recompute_budget))
        return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
