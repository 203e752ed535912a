"""The RAID log through its pages and its API: who sees, adds, updates and escalates what; bad input
named; the log exported; the heat map and overdue list with a bounded number of queries."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localdate

from regie.raid.models import Escalation, RaidItem
from regie.raid.tests.conftest import make_item

pytestmark = pytest.mark.django_db

#: who sees a project's item (by role on the domain, named on the project, or owning it), and who not
SEES = ["pm", "named_pmo", "sponsor", "owner", "member_it", "pmo_it", "member_all", "administrator"]
BLIND = ["stranger", "member_a", "norole"]
#: who administers the project's log, and who may not add to it
ADMINISTERS = ["pm", "named_pmo", "pmo_it", "portfolio_manager_it", "administrator"]
MAY_NOT_ADD = ["owner", "sponsor", "member_it", "stranger", "member_a"]


def _api(client, method, url, body=None, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", headers=headers)


@pytest.fixture
def risk(log):
    return make_item(log.project, title="Supplier late", owner=log.person("owner"))


@pytest.mark.parametrize("who", SEES)
def test_those_named_or_holding_a_role_see_the_item(org, log, risk, who):
    client = org.client_for(who) if who in org.users else _client(log, who)
    assert client.get(f"/raid/{risk.pk}/").status_code == 200
    assert client.get(f"/api/raid-items/{risk.pk}").json()["title"] == "Supplier late"
    listed = client.get("/api/raid-items/").json()
    assert risk.pk in [row["id"] for row in listed["items"]]
    page = client.get("/raid/")
    assert page.status_code == 200 and "Supplier late" in page.content.decode()


@pytest.mark.parametrize("who", BLIND)
def test_others_do_not_see_it(org, log, risk, who):
    client = _client(log, who)
    assert client.get(f"/raid/{risk.pk}/").status_code == 404
    assert client.get(f"/api/raid-items/{risk.pk}").status_code == 404
    assert client.get("/api/raid-items/").json()["count"] == 0


def test_anonymous_is_sent_to_sign_in_and_refused_by_the_api(org, risk):
    client = org.client_for("anonymous")
    for url in ("/raid/", f"/raid/{risk.pk}/", "/raid/heat-map/", "/raid/overdue-actions/", "/raid/add/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/raid-items/").status_code == 401


def _client(log, who):
    from django.test import Client

    client = Client()
    client.force_login(log.users[who])
    return client


@pytest.mark.parametrize("who", ADMINISTERS)
def test_the_logs_administrators_add_through_the_page_and_the_api(log, who):
    client = _client(log, who)
    scope = client.get(f"/api/projects/{log.project.pk}").json()["scope_id"]
    assert scope == log.project.scope_id
    owner = log.person("owner").pk
    page = client.post(
        f"/raid/add/?scope={scope}&kind=risk",
        {"title": "Page risk", "owner": owner, "probability": "2", "impact": "5", "status": "open"},
    )
    assert page.status_code == 302
    created = _api(
        client,
        "post",
        "/api/raid-items/",
        {"scope": scope, "kind": "issue", "title": "API issue", "owner": owner, "severity": "high"},
    )
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    assert sorted(RaidItem.objects.values_list("title", "exposure")) == [("API issue", None), ("Page risk", 10)]


@pytest.mark.parametrize("who", MAY_NOT_ADD)
def test_others_may_not_add(log, who):
    client = _client(log, who)
    scope = log.project.scope.pk
    assert client.get(f"/raid/add/?scope={scope}&kind=risk").status_code == 403
    assert client.post(f"/raid/add/?scope={scope}&kind=risk", {"title": "x"}).status_code == 403
    response = _api(client, "post", "/api/raid-items/", {"scope": scope, "kind": "issue", "title": "x", "severity": "low"})
    assert response.status_code == 403
    assert not RaidItem.objects.exists()


def test_the_owner_updates_status_and_progress_on_the_page_and_in_the_api(log, risk):
    client = _client(log, "owner")
    form = client.get(f"/raid/{risk.pk}/edit/")
    assert form.status_code == 200
    body = form.content.decode()
    assert 'name="progress"' in body and 'name="title"' not in body and 'name="owner"' not in body
    saved = client.post(f"/raid/{risk.pk}/edit/", {"status": "open", "progress": "Talked to them", "version": 1})
    assert saved.status_code == 302
    refused = _api(client, "patch", f"/api/raid-items/{risk.pk}", {"impact": 1}, version=2)
    assert refused.status_code == 422 and "impact" in json.dumps(refused.json())
    closed = _api(client, "patch", f"/api/raid-items/{risk.pk}", {"status": "closed"}, version=2)
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed["ETag"] == '"3"'
    risk.refresh_from_db()
    assert (risk.progress, risk.status, risk.impact) == ("Talked to them", "closed", 4)


@pytest.mark.parametrize("who", ["sponsor", "member_it"])
def test_readers_do_not_update(log, risk, who):
    client = _client(log, who)
    assert client.get(f"/raid/{risk.pk}/edit/").status_code == 403
    assert _api(client, "patch", f"/api/raid-items/{risk.pk}", {"status": "closed"}, version=1).status_code == 403
    risk.refresh_from_db()
    assert risk.status == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "risk", "title": "x", "probability": 9, "impact": 2}, "probability"),
        ({"kind": "risk", "title": "x", "probability": 5, "impact": 2}, "owner"),
        ({"kind": "action", "title": "Without owner", "due_date": "2027-01-01"}, "owner"),
        ({"kind": "action", "title": "x", "probability": 2}, "probability"),
        ({"kind": "riddle", "title": "x"}, "kind"),
        ({"kind": "issue", "title": "x", "owner": 999999, "severity": "low"}, "owner"),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(log, body, field):
    client = _client(log, "named_pmo")
    response = _api(client, "post", "/api/raid-items/", {"scope": log.project.scope.pk, **body})
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in json.dumps(response.json())
    assert not RaidItem.objects.exists()


def test_a_bad_form_shows_the_field_and_stores_nothing(log):
    client = _client(log, "named_pmo")
    response = client.post(f"/raid/add/?scope={log.project.scope.pk}&kind=action", {"title": "Call", "due_date": "2027-01-01"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not RaidItem.objects.exists()


def test_a_stale_api_update_is_refused(log, risk):
    client = _client(log, "named_pmo")
    assert _api(client, "patch", f"/api/raid-items/{risk.pk}", {"impact": 5}, version=1).status_code == 200
    assert _api(client, "patch", f"/api/raid-items/{risk.pk}", {"impact": 1}, version=1).status_code == 409
    assert _api(client, "patch", f"/api/raid-items/{risk.pk}", {"impact": 1}).status_code == 428


def test_escalation_on_the_page_and_in_the_api(log, risk):
    client = _client(log, "named_pmo")
    page = client.get(f"/raid/{risk.pk}/")
    assert 'id="escalate-form"' in page.content.decode()
    response = client.post(
        f"/raid/{risk.pk}/escalate/", {"to_scope": log.programme.scope.pk, "reason": "Shared supplier", "version": 1}
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.scope == log.programme.scope
    # the escalating PMO officer of the project cannot follow it to the programme's log
    assert response["Location"] == "/raid/"
    pmo = _client(log, "pmo_it")
    refused = _api(
        pmo,
        "post",
        f"/api/raid-items/{risk.pk}/escalate",
        {"to_scope": log.project.scope.pk, "reason": "Back"},
        version=risk.version,
    )
    assert refused.status_code == 422 and "to_scope" in json.dumps(refused.json())
    moved = _api(
        pmo,
        "post",
        f"/api/raid-items/{risk.pk}/escalate",
        {"to_scope": log.portfolio.scope.pk, "reason": "Portfolio board"},
        version=risk.version,
    )
    assert moved.status_code == 200 and moved.json()["scope_id"] == log.portfolio.scope.pk
    assert Escalation.objects.filter(item=risk).count() == 2
    trail = pmo.get(f"/raid/{risk.pk}/").content.decode()
    assert "Shared supplier" in trail and "Portfolio board" in trail


def test_the_log_exports_to_csv_and_excel_with_its_filters(log, risk):
    make_item(log.project, "action", title="Ring them", owner=log.person("owner"))
    client = _client(log, "pmo_it")
    csv = client.get(f"/raid/?kind=risk&within={log.portfolio.scope.pk}&export=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Supplier late" in text and "Ring them" not in text
    xlsx = client.get("/raid/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    titles = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert titles == {"Supplier late", "Ring them"}


def test_the_heat_map_page_and_api(log, risk):
    make_item(log.project, title="Closed", probability=5, impact=5, owner=log.person("owner"), status="closed")
    client = _client(log, "member_it")
    page = client.get(f"/raid/heat-map/?within={log.portfolio.scope.pk}")
    body = page.content.decode()
    assert page.status_code == 200
    # the single open risk (probability 3, impact 4) sits in its cell of both maps
    assert body.count('data-probability="3" data-impact="4" title="Probability 3, impact 4: 1 risks"') == 2
    api = client.get(f"/api/raid-items/heat-map?within={log.portfolio.scope.pk}").json()
    assert api["total"] == 1 and api["before"][2][3] == 1
    assert client.get("/raid/heat-map/?within=999999").status_code == 404


def test_the_project_page_shows_the_log(log, risk):
    make_item(log.project, "action", title="Overdue call", owner=log.person("owner"), due_date=localdate() - timedelta(days=3))
    body = _client(log, "pm").get(f"/projects/{log.project.pk}/").content.decode()
    assert 'id="raid-section"' in body
    assert "Supplier late" in body
    assert "Overdue call" in body
    assert f"/raid/add/?scope={log.project.scope.pk}&amp;kind=risk" in body
    sponsor_view = _client(log, "sponsor").get(f"/projects/{log.project.pk}/").content.decode()
    assert 'id="raid-section"' in sponsor_view and "raid-add-risk" not in sponsor_view


def test_lists_use_a_fixed_number_of_queries(log):
    owner = log.person("owner")
    client = _client(log, "pmo_it")

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = ["/raid/", "/api/raid-items/", "/raid/heat-map/", "/raid/overdue-actions/", f"/projects/{log.project.pk}/"]
    make_item(log.project, "action", owner=owner, due_date=localdate() - timedelta(days=1))
    make_item(log.project, owner=owner, title="First risk")
    [count(url) for url in urls]  # the first visit creates the organisation's risk scale
    before = [count(url) for url in urls]
    for n in range(15):
        make_item(log.project, owner=owner, title=f"Risk {n}")
        make_item(log.programme, "action", owner=owner, title=f"Action {n}", due_date=localdate() - timedelta(days=n + 1))
    assert [count(url) for url in urls] == before


def test_response_actions_stay_on_their_log_and_are_listed_only_to_those_who_see_them(org, log, risk):
    other_risk = make_item(log.other, title="HR risk", owner=log.person("owner"))
    client = _client(log, "pmo_it")
    body = {
        "scope": log.project.scope_id,
        "kind": "action",
        "title": "Confidential",
        "owner": log.person("owner").pk,
        "due_date": "2027-01-08",
        "source": other_risk.pk,
    }
    admin = _client(log, "administrator")
    refused = _api(admin, "post", "/api/raid-items/", body)
    assert refused.status_code == 422 and "source" in json.dumps(refused.json())
    # an action on the project's log responding to the project's risk is not listed to the risk's owner,
    # who may not see the action
    make_item(log.project, "action", title="Hidden response", owner=log.person("stranger"), source=risk, origin="risk_response")
    assert "Hidden response" not in _client(log, "owner").get(f"/raid/{risk.pk}/").content.decode()
    assert "Hidden response" in client.get(f"/raid/{risk.pk}/").content.decode()


def test_a_log_one_may_not_see_is_not_named(log):
    stranger = _client(log, "stranger")
    assert stranger.get(f"/raid/heat-map/?within={log.other.scope_id}").status_code == 404
    assert stranger.get(f"/raid/overdue-actions/?within={log.other.scope_id}").status_code == 404
    assert stranger.get("/raid/heat-map/?within=99999999999999999999999").status_code == 404
    assert _client(log, "pm").get(f"/raid/heat-map/?within={log.project.scope_id}").status_code == 200
