"""The generic record contract, applied to the organisation's records."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from regie.core.models import OrgUnit, Person, Team
from regie.core.testing import RecordContract
from regie.core.ui import ORG_UNITS, PEOPLE, TEAMS

_numbers = itertools.count(1)


def _unit(org: Any, where: str) -> OrgUnit:
    return org.unit_a if where == "a" else org.unit_b


class TestOrgUnits(RecordContract):
    ui = ORG_UNITS
    api_prefix = "/api/org-units/"

    def make(self, org: Any, where: str) -> OrgUnit:
        n = next(_numbers)
        return OrgUnit.objects.create(code=f"C{n}", name=f"Contract unit {n}", parent=_unit(org, where))

    def form_data(self, org: Any, obj: OrgUnit | None = None) -> dict[str, Any]:
        if obj is not None:
            return {
                "code": obj.code,
                "name": obj.name,
                "parent": obj.parent_id,
                "manager": "",
                "description": "",
            }
        n = next(_numbers)
        return {
            "code": f"N{n}",
            "name": f"New unit {n}",
            "parent": org.unit_a.pk,
            "manager": "",
            "description": "",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {"code": f"P{n}", "name": f"Posted unit {n}", "parent": org.unit_a.pk}


class TestPeople(RecordContract):
    ui = PEOPLE
    api_prefix = "/api/people/"
    text_field = "family_name"

    def make(self, org: Any, where: str) -> Person:
        n = next(_numbers)
        return Person.objects.create(
            given_name="Contract",
            family_name=f"Person{n}",
            email=f"contract{n}@example.org",
            org_unit=_unit(org, where),
        )

    def form_data(self, org: Any, obj: Person | None = None) -> dict[str, Any]:
        if obj is not None:
            return {
                "given_name": obj.given_name,
                "family_name": obj.family_name,
                "email": obj.email or "",
                "phone": "",
                "employee_number": "",
                "org_unit": obj.org_unit_id,
                "job_profile": "",
                "language": "en",
            }
        n = next(_numbers)
        return {
            "given_name": "Nina",
            "family_name": f"Newperson{n}",
            "email": f"new{n}@example.org",
            "phone": "",
            "employee_number": "",
            "org_unit": org.unit_a.pk,
            "job_profile": org.profile.pk,
            "language": "nl",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {
            "given_name": "Api",
            "family_name": f"Person{n}",
            "email": f"api{n}@example.org",
            "org_unit": org.unit_a.pk,
        }


class TestTeams(RecordContract):
    ui = TEAMS
    api_prefix = "/api/teams/"

    def make(self, org: Any, where: str) -> Team:
        n = next(_numbers)
        team = Team.objects.create(code=f"T{n}", name=f"Contract team {n}", org_unit=_unit(org, where))
        team.members.set([org.person_a if where == "a" else org.person_b])
        return team

    def form_data(self, org: Any, obj: Team | None = None) -> dict[str, Any]:
        if obj is not None:
            return {
                "code": obj.code,
                "name": obj.name,
                "org_unit": obj.org_unit_id,
                "domain": "",
                "lead": "",
                "members": [m.pk for m in obj.members.all()],
                "description": "",
            }
        n = next(_numbers)
        return {
            "code": f"NT{n}",
            "name": f"New team {n}",
            "org_unit": org.unit_a.pk,
            "domain": "",
            "lead": org.person_a.pk,
            "members": [org.person_a.pk, org.person_a_sub.pk],
            "description": "",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {
            "code": f"PT{n}",
            "name": f"Posted team {n}",
            "org_unit": org.unit_a.pk,
            "members": [org.person_a.pk],
        }


@pytest.mark.django_db
def test_the_search_box_shows_what_was_searched_and_not_a_lists_filters(org):
    client = org.client_for("administrator")
    listed = client.get(f"/units/?parent={org.top.pk}").content.decode()
    assert 'aria-label="Search" value="">' in listed and "parent=" not in listed.split('aria-label="Search"')[1][:40]
    searched = client.get("/search/?q=Alder").content.decode()
    assert 'aria-label="Search" value="Alder">' in searched
