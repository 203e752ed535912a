"""The register's pages and API through the generic record contract (anonymous, no role, a member in
scope and out of it, the keepers; history, archiving, exports, optimistic locking, bounded lists), and
what the contract does not know: the item form's inputs per attribute, attribute errors in the API, the
impact API and page, the section on a service's page and the parts of each role."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from regie.configuration.models import ConfigurationItem, ItemType, Relation, ServiceItem
from regie.configuration.tests.conftest import SERVER_ATTRIBUTES, make_item, relate, support
from regie.configuration.ui import ITEMS, RELATIONS, SUPPORTS, TYPES
from regie.core.models import RoleAssignment
from regie.core.testing import RecordContract
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.services.models import Service

_numbers = itertools.count(1)


def _domain(org: Any, where: str) -> Any:
    return org.it if where == "a" else org.hr


def _server_type() -> ItemType:
    item_type = ItemType.objects.filter(code="SERVER").first()
    if item_type is None:
        item_type = ItemType(code="SERVER", name="Server", attributes=SERVER_ATTRIBUTES)
        item_type.full_clean()
        item_type.save()
    return item_type


def _service(org: Any, where: str = "a", **extra: Any) -> Service:
    n = next(_numbers)
    return Service.objects.create(code=f"SV{n}", name=f"Service {n}", domain=_domain(org, where), owner=org.person_a, **extra)


class RegisterContract(RecordContract):
    viewer_in_scope = "member_it"
    editor_in_scope = "smo_it"


class TestItemTypes(RegisterContract):
    ui = TYPES
    api_prefix = "/api/configuration-item-types/"

    def make(self, org: Any, where: str) -> ItemType:
        n = next(_numbers)
        return ItemType.objects.create(code=f"T{n}", name=f"Type {n}", domain=_domain(org, where))

    def form_data(self, org: Any, obj: ItemType | None = None) -> dict[str, Any]:
        if obj is not None:
            return {"code": obj.code, "name": obj.name, "domain": obj.domain_id or "", "description": "", "attributes": ""}
        n = next(_numbers)
        return {
            "code": f"NT{n}",
            "name": f"New type {n}",
            "domain": org.it.pk,
            "description": "",
            "attributes": "ram_gb | RAM (GB) | integer | required\nos | Operating system | choice | | Debian 12, Windows 11",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {"code": f"AT{n}", "name": f"Posted type {n}", "domain": org.it.pk, "attributes": [{"name": "x", "kind": "text"}]}


class TestItems(RegisterContract):
    ui = ITEMS
    api_prefix = "/api/configuration-items/"

    def make(self, org: Any, where: str) -> ConfigurationItem:
        return make_item(_server_type(), _domain(org, where))

    def form_data(self, org: Any, obj: ConfigurationItem | None = None) -> dict[str, Any]:
        base = {
            "item_type": _server_type().pk,
            "status": "in_use",
            "owner_team": "",
            "owner_person": "",
            "description": "",
            "attr_ram_gb": "32",
            "attr_os": "Debian 12",
            "attr_virtualised": "unknown",
        }
        if obj is not None:
            return {**base, "identifier": obj.identifier, "name": obj.name, "domain": obj.domain_id}
        n = next(_numbers)
        return {**base, "identifier": f"new-{n}", "name": f"New item {n}", "domain": org.it.pk}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {
            "item_type": _server_type().pk,
            "identifier": f"api-{n}",
            "name": f"Posted item {n}",
            "domain": org.it.pk,
            "attributes": {"ram_gb": 8},
        }


class TestRelations(RegisterContract):
    ui = RELATIONS
    api_prefix = "/api/configuration-relations/"
    text_field = "note"

    def make(self, org: Any, where: str) -> Relation:
        domain = _domain(org, where)
        n = next(_numbers)
        return relate(make_item(_server_type(), domain), make_item(_server_type(), domain), note=f"Relation note {n}")

    def form_data(self, org: Any, obj: Relation | None = None) -> dict[str, Any]:
        if obj is not None:
            return {"source": obj.source_id, "kind": obj.kind, "target": obj.target_id, "note": obj.note}
        n = next(_numbers)
        source, target = make_item(_server_type(), org.it), make_item(_server_type(), org.it)
        return {"source": f"{source} #{source.pk}", "kind": "depends_on", "target": target.pk, "note": f"New relation {n}"}

    def api_payload(self, org: Any) -> dict[str, Any]:
        source, target = make_item(_server_type(), org.it), make_item(_server_type(), org.it)
        return {"source": source.pk, "target": target.pk, "kind": "runs_on", "note": "posted"}

    @pytest.mark.django_db
    def test_invalid_form_names_the_field_and_stores_nothing(self, org: Any) -> None:
        client = org.client_for(self.editor_in_scope)
        data = {**self.form_data(org), "target": "no such item"}
        count = Relation.objects.count()
        response = client.post(self.url("add"), data)
        assert response.status_code == 400
        assert "Choose an item from the suggestions." in response.content.decode()
        assert Relation.objects.count() == count


class TestSupportingItems(RegisterContract):
    ui = SUPPORTS
    api_prefix = "/api/configuration-supporting-items/"
    text_field = "note"

    def make(self, org: Any, where: str) -> ServiceItem:
        n = next(_numbers)
        return ServiceItem.objects.create(
            item=make_item(_server_type(), _domain(org, where)), service=_service(org, where), note=f"Support note {n}"
        )

    def form_data(self, org: Any, obj: ServiceItem | None = None) -> dict[str, Any]:
        if obj is not None:
            return {"item": obj.item_id, "service": obj.service_id, "note": obj.note}
        n = next(_numbers)
        return {"item": make_item(_server_type(), org.it).pk, "service": _service(org).pk, "note": f"New support {n}"}

    def api_payload(self, org: Any) -> dict[str, Any]:
        return {"item": make_item(_server_type(), org.it).pk, "service": _service(org).pk}

    @pytest.mark.django_db
    def test_invalid_form_names_the_field_and_stores_nothing(self, org: Any) -> None:
        client = org.client_for(self.editor_in_scope)
        data = {**self.form_data(org), "service": ""}
        count = ServiceItem.objects.count()
        response = client.post(self.url("add"), data)
        assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
        assert ServiceItem.objects.count() == count


# --- the item form --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adding_an_item_starts_with_its_type_and_shows_one_input_per_attribute(org, server_type):
    client = org.client_for("cm_it")
    chooser = client.get("/configuration-items/add/").content.decode()
    assert f'href="?type={server_type.pk}"' in chooser
    form = client.get(f"/configuration-items/add/?type={server_type.pk}").content.decode()
    for name in ("ram_gb", "os", "purchased", "virtualised", "cost", "rack"):
        assert f'name="attr_{name}"' in form
    assert 'type="date"' in form and "Debian 12" in form
    data = {
        "identifier": "esx01",
        "name": "Host 1",
        "domain": org.it.pk,
        "status": "in_use",
        "attr_ram_gb": "lots",
        "attr_purchased": "2026-01-05",
        "attr_cost": "1250.50",
        "attr_virtualised": "false",
    }
    refused = client.post(f"/configuration-items/add/?type={server_type.pk}", data)
    assert refused.status_code == 400
    assert "Enter a whole number." in refused.content.decode()
    assert not ConfigurationItem.objects.filter(identifier="esx01").exists()
    data["attr_ram_gb"] = "64"
    created = client.post(f"/configuration-items/add/?type={server_type.pk}", data)
    assert created.status_code == 302, created.content.decode()[:2000]
    item = ConfigurationItem.objects.get(identifier="esx01")
    assert item.attributes == {"ram_gb": 64, "purchased": "2026-01-05", "cost": "1250.5", "virtualised": False}
    page = client.get(item.get_absolute_url()).content.decode()
    assert "RAM (GB)" in page and "64" in page and "Purchased on" in page


@pytest.mark.django_db
def test_a_required_attribute_is_asked_for_on_its_input(org, server_type):
    client = org.client_for("cm_it")
    data = {"identifier": "h2", "name": "Host 2", "domain": org.it.pk, "status": "in_use", "attr_virtualised": "unknown"}
    response = client.post(f"/configuration-items/add/?type={server_type.pk}", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert page.index("This field is required.") > page.index('name="attr_ram_gb"')


@pytest.mark.django_db
def test_editing_keeps_the_type_and_drops_attributes_it_no_longer_defines(org, server_type):
    item = make_item(server_type, org.it, attributes={"ram_gb": 8, "rack": "R1"})
    server_type.attributes = [d for d in server_type.attributes if d["name"] != "rack"]
    server_type.save()
    client = org.client_for("smo_it")
    other = ItemType.objects.create(code="OTHER", name="Other")
    data = {
        "item_type": other.pk,  # the type cannot be changed on the form
        "identifier": item.identifier,
        "name": "Renamed",
        "domain": org.it.pk,
        "status": "maintenance",
        "attr_ram_gb": "16",
        "attr_virtualised": "true",
        "version": item.version,
    }
    assert client.post(f"/configuration-items/{item.pk}/edit/", data).status_code == 302
    item.refresh_from_db()
    assert item.item_type == server_type
    assert item.attributes == {"ram_gb": 16, "virtualised": True}
    assert item.status == "maintenance"


@pytest.mark.django_db
def test_type_form_takes_one_line_per_attribute_and_names_bad_ones(org):
    client = org.client_for("administrator")
    data = {"code": "VM", "name": "Virtual machine", "domain": "", "description": "", "attributes": "vcpus | vCPUs | integr"}
    refused = client.post("/configuration-item-types/add/", data)
    assert refused.status_code == 400
    assert "Attribute 1 (vcpus): the kind must be one of" in refused.content.decode()
    data["attributes"] = "vcpus | vCPUs | integer | required\nenv | Environment | choice | | production, test"
    assert client.post("/configuration-item-types/add/", data).status_code == 302
    item_type = ItemType.objects.get(code="VM")
    assert item_type.attributes == [
        {"name": "vcpus", "label": "vCPUs", "kind": "integer", "required": True},
        {"name": "env", "label": "Environment", "kind": "choice", "required": False, "choices": ["production", "test"]},
    ]
    edit = client.get(f"/configuration-item-types/{item_type.pk}/edit/").content.decode()
    assert "env | Environment | choice |  | production, test" in edit


@pytest.mark.django_db
def test_an_organisation_wide_type_is_kept_only_from_the_whole_organisation(org):
    assert (
        org.client_for("smo_it")
        .post("/api/configuration-item-types/", json.dumps({"code": "G", "name": "G"}), content_type="application/json")
        .status_code
        == 403
    )
    item_type = ItemType.objects.create(code="ORGWIDE", name="Everyone's type")
    listed = org.client_for("member_it").get("/api/configuration-item-types/").json()
    assert item_type.pk in {t["id"] for t in listed["items"]}
    assert org.client_for("norole").get(f"/api/configuration-item-types/{item_type.pk}").status_code == 404


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_attribute_errors_are_problems_naming_the_attribute(org, server_type):
    client = org.client_for("cm_it")
    payload = {
        "item_type": server_type.pk,
        "identifier": "x1",
        "name": "X",
        "domain": org.it.pk,
        "attributes": {"ram_gb": "lots", "cpu": 4},
    }
    response = client.post("/api/configuration-items/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "attributes.ram_gb": "'lots' is not a whole number.",
        "attributes.cpu": "Unknown attribute 'cpu' for type Server.",
    }
    payload["attributes"] = {}
    response = client.post("/api/configuration-items/", json.dumps(payload), content_type="application/json")
    assert response.json()["errors"] == [{"field": "attributes.ram_gb", "message": "'ram_gb' is required for type Server."}]
    payload["attributes"] = {"ram_gb": 12, "os": "windows server 2022"}
    created = client.post("/api/configuration-items/", json.dumps(payload), content_type="application/json")
    assert created.status_code == 201
    assert created.json()["attributes"] == {"ram_gb": 12, "os": "Windows Server 2022"}
    assert not ConfigurationItem.objects.filter(identifier="x1", attributes__cpu=4).exists()


@pytest.mark.django_db
def test_api_refuses_a_cycle_and_a_duplicate_with_a_clear_message(org, server_type):
    a = make_item(server_type, org.it, "a", name="A")
    b = make_item(server_type, org.it, "b", name="B")
    relate(b, a, "runs_on")
    client = org.client_for("cm_it")
    cycle = client.post(
        "/api/configuration-relations/",
        json.dumps({"source": a.pk, "target": b.pk, "kind": "depends_on"}),
        content_type="application/json",
    )
    assert cycle.status_code == 422
    assert cycle.json()["errors"] == [{"field": "target", "message": "A (a) would depend on itself through B (b)."}]
    duplicate = client.post(
        "/api/configuration-relations/",
        json.dumps({"source": b.pk, "target": a.pk, "kind": "runs_on"}),
        content_type="application/json",
    )
    assert duplicate.status_code == 422
    assert "This relation already exists" in duplicate.json()["detail"]
    itself = client.post(
        "/api/configuration-relations/",
        json.dumps({"source": a.pk, "target": a.pk, "kind": "connected_to"}),
        content_type="application/json",
    )
    assert itself.status_code == 422 and "cannot relate to itself" in itself.json()["detail"]
    assert Relation.objects.count() == 1


@pytest.mark.django_db
def test_api_impact_lists_items_services_and_customers(org, server_type, app_type):
    host = make_item(server_type, org.it, "host")
    vm = make_item(server_type, org.it, "vm")
    app = make_item(app_type, org.it, "app")
    relate(vm, host)
    relate(app, vm)
    service = _service(org)
    service.customers.set([org.unit_a])
    support(app, service)
    body = org.client_for("member_it").get(f"/api/configuration-items/{host.pk}/impact").json()
    assert body["total_items"] == 2 and body["capped"] is False and body["hidden_items"] == 0
    assert [(i["identifier"], i["depth"], i["via_id"]) for i in body["items"]] == [("vm", 1, host.pk), ("app", 2, vm.pk)]
    assert body["services"] == [{"id": service.pk, "code": service.code, "name": service.name}]
    assert body["customers"] == [{"id": org.unit_a.pk, "code": "A", "name": "Unit A"}]
    assert body["by_type"] == [
        {"item_type_id": app_type.pk, "item_type": "Application", "count": 1},
        {"item_type_id": server_type.pk, "item_type": "Server", "count": 1},
    ]
    assert sorted(body["edges"]) == sorted([[host.pk, vm.pk], [vm.pk, app.pk]])
    capped = org.client_for("member_it").get(f"/api/configuration-items/{host.pk}/impact", {"limit": 1}).json()
    assert capped["capped"] is True and len(capped["items"]) == 1 and capped["total_items"] == 2
    dependencies = org.client_for("member_it").get(f"/api/configuration-items/{app.pk}/dependencies").json()
    assert [i["identifier"] for i in dependencies["items"]] == ["vm", "host"]
    assert org.client_for("member_it").get(f"/api/configuration-items/{host.pk}/impact", {"depth": 99}).status_code == 422
    assert org.client_for("norole").get(f"/api/configuration-items/{host.pk}/impact").status_code == 404


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_impact_page_shows_the_graph_the_lists_and_says_when_capped(org, server_type, app_type, monkeypatch):
    from regie.configuration import selectors

    host = make_item(server_type, org.it, "host", name="Host")
    apps = [make_item(app_type, org.it, f"app{n}", name=f"App {n}") for n in range(4)]
    for app in apps:
        relate(app, host)
    service = _service(org)
    service.customers.set([org.unit_b])
    support(apps[0], service)
    client = org.client_for("member_it")
    page = client.get(f"/configuration-items/{host.pk}/impact/").content.decode()
    assert 'id="impact-graph"' in page and 'id="impact-graph-data"' in page and "impact.js" in page
    assert service.name in page and "Unit B" in page and "App 3" in page
    assert 'id="impact-capped"' not in page
    monkeypatch.setattr(selectors, "NODE_CAP", 2)
    page = client.get(f"/configuration-items/{host.pk}/impact/").content.decode()
    assert 'id="impact-capped"' in page and "the nearest 2 of the 4 items" in page
    alone = make_item(server_type, org.it, "alone")
    assert 'id="impact-nothing"' in client.get(f"/configuration-items/{alone.pk}/impact/").content.decode()


@pytest.mark.django_db
def test_item_page_shows_relations_services_and_what_it_rests_on(org, server_type, app_type):
    dc = make_item(server_type, org.it, "dc", name="DC")
    host = make_item(server_type, org.it, "host", name="Host")
    app = make_item(app_type, org.it, "app", name="App")
    relate(host, dc)
    relate(app, host)
    relate(app, dc, "connected_to")
    service = _service(org)
    support(app, service)
    page = org.client_for("member_it").get(app.get_absolute_url()).content.decode()
    section = page[page.index('id="item-dependencies"') :]
    assert section.index("Host") < section.index("DC")
    assert service.name in page[page.index('id="item-services"') :]
    assert "is connected to" in page
    keeper = org.client_for("cm_it").get(app.get_absolute_url()).content.decode()
    assert (
        f"/configuration-relations/add/?source={app.pk}" in keeper
        and f"/configuration-supporting-items/add/?item={app.pk}" in keeper
    )


@pytest.mark.django_db
def test_relation_form_is_filled_from_the_link_and_suggests_items(org, server_type):
    host = make_item(server_type, org.it, "esx01", name="Host one")
    client = org.client_for("cm_it")
    form = client.get(f"/configuration-relations/add/?source={host.pk}").content.decode()
    assert f'value="Host one (esx01) #{host.pk}"' in form
    suggestions = client.get("/configuration-items/lookup/", {"target": "esx"}).content.decode()
    assert f'value="Host one (esx01) #{host.pk}"' in suggestions
    hidden = make_item(server_type, org.hr, "esx-hr")
    assert "esx-hr" not in client.get("/configuration-items/lookup/", {"q": "esx"}).content.decode()
    assert hidden.pk
    assert org.client_for("norole").get("/configuration-items/lookup/", {"q": "esx"}).status_code == 403


@pytest.mark.django_db
def test_service_page_lists_the_supporting_items(org, server_type, django_assert_max_num_queries):
    service = _service(org)
    for n in range(3):
        support(make_item(server_type, org.it, f"s{n}", name=f"Supporting {n}"), service)
    hidden = make_item(server_type, org.hr, "hidden", name="Hidden supporter")
    support(hidden, service)
    client = org.client_for("smo_it")
    page = client.get(f"/services/{service.pk}/").content.decode()
    section = page[page.index('id="configuration-section"') :]
    assert "Supporting 0" in section and "Supporting 2" in section and "Hidden supporter" not in section
    assert f"/configuration-supporting-items/add/?service={service.pk}" in section
    for n in range(3, 60):
        support(make_item(server_type, org.it, f"s{n}"), service)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/services/{service.pk}/")
    page = client.get(f"/services/{service.pk}/").content.decode()
    assert "All 60 items" in page and f"/configuration-items/?service={service.code}" in page
    listed = client.get("/configuration-items/", {"service": service.code.lower(), "per_page": 100}).content.decode()
    assert listed.count('href="/configuration-items/') >= 60 and "Hidden supporter" not in listed
    more = make_item(server_type, org.it, "s-extra")
    support(more, service)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/services/{service.pk}/")
    assert len(few.captured_queries) == len(many.captured_queries)


# --- who may do what ------------------------------------------------------------------------------

USERS = ("anonymous", "norole", "member_it", "member_a", "smo_it", "cm_it", "administrator")
# (method, path template, expected status per user in USERS' order); {it} is an item in IT. A member of
# unit A holds the view actions, on a scope without items: the lists open, empty of IT's items.
MATRIX = [
    ("get", "/configuration-items/", (302, 403, 200, 200, 200, 200, 200)),
    ("get", "/configuration-items/{it}/", (302, 404, 200, 404, 200, 200, 200)),
    ("get", "/configuration-items/{it}/impact/", (302, 404, 200, 404, 200, 200, 200)),
    ("get", "/configuration-items/{it}/edit/", (302, 404, 403, 404, 200, 200, 200)),
    ("get", "/configuration-items/add/", (302, 403, 403, 403, 200, 200, 200)),
    ("get", "/configuration-items/import/", (302, 403, 403, 403, 200, 200, 200)),
    ("get", "/configuration-item-types/", (302, 403, 200, 200, 200, 200, 200)),
    ("get", "/configuration-relations/", (302, 403, 200, 200, 200, 200, 200)),
    ("get", "/configuration-supporting-items/", (302, 403, 200, 200, 200, 200, 200)),
    ("get", "/api/configuration-items/{it}", (401, 404, 200, 404, 200, 200, 200)),
    ("get", "/api/configuration-items/{it}/impact", (401, 404, 200, 404, 200, 200, 200)),
    ("patch", "/api/configuration-items/{it}", (401, 404, 403, 404, 200, 200, 200)),
    ("post", "/api/configuration-items/{it}/archive", (401, 404, 403, 404, 200, 200, 200)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _e in MATRIX])
def test_who_reaches_what(org, server_type, method, path, expected):
    for user, status in zip(USERS, expected, strict=True):
        item = make_item(server_type, org.it)
        client = org.client_for(user)
        url = path.format(it=item.pk)
        if method == "get":
            response = client.get(url)
        elif method == "patch":
            response = client.patch(
                url, json.dumps({"name": "Patched"}), content_type="application/json", headers={"If-Match": '"1"'}
            )
        else:
            response = client.post(url, headers={"If-Match": '"1"'})
        assert response.status_code == status, f"{user} {method} {url}: {response.status_code}"


@pytest.mark.django_db
def test_a_service_owner_sees_the_items_of_their_service_but_keeps_nothing(org, server_type, app_type):
    owner_user = UserFactory(username="owner")
    owner = PersonFactory(user=owner_user)
    service = Service.objects.create(code="HRS", name="HR service", domain=org.hr, owner=owner)
    app = make_item(app_type, org.hr, "hr-app")
    host = make_item(server_type, org.hr, "hr-host")
    relate(app, host)
    support(app, service)
    client = org.client_for("anonymous")
    client.force_login(owner_user)
    assert client.get(app.get_absolute_url()).status_code == 200
    assert client.get(f"/api/configuration-items/{app.pk}").status_code == 200
    assert client.get(host.get_absolute_url()).status_code == 404  # only what supports the service directly
    dependencies = client.get(f"/api/configuration-items/{app.pk}/dependencies").json()
    assert dependencies["total_items"] == 1 and dependencies["hidden_items"] == 1 and dependencies["items"] == []
    assert (
        client.patch(
            f"/api/configuration-items/{app.pk}",
            json.dumps({"name": "x"}),
            content_type="application/json",
            headers={"If-Match": '"1"'},
        ).status_code
        == 403
    )
    assert client.get(f"/services/{service.pk}/").content.decode().count(app.get_absolute_url()) == 1


@pytest.mark.django_db
def test_a_configuration_manager_keeps_the_register_in_their_scope_only(org, server_type):
    client = org.client_for("cm_it")
    mine = make_item(server_type, org.it)
    theirs = make_item(server_type, org.hr)
    payload = {
        "item_type": server_type.pk,
        "identifier": "cm-1",
        "name": "CM item",
        "domain": org.hr.pk,
        "attributes": {"ram_gb": 4},
    }
    refused = client.post("/api/configuration-items/", json.dumps(payload), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "domain"  # a domain they do not see
    payload["domain"] = org.it.pk
    assert client.post("/api/configuration-items/", json.dumps(payload), content_type="application/json").status_code == 201
    assert client.get(f"/api/configuration-items/{theirs.pk}").status_code == 404
    moved = client.patch(
        f"/api/configuration-items/{mine.pk}",
        json.dumps({"domain": org.hr.pk}),
        content_type="application/json",
        headers={"If-Match": f'"{mine.version}"'},
    )
    assert moved.status_code == 422
    mine.refresh_from_db()
    assert mine.domain == org.it
    RoleAssignment.objects.filter(person__user=org.users["cm_it"]).delete()
    assert org.client_for("cm_it").get("/configuration-items/").status_code == 403


@pytest.mark.django_db
def test_navigation_and_search(org, server_type):
    item = make_item(server_type, org.it, "findme-01", name="Findable host")
    page = org.client_for("member_it").get("/search/", {"q": "findme"}).content.decode()
    assert item.get_absolute_url() in page
    assert item.get_absolute_url() not in org.client_for("member_a").get("/search/", {"q": "findme"}).content.decode()
    home = org.client_for("smo_it").get("/").content.decode()
    assert "/configuration-items/" in home and "/configuration-items/import/" in home
    assert "/configuration-items/import/" not in org.client_for("member_it").get("/").content.decode()


@pytest.mark.django_db
def test_type_definitions_are_checked_in_the_api_and_the_admin_site(org):
    client = org.client_for("superuser")
    bad = {
        "code": "NET",
        "name": "Network",
        "attributes": [{"name": "speed", "kind": "float"}, {"name": "speed", "kind": "text"}],
    }
    response = client.post("/api/configuration-item-types/", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"] if e["field"] == "attributes"]
    assert any("the kind must be one of" in m for m in messages) and any("is used twice" in m for m in messages)
    admin = client.post(
        "/admin/configuration/itemtype/add/",
        {"code": "NET", "name": "Network", "description": "", "attributes": json.dumps(bad["attributes"])},
    )
    assert admin.status_code == 200 and "the kind must be one of" in admin.content.decode()
    assert not ItemType.objects.filter(code="NET").exists()
    good = {"code": "NET", "name": "Network", "description": "", "attributes": '[{"name": "speed", "kind": "integer"}]'}
    assert client.post("/admin/configuration/itemtype/add/", good).status_code == 302
    assert ItemType.objects.get(code="NET").attributes == [
        {"name": "speed", "label": "speed", "kind": "integer", "required": False}
    ]
