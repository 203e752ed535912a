"""Every core page and endpoint that is not a generic record page, against every kind of user."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

USERS = ("anonymous", "norole", "member_a", "manager_a", "administrator")

# path: expected status per user, in the order of USERS (302 = sent to sign in)
PAGES = {
    "/": (302, 200, 200, 200, 200),
    "/my-work/": (302, 200, 200, 200, 200),
    "/search/?q=unit": (302, 200, 200, 200, 200),
    "/profile/": (302, 200, 200, 200, 200),
    "/roles/": (302, 403, 403, 403, 200),
    "/people/import/": (302, 403, 403, 200, 200),
    "/jobs/": (302, 200, 200, 200, 200),
    "/job-profiles/": (302, 200, 200, 200, 200),
    "/domains/": (302, 403, 200, 200, 200),
    "/api/me": (401, 200, 200, 200, 200),
    "/api/roles": (401, 200, 200, 200, 200),
    "/api/role-assignments": (401, 200, 200, 200, 200),
    "/api/scopes": (401, 200, 200, 200, 200),
    "/api/job-profiles/": (401, 200, 200, 200, 200),
    "/api/openapi.json": (200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("index", range(len(USERS)), ids=USERS)
def test_status_per_user(org, path, index):
    response = org.client_for(USERS[index]).get(path)
    assert response.status_code == PAGES[path][index], f"{USERS[index]} {path}"


def test_domains_are_seen_from_the_domain_or_the_whole_organisation(org):
    from regie.core.models import RoleAssignment

    assert org.client_for("member_a").get("/api/domains/").json()["count"] == 0
    assert org.client_for("member_all").get("/api/domains/").json()["count"] == 2
    RoleAssignment.objects.create(person=org.users["member_a"].person, role="member", scope=org.it.scope)
    ids = [d["id"] for d in org.client_for("member_a").get("/api/domains/").json()["items"]]
    assert ids == [org.it.pk]


def test_role_lists_show_only_manageable_scopes(org):
    assert org.client_for("manager_a").get("/api/role-assignments").json() == []
    assert org.client_for("manager_a").get("/api/scopes").json() == []
    assert len(org.client_for("administrator").get("/api/role-assignments").json()) >= 4


def test_only_administrators_assign_and_withdraw_roles(org):
    from regie.core.models import RoleAssignment

    assignment = RoleAssignment.objects.get(role="member", person__user=org.users["member_a"])
    assert org.client_for("manager_a").post(f"/roles/{assignment.pk}/withdraw/").status_code == 403
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    data = {"person": org.person_b.pk, "role": "member", "scope": org.unit_b.scope.pk}
    assert org.client_for("manager_a").post("/roles/", data).status_code == 403
    admin = org.client_for("administrator")
    assert admin.post("/roles/", data).status_code == 302
    assert RoleAssignment.objects.filter(person=org.person_b, role="member").exists()
    assert admin.post(f"/roles/{assignment.pk}/withdraw/").status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    history = RoleAssignment.history.filter(id=assignment.pk, history_type="-").get()
    assert history.history_user == org.users["administrator"]


def test_search_finds_only_visible_records(org):
    page = org.client_for("member_a").get("/search/", {"q": "Birch"}).content.decode()
    assert org.person_b.get_absolute_url() not in page
    page = org.client_for("member_all").get("/search/", {"q": "Birch"}).content.decode()
    assert org.person_b.get_absolute_url() in page


def test_email_url_configures_real_smtp(tmp_path):
    """``regie sendtestemail`` over SMTP to a local server, configured only through EMAIL_URL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from regie.core.tests.test_accounts import _smtp_server

    controller, port, received = _smtp_server()
    try:
        env = {
            **os.environ,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "REGIE_VAR_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "regie.settings",
            "DEBUG": "true",
        }
        regie = Path(sys.executable).parent / "regie"
        result = subprocess.run(
            [str(regie), "sendtestemail", "ops@example.org"], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    finally:
        controller.stop()
    assert len(received) == 1 and received[0]["To"] == "ops@example.org"


def test_person_page_lists_their_visible_teams(org):
    from regie.core.models import Team

    inside = Team.objects.create(code="IN", name="Inside team", org_unit=org.unit_a)
    outside = Team.objects.create(code="OUT", name="Outside team", org_unit=org.unit_b)
    inside.members.add(org.person_a)
    outside.members.add(org.person_a)
    page = org.client_for("member_a").get(f"/people/{org.person_a.pk}/").content.decode()
    assert "Inside team" in page and "Outside team" not in page
