"""Shared fixtures: a small organisation with people holding each core role, and signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from regie.core.models import Domain, JobProfile, OrgUnit, Person, RoleAssignment, Scope
from regie.core.tests.factories import PersonFactory, UserFactory


@dataclass
class Organisation:
    """Two branches under one top unit, so that "inside my scope" and "outside it" both exist."""

    root: Scope
    it: Domain
    hr: Domain
    top: OrgUnit
    unit_a: OrgUnit
    unit_a_sub: OrgUnit
    unit_b: OrgUnit
    profile: JobProfile
    person_a: Person
    person_a_sub: Person
    person_b: Person
    users: dict[str, Any]

    def client_for(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.users[who])
        return client


@pytest.fixture
def org(db: Any) -> Organisation:
    root = Scope.root()
    it = Domain.objects.create(code="IT", name="Information technology")
    hr = Domain.objects.create(code="HR", name="Human resources")
    top = OrgUnit.objects.create(code="TOP", name="Top")
    unit_a = OrgUnit.objects.create(code="A", name="Unit A", parent=top)
    unit_a_sub = OrgUnit.objects.create(code="A1", name="Unit A one", parent=unit_a)
    unit_b = OrgUnit.objects.create(code="B", name="Unit B", parent=top)
    profile = JobProfile.objects.create(code="DEV", name="Developer")
    person_a = PersonFactory(org_unit=unit_a, given_name="Anna", family_name="Alder")
    person_a_sub = PersonFactory(org_unit=unit_a_sub, given_name="Arvid", family_name="Aspen")
    person_b = PersonFactory(org_unit=unit_b, given_name="Bram", family_name="Birch")
    users: dict[str, Any] = {}

    def login(name: str, role: str | None, scope: Scope | None, unit: OrgUnit | None = None) -> None:
        user = UserFactory(username=name)
        person = PersonFactory(user=user, org_unit=unit, given_name=name.capitalize(), family_name="Tester")
        if role:
            RoleAssignment.objects.create(person=person, role=role, scope=scope or root)
        users[name] = user

    login("administrator", "administrator", root, top)
    login("manager_a", "organisation_manager", unit_a.scope, unit_a)
    login("member_a", "member", unit_a.scope, unit_a)
    login("member_all", "member", root, top)
    login("norole", None, None, None)
    login("member_it", "member", it.scope, None)
    login("portfolio_manager_it", "portfolio_manager", it.scope, None)
    login("pmo_it", "pmo_officer", it.scope, None)
    superuser = UserFactory(username="superuser", is_superuser=True, is_staff=True)
    users["superuser"] = superuser
    return Organisation(root, it, hr, top, unit_a, unit_a_sub, unit_b, profile, person_a, person_a_sub, person_b, users)
