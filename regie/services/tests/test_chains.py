"""Service chains: a service depends on supporting services and suppliers, each link with the team or
supplier responsible, the agreement that holds it and the result it answers for; the chain as a graph
and through the API; no service may come to depend on itself."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from regie.core.models import RoleAssignment, Team
from regie.core.testing import RecordContract
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.services import selectors
from regie.services.models import Service, ServiceLink
from regie.services.ui import LINKS
from regie.suppliers.models import Agreement, Organisation

_numbers = itertools.count(1)


def _service(org: Any, where: str = "a", **extra: Any) -> Service:
    n = next(_numbers)
    domain = org.it if where == "a" else org.hr
    extra.setdefault("owner", org.person_a)
    return Service.objects.create(code=f"C{n}", name=f"Chain service {n}", domain=domain, **extra)


@pytest.fixture
def team(org: Any) -> Team:
    return Team.objects.create(code="OPS", name="Operations", org_unit=org.unit_b, domain=org.it)


@pytest.fixture(autouse=True)
def smo(org: Any) -> None:
    user = UserFactory(username="smo_it")
    person = PersonFactory(user=user, given_name="Sam", family_name="Officer")
    RoleAssignment.objects.create(person=person, role="smo_officer", scope=org.it.scope)
    org.users["smo_it"] = user


def _link(service: Service, supporting: Service, team: Team, **extra: Any) -> ServiceLink:
    link = ServiceLink(
        service=service, supporting_service=supporting, responsible_team=team, result=extra.pop("result", "Runs"), **extra
    )
    link.full_clean()
    link.save()
    return link


def _supplier(code: str = "ACME") -> Organisation:
    return Organisation.objects.create(code=code, name=f"{code} Hosting", is_supplier=True)


def _contract(org: Any, supplier: Organisation, code: str = "UC-1") -> Agreement:
    return Agreement.objects.create(
        kind="uc",
        code=code,
        name="Hosting",
        domain=org.it,
        provider_organisation=supplier,
        customer_unit=org.unit_a,
        contract_manager=org.person_a,
    )


class TestLinks(RecordContract):
    ui = LINKS
    api_prefix = "/api/service-links/"
    viewer_in_scope = "member_it"
    editor_in_scope = "smo_it"
    text_field = "result"

    def make(self, org: Any, where: str) -> ServiceLink:
        team = Team.objects.get_or_create(code="OPS", defaults={"name": "Operations", "org_unit": org.unit_b})[0]
        return _link(_service(org, where), _service(org, where), team, result=f"Delivers result {next(_numbers)}")

    def form_data(self, org: Any, obj: ServiceLink | None = None) -> dict[str, Any]:
        team = Team.objects.get_or_create(code="OPS", defaults={"name": "Operations", "org_unit": org.unit_b})[0]
        if obj is not None:
            return {
                "service": obj.service_id,
                "supporting_service": obj.supporting_service_id,
                "supplier": "",
                "responsible_team": obj.responsible_team_id,
                "agreement": "",
                "result": obj.result,
            }
        return {
            "service": _service(org).pk,
            "supporting_service": _service(org).pk,
            "supplier": "",
            "responsible_team": team.pk,
            "agreement": "",
            "result": "Keeps the network up",
        }

    def api_payload(self, org: Any) -> dict[str, Any]:
        team = Team.objects.get_or_create(code="OPS", defaults={"name": "Operations", "org_unit": org.unit_b})[0]
        return {
            "service": _service(org).pk,
            "supporting_service": _service(org).pk,
            "responsible_team": team.pk,
            "result": "Stores the data",
        }


@pytest.mark.django_db
def test_a_service_cannot_come_to_depend_on_itself(org, team):
    a, b, c = _service(org), _service(org), _service(org)
    _link(a, b, team)
    _link(b, c, team)
    with pytest.raises(ValidationError) as refused:
        _link(c, a, team)
    message = " ".join(refused.value.message_dict["supporting_service"])
    assert f"{c.code} would depend on itself through {a.code} → {b.code} → {c.code}" in message
    with pytest.raises(ValidationError) as itself:
        _link(a, a, team)
    assert "cannot support itself" in " ".join(itself.value.message_dict["supporting_service"])
    # An archived link no longer makes a cycle.
    ServiceLink.objects.filter(service=b).update(archived_at="2026-01-01T00:00Z")
    _link(c, a, team)


@pytest.mark.django_db
def test_each_link_names_who_answers_for_it_and_an_agreement_of_its_kind(org, team):
    a, b = _service(org), _service(org)
    supplier = _supplier()
    other = _supplier("OTHER")
    with pytest.raises(ValidationError) as no_team:
        ServiceLink(service=a, supporting_service=b, result="x").full_clean()
    assert "responsible_team" in no_team.value.message_dict
    with pytest.raises(ValidationError) as both:
        ServiceLink(service=a, supporting_service=b, supplier=supplier, responsible_team=team, result="x").full_clean()
    assert "supporting_service" in both.value.message_dict
    with pytest.raises(ValidationError) as wrong_supplier:
        ServiceLink(service=a, supplier=other, agreement=_contract(org, supplier), result="x").full_clean()
    assert "underpinning contract with that supplier" in " ".join(wrong_supplier.value.message_dict["agreement"])
    ola = Agreement.objects.create(
        kind="ola",
        code="OLA-1",
        name="Ops",
        domain=org.it,
        provider_unit=org.unit_b,
        customer_unit=org.unit_a,
        contract_manager=org.person_a,
    )
    with pytest.raises(ValidationError) as uc_on_internal:
        ServiceLink(
            service=a, supporting_service=b, responsible_team=team, agreement=_contract(org, supplier, "UC-2"), result="x"
        ).full_clean()
    assert "OLA" in " ".join(uc_on_internal.value.message_dict["agreement"])
    _link(a, b, team, agreement=ola)
    good = ServiceLink(service=a, supplier=supplier, agreement=_contract(org, supplier, "UC-3"), result="Hosts the servers")
    good.full_clean()
    good.save()
    assert {link.responsible for link in a.links.all()} == {team, supplier}


@pytest.mark.django_db
def test_the_chain_is_followed_down_and_one_level_up_with_bounded_queries(org, team, django_assert_max_num_queries):
    top, a, b, c = _service(org), _service(org), _service(org), _service(org)
    supplier = _supplier()
    _link(top, a, team)
    _link(a, b, team, result="Runs the database")
    _link(b, c, team)
    ServiceLink.objects.create(service=c, supplier=supplier, result="Power and cooling")
    user = org.users["smo_it"]
    with django_assert_max_num_queries(8):
        chain = selectors.chain(user, a)
    depths = {node.label: node.depth for node in chain.nodes.values()}
    assert depths == {str(top): -1, str(a): 0, str(b): 1, str(c): 2, str(supplier): 3}
    assert {(e.source, e.target) for e in chain.edges} == {
        (f"s{a.pk}", f"s{top.pk}"),
        (f"s{b.pk}", f"s{a.pk}"),
        (f"s{c.pk}", f"s{b.pk}"),
        (f"o{supplier.pk}", f"s{c.pk}"),
    }
    graph = chain.graph()
    assert [n["category"] for n in graph["nodes"] if n["id"] == f"s{a.pk}"] == [0]
    assert any(e["result"] == "Runs the database" for e in graph["edges"])


@pytest.mark.django_db
def test_services_the_person_may_not_see_are_named_but_not_linked(org, team):
    it_service, hr_service = _service(org, "a"), _service(org, "b")
    _link(it_service, hr_service, team)
    chain = selectors.chain(org.users["member_it"], it_service)
    nodes = {n.pk: n for n in chain.nodes.values()}
    assert nodes[it_service.pk].url == it_service.get_absolute_url()
    assert nodes[hr_service.pk].url is None and nodes[hr_service.pk].label == str(hr_service)


@pytest.mark.django_db
def test_the_service_page_draws_the_chain_and_lists_each_links_result(org, team):
    a, b = _service(org), _service(org)
    _link(a, b, team, result="Keeps mailboxes available")
    client = org.client_for("smo_it")
    page = client.get(f"/services/{a.pk}/").content.decode()
    assert 'id="chain-graph"' in page and 'id="chain-graph-data"' in page
    assert "Keeps mailboxes available" in page and "Operations" in page
    assert f"/service-links/add/?service={a.pk}" in page
    # Started from the service page, the form has the service filled in.
    form = client.get(f"/service-links/add/?service={a.pk}").content.decode()
    assert f'<option value="{a.pk}" selected>' in form
    # A member sees the chain but may not add to it.
    member_page = org.client_for("member_it").get(f"/services/{a.pk}/").content.decode()
    assert "Keeps mailboxes available" in member_page and "/service-links/add/" not in member_page


@pytest.mark.django_db
def test_the_api_refuses_a_cycle_naming_the_field_and_gives_the_chain(org, team):
    a, b = _service(org), _service(org)
    _link(a, b, team)
    client = org.client_for("smo_it")
    refused = client.post(
        "/api/service-links/",
        json.dumps({"service": b.pk, "supporting_service": a.pk, "responsible_team": team.pk, "result": "Loop"}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "supporting_service"
    assert ServiceLink.objects.count() == 1
    unknown_team = client.post(
        "/api/service-links/",
        json.dumps({"service": b.pk, "supporting_service": _service(org).pk, "responsible_team": 999999, "result": "x"}),
        content_type="application/json",
    )
    assert unknown_team.status_code == 422 and unknown_team.json()["errors"][0]["field"] == "responsible_team"
    chain = client.get(f"/api/services/{a.pk}/chain").json()
    assert {(n["id"], n["depth"]) for n in chain["nodes"]} == {(a.pk, 0), (b.pk, 1)}
    assert chain["links"][0]["responsible"] == "Operations"
    assert client.get("/api/services/99999999/chain").status_code == 404


@pytest.mark.django_db
def test_the_owner_keeps_the_chain_of_their_service_but_members_do_not(org, team):
    owner_user = UserFactory(username="owner")
    owner = PersonFactory(user=owner_user)
    a, b = _service(org, "b", owner=owner), _service(org, "b")
    link = _link(a, b, team)
    client = org.client_for("anonymous")
    client.force_login(owner_user)
    changed = client.patch(
        f"/api/service-links/{link.pk}",
        json.dumps({"result": "Keeps the payroll running"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.json()["result"] == "Keeps the payroll running"
    member = org.client_for("member_it")
    assert member.get(f"/api/service-links/{link.pk}").status_code == 404
    it_a, it_b = _service(org), _service(org)
    posted = member.post(
        "/api/service-links/",
        json.dumps({"service": it_a.pk, "supporting_service": it_b.pk, "responsible_team": team.pk, "result": "x"}),
        content_type="application/json",
    )
    assert posted.status_code == 403


@pytest.mark.django_db
def test_a_restored_link_is_checked_as_a_new_one(org, team):
    a, b = _service(org), _service(org)
    old = _link(a, b, team)
    client = org.client_for("smo_it")
    archived = client.post(f"/api/service-links/{old.pk}/archive", headers={"If-Match": '"1"'})
    assert archived.status_code == 200
    _link(b, a, team)  # allowed while a → b is archived
    refused = client.post(f"/api/service-links/{old.pk}/archive?restore=true", headers={"If-Match": '"2"'})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "supporting_service"
    page = client.post(f"/service-links/{old.pk}/archive/", {"restore": "1", "version": "2"}, follow=True)
    assert "cannot be restored" in page.content.decode() and "would depend on itself" in page.content.decode()
    old.refresh_from_db()
    assert old.is_archived
    # A link taken again meanwhile cannot be restored twice either.
    c = _service(org)
    first = _link(c, b, team)
    client.post(f"/api/service-links/{first.pk}/archive", headers={"If-Match": '"1"'})
    _link(c, b, team)
    duplicate = client.post(f"/api/service-links/{first.pk}/archive?restore=true", headers={"If-Match": '"2"'})
    assert duplicate.status_code == 422
    assert ServiceLink.objects.active().filter(service=c, supporting_service=b).count() == 1


@pytest.mark.django_db
def test_a_loop_is_found_however_long_the_chain(org, team):
    services = [_service(org) for _ in range(16)]
    for upper, lower in zip(services, services[1:], strict=False):
        _link(upper, lower, team)
    with pytest.raises(ValidationError) as refused:
        _link(services[-1], services[0], team)
    assert "would depend on itself" in " ".join(refused.value.message_dict["supporting_service"])


@pytest.mark.django_db
def test_the_service_page_reads_offerings_and_links_in_a_fixed_number_of_queries(org, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from regie.services.models import ServiceOffering

    service = _service(org)
    ServiceOffering.objects.create(service=service, code="STD", name="Standard")
    _link(service, _service(org), team)
    ServiceLink.objects.create(service=service, supplier=_supplier("SMALL"), result="Spare parts")
    client = org.client_for("smo_it")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(service.get_absolute_url())
        assert page.status_code == 200
        return len(queries)

    count()  # the first request of a session reads what later ones find cached
    before = count()
    for n in range(6):
        ServiceOffering.objects.create(service=service, code=f"P{n}", name=f"Premium {n}")
        _link(service, _service(org), team, result=f"Result {n}")
    ServiceLink.objects.create(service=service, supplier=_supplier("BIG"), result="Power and cooling")
    page = client.get(service.get_absolute_url()).content.decode()
    assert "Premium 5" in page and "Result 5" in page and "Power and cooling" in page
    assert count() == before
