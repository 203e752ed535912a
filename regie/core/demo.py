"""The demo organisation: Northbridge, a mid-sized public organisation with IT, HR and Facilities offices.

``load_demo`` is idempotent: every record is looked up by its code (or email) first, so running
``regie demo`` twice changes nothing. Later capabilities extend it with their own data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from regie.core.demo_data import PROFILES
from regie.core.models import Domain, JobProfile, OrgUnit, Person, RoleAssignment, Scope, Team

DEMO_PASSWORD = "regie-demo-2026"  # noqa: S105 - printed for the demo on purpose

DOMAINS = [
    ("IT", "Information technology", "Workplaces, applications, networks and the IT service desk."),
    ("HR", "Human resources", "Recruitment, onboarding, payroll questions and training."),
    ("FAC", "Facilities", "Buildings, rooms, catering, security and moves."),
]

UNITS = [
    # code, name, parent code
    ("NB", "Northbridge", None),
    ("NB-DIR", "Board of directors", "NB"),
    ("NB-OPS", "Directorate Operations", "NB"),
    ("NB-IT", "IT department", "NB-OPS"),
    ("NB-IT-WP", "Workplace services", "NB-IT"),
    ("NB-IT-INF", "Infrastructure", "NB-IT"),
    ("NB-IT-APP", "Applications", "NB-IT"),
    ("NB-HR", "HR department", "NB-OPS"),
    ("NB-FAC", "Facilities department", "NB-OPS"),
    ("NB-FIN", "Finance and purchasing", "NB"),
    ("NB-PMO", "Programme and project office", "NB"),
    ("NB-SMO", "Service management office", "NB-OPS"),
]


# given, family, email local part, unit, profile, language, login
PEOPLE = [
    ("Sanne", "de Vries", "sanne.devries", "NB-DIR", "DIR", "nl", None),
    ("Erik", "Lindqvist", "erik.lindqvist", "NB-OPS", "DIR", "sv", None),
    ("Maarten", "Bakker", "maarten.bakker", "NB-IT", "DIR", "nl", None),
    ("Fatima", "El Amrani", "fatima.elamrani", "NB-PMO", "PMO", "nl", "pmo"),
    ("Johan", "Berg", "johan.berg", "NB-PMO", "PM", "sv", "pm"),
    ("Lotte", "Jansen", "lotte.jansen", "NB-PMO", "PM", "nl", None),
    ("Ingrid", "Svensson", "ingrid.svensson", "NB-SMO", "SM", "sv", "smo"),
    ("Daan", "Visser", "daan.visser", "NB-SMO", "CM", "nl", None),
    ("Priya", "Raman", "priya.raman", "NB-IT-APP", "ARCH", "en", None),
    ("Tom", "Hendriks", "tom.hendriks", "NB-IT-APP", "DEV", "nl", "dev"),
    ("Noor", "Smit", "noor.smit", "NB-IT-APP", "DEV", "nl", None),
    ("Oskar", "Nilsson", "oskar.nilsson", "NB-IT-APP", "DEV", "sv", None),
    ("Liam", "O'Connor", "liam.oconnor", "NB-IT-INF", "TL", "en", None),
    ("Sven", "Karlsson", "sven.karlsson", "NB-IT-INF", "NET", "sv", None),
    ("Bram", "Mulder", "bram.mulder", "NB-IT-INF", "NET", "nl", None),
    ("Emma", "de Jong", "emma.dejong", "NB-IT-WP", "TL", "nl", None),
    ("Yusuf", "Demir", "yusuf.demir", "NB-IT-WP", "SD", "nl", None),
    ("Astrid", "Holm", "astrid.holm", "NB-IT-WP", "SD", "sv", None),
    ("Kevin", "Peeters", "kevin.peeters", "NB-IT-WP", "SD", "nl", None),
    ("Hanna", "Ek", "hanna.ek", "NB-HR", "HRA", "sv", "hr"),
    ("Ruben", "Meijer", "ruben.meijer", "NB-HR", "HRA", "nl", None),
    ("Claire", "Dubois", "claire.dubois", "NB-HR", "TL", "en", None),
    ("Pieter", "van Dam", "pieter.vandam", "NB-FAC", "FCO", "nl", None),
    ("Maja", "Lund", "maja.lund", "NB-FAC", "FCO", "sv", None),
    ("Wouter", "Bos", "wouter.bos", "NB-FIN", "CTRL", "nl", None),
    ("Elin", "Andersson", "elin.andersson", "NB-FIN", "PUR", "sv", None),
    ("Julia", "Kowalski", "julia.kowalski", "NB-FIN", "PUR", "en", None),
    # Resources who never sign in (external specialists on contract).
    ("Marco", "Rossi", "", "NB-IT-INF", "NET", "en", None),
    ("Aylin", "Kaya", "", "NB-IT-APP", "DEV", "nl", None),
]

LOGINS = {
    "admin": ("Regie", "Administrator", "admin@northbridge.example", "NB", None),
}

# login, role, scope (unit code, domain code, or None for the whole organisation)
ROLES = [
    ("admin", "administrator", None),
    ("pmo", "member", None),
    ("pm", "member", ("unit", "NB-PMO")),
    ("smo", "member", None),
    ("smo", "organisation_manager", ("unit", "NB-SMO")),
    ("hr", "organisation_manager", None),
    ("dev", "member", ("unit", "NB-IT")),
]

TEAMS = [
    ("SD", "Service desk", "NB-IT-WP", "IT", "yusuf.demir", ["yusuf.demir", "astrid.holm", "kevin.peeters"]),
    ("WP", "Workplace team", "NB-IT-WP", "IT", "emma.dejong", ["emma.dejong", "kevin.peeters"]),
    (
        "NET",
        "Network team",
        "NB-IT-INF",
        "IT",
        "liam.oconnor",
        ["liam.oconnor", "sven.karlsson", "bram.mulder"],
    ),
    (
        "APP",
        "Application team",
        "NB-IT-APP",
        "IT",
        "priya.raman",
        ["priya.raman", "tom.hendriks", "noor.smit", "oskar.nilsson"],
    ),
    (
        "PMO",
        "Project office",
        "NB-PMO",
        None,
        "fatima.elamrani",
        ["fatima.elamrani", "johan.berg", "lotte.jansen"],
    ),
    (
        "SMO",
        "Service management office",
        "NB-SMO",
        "IT",
        "ingrid.svensson",
        ["ingrid.svensson", "daan.visser"],
    ),
    ("HRS", "HR services", "NB-HR", "HR", "claire.dubois", ["claire.dubois", "hanna.ek", "ruben.meijer"]),
    ("FS", "Facility services", "NB-FAC", "FAC", "pieter.vandam", ["pieter.vandam", "maja.lund"]),
]

UNIT_MANAGERS = {
    "NB": "sanne.devries",
    "NB-OPS": "erik.lindqvist",
    "NB-IT": "maarten.bakker",
    "NB-HR": "claire.dubois",
}

DOMAIN = "northbridge.example"

#: Later capabilities append loaders here: ``function(stdout_write)`` called after core's data.
EXTENSIONS: list[Callable[[Callable[[str], Any]], None]] = []
#: Loaders that tie several capabilities' demo data together, called after every extension.
FINISHERS: list[Callable[[Callable[[str], Any]], None]] = []


def ensure_login(username: str, person: Any) -> Any:
    """The demo login ``username`` (password ``DEMO_PASSWORD``) for ``person``, made once."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model._default_manager.filter(username=username).first()
    if user is None:
        user = user_model(username=username, email=person.email or "")
        user.set_password(DEMO_PASSWORD)
        user.save()
    if person.user_id is None:
        person.user = user
        person.save()
    return person.user


def _email(local: str) -> str | None:
    return f"{local}@{DOMAIN}" if local else None


@transaction.atomic
def load_demo(write: Callable[[str], Any] = print) -> list[tuple[str, str, str]]:
    """Create the demo organisation if it is not there; returns (login, name, what they can do)."""
    user_model = get_user_model()
    root = Scope.root()
    domains = {}
    for code, name, description in DOMAINS:
        domains[code] = Domain.objects.filter(code=code).first() or Domain.objects.create(
            code=code, name=name, description=description
        )
    units: dict[str, OrgUnit] = {}
    for code, name, parent in UNITS:
        units[code] = OrgUnit.objects.filter(code=code).first() or OrgUnit.objects.create(
            code=code, name=name, parent=units.get(parent) if parent else None
        )
    profiles = {}
    for code, name in PROFILES:
        profiles[code] = JobProfile.objects.filter(code=code).first() or JobProfile.objects.create(code=code, name=name)
    people: dict[str, Person] = {}
    logins: dict[str, Any] = {}
    for given, family, local, unit, profile, language, login in PEOPLE:
        email = _email(local)
        person = (Person.objects.filter(email=email).first() if email else None) or Person.objects.filter(
            given_name=given, family_name=family
        ).first()
        if person is None:
            person = Person.objects.create(
                given_name=given,
                family_name=family,
                email=email,
                org_unit=units[unit],
                job_profile=profiles[profile],
                language=language,
                phone=f"+31 20 555 {len(people) + 100:04d}",
                employee_number=f"NB{1000 + len(people)}",
            )
        people[local or f"{given}.{family}"] = person
        if login:
            logins[login] = person
    for login, (given, family, email, unit, _profile) in LOGINS.items():
        person = Person.objects.filter(email=email).first() or Person.objects.create(
            given_name=given, family_name=family, email=email, org_unit=units[unit]
        )
        logins[login] = person
    for login, person in logins.items():
        user = user_model._default_manager.filter(username=login).first()
        if user is None:
            # The demo administrator may also use Django's admin site (schedules, raw records).
            user = user_model(username=login, email=person.email or "", is_staff=login == "admin")
            user.is_superuser = login == "admin"
            user.set_password(DEMO_PASSWORD)
            user.save()
        if person.user_id is None:
            person.user = user
            person.save()
    for login, role, where in ROLES:
        if where is None:
            scope = root
        elif where[0] == "unit":
            scope = units[where[1]].scope
        else:
            scope = domains[where[1]].scope
        RoleAssignment.objects.get_or_create(person=logins[login], role=role, scope=scope)
    for code, manager in UNIT_MANAGERS.items():
        managed = units[code]
        if managed.manager_id is None:
            managed.manager = people[manager]
            managed.save()
    for code, name, unit, domain, lead, members in TEAMS:
        team = Team.objects.filter(code=code).first()
        if team is None:
            team = Team.objects.create(
                code=code,
                name=name,
                org_unit=units[unit],
                domain=domains.get(domain) if domain else None,
                lead=people[lead],
            )
            team.members.set([people[m] for m in members])
    for extension in [*EXTENSIONS, *FINISHERS]:
        extension(write)
    return [
        ("admin", "Regie Administrator", "administrator of the whole organisation"),
        ("pmo", str(logins["pmo"]), "PMO officer; sees the whole organisation"),
        ("pm", str(logins["pm"]), "project manager; sees the project office"),
        ("smo", str(logins["smo"]), "SMO officer: keeps the service catalogue; manages the service management office's people"),
        ("hr", str(logins["hr"]), "HR advisor; manages people and units everywhere, imports people"),
        ("dev", str(logins["dev"]), "developer; sees the IT department"),
    ]
