"""The demo organisation's service catalogues: IT, HR and Facilities services with owners, managers,
customers, offerings and costs; the SMO login (Ingrid Svensson) keeps the catalogue as SMO officer
(idempotent: looked up by code)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

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
        "HOSTING",
        "Hosting and storage",
        "IT",
        "maarten.bakker",
        "priya.raman",
        "live",
        "Servers, databases and file storage for the organisation's applications, in a hosted data centre.",
        "Monitored around the clock by the application team; backups every night.",
        ["NB-IT"],
        "520000",
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


# service, supporting service or supplier code, team, agreement, result
CHAIN = [
    ("WORKPLACE", "SERVICEDESK", "SD", None, "Takes every call about the workplace and restores it within the agreed times."),
    (
        "WORKPLACE",
        "NETWORK",
        "NET",
        "OLA-001",
        "Network and Wi-Fi available in every building 99.7 % per month; priority 1 faults resolved within 3 hours.",
    ),
    (
        "WORKPLACE",
        "HOSTING",
        "APP",
        None,
        "Mailboxes, files and the office applications available; restored from last night's backup on request.",
    ),
    (
        "WORKPLACE",
        "@DESKWARE",
        None,
        "UC-003",
        "Delivers the laptops of each roll-out wave on time; replaces a broken laptop within one working day.",
    ),
    ("WORKPLACE", "@CODEWORKS", None, "UC-004", "Office suite licences for every user."),
    ("SERVICEDESK", "HOSTING", "APP", "OLA-002", "Runs the service desk tool and its portal."),
    (
        "NETWORK",
        "@LINKNET",
        None,
        "UC-002",
        "Fibre lines between the buildings and internet access; priority 1 faults repaired within 4 hours.",
    ),
    ("HOSTING", "@NIMBUS", None, "UC-001", "Data centre capacity, power and cooling, and nightly backups; 99.95 % available."),
    ("ONBOARDING", "WORKPLACE", "WP", None, "A ready laptop and accounts on the new colleague's first working day."),
    ("ROOMS", "@BRIGHTCLEAN", None, "UC-005", "Meeting rooms cleaned every evening."),
]

# month offset (1 = last month) -> (availability, P1 resolution within time %, P1 cases, the link blamed)
MISSES = {5: ("98.9", "75.0", 8, "HOSTING"), 2: ("99.2", "85.7", 7, "NETWORK")}


def load_chains(write: Callable[[str], Any]) -> None:
    """The chains of the demo services, and a year of the digital workplace's service levels with two
    missed months blamed on the links that caused them (idempotent)."""
    from django.apps import apps

    from regie.core.models import Team
    from regie.services.models import ServiceLevelMeasurement, ServiceLink

    services = {s.code: s for s in Service.objects.all()}
    if "WORKPLACE" not in services or ServiceLink.objects.exists():
        return
    organisation = apps.get_model("suppliers", "Organisation")
    agreement_model = apps.get_model("suppliers", "Agreement")
    suppliers = {o.code: o for o in organisation.objects.all()}
    agreements = {a.code: a for a in agreement_model.objects.all()}
    teams = {t.code: t for t in Team.objects.all()}
    links = {}
    for service, provider, team, agreement, result in CHAIN:
        supplier = suppliers.get(provider[1:]) if provider.startswith("@") else None
        supporting = None if provider.startswith("@") else services.get(provider)
        if service not in services or (supplier is None and supporting is None):
            continue
        link = ServiceLink(
            service=services[service],
            supporting_service=supporting,
            supplier=supplier,
            responsible_team=teams.get(team) if team else None,
            agreement=agreements.get(agreement) if agreement else None,
            result=result,
        )
        link.full_clean()
        link.save()
        links[(service, provider)] = link
    _levels(services["WORKPLACE"], agreements.get("SLA-001"), links)
    write(
        f"Service chains: {ServiceLink.objects.count()} links; {ServiceLevelMeasurement.objects.count()} service-level figures."
    )


def _levels(service: Service, agreement: Any, links: dict[tuple[str, str], Any]) -> None:
    import datetime

    from regie.services.services import measurement_record

    if agreement is None:
        return
    this_month = timezone.localdate().replace(day=1)
    versions = list(agreement.versions.filter(status__in=["approved", "superseded"]).prefetch_related("targets"))
    for back in range(1, 12):
        month = this_month
        for _step in range(back):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        version = next((v for v in versions if v.start <= month and (v.end is None or v.end >= month)), None)
        if version is None:
            continue
        miss = MISSES.get(back)
        for target in version.targets.all():
            if target.metric == "availability":
                achieved, cases, breaches = Decimal(miss[0] if miss else "99.8" if back % 3 else "99.6"), None, 1 if miss else 0
            elif target.metric == "resolution" and target.priority == 1:
                cases = miss[2] if miss else 4 + back % 4
                achieved = Decimal(miss[1]) if miss else Decimal(100)
                breaches = round(cases * (100 - float(achieved)) / 100)
            else:
                continue
            measurement_record(
                actor=None, service=service, target=target, period=month, achieved=achieved, cases=cases, breaches=breaches
            )
            if miss and breaches and (service.code, miss[3]) in links:
                measurement_record(
                    actor=None,
                    service=service,
                    target=target,
                    period=month,
                    achieved=None,
                    breaches=breaches,
                    link=links[(service.code, miss[3])],
                )
