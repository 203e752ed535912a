"""The demo organisation's portfolios, programmes and projects (idempotent: looked up by code)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from regie.core.models import Domain, Person, RoleAssignment
from regie.portfolio.models import LifecycleModel, Phase, Portfolio, Programme, Project

PORTFOLIOS = [
    ("IT-PF", "IT change portfolio", "IT", "maarten.bakker"),
    ("HR-PF", "HR development portfolio", "HR", "claire.dubois"),
    ("FAC-PF", "Housing portfolio", "FAC", "erik.lindqvist"),
]
PROGRAMMES = [
    ("DWP", "Digital workplace", "IT-PF", "priya.raman"),
    ("NET26", "Network renewal 2026", "IT-PF", "liam.oconnor"),
]
# code, name, portfolio, programme, sponsor, manager, pmo officers, steering committee, start, end, health, costs
PROJECTS = [
    (
        "P-001",
        "Laptop refresh",
        "IT-PF",
        "DWP",
        "maarten.bakker",
        "johan.berg",
        ["fatima.elamrani"],
        ["maarten.bakker", "ingrid.svensson"],
        date(2026, 3, 2),
        date(2026, 12, 18),
        "amber",
        "480000",
    ),
    (
        "P-002",
        "Office suite migration",
        "IT-PF",
        "DWP",
        "maarten.bakker",
        "lotte.jansen",
        ["fatima.elamrani"],
        ["maarten.bakker", "priya.raman"],
        date(2026, 5, 4),
        date(2027, 3, 31),
        "green",
        "260000",
    ),
    (
        "P-003",
        "Campus Wi-Fi upgrade",
        "IT-PF",
        "NET26",
        "erik.lindqvist",
        "johan.berg",
        ["fatima.elamrani"],
        ["erik.lindqvist", "liam.oconnor"],
        date(2026, 1, 12),
        date(2026, 11, 30),
        "red",
        "350000",
    ),
    (
        "P-004",
        "Service desk tooling",
        "IT-PF",
        None,
        "ingrid.svensson",
        "lotte.jansen",
        [],
        ["ingrid.svensson"],
        date(2026, 9, 1),
        date(2027, 2, 26),
        "green",
        "90000",
    ),
    (
        "P-005",
        "Onboarding journey",
        "HR-PF",
        None,
        "claire.dubois",
        "johan.berg",
        ["fatima.elamrani"],
        ["claire.dubois", "hanna.ek"],
        date(2026, 2, 2),
        date(2026, 12, 11),
        "amber",
        "120000",
    ),
    (
        "P-006",
        "Office move Harbour building",
        "FAC-PF",
        None,
        "erik.lindqvist",
        "lotte.jansen",
        [],
        ["erik.lindqvist", "pieter.vandam"],
        date(2026, 6, 1),
        date(2027, 6, 30),
        "green",
        "1250000",
    ),
]


def _person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@northbridge.example")


LIFECYCLES = [
    (
        "LIGHT",
        "Light (small projects)",
        [
            ("Initiate", "Goal and budget agreed with the sponsor\nProject manager named"),
            ("Execute", "Deliverables accepted by the users"),
            ("Close", ""),
        ],
    ),
    (
        "FULL",
        "Full (large projects)",
        [
            ("Idea", "Problem and expected benefits described\nSponsor found"),
            ("Definition", "Business case approved\nRisks assessed\nProject plan approved"),
            ("Design", "Design reviewed by architecture\nSuppliers contracted"),
            ("Build", "Acceptance tests passed"),
            ("Deploy", "Service management ready to run the result\nUsers trained"),
            ("Close", ""),
        ],
    ),
]


def _lifecycles() -> dict[str, LifecycleModel]:
    models = {}
    for code, name, phases in LIFECYCLES:
        model = LifecycleModel.objects.filter(code=code).first()
        if model is None:
            model = LifecycleModel.objects.create(code=code, name=name)
            for order, (phase, criteria) in enumerate(phases, start=1):
                Phase.objects.create(lifecycle=model, order=order, name=phase, gate_criteria=criteria)
        models[code] = model
    return models


def load(write: Callable[[str], Any]) -> None:
    lifecycles = _lifecycles()
    portfolios = {}
    for code, name, domain, owner in PORTFOLIOS:
        portfolios[code] = Portfolio.objects.filter(code=code).first() or Portfolio.objects.create(
            code=code, name=name, domain=Domain.objects.get(code=domain), owner=_person(owner)
        )
    programmes = {}
    for code, name, portfolio, manager in PROGRAMMES:
        programmes[code] = Programme.objects.filter(code=code).first() or Programme.objects.create(
            code=code, name=name, portfolio=portfolios[portfolio], manager=_person(manager)
        )
    for code, name, portfolio, programme, sponsor, manager, pmo, steering, start, end, health, costs in PROJECTS:
        if Project.objects.filter(code=code).exists():
            continue
        project = Project.objects.create(
            code=code,
            name=name,
            portfolio=portfolios[portfolio],
            programme=programmes.get(programme) if programme else None,
            sponsor=_person(sponsor),
            project_manager=_person(manager),
            planned_start=start,
            planned_end=end,
            health=health,
            expected_costs=Decimal(costs),
            goal=f"{name}: delivered on time, within budget, adopted by its users.",
            lifecycle=lifecycles["FULL" if Decimal(costs) >= 250000 else "LIGHT"],
        )
        project.pmo_officers.set([_person(p) for p in pmo])
        project.steering_committee.set([_person(p) for p in steering])
    # The PMO officer supports the IT portfolio as a whole; the demo's SMO lead sees the IT portfolio.
    RoleAssignment.objects.get_or_create(person=_person("fatima.elamrani"), role="pmo_officer", scope=portfolios["IT-PF"].scope)
    for loader in EXTRA_LOADERS:
        loader(write)


# --- status reports, gate reviews and conditions --------------------------------------------------

# Per project: the overall RAG of its monthly reports, oldest first (the last one is last month's),
# and the dimension that explains an amber or red.
REPORT_STORIES = {
    "P-001": (
        ["green", "green", "green", "amber", "amber"],
        "schedule",
        "Laptop deliveries slip two weeks: the supplier's stock.",
    ),
    "P-002": (
        ["green", "green", "amber", "green"],
        "resources",
        "Two migration specialists left; replacements start next month.",
    ),
    "P-003": (["green", "amber", "amber", "red", "red"], "cost", "Cabling costs 30% above the estimate; change request pending."),
    "P-004": (["green", "green"], "scope", ""),
    "P-005": (["green", "amber", "amber"], "quality", "Pilot users find the e-learning too long."),
}


def _month_back(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, 1)


def _reports(write: Callable[[str], Any]) -> None:
    import calendar

    from django.utils import timezone

    from regie.portfolio.models import StatusReport

    today = timezone.localdate()
    for code, (story, dimension, reason) in REPORT_STORIES.items():
        project = Project.objects.get(code=code)
        if project.status_reports.exists():
            continue
        # P-004's reports stop two months ago: its report is overdue in the demo.
        last_month = 2 if code == "P-004" else 1
        previous = None
        for index, overall in enumerate(story):
            start = _month_back(today, last_month + len(story) - 1 - index)
            end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
            rags = {"overall": overall, dimension: overall}
            report = StatusReport(
                project=project,
                period_start=start,
                period_end=end,
                state="submitted",
                previous=previous,
                drafted_by=project.pmo_officers.first() or project.project_manager,
                submitted_by=project.project_manager,
                submitted_at=timezone.make_aware(datetime.combine(end, time(17, 0))),
                summary=f"{project.name}: month {index + 1} of reporting.",
                achievements="Steering committee informed; plan updated." if index else "Project started; team formed.",
                plans="Continue as planned; prepare the next gate.",
                decisions_needed=reason and "Approve the change request for the extra budget." if overall == "red" else "",
                top_risks=reason if overall != "green" else "No risks above the threshold.",
                **rags,
                **{f"{name}_rationale": reason for name in rags if overall != "green"},
            )
            report.save()
            previous = report
        Project.objects.filter(pk=project.pk).update(latest_report=previous, health=previous.overall if previous else "green")
        project.refresh_from_db()
        project.save()  # recomputes the next due date
    write("  status reports: a few months of history per project")


def _gates(write: Callable[[str], Any]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from regie.portfolio.choices import ReportState
    from regie.portfolio.models import GateCondition, GateDecision, GateReview, GateReviewItem, StatusReport

    project = Project.objects.get(code="P-001")
    if project.gate_decisions.exists():
        return
    today = timezone.localdate()
    phases = list(project.lifecycle.phases.order_by("order"))  # type: ignore[union-attr]
    sponsor, pmo, manager = _person("maarten.bakker"), _person("fatima.elamrani"), _person("johan.berg")
    GateDecision.objects.create(
        project=project, phase=phases[0], outcome="go", rationale="The problem is real.", decided_by=sponsor
    )
    conditional = GateDecision.objects.create(
        project=project,
        phase=phases[1],
        outcome="go_with_conditions",
        rationale="Business case approved; support must be contracted before the roll-out.",
        decided_by=sponsor,
    )
    GateCondition.objects.create(
        project=project,
        decision=conditional,
        description="Sign the support contract with the laptop supplier",
        owner=manager,
        due_date=today + timedelta(days=14),
    )
    GateCondition.objects.create(
        project=project,
        decision=conditional,
        description="Add the roll-out risks to the risk log",
        owner=pmo,
        due_date=today - timedelta(days=20),
        status="done",
        completed_at=timezone.now() - timedelta(days=21),
        note="Done in the risk workshop.",
    )
    Project.objects.filter(pk=project.pk).update(current_phase=phases[2])
    review = GateReview.objects.create(
        project=project,
        phase=phases[2],
        prepared_by=pmo,
        recommendation="go",
        summary="Design reviewed; the supplier contract is the last open point and is in signature.",
    )
    evidence = [("met", "Architecture board approved the design."), ("partly_met", "Contract in signature.")]
    for order, criterion in enumerate(phases[2].criteria()):
        assessment, text = evidence[order] if order < len(evidence) else ("", "")
        GateReviewItem.objects.create(review=review, order=order, criterion=criterion, assessment=assessment, evidence=text)
    # This month's report is drafted by the PMO and waits for the project manager to submit it.
    project = Project.objects.get(pk=project.pk)
    latest = project.latest_report
    if latest is not None and not project.status_reports.filter(state=ReportState.DRAFT).exists():
        from regie.portfolio.reporting import CONTENT_FIELDS, next_period

        start, end = next_period(project)
        StatusReport.objects.create(
            project=project,
            period_start=start,
            period_end=end,
            drafted_by=pmo,
            **{name: getattr(latest, name) for name in CONTENT_FIELDS},
        )
    write("  gates: P-001 with decisions, conditions, a prepared review and a draft report")


EXTRA_LOADERS = [_reports, _gates]
