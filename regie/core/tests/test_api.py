"""The API's contract: authentication, problem details for every kind of bad input, tokens, paging."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from regie.core import services
from regie.core.models import ApiToken, OrgUnit, Person

pytestmark = pytest.mark.django_db


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_openapi_schema_is_3_1_and_lists_the_core_paths(org):
    client = org.client_for("member_all")
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    for path in ("/api/people/", "/api/people/{pk}", "/api/org-units/", "/api/teams/", "/api/jobs/{pk}"):
        assert path in schema["paths"], path
    assert client.get("/api/docs").status_code == 200


def test_malformed_json_is_a_400_problem(org):
    client = org.client_for("manager_a")
    _problem(client.post("/api/people/", "{not json", content_type="application/json"), 400)


def test_wrong_types_and_unknown_fields_name_the_field(org):
    client = org.client_for("manager_a")
    body = _problem(
        client.post(
            "/api/people/",
            json.dumps({"given_name": "A", "family_name": "B", "org_unit": "seven", "shoe_size": 44}),
            content_type="application/json",
        ),
        422,
    )
    fields = {e["field"] for e in body["errors"]}
    assert "org_unit" in fields and "shoe_size" in fields
    assert not Person.objects.filter(family_name="B").exists()


def test_invalid_email_and_missing_field_are_named(org):
    client = org.client_for("manager_a")
    body = _problem(
        client.post(
            "/api/people/",
            json.dumps({"given_name": "A", "email": "not-an-email"}),
            content_type="application/json",
        ),
        422,
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"email", "family_name"} <= fields


def test_reference_to_an_invisible_record_is_named_not_leaked(org):
    client = org.client_for("manager_a")
    body = _problem(
        client.post(
            "/api/people/",
            json.dumps({"given_name": "A", "family_name": "Outside", "org_unit": org.unit_b.pk}),
            content_type="application/json",
        ),
        422,
    )
    assert body["errors"][0]["field"] == "org_unit"
    assert not Person.objects.filter(family_name="Outside").exists()


def test_duplicate_code_is_a_422_naming_the_field(org):
    client = org.client_for("manager_a")
    body = _problem(
        client.post(
            "/api/org-units/",
            json.dumps({"code": "B", "name": "Dup", "parent": org.unit_a.pk}),
            content_type="application/json",
        ),
        422,
    )
    assert body["errors"][0]["field"] == "code"


def test_oversized_payload_is_refused(org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = org.client_for("manager_a")
    payload = json.dumps({"given_name": "A", "family_name": "B", "phone": "x" * 5000})
    response = client.post("/api/people/", payload, content_type="application/json")
    assert response.status_code in (400, 413)
    assert response["Content-Type"] == "application/problem+json"
    assert not Person.objects.filter(family_name="B").exists()


@pytest.mark.parametrize("path", ["/api/people/abc", "/api/people/99999999", "/api/people/-1", "/api/nothing-here"])
def test_invalid_ids_and_paths_are_4xx_never_500(org, path):
    client = org.client_for("member_all")
    response = client.get(path)
    assert 400 <= response.status_code < 500


def test_bad_query_parameters_are_named(org):
    client = org.client_for("member_all")
    body = _problem(client.get("/api/people/", {"limit": "many"}), 422)
    assert any("limit" in e["field"] for e in body["errors"])
    body = _problem(client.get("/api/people/", {"org_unit_id": "x"}), 422)
    assert any("org_unit_id" in e["field"] for e in body["errors"])


def test_if_match_must_be_an_etag(org):
    client = org.client_for("manager_a")
    response = client.patch(
        f"/api/people/{org.person_a.pk}",
        json.dumps({"phone": "1"}),
        content_type="application/json",
        headers={"If-Match": "abc"},
    )
    _problem(response, 400)


def test_archive_through_the_api_needs_the_current_version(org):
    client = org.client_for("manager_a")
    person = org.person_a
    _problem(client.post(f"/api/people/{person.pk}/archive", headers={"If-Match": '"99"'}), 409)
    person.refresh_from_db()
    assert person.archived_at is None
    response = client.post(f"/api/people/{person.pk}/archive", headers={"If-Match": f'"{person.version}"'})
    assert response.status_code == 200 and response.json()["archived_at"]


def test_history_endpoint_lists_field_changes_with_who(org):
    client = org.client_for("manager_a")
    person = org.person_a
    etag = client.get(f"/api/people/{person.pk}")["ETag"]
    client.patch(
        f"/api/people/{person.pk}",
        json.dumps({"phone": "+46 8 123"}),
        content_type="application/json",
        headers={"If-Match": etag},
    )
    history = client.get(f"/api/people/{person.pk}/history").json()
    latest = history[0]
    assert latest["kind"] == "~"
    assert latest["who"] == str(org.users["manager_a"].person)
    assert {"field": "phone", "label": "phone", "old": "—", "new": "+46 8 123"} in latest["changes"]


def test_personal_token_authenticates_and_revocation_stops_it(org):
    user = org.users["member_all"]
    token, raw = services.token_create(user=user, name="scripts")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.hint) and stored.key_hash != raw
    client = Client()
    response = client.get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["username"] == "member_all"
    services.token_revoke(user=user, token=stored)
    _problem(client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}), 401)
    _problem(client.get("/api/me", headers={"Authorization": "Bearer rg_forged"}), 401)


def test_tokens_are_created_and_revoked_from_the_profile_page(org):
    client = org.client_for("member_a")
    response = client.post("/profile/", {"name": "laptop"})
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get(user=org.users["member_a"], name="laptop")
    start = page.index("rg_")
    raw = page[start : page.index("<", start)].strip()
    assert Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    other = org.client_for("member_all")
    assert other.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404


def test_expired_token_is_refused(org):
    from datetime import timedelta

    from django.utils import timezone

    user = org.users["member_all"]
    token, raw = services.token_create(user=user, name="short", expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_session_writes_need_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["manager_a"])
    response = client.post(
        "/api/org-units/",
        json.dumps({"code": "CSRF", "name": "x", "parent": org.unit_a.pk}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not OrgUnit.objects.filter(code="CSRF").exists()


def test_pagination_and_filters(org):
    client = org.client_for("member_all")
    page = client.get("/api/people/", {"limit": 2, "offset": 0}).json()
    assert len(page["items"]) == 2 and page["count"] >= 3
    filtered = client.get("/api/people/", {"org_unit_id": org.unit_b.pk}).json()
    assert {p["id"] for p in filtered["items"]} == {org.person_b.pk}
    searched = client.get("/api/people/", {"q": "Birch"}).json()
    assert [p["id"] for p in searched["items"]] == [org.person_b.pk]


def test_role_assignment_api_respects_scope(org):
    admin = org.client_for("administrator")
    response = admin.post(
        "/api/role-assignments",
        json.dumps({"person": org.person_b.pk, "role": "member", "scope": org.unit_b.scope.pk}),
        content_type="application/json",
    )
    assert response.status_code == 201
    manager = org.client_for("manager_a")
    body = _problem(
        manager.post(
            "/api/role-assignments",
            json.dumps({"person": org.person_a.pk, "role": "administrator", "scope": org.unit_a.scope.pk}),
            content_type="application/json",
        ),
        422,
    )
    assert body["errors"][0]["field"] == "scope"
    unknown = _problem(
        admin.post(
            "/api/role-assignments",
            json.dumps({"person": org.person_b.pk, "role": "emperor", "scope": org.root.pk}),
            content_type="application/json",
        ),
        422,
    )
    assert unknown["errors"][0]["field"] == "role"


@pytest.mark.parametrize(
    ("prefix", "schema_name"),
    [
        ("/api/people/", "PersonOut"),
        ("/api/teams/", "TeamOut"),
        ("/api/org-units/", "OrgUnitOut"),
        ("/api/domains/", "DomainOut"),
    ],
)
def test_list_rows_match_the_detail_and_the_schema(org, prefix, schema_name):
    """Lists are encoded from plain rows for speed; each row must equal the detail view of the record."""
    from regie.core import api as core_api
    from regie.core.models import Team

    team = Team.objects.create(code="TT", name="Team T", org_unit=org.unit_a, lead=org.person_a)
    team.members.set([org.person_a, org.person_a_sub])
    client = org.client_for("administrator")
    items = client.get(prefix, {"limit": 500}).json()["items"]
    assert items
    schema = getattr(core_api, schema_name)
    for row in items:
        schema.model_validate(row)
        assert client.get(f"{prefix}{row['id']}").json() == row


def test_a_unit_cannot_move_inside_its_own_subtree(org):
    client = org.client_for("administrator")
    top = org.top
    etag = client.get(f"/api/org-units/{top.pk}")["ETag"]
    body = _problem(
        client.patch(
            f"/api/org-units/{top.pk}",
            json.dumps({"parent": org.unit_a_sub.pk}),
            content_type="application/json",
            headers={"If-Match": etag},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "parent"
    top.refresh_from_db()
    assert top.parent_id is None and top.scope.path.count("/") == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"code": "bad code!"}, "code"), ({"name": ""}, "name"), ({"shoe_size": 44}, "shoe_size"), ({"parent": 0}, "parent")],
)
def test_partial_updates_keep_the_field_rules(org, payload, field):
    client = org.client_for("administrator")
    unit = org.unit_b
    etag = client.get(f"/api/org-units/{unit.pk}")["ETag"]
    response = client.patch(
        f"/api/org-units/{unit.pk}", json.dumps(payload), content_type="application/json", headers={"If-Match": etag}
    )
    body = _problem(response, 422)
    assert any(e["field"] == field for e in body["errors"]), body
    unit.refresh_from_db()
    assert unit.code == "B" and unit.name == "Unit B"
