"""The demo organisation's service catalogues: IT, HR and Facilities services with owners, managers,
customers, offerings and costs; the SMO login (Ingrid Svensson) keeps the catalogue as SMO officer
(idempotent: looked up by code)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from regie.core.models import Domain, OrgUnit, Person, RoleAssignment, Scope
from regie.services.models import Service, ServiceOffering

DOMAIN = "northbridge.example"
# code, name, domain, owner, manager, status, facility, support, customers, annual cost, offerings
SERVICES = [
    (
        "WORKPLACE",
        "Digital workplace",
        "IT",
        "maarten.bakker",
        "liam.oconnor",
        "live",
        "A laptop with the standard software, a docking station and a headset; e-mail, calendar and file storage.",
        "Service desk on working days 08:00-18:00; replacement of a broken laptop within one working day.",
        ["NB-OPS", "NB-FIN", "NB-PMO", "NB-DIR"],
        "1250000",
        [
            ("STD", "Workplace standard", "Laptop, standard software, support on working days.", "45", "user per month"),
            (
                "PREM",
                "Workplace premium",
                "Lighter laptop, second screen, extended support hours 07:00-22:00.",
                "70",
                "user per month",
            ),
        ],
    ),
    (
        "NETWORK",
        "Network and Wi-Fi",
        "IT",
        "maarten.bakker",
        "liam.oconnor",
        "live",
        "Wired and wireless network in every building, guest Wi-Fi, remote access.",
        "Monitoring around the clock; faults handled by the infrastructure team and the network supplier.",
        ["NB-OPS", "NB-FIN", "NB-PMO", "NB-DIR"],
        "430000",
        [("CAMPUS", "Campus network", "Wired and wireless network in the buildings.", "0", "")],
    ),
    (
        "SERVICEDESK",
        "IT service desk",
        "IT",
        "ingrid.svensson",
        "daan.visser",
        "live",
        "One point of contact for incidents, requests and questions about IT services.",
        "By phone, e-mail and the portal on working days 08:00-18:00.",
        ["NB-OPS", "NB-FIN", "NB-PMO", "NB-DIR"],
        "380000",
        [],
    ),
    (
        "ONBOARDING",
        "Onboarding of new staff",
        "HR",
        "claire.dubois",
        "hanna.ek",
        "in_design",
        "Contract, workplace, access and introduction programme arranged before the first working day.",
        "HR services answer questions of the new colleague and their manager.",
        ["NB-OPS", "NB-FIN", "NB-PMO"],
        "95000",
        [],
    ),
    (
        "ROOMS",
        "Meeting rooms and catering",
        "FAC",
        "erik.lindqvist",
        "pieter.vandam",
        "live",
        "Bookable meeting rooms with screens, coffee and lunch on request.",
        "Facility desk on working days 07:30-17:30.",
        ["NB-OPS", "NB-FIN", "NB-PMO", "NB-DIR"],
        "210000",
        [
            ("ROOM", "Meeting room", "A room for up to 12 people.", "0", ""),
            ("LUNCH", "Lunch", "Lunch for a meeting.", "12.50", "person"),
        ],
    ),
]


def _person(local: str) -> Person:
    return Person.objects.get(email=f"{local}@{DOMAIN}")


def load(write: Callable[[str], Any]) -> None:
    if not Domain.objects.filter(code="IT").exists():
        return
    units = {u.code: u for u in OrgUnit.objects.all()}
    for code, name, domain, owner, manager, status, facility, support, customers, cost, offerings in SERVICES:
        service = Service.objects.filter(code=code).first()
        if service is None:
            service = Service.objects.create(
                code=code,
                name=name,
                domain=Domain.objects.get(code=domain),
                owner=_person(owner),
                manager=_person(manager),
                status=status,
                facility=facility,
                support=support,
                annual_cost=Decimal(cost),
            )
            service.customers.set([units[c] for c in customers if c in units])
        for offering_code, offering_name, description, price, unit in offerings:
            ServiceOffering.objects.get_or_create(
                service=service,
                code=offering_code,
                defaults={"name": offering_name, "description": description, "price": Decimal(price), "unit": unit},
            )
    # The SMO login keeps the catalogue of the whole organisation.
    smo = get_user_model()._default_manager.filter(username="smo").first()
    person = Person.objects.filter(user=smo).first() if smo else None
    if person is not None:
        RoleAssignment.objects.get_or_create(person=person, role="smo_officer", scope=Scope.root())
    write(f"Service catalogue: {Service.objects.count()} services in IT, HR and Facilities.")
