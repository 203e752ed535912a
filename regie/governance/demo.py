"""The demo's stakeholder register and RACI matrix of P-001 Laptop refresh (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from regie.core.models import Person
from regie.governance.models import RaciCell, RaciRow, Stakeholder
from regie.portfolio.models import Project

DOMAIN = "northbridge.example"
# person (local part) or None, organisation, role, interest, influence, attitude, desired, engagement
STAKEHOLDERS = [
    (
        "maarten.bakker",
        "",
        "Sponsor, IT director",
        5,
        5,
        "leading",
        "leading",
        "Monthly steering committee; weekly call with the project manager.",
    ),
    ("sanne.devries", "", "Managing director", 2, 5, "neutral", "supportive", "Quarterly briefing by the sponsor."),
    (
        None,
        "Works council",
        "Consulted on the workplace change",
        4,
        4,
        "resistant",
        "supportive",
        "Consultation before each wave; demo of the new laptop.",
    ),
    (None, "Floor 3 users", "First wave", 5, 2, "neutral", "supportive", "Walk-in sessions and a pre-swap checklist."),
    (
        "ingrid.svensson",
        "",
        "Service desk, takes over support",
        4,
        3,
        "supportive",
        "leading",
        "Hand-over plan and training of the service desk.",
    ),
    (
        None,
        "Laptop vendor",
        "Supplier of the laptops",
        3,
        3,
        "supportive",
        "supportive",
        "Weekly delivery call with the purchaser.",
    ),
]
# subject, kind, {person local part: letter}
RACI = [
    ("Project plan", "deliverable", {"johan.berg": "R", "maarten.bakker": "A", "fatima.elamrani": "C", "ingrid.svensson": "I"}),
    ("Laptop order and delivery", "activity", {"johan.berg": "A", "fatima.elamrani": "R", "ingrid.svensson": "I"}),
    ("Roll-out in two waves", "decision", {"maarten.bakker": "A", "johan.berg": "R", "ingrid.svensson": "C"}),
    (
        "Service desk hand-over",
        "deliverable",
        {"ingrid.svensson": "A", "johan.berg": "R", "tom.hendriks": "C", "fatima.elamrani": "I"},
    ),
    ("Disposal of the old laptops", "activity", {"johan.berg": "A", "tom.hendriks": "R", "fatima.elamrani": "I"}),
]


def _person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@{DOMAIN}")


def load(write: Callable[[str], Any]) -> None:
    project = Project.objects.filter(code="P-001").first()
    if project is None:
        return
    for local, organisation, role, interest, influence, attitude, desired, engagement in STAKEHOLDERS:
        person = _person(local) if local else None
        if Stakeholder.objects.filter(scope=project.scope, person=person, organisation=organisation).exists():
            continue
        Stakeholder.objects.create(
            scope=project.scope,
            person=person,
            organisation=organisation,
            role=role,
            interest=interest,
            influence=influence,
            attitude=attitude,
            desired_attitude=desired,
            engagement=engagement,
            relationship_owner=_person("johan.berg"),
        )
    for order, (subject, kind, parts) in enumerate(RACI, 1):
        if RaciRow.objects.filter(project=project, subject=subject).exists():
            continue
        row = RaciRow.objects.create(project=project, subject=subject, kind=kind, order=order)
        RaciCell.objects.bulk_create([RaciCell(row=row, person=_person(local), letter=letter) for local, letter in parts.items()])
    write("Stakeholders and RACI: P-001's register and matrix.")
