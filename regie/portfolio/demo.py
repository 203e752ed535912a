"""The demo organisation's portfolios, programmes and projects (idempotent: looked up by code)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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
