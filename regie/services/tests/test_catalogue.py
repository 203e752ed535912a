"""The service catalogue through the generic record contract (pages, API, permissions, history,
archiving, exports, optimistic locking), and the parts its owner and manager play."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from regie.core.models import RoleAssignment
from regie.core.testing import RecordContract
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.services.models import Service, ServiceOffering
from regie.services.ui import OFFERINGS, SERVICES

_numbers = itertools.count(1)


def _service(org: Any, where: str, **extra: Any) -> Service:
    n = next(_numbers)
    domain = org.it if where == "a" else org.hr
    return Service.objects.create(code=f"S{n}", name=f"Service {n}", domain=domain, owner=org.person_a, **extra)


@pytest.fixture(autouse=True)
def smo(org: Any) -> None:
    """An SMO officer on the IT domain."""
    user = UserFactory(username="smo_it")
    person = PersonFactory(user=user, given_name="Sam", family_name="Officer")
    RoleAssignment.objects.create(person=person, role="smo_officer", scope=org.it.scope)
    org.users["smo_it"] = user


class CatalogueContract(RecordContract):
    viewer_in_scope = "member_it"
    editor_in_scope = "smo_it"


class TestServices(CatalogueContract):
    ui = SERVICES
    api_prefix = "/api/services/"

    def make(self, org: Any, where: str) -> Service:
        return _service(org, where)

    def form_data(self, org: Any, obj: Service | None = None) -> dict[str, Any]:
        base = {
            "domain": org.it.pk,
            "owner": org.person_a.pk,
            "manager": "",
            "status": "live",
            "facility": "",
            "support": "",
            "annual_cost": "0",
            "currency": "EUR",
        }
        if obj is not None:
            return {**base, "code": obj.code, "name": obj.name, "domain": obj.domain_id, "status": obj.status}
        n = next(_numbers)
        return {**base, "code": f"NS{n}", "name": f"New service {n}"}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {
            "code": f"AS{n}",
            "name": f"Posted service {n}",
            "domain": org.it.pk,
            "owner": org.person_a.pk,
            "customers": [org.unit_a.pk],
        }


class TestOfferings(CatalogueContract):
    ui = OFFERINGS
    api_prefix = "/api/service-offerings/"

    def make(self, org: Any, where: str) -> ServiceOffering:
        n = next(_numbers)
        return ServiceOffering.objects.create(service=_service(org, where), code=f"O{n}", name=f"Offering {n}")

    def form_data(self, org: Any, obj: ServiceOffering | None = None) -> dict[str, Any]:
        if obj is not None:
            return {"service": obj.service_id, "code": obj.code, "name": obj.name, "description": "", "price": "0", "unit": ""}
        n = next(_numbers)
        return {
            "service": _service(org, "a").pk,
            "code": f"NO{n}",
            "name": f"New offering {n}",
            "description": "",
            "price": "45",
            "unit": "user per month",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {
            "service": _service(org, "a").pk,
            "code": f"AO{n}",
            "name": f"Posted offering {n}",
            "price": "12.50",
            "unit": "person",
        }


@pytest.mark.django_db
def test_the_owner_and_manager_describe_their_service_but_do_not_add_to_the_catalogue(org):
    manager_user = UserFactory(username="service_manager")
    manager = PersonFactory(user=manager_user)
    service = _service(org, "b", manager=manager)
    client = org.client_for("anonymous")
    client.force_login(manager_user)
    assert client.get(f"/services/{service.pk}/").status_code == 200
    saved = client.patch(
        f"/api/services/{service.pk}",
        json.dumps({"facility": "Laptops and software"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert saved.status_code == 200 and saved.json()["facility"] == "Laptops and software"
    assert (
        client.post(
            "/api/services/",
            json.dumps({"code": "X1", "name": "X", "domain": org.hr.pk, "owner": manager.pk}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert not Service.objects.filter(code="X1").exists()


@pytest.mark.django_db
def test_a_service_keeps_a_raid_log(org):
    service = _service(org, "a")
    client = org.client_for("smo_it")
    page = client.get(f"/services/{service.pk}/").content.decode()
    assert 'id="raid-section"' in page and f"/raid/add/?scope={service.scope_id}&amp;kind=risk" in page
    created = client.post(
        f"/raid/add/?scope={service.scope_id}&kind=issue",
        {"title": "Laptops out of stock", "owner": org.person_a.pk, "status": "open", "severity": "high"},
    )
    assert created.status_code == 302


@pytest.mark.django_db
def test_external_organisations_are_customers_only_when_registered_as_such(org):
    from regie.suppliers.models import Organisation

    customer = Organisation.objects.create(
        code="CITY", name="City of Northbridge", is_supplier=False, is_customer=True, domain=org.it
    )
    supplier = Organisation.objects.create(code="ACME", name="Acme Hosting", is_supplier=True, domain=org.it)
    client = org.client_for("smo_it")
    payload = {"code": "EXT1", "name": "Shared payroll", "domain": org.it.pk, "owner": org.person_a.pk}
    refused = client.post(
        "/api/services/", json.dumps({**payload, "customer_organisations": [supplier.pk]}), content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "customer_organisations"
    assert not Service.objects.filter(code="EXT1").exists()
    created = client.post(
        "/api/services/", json.dumps({**payload, "customer_organisations": [customer.pk]}), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["customer_organisation_ids"] == [customer.pk]
    listed = client.get("/api/services/", {"q": "EXT1"}).json()
    assert listed["items"][0]["customer_organisation_ids"] == [customer.pk]
    form = client.get("/services/add/").content.decode()
    assert (
        "City of Northbridge" in form
        and "Acme Hosting" not in form.split('name="customer_organisations"', 1)[1].split("</select>", 1)[0]
    )
