"""Who sees and does what in contract management: a supplier's contact sees their own organisation's
agreements and obligations read-only and nothing of another supplier; the service owner sees the
agreements covering the service; a project sees the contracts that reference it; a matrix of roles ×
actions through the pages and the API; and pages whose query count does not grow with the data."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from regie.core.models import Person
from regie.portfolio.models import Portfolio, Project
from regie.suppliers import services
from regie.suppliers.tests.conftest import draft_of, login, make_agreement, make_obligation, make_version

pytestmark = pytest.mark.django_db


def _json(client, method, url, body=None, etag=None):
    headers = {"If-Match": etag} if etag else {}
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", headers=headers)


# --- the supplier's contact -----------------------------------------------------------------------


def test_a_supplier_contact_sees_own_contracts_and_obligations_read_only(contracts):
    own = make_obligation(contracts.contract, description="Monthly uptime report")
    other = make_obligation(contracts.other_contract, description="Carrier capacity plan")
    client = contracts.client_for("supplier_user")
    # pages
    assert client.get(contracts.contract.get_absolute_url()).status_code == 200
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(contracts.other_contract.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
    listing = client.get("/agreements/").content.decode()
    assert contracts.contract.get_absolute_url() in listing and contracts.other_contract.get_absolute_url() not in listing
    obligations = client.get("/obligations/").content.decode()
    assert own.get_absolute_url() in obligations and other.get_absolute_url() not in obligations
    # read-only
    page = client.get(contracts.contract.get_absolute_url()).content.decode()
    assert 'id="edit-button"' not in page and 'id="new-version"' not in page and 'id="add-obligation"' not in page
    assert client.get(f"/agreements/{contracts.contract.pk}/edit/").status_code == 403
    assert client.post(f"/agreements/{contracts.contract.pk}/versions/new/").status_code == 302
    assert contracts.contract.versions.count() == 1
    assert client.post(f"/obligations/{own.pk}/deliver/", {"delivered_on": str(localdate())}).status_code == 302
    own.refresh_from_db()
    assert own.status == "open"
    # the API
    assert client.get(f"/api/agreements/{contracts.contract.pk}").status_code == 200
    assert client.get(f"/api/agreements/{contracts.other_contract.pk}").status_code == 404
    assert client.get(f"/api/agreements/{contracts.other_contract.pk}/versions").status_code == 404
    assert client.get(f"/api/obligations/{other.pk}").status_code == 404
    assert [row["id"] for row in client.get("/api/agreements/").json()["items"]] == [contracts.contract.pk]
    assert [row["id"] for row in client.get("/api/obligations/").json()["items"]] == [own.pk]
    assert _json(client, "patch", f"/api/agreements/{contracts.contract.pk}", {"name": "Mine now"}, '"1"').status_code == 403
    assert (
        _json(client, "post", f"/api/obligations/{own.pk}/deliver", {"delivered_on": str(localdate())}, '"1"').status_code == 403
    )
    assert _json(client, "post", f"/api/agreements/{contracts.contract.pk}/versions", {}).status_code == 403
    # and nothing else
    assert client.get(contracts.supplier.get_absolute_url()).status_code == 404
    assert client.get("/organisations/").status_code == 403
    assert client.get("/organisation-contacts/").status_code == 403
    assert client.get("/api/organisations/").json()["count"] == 0
    assert client.get("/services/").status_code == 403
    assert client.get(f"/api/services/{contracts.service.pk}").status_code == 404
    found = client.get("/search/", {"q": contracts.other_contract.code}).content.decode()
    assert contracts.other_contract.get_absolute_url() not in found


def test_a_supplier_contact_sees_agreed_versions_not_drafts(contracts):
    draft = draft_of(contracts.contract, contracts.users["cm_it"])
    client = contracts.client_for("supplier_user")
    assert client.get(contracts.contract.current_version.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert [v["number"] for v in client.get(f"/api/agreements/{contracts.contract.pk}/versions").json()] == [1]
    page = client.get(contracts.contract.get_absolute_url()).content.decode()
    assert 'id="pending-version"' not in page


def test_an_archived_contact_loses_access(contracts):
    contact = contracts.supplier.contacts.get()
    contact.archived_at = contact.created_at
    contact.save()
    assert contracts.client_for("supplier_user").get(contracts.contract.get_absolute_url()).status_code == 404


def test_my_work_lists_a_contacts_agreements(contracts):
    page = contracts.client_for("supplier_user").get("/my-work/").content.decode()
    assert "My organisation&#x27;s agreements" in page or "My organisation's agreements" in page
    assert contracts.contract.get_absolute_url() in page and contracts.other_contract.get_absolute_url() not in page


# --- the service owner and the project ------------------------------------------------------------


def test_the_service_owner_sees_the_agreements_covering_the_service(contracts):
    org = contracts.org
    elsewhere = make_agreement(
        domain=org.hr, manager=contracts.person("cm_it"), provider_unit=org.unit_b, customer_unit=org.unit_a, kind="ola"
    )
    client = contracts.client_for("service_owner")
    assert client.get(contracts.contract.get_absolute_url()).status_code == 200
    assert client.get(elsewhere.get_absolute_url()).status_code == 404
    make_version(elsewhere, specifier=contracts.person("cm_it"), service_list=[contracts.service])
    assert client.get(elsewhere.get_absolute_url()).status_code == 200
    assert client.get(f"/agreements/{elsewhere.pk}/edit/").status_code == 403


def test_a_project_page_shows_its_supplier_contracts_and_open_obligations(contracts):
    org = contracts.org
    portfolio = Portfolio.objects.create(code="ITP", name="IT portfolio", domain=org.it)
    pm = login(contracts.users, "project_lead")  # a login of the organisation without a role on contract management
    project = Project.objects.create(code="P-9", name="Laptops", portfolio=portfolio, project_manager=pm.person)
    contracts.contract.projects.add(project)
    open_one = make_obligation(contracts.contract, description="Deliver 200 laptops", due_date=localdate() - timedelta(days=1))
    make_obligation(contracts.contract, description="Old delivery", status="delivered", delivered_on=localdate())
    page = contracts.client_for("project_lead").get(project.get_absolute_url()).content.decode()
    assert 'id="supplier-section"' in page
    assert contracts.contract.get_absolute_url() in page and contracts.other_contract.get_absolute_url() not in page
    assert open_one.get_absolute_url() in page and "Old delivery" not in page and "(overdue)" in page
    # Seeing the project, its manager also sees the referenced contract and its obligations.
    assert contracts.client_for("project_lead").get(open_one.get_absolute_url()).status_code == 200


# --- the matrix -----------------------------------------------------------------------------------

ROLES = ["member_it", "smo_it", "cm_it", "purchaser_it", "service_owner", "supplier_user", "norole"]
EXPECTED = {
    #                view   add    change approve
    "member_it": (True, False, False, False),
    "smo_it": (True, False, False, False),
    "cm_it": (True, True, True, True),
    "purchaser_it": (True, True, True, False),
    "service_owner": (True, False, False, False),
    "supplier_user": (True, False, False, False),
    "norole": (False, False, False, False),
}


def _in_review(contracts):
    """A version in review specified by someone who is none of the users in the matrix."""
    drafter = Person.objects.create(given_name="Dora", family_name="Drafter")
    version = make_version(contracts.contract, specifier=drafter, status="in_review", service_list=[contracts.service])
    return version


def _uc_payload(contracts, code):
    return {
        "kind": "uc",
        "code": code,
        "name": "Printing",
        "domain": contracts.org.it.pk,
        "provider_organisation": contracts.other_supplier.pk,
        "customer_unit": contracts.org.unit_b.pk,
        "contract_manager": contracts.person("cm_it").pk,
    }


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("channel", ["ui", "api"])
def test_permissions_matrix(contracts, who, channel):
    from regie.suppliers.models import Agreement

    may_view, may_add, may_change, may_approve = EXPECTED[who]
    client = contracts.client_for(who)
    agreement = contracts.contract
    # view
    if channel == "ui":
        seen = client.get(agreement.get_absolute_url()).status_code
    else:
        seen = client.get(f"/api/agreements/{agreement.pk}").status_code
    assert seen == (200 if may_view else 404)
    # add
    payload = _uc_payload(contracts, f"UC-{who}")
    if channel == "ui":
        client.post("/agreements/add/", payload)
    else:
        response = _json(client, "post", "/api/agreements/", payload)
        assert response.status_code == (201 if may_add else 403)
    assert Agreement.objects.filter(code=f"UC-{who}").exists() == may_add
    # change
    if channel == "ui":
        form = {
            k: getattr(agreement, f"{k}_id", None) or getattr(agreement, k)
            for k in ("kind", "code", "domain", "contract_manager")
        }
        form.update(
            name="Renamed",
            provider_organisation=agreement.provider_organisation_id,
            customer_unit=agreement.customer_unit_id,
            version=agreement.version,
        )
        client.post(f"/agreements/{agreement.pk}/edit/", form)
    else:
        response = _json(client, "patch", f"/api/agreements/{agreement.pk}", {"name": "Renamed"}, f'"{agreement.version}"')
        assert response.status_code == (200 if may_change else 403 if may_view else 404)
    agreement.refresh_from_db()
    assert (agreement.name == "Renamed") == may_change
    # approve
    version = _in_review(contracts)
    if channel == "ui":
        client.post(f"/agreements/{agreement.pk}/versions/{version.number}/approve/", {"version": version.version})
    else:
        response = _json(
            client, "post", f"/api/agreements/{agreement.pk}/versions/{version.number}/approve", etag=f'"{version.version}"'
        )
        # A supplier's contact does not even see a version before it is approved.
        sees_version = may_view and who != "supplier_user"
        assert response.status_code == (200 if may_approve else 403 if sees_version else 404), response.content
    version.refresh_from_db()
    assert (version.status == "approved") == may_approve


def test_smo_officer_keeps_sla_and_ola_drafts_and_sees_all_here(contracts):
    org = contracts.org
    client = contracts.client_for("smo_it")
    sla = {
        "kind": "sla",
        "code": "SLA-WP",
        "name": "Workplace SLA",
        "domain": org.it.pk,
        "provider_unit": org.unit_b.pk,
        "customer_unit": org.unit_a.pk,
        "contract_manager": contracts.person("cm_it").pk,
    }
    created = client.post("/agreements/add/", sla)
    assert created.status_code == 302
    from regie.suppliers.models import Agreement

    agreement = Agreement.objects.get(code="SLA-WP")
    assert client.post(f"/agreements/{agreement.pk}/versions/new/").status_code == 302
    assert agreement.versions.get().specified_by == contracts.person("smo_it")
    for url in ("/organisations/", "/organisation-contacts/", "/obligations/", contracts.supplier.get_absolute_url()):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/organisations/{contracts.supplier.pk}/edit/").status_code == 403


# --- bounded queries ------------------------------------------------------------------------------


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow(contracts, n):
    for i in range(n):
        agreement = make_agreement(
            domain=contracts.org.it,
            manager=contracts.person("cm_it"),
            provider_organisation=contracts.supplier,
            customer_unit=contracts.org.unit_b,
        )
        make_version(agreement, specifier=contracts.person("cm_it"), status="approved", service_list=[contracts.service])
        make_obligation(agreement, due_date=localdate() - timedelta(days=i % 5), penalty_amount=1, consequence_kind="penalty")
        make_obligation(contracts.contract, status="missed", due_date=localdate() - timedelta(days=3))


def test_list_pages_and_the_supplier_page_use_a_fixed_number_of_queries(contracts):
    client = contracts.client_for("cm_it")
    urls: dict[str, dict[str, Any]] = {
        "/agreements/": {"per_page": 100},
        "/obligations/": {"per_page": 100},
        "/organisations/": {"per_page": 100},
        contracts.supplier.get_absolute_url(): {},
        contracts.contract.get_absolute_url(): {},
        "/api/obligations/": {"limit": 100},
        "/api/agreements/": {"limit": 100},
        "/my-work/": {},
    }
    _grow(contracts, 3)
    before = {url: _count(client, url, **params) for url, params in urls.items()}
    _grow(contracts, 12)
    after = {url: _count(client, url, **params) for url, params in urls.items()}
    assert before == after


def test_new_version_through_the_page_opens_the_draft_for_editing(contracts):
    client = contracts.client_for("cm2_it")
    response = client.post(f"/agreements/{contracts.contract.pk}/versions/new/")
    assert response.status_code == 302 and response["Location"].endswith(f"/agreements/{contracts.contract.pk}/versions/2/edit/")
    page = client.get(contracts.contract.get_absolute_url()).content.decode()
    assert 'id="pending-status">draft<' in page and 'id="edit-draft"' in page and 'id="submit-version"' in page
    again = client.post(f"/agreements/{contracts.contract.pk}/versions/new/", follow=True).content.decode()
    assert "is still draft" in again
    assert services.open_version(contracts.contract).number == 2


# --- external people see only their own organisation's agreed terms ---------------------------------


def _secret_draft(contracts):
    draft = draft_of(contracts.contract, contracts.users["purchaser_it"])
    services.version_update(
        actor=contracts.users["purchaser_it"], version=draft, data={"price_terms": "SECRET price 42"}, expected_version=None
    )
    services.target_add(actor=contracts.users["purchaser_it"], version=draft, data={"metric": "availability", "target": "99.99"})
    return draft


def test_another_suppliers_contact_named_on_a_project_or_owning_a_service_sees_nothing_of_the_contract(contracts):
    """A contact of Netco sits on the steering committee of a project that references Cloudy's contract
    and owns a service the contract covers: Cloudy's agreement, its drafts, prices and obligations stay
    out of reach (they would come through the project and service-owner rules for an internal person)."""
    org = contracts.org
    portfolio = Portfolio.objects.create(code="ITP", name="IT portfolio", domain=org.it)
    project = Project.objects.create(code="P-9", name="Laptops", portfolio=portfolio, project_manager=contracts.person("cm_it"))
    project.steering_committee.add(contracts.person("other_supplier_user"))
    contracts.contract.projects.add(project)
    contracts.service.manager = contracts.person("other_supplier_user")
    contracts.service.save()
    draft = _secret_draft(contracts)
    obligation = make_obligation(contracts.contract, description="Deliver 200 laptops")
    client = contracts.client_for("other_supplier_user")
    for url in (contracts.contract.get_absolute_url(), draft.get_absolute_url(), obligation.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 404 and "SECRET" not in response.content.decode()
    assert client.get(f"/api/agreements/{contracts.contract.pk}").status_code == 404
    assert client.get(f"/api/agreements/{contracts.contract.pk}/versions").status_code == 404
    listed = client.get("/api/agreements/").json()["items"]
    assert [a["id"] for a in listed] == [contracts.other_contract.pk]
    assert client.get("/api/obligations/").json()["count"] == 0
    assert client.get("/api/agreement-targets/").json()["count"] == 0
    assert contracts.contract.get_absolute_url() not in client.get(project.get_absolute_url()).content.decode()
    # A person of the organisation (holding a role somewhere) on the same committee sees the drafts.
    insider = login(contracts.users, "insider", "member", org.hr.scope)
    project.steering_committee.add(insider.person)
    page = contracts.client_for("insider").get(draft.get_absolute_url())
    assert page.status_code == 200 and "SECRET" in page.content.decode()


def test_agreement_targets_api_shows_a_contact_the_agreed_targets_only(contracts):
    agreed = contracts.contract.current_version.targets.create(metric="resolution", priority=1, target="240")
    draft = _secret_draft(contracts)
    drafted = draft.targets.get(metric="availability")
    client = contracts.client_for("supplier_user")
    for params in ({}, {"agreement_id": contracts.contract.pk}, {"version_id": draft.pk}):
        ids = [t["id"] for t in client.get("/api/agreement-targets/", params).json()["items"]]
        assert drafted.pk not in ids
    assert [t["id"] for t in client.get("/api/agreement-targets/").json()["items"]] == [agreed.pk]
    assert client.get(f"/api/agreement-targets/{drafted.pk}").status_code == 404
    assert client.get(f"/api/agreement-targets/{agreed.pk}").status_code == 200
    # Those who keep the agreement see the draft's targets.
    keeper = contracts.client_for("purchaser_it")
    assert keeper.get(f"/api/agreement-targets/{drafted.pk}").status_code == 200
    in_force = keeper.get("/api/agreement-targets/", {"in_force": "true"}).json()["items"]
    assert [t["id"] for t in in_force] == [agreed.pk]
