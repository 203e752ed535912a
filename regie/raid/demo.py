"""The demo organisation's RAID logs: risks with causes, scores and responses, issues, actions (some
overdue), decisions taken and to take, assumptions and dependencies, on the demo projects, and a risk
escalated from a project to its programme (idempotent: looked up by log and title)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from regie.core.models import Person
from regie.portfolio.choices import ReportState
from regie.portfolio.models import Programme, Project, StatusReport
from regie.raid import services
from regie.raid.models import Escalation, RaidItem

DOMAIN = "northbridge.example"

# project, title, owner, (cause, event, effect), (p, i), (residual p, i) or None, strategy, response, proximity in days
RISKS = [
    (
        "P-001",
        "Laptop delivery slips past the roll-out window",
        "johan.berg",
        ("Chip shortage at the vendor", "The second batch of 400 laptops arrives late", "Wave 2 moves into the summer holidays"),
        (4, 4),
        (2, 4),
        "reduce",
        "Order the second batch now; agree a penalty clause with the vendor.",
        45,
    ),
    (
        "P-001",
        "Old laptops not wiped before disposal",
        "fatima.elamrani",
        (
            "Disposal partner has no certified process",
            "Data found on a disposed laptop",
            "Data breach to report to the authority",
        ),
        (2, 5),
        (1, 5),
        "transfer",
        "Certified wiping by the disposal partner, with a certificate per serial number.",
        120,
    ),
    (
        "P-001",
        "Users keep local files that are not backed up",
        "johan.berg",
        ("Files saved outside OneDrive", "Files lost in the swap", "Complaints and lost work"),
        (3, 3),
        None,
        "reduce",
        "Pre-swap check of local folders by the floor support.",
        20,
    ),
    (
        "P-002",
        "Macros in finance workbooks stop working",
        "lotte.jansen",
        ("Old VBA macros", "Month-end close fails after migration", "Late financial reporting"),
        (3, 4),
        (2, 3),
        "reduce",
        "Inventory and test the 40 critical workbooks before the migration.",
        60,
    ),
    (
        "P-003",
        "Access point supplier cannot deliver before the autumn",
        "johan.berg",
        ("Supplier's factory closure", "Access points arrive in October", "Campus Wi-Fi upgrade misses the academic year"),
        (4, 5),
        (3, 4),
        "fallback",
        "Reserve stock from a second supplier; phase the buildings.",
        30,
    ),
    (
        "P-003",
        "Cabling costs exceed the estimate",
        "johan.berg",
        ("Asbestos in the older buildings", "Extra removal work", "Costs 30 % above the estimate"),
        (5, 3),
        None,
        "accept",
        "",
        10,
    ),
    (
        "P-005",
        "Managers do not free time for onboarding buddies",
        "johan.berg",
        ("Workload in the teams", "Buddies not assigned", "New hires start without support"),
        (3, 3),
        (2, 2),
        "reduce",
        "HR business partners agree buddy time with each manager.",
        40,
    ),
    (
        "P-006",
        "Landlord hands over the building late",
        "lotte.jansen",
        ("Renovation behind schedule", "Keys handed over after 1 March", "Move delayed, double rent"),
        (2, 4),
        None,
        "accept",
        "",
        90,
    ),
]
# project, title, owner, severity, days since raised
ISSUES = [
    ("P-001", "Docking stations incompatible with the new laptops on floor 3", "johan.berg", "high", 12),
    ("P-003", "Building C closed for two weeks in June", "johan.berg", "medium", 5),
    ("P-005", "E-learning too long according to pilot users", "johan.berg", "medium", 20),
]
# project, title, owner, due in days (negative: overdue), status, responds to (risk or issue title)
ACTIONS = [
    ("P-001", "Place the order for the second batch", "johan.berg", -4, "open", "Laptop delivery slips past the roll-out window"),
    (
        "P-001",
        "Agree a penalty clause with the vendor",
        "fatima.elamrani",
        7,
        "in_progress",
        "Laptop delivery slips past the roll-out window",
    ),
    (
        "P-001",
        "Test the new docking station model on floor 3",
        "tom.hendriks",
        -2,
        "open",
        "Docking stations incompatible with the new laptops on floor 3",
    ),
    ("P-001", "Collect wiping certificates for wave 1", "fatima.elamrani", 21, "open", "Old laptops not wiped before disposal"),
    (
        "P-003",
        "Request an offer from the second access point supplier",
        "johan.berg",
        -9,
        "open",
        "Access point supplier cannot deliver before the autumn",
    ),
    ("P-005", "Shorten the e-learning to 45 minutes", "johan.berg", 14, "open", "E-learning too long according to pilot users"),
    (
        "P-002",
        "Inventory the finance workbooks with macros",
        "lotte.jansen",
        -15,
        "open",
        "Macros in finance workbooks stop working",
    ),
]
# project, title, owner (accountable decider), due in days, decided (by, basis, days ago) or None
DECISIONS = [
    ("P-001", "Go ahead with the second supplier for docking stations", "maarten.bakker", 10, None),
    (
        "P-001",
        "Roll out in two waves instead of one",
        "maarten.bakker",
        -30,
        ("maarten.bakker", "Lower risk for the service desk; floor support capacity of 40 users a day.", 40),
    ),
    ("P-003", "Phase the buildings or wait for all access points", "erik.lindqvist", 5, None),
]
ASSUMPTIONS = [
    ("P-001", "Users hand in their old laptop on the day of the swap", "johan.berg"),
    ("P-006", "The furniture from the old building is reused", "lotte.jansen"),
]
DEPENDENCIES = [
    ("P-001", "Office suite migration finished on the old laptops", "lotte.jansen", "P-002 Office suite migration", 30),
    ("P-003", "Fibre to building C laid by the city", "johan.berg", "City of Northbridge", 45),
]
ESCALATED = ("P-003", "Access point supplier cannot deliver before the autumn", "NET26")


def _person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@{DOMAIN}")


def load(write: Callable[[str], Any]) -> None:
    today = timezone.localdate()
    projects = {p.code: p for p in Project.objects.filter(code__in={row[0] for row in RISKS + ISSUES})}
    if not projects:
        return
    made: dict[str, RaidItem] = {}

    def item(code: str, kind: str, title: str, **fields: Any) -> RaidItem:
        project = projects[code]
        found = RaidItem.objects.filter(project__code=code, kind=kind, title=title).first()
        found = found or RaidItem.objects.filter(kind=kind, title=title, escalations__from_scope=project.scope).first()
        if found is None:
            found = RaidItem(scope=project.scope, project=project, kind=kind, title=title, **fields)
            found.full_clean()
            found.save()
        made[title] = found
        return found

    for code, title, owner, (cause, event, effect), (p, i), residual, strategy, response, days in RISKS:
        item(
            code,
            "risk",
            title,
            owner=_person(owner),
            cause=cause,
            event=event,
            effect=effect,
            probability=p,
            impact=i,
            residual_probability=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
            strategy=strategy,
            response=response,
            proximity=today + timedelta(days=days),
            raised_on=today - timedelta(days=30),
        )
    for code, title, owner, severity, days in ISSUES:
        item(code, "issue", title, owner=_person(owner), severity=severity, raised_on=today - timedelta(days=days))
    for code, title, owner, due, status, source in ACTIONS:
        item(
            code,
            "action",
            title,
            owner=_person(owner),
            due_date=today + timedelta(days=due),
            status=status,
            origin="risk_response" if made[source].kind == "risk" else "issue_resolution",
            source=made[source],
            raised_on=today - timedelta(days=25),
        )
    for code, title, owner, due, decided in DECISIONS:
        fields: dict[str, Any] = {"owner": _person(owner), "due_date": today + timedelta(days=due)}
        if decided:
            by, basis, days_ago = decided
            fields.update(status="decided", decided_by=_person(by), basis=basis, decided_on=today - timedelta(days=days_ago))
        item(code, "decision", title, **fields)
    for code, title, owner in ASSUMPTIONS:
        item(code, "assumption", title, owner=_person(owner))
    for code, title, owner, depends_on, due in DEPENDENCIES:
        item(code, "dependency", title, owner=_person(owner), depends_on=depends_on, due_date=today + timedelta(days=due))

    code, title, programme_code = ESCALATED
    risk = made[title]
    programme = Programme.objects.filter(code=programme_code).first()
    if programme is not None and not risk.escalations.exists():
        Escalation.objects.create(
            item=risk,
            from_scope=risk.scope,
            to_scope=programme.scope,
            reason="Both network projects depend on the same supplier; the programme board decides on the second supplier.",
            escalated_by=_person("fatima.elamrani"),
        )
        risk.scope, risk.project = programme.scope, None
        risk.save()

    # The open drafts take their top risks and decisions needed from the log, as a new draft does.
    for report in StatusReport.objects.filter(state=ReportState.DRAFT, project__in=projects.values()).select_related("project"):
        for name, value in services.report_content(report.project).items():
            if value:
                setattr(report, name, value)
        report.save()
    write(f"RAID logs: {RaidItem.objects.count()} items on {len(projects)} projects and a programme.")
