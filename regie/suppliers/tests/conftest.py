from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils.timezone import localdate

from regie.core.models import RoleAssignment
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.planning.models import WorkCalendar
from regie.services.models import Service, ServiceOffering
from regie.suppliers import services
from regie.suppliers.models import Agreement, AgreementVersion, Contact, Obligation, Organisation

numbers = itertools.count(1)


@dataclass
class Contracts:
    """Contract management in the IT domain of the ``org`` fixture: two suppliers with a contract each and
    a login for one contact of each, a service with an owner, a business-hours calendar, and people
    holding each role on the IT domain."""

    org: Any
    users: dict[str, Any]
    supplier: Organisation
    other_supplier: Organisation
    customer: Organisation
    service: Service
    offering: ServiceOffering
    calendar: WorkCalendar
    contract: Agreement
    other_contract: Agreement

    def client_for(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.users[who])
        return client

    def person(self, who: str) -> Any:
        return self.users[who].person


def login(users: dict[str, Any], name: str, role: str | None = None, scope: Any = None) -> Any:
    user = UserFactory(username=name)
    person = PersonFactory(user=user, given_name=name.replace("_", " ").title(), family_name="Tester")
    if role:
        RoleAssignment.objects.create(person=person, role=role, scope=scope)
    users[name] = user
    user.refresh_from_db()
    return user


def make_agreement(*, kind: str = "uc", domain: Any, manager: Any, **parties: Any) -> Agreement:
    n = next(numbers)
    agreement = Agreement(
        kind=kind, code=f"{kind.upper()}-{n:03d}", name=f"Agreement {n}", domain=domain, contract_manager=manager, **parties
    )
    agreement.full_clean()
    agreement.save()
    return agreement


def make_version(
    agreement: Agreement,
    *,
    specifier: Any,
    status: str = "draft",
    start: date = date(2026, 1, 1),
    end: date | None = date(2026, 12, 31),
    service_list: list[Any] = (),  # type: ignore[assignment]
    calendar: Any = None,
    **terms: Any,
) -> AgreementVersion:
    number = agreement.versions.count() + 1
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=number,
        status=status,
        start=start,
        end=end,
        specified_by=specifier,
        calendar=calendar,
        **terms,
    )
    version.services.set(list(service_list))
    if status == "approved":
        Agreement.objects.filter(pk=agreement.pk).update(current_version=version)
        agreement.current_version = version
    return version


def make_obligation(agreement: Agreement, **fields: Any) -> Obligation:
    defaults: dict[str, Any] = {
        "description": f"Deliver report {next(numbers)}",
        "due_date": localdate() + timedelta(days=10),
    }
    defaults.update(fields)
    obligation = Obligation(agreement=agreement, **defaults)
    obligation.full_clean()
    obligation.save()
    return obligation


@pytest.fixture
def contracts(org: Any) -> Contracts:
    users = dict(org.users)
    it = org.it.scope
    login(users, "cm_it", "contract_manager", it)
    login(users, "cm2_it", "contract_manager", it)
    login(users, "purchaser_it", "purchaser", it)
    login(users, "smo_it", "smo_officer", it)
    login(users, "service_owner")
    login(users, "supplier_user")
    login(users, "other_supplier_user")
    supplier = Organisation.objects.create(code="CLOUD", name="Cloudy Hosting", is_supplier=True, domain=org.it)
    other_supplier = Organisation.objects.create(code="NETCO", name="Netco Carrier", is_supplier=True, domain=org.it)
    customer = Organisation.objects.create(code="CITY", name="City of Elsewhere", is_supplier=False, is_customer=True)
    Contact.objects.create(organisation=supplier, name="Sue Pplier", person=users["supplier_user"].person)
    Contact.objects.create(organisation=other_supplier, name="Otto Ther", person=users["other_supplier_user"].person)
    service = Service.objects.create(code="WORKPLACE", name="Workplace", domain=org.it, owner=users["service_owner"].person)
    offering = ServiceOffering.objects.create(service=service, code="STD", name="Standard")
    calendar = WorkCalendar.objects.create(name="Office hours")
    manager = users["cm_it"].person
    contract = make_agreement(domain=org.it, manager=manager, provider_organisation=supplier, customer_unit=org.unit_a)
    other_contract = make_agreement(
        domain=org.it, manager=manager, provider_organisation=other_supplier, customer_unit=org.unit_a
    )
    for agreement in (contract, other_contract):
        make_version(
            agreement,
            specifier=users["purchaser_it"].person,
            status="approved",
            service_list=[service],
            calendar=calendar,
            annual_value=Decimal("120000"),
        )
    return Contracts(org, users, supplier, other_supplier, customer, service, offering, calendar, contract, other_contract)


def draft_of(agreement: Agreement, who: Any) -> AgreementVersion:
    """A new draft started by ``who`` (a user) through the service."""
    return services.version_new(actor=who, agreement=agreement)
