from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from regie.core.models import RoleAssignment, Team
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.planning.models import WorkCalendar
from regie.services.models import Service, ServiceLink
from regie.suppliers.models import Agreement, AgreementVersion, Organisation, ServiceLevelTarget

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in March 2026 in Amsterdam (2026-03-02 is a Monday)."""
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=AMS)


@dataclass
class Desk:
    """A service desk on the IT domain of ``org``: the Workplace service for unit A under an SLA, resting on
    the Hosting service (team Operations, under an OLA) and on the supplier Cloudy (under a contract);
    Monday to Friday 08:00–12:00 and 13:00–17:00. Targets for P3 (medium impact and urgency): SLA response 60 and resolution 480
    minutes; OLA resolution 240; contract resolution 120."""

    org: Any
    users: dict[str, Any]
    service: Service
    hosting: Service
    team: Team
    supplier: Organisation
    sla: Agreement
    ola: Agreement
    contract: Agreement
    ops_link: ServiceLink
    supplier_link: ServiceLink
    calendar: WorkCalendar

    def client_for(self, who: str) -> Client:
        client = Client()
        client.force_login(self.users[who])
        return client

    def person(self, who: str) -> Any:
        return self.users[who].person


def _login(users: dict[str, Any], name: str, role: str | None = None, scope: Any = None, unit: Any = None) -> Any:
    user = UserFactory(username=name)
    person = PersonFactory(user=user, org_unit=unit, given_name=name.replace("_", " ").title(), family_name="Tester")
    if role:
        RoleAssignment.objects.create(person=person, role=role, scope=scope)
    users[name] = user
    return user


def _agreement(
    kind: str,
    code: str,
    calendar: WorkCalendar,
    services: list[Service],
    targets: dict[tuple[str, int | None], int],
    **parties: Any,
) -> Agreement:
    agreement = Agreement.objects.create(
        kind=kind, code=code, name=code, domain=parties.pop("domain"), contract_manager=parties.pop("manager"), **parties
    )
    version = AgreementVersion.objects.create(
        specified_by=agreement.contract_manager,
        agreement=agreement,
        number=1,
        status="approved",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        calendar=calendar,
    )
    version.services.set(services)
    for (metric, priority), minutes in targets.items():
        ServiceLevelTarget.objects.create(version=version, metric=metric, priority=priority, target=Decimal(minutes))
    Agreement.objects.filter(pk=agreement.pk).update(current_version=version)
    return agreement


@pytest.fixture
def desk(org: Any) -> Desk:
    users = dict(org.users)
    it = org.it.scope
    _login(users, "agent", "servicedesk_agent", it)
    _login(users, "smo", "smo_officer", it)
    _login(users, "change_manager", "change_manager", it)
    _login(users, "requester", "member", org.unit_a.scope, org.unit_a)
    _login(users, "engineer", "member", it)
    _login(users, "outsider", "member", org.hr.scope)
    calendar = WorkCalendar.objects.create(name="Office hours")
    service = Service.objects.create(code="WPL", name="Workplace", domain=org.it, owner=org.person_a, status="live")
    service.customers.set([org.unit_a])
    hosting = Service.objects.create(code="HOST", name="Hosting", domain=org.it, owner=org.person_b, status="live")
    team = Team.objects.create(code="OPS", name="Operations", org_unit=org.unit_b, domain=org.it)
    team.members.add(users["engineer"].person)
    supplier = Organisation.objects.create(code="CLOUDY", name="Cloudy", is_supplier=True, domain=org.it)
    sla = _agreement(
        "sla",
        "SLA-WPL",
        calendar,
        [service],
        {("response", 3): 60, ("resolution", 3): 480, ("response", 1): 15, ("resolution", 1): 120},
        domain=org.it,
        manager=org.person_a,
        provider_unit=org.unit_b,
        customer_unit=org.unit_a,
    )
    ola = _agreement(
        "ola",
        "OLA-HOST",
        calendar,
        [hosting],
        {("resolution", 3): 240},
        domain=org.it,
        manager=org.person_a,
        provider_unit=org.unit_b,
        customer_unit=org.top,
    )
    contract = _agreement(
        "uc",
        "UC-CLOUDY",
        calendar,
        [hosting],
        {("resolution", None): 120},
        domain=org.it,
        manager=org.person_a,
        provider_organisation=supplier,
        customer_unit=org.top,
    )
    ops_link = ServiceLink.objects.create(
        service=service, supporting_service=hosting, responsible_team=team, agreement=ola, result="Keeps the servers running"
    )
    supplier_link = ServiceLink.objects.create(service=service, supplier=supplier, agreement=contract, result="Cloud capacity")
    return Desk(org, users, service, hosting, team, supplier, sla, ola, contract, ops_link, supplier_link, calendar)
