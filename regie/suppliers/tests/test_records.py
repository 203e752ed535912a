"""External organisations, contacts and agreements through the generic record contract (pages, API,
permissions, history, archiving, exports, optimistic locking). Organisations and their contacts sit in the
scope of the domain that keeps them, agreements in their domain's: domain IT is "inside", HR "outside"."""

from __future__ import annotations

import json
from typing import Any

import pytest

from regie.core.testing import RecordContract
from regie.suppliers.models import Agreement, Contact, Organisation
from regie.suppliers.tests.conftest import login, make_agreement, numbers
from regie.suppliers.ui import AGREEMENTS, CONTACTS, ORGANISATIONS


@pytest.fixture(autouse=True)
def roles(org: Any) -> None:
    """A purchaser, an SMO officer and a contract manager on the IT domain."""
    login(org.users, "purchaser_it", "purchaser", org.it.scope)
    login(org.users, "smo_it", "smo_officer", org.it.scope)
    login(org.users, "cm_it", "contract_manager", org.it.scope)


def _organisation(org: Any, where: str) -> Organisation:
    n = next(numbers)
    return Organisation.objects.create(code=f"ORG{n}", name=f"Supplier {n}", domain=org.it if where == "a" else org.hr)


class TestOrganisations(RecordContract):
    ui = ORGANISATIONS
    api_prefix = "/api/organisations/"
    viewer_in_scope = "member_it"
    editor_in_scope = "purchaser_it"

    def make(self, org: Any, where: str) -> Organisation:
        return _organisation(org, where)

    def form_data(self, org: Any, obj: Organisation | None = None) -> dict[str, Any]:
        base = {"is_supplier": "on", "domain": org.it.pk, "registration_number": "", "address": "", "website": "", "notes": ""}
        if obj is not None:
            return {**base, "code": obj.code, "name": obj.name}
        n = next(numbers)
        return {**base, "code": f"NEW{n}", "name": f"New supplier {n}"}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(numbers)
        return {"code": f"API{n}", "name": f"Posted supplier {n}", "domain": org.it.pk, "website": "https://example.org"}


class TestContacts(RecordContract):
    ui = CONTACTS
    api_prefix = "/api/organisation-contacts/"
    viewer_in_scope = "smo_it"
    editor_in_scope = "purchaser_it"

    def make(self, org: Any, where: str) -> Contact:
        n = next(numbers)
        return Contact.objects.create(organisation=_organisation(org, where), name=f"Contact {n}", email=f"c{n}@example.org")

    def form_data(self, org: Any, obj: Contact | None = None) -> dict[str, Any]:
        if obj is not None:
            return {
                "organisation": obj.organisation_id,
                "name": obj.name,
                "role": "",
                "email": obj.email,
                "phone": "",
                "person": "",
            }
        n = next(numbers)
        organisation = _organisation(org, "a")
        return {"organisation": organisation.pk, "name": f"New contact {n}", "role": "account manager", "email": "", "phone": ""}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(numbers)
        return {"organisation": _organisation(org, "a").pk, "name": f"Posted contact {n}", "email": f"p{n}@example.org"}


class TestAgreements(RecordContract):
    ui = AGREEMENTS
    api_prefix = "/api/agreements/"
    viewer_in_scope = "member_it"
    editor_in_scope = "cm_it"

    def make(self, org: Any, where: str) -> Agreement:
        supplier = _organisation(org, where)
        domain = org.it if where == "a" else org.hr
        return make_agreement(domain=domain, manager=org.person_b, provider_organisation=supplier, customer_unit=org.unit_a)

    def form_data(self, org: Any, obj: Agreement | None = None) -> dict[str, Any]:
        if obj is not None:
            return {
                "kind": obj.kind,
                "code": obj.code,
                "name": obj.name,
                "domain": obj.domain_id,
                "provider_organisation": obj.provider_organisation_id,
                "customer_unit": obj.customer_unit_id,
                "contract_manager": obj.contract_manager_id,
                "description": "",
            }
        n = next(numbers)
        return {
            "kind": "sla",
            "code": f"SLA-N{n}",
            "name": f"New SLA {n}",
            "domain": org.it.pk,
            "provider_unit": org.unit_b.pk,
            "customer_unit": org.unit_a.pk,
            "contract_manager": org.person_a.pk,
            "description": "",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(numbers)
        return {
            "kind": "ola",
            "code": f"OLA-A{n}",
            "name": f"Posted OLA {n}",
            "domain": org.it.pk,
            "provider_unit": org.unit_b.pk,
            "customer_unit": org.unit_a.pk,
            "contract_manager": org.person_a.pk,
        }


@pytest.mark.django_db
def test_an_organisation_is_a_supplier_a_customer_or_both(org):
    client = org.client_for("purchaser_it")
    response = client.post("/organisations/add/", {"code": "NONE", "name": "Neither", "domain": org.it.pk}, follow=False)
    assert response.status_code == 400
    assert "tick one" in response.content.decode()
    assert not Organisation.objects.filter(code="NONE").exists()
    api = client.post(
        "/api/organisations/",
        json.dumps({"code": "NONE", "name": "Neither", "is_supplier": False, "domain": org.it.pk}),
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "is_supplier"


@pytest.mark.django_db
def test_organisations_and_agreements_are_found_by_the_navbar_search(org):
    supplier = _organisation(org, "a")
    agreement = make_agreement(domain=org.it, manager=org.person_a, provider_organisation=supplier, customer_unit=org.unit_a)
    page = org.client_for("member_it").get("/search/", {"q": supplier.name}).content.decode()
    assert supplier.get_absolute_url() in page and agreement.get_absolute_url() in page
    assert supplier.get_absolute_url() not in org.client_for("member_a").get("/search/", {"q": supplier.name}).content.decode()
