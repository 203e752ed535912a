"""Stakeholder registers and RACI matrices: exactly one accountable person per row, whole matrices saved
or nothing, who keeps them and who reads them (pages and API), the power/interest grid, and "who does
what" for a person."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from regie.core.services import StaleWrite
from regie.core.tests.factories import PersonFactory, UserFactory
from regie.governance import services
from regie.governance.models import RaciCell, RaciRow, Stakeholder
from regie.portfolio.models import Portfolio, Programme, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    """P1 in the IT domain: ``pm`` manages it (no role), ``sponsor`` sponsors it, ``worker`` has a login
    and nothing else."""
    for name in ("pm", "sponsor", "worker", "stranger"):
        org.users[name] = UserFactory(username=name)
        PersonFactory(user=org.users[name], given_name=name.capitalize(), family_name="Person")
        org.users[name].refresh_from_db()
    portfolio = Portfolio.objects.create(code="ITP", name="IT portfolio", domain=org.it)
    return Project.objects.create(
        code="P1",
        name="Project one",
        portfolio=portfolio,
        project_manager=org.users["pm"].person,
        sponsor=org.users["sponsor"].person,
    )


def _client(org, who):
    client = Client()
    client.force_login(org.users[who])
    return client


def _person(org, who):
    return org.users[who].person


def _rows(org, *specs):
    return [
        services.RowIn(subject=subject, cells={_person(org, who).pk: letter for who, letter in cells.items()})
        for subject, cells in specs
    ]


# --- RACI -----------------------------------------------------------------------------------------


def test_a_matrix_is_saved_whole_with_one_accountable_per_row(org, project):
    rows = services.raci_save(
        actor=org.users["pm"],
        project=project,
        rows=_rows(org, ("Business case", {"sponsor": "A", "pm": "R", "worker": "C"}), ("Test plan", {"pm": "A", "worker": "R"})),
        expected_etag=None,
    )
    assert [r.subject for r in rows] == ["Business case", "Test plan"]
    assert RaciCell.objects.filter(letter="A").count() == 2


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"pm": "R", "worker": "C"}, "no accountable person"),
        ({"pm": "A", "sponsor": "A"}, "2 accountable people"),
        ({"pm": "X"}, "R, A, C or I"),
    ],
)
def test_a_row_with_no_or_two_accountables_is_named_and_nothing_is_saved(org, project, cells, message):
    services.raci_save(actor=org.users["pm"], project=project, rows=_rows(org, ("Kept", {"pm": "A"})), expected_etag=None)
    with pytest.raises(ValidationError) as refused:
        services.raci_save(
            actor=org.users["pm"],
            project=project,
            rows=_rows(org, ("Kept", {"pm": "A"}), ("Design", cells)),
            expected_etag=None,
        )
    assert message in " ".join(refused.value.message_dict["rows[2]"])
    assert list(RaciRow.objects.values_list("subject", flat=True)) == ["Kept"]


@pytest.mark.parametrize("who", ["sponsor", "worker", "member_it", "stranger"])
def test_only_those_who_may_change_the_project_keep_its_matrix(org, project, who):
    with pytest.raises(PermissionDenied):
        services.raci_save(actor=org.users[who], project=project, rows=_rows(org, ("Plan", {"pm": "A"})), expected_etag=None)
    response = _client(org, who).post(
        f"/projects/{project.pk}/raci/", {"rows": "1", "row-0-subject": "Plan", f"row-0-person-{_person(org, 'pm').pk}": "A"}
    )
    assert response.status_code in (403, 404)
    assert not RaciRow.objects.exists()


def test_the_matrix_page_saves_and_names_the_row_in_error(org, project):
    client = _client(org, "pm")
    pm, worker = _person(org, "pm").pk, _person(org, "worker").pk
    page = client.get(f"/projects/{project.pk}/raci/")
    assert page.status_code == 200 and 'id="raci-save"' in page.content.decode()
    etag = services.matrix_etag(project)
    bad = client.post(
        f"/projects/{project.pk}/raci/",
        {
            "etag": etag,
            "rows": "2",
            "row-0-subject": "Design",
            f"row-0-person-{pm}": "A",
            f"row-0-person-{worker}": "A",
            "row-1-subject": "",
        },
    )
    assert bad.status_code == 400 and "“Design” has 2 accountable people" in bad.content.decode()
    assert not RaciRow.objects.exists()
    good = client.post(
        f"/projects/{project.pk}/raci/",
        {
            "etag": etag,
            "rows": "2",
            "row-0-subject": "Design",
            "row-0-kind": "deliverable",
            f"row-0-person-{pm}": "A",
            f"row-0-person-{worker}": "R",
        },
    )
    assert good.status_code == 302
    row = RaciRow.objects.get()
    assert {c.person_id: c.letter for c in row.cells.all()} == {pm: "A", worker: "R"}
    # the sponsor reads the matrix but gets no form
    read = _client(org, "sponsor").get(f"/projects/{project.pk}/raci/").content.decode()
    assert "Design" in read and 'id="raci-save"' not in read


def test_the_api_replaces_the_matrix_with_if_match(org, project):
    client = _client(org, "pm")
    pm, worker = _person(org, "pm").pk, _person(org, "worker").pk
    got = client.get(f"/api/raci/matrices/{project.pk}")
    etag = got["ETag"]
    body = {"rows": [{"subject": "Plan", "cells": [{"person": pm, "part": "A"}, {"person": worker, "part": "R"}]}]}
    assert client.put(f"/api/raci/matrices/{project.pk}", json.dumps(body), content_type="application/json").status_code == 428
    saved = client.put(
        f"/api/raci/matrices/{project.pk}", json.dumps(body), content_type="application/json", headers={"If-Match": etag}
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["rows"][0]["subject"] == "Plan" and saved["ETag"] != etag
    stale = client.put(
        f"/api/raci/matrices/{project.pk}", json.dumps(body), content_type="application/json", headers={"If-Match": etag}
    )
    assert stale.status_code == 409
    two = {"rows": [{"subject": "Plan", "cells": [{"person": pm, "part": "A"}, {"person": worker, "part": "A"}]}]}
    refused = client.put(
        f"/api/raci/matrices/{project.pk}", json.dumps(two), content_type="application/json", headers={"If-Match": saved["ETag"]}
    )
    assert refused.status_code == 422 and "2 accountable people" in json.dumps(refused.json())
    assert RaciCell.objects.filter(letter="A").count() == 1
    assert _client(org, "stranger").get(f"/api/raci/matrices/{project.pk}").status_code == 404


def test_a_stale_matrix_page_is_refused(org, project):
    etag = services.matrix_etag(project)
    services.raci_save(actor=org.users["pm"], project=project, rows=_rows(org, ("Plan", {"pm": "A"})), expected_etag=etag)
    with pytest.raises(StaleWrite):
        services.raci_save(actor=org.users["pm"], project=project, rows=_rows(org, ("Other", {"pm": "A"})), expected_etag=etag)


def test_who_does_what_for_a_person(org, project):
    services.raci_save(
        actor=org.users["pm"],
        project=project,
        rows=_rows(
            org, ("Plan", {"pm": "A", "worker": "R"}), ("Tests", {"worker": "A"}), ("Go-live", {"pm": "A", "worker": "I"})
        ),
        expected_etag=None,
    )
    worker = _person(org, "worker")
    parts = {(c.row.subject, c.letter) for c in services.responsibilities(org.users["pm"], worker)}
    assert parts == {("Plan", "R"), ("Tests", "A"), ("Go-live", "I")}
    # the worker, without any role, sees the rows they take a part in — and only those
    page = _client(org, "worker").get("/raci/who/").content.decode()
    assert "Tests" in page and "Plan" in page
    api = _client(org, "worker").get(f"/api/raci/responsibilities?person={worker.pk}").json()
    assert sorted((r["subject"], r["part"]) for r in api) == [("Go-live", "I"), ("Plan", "R"), ("Tests", "A")]
    assert _client(org, "stranger").get(f"/api/raci/responsibilities?person={worker.pk}").json() == []


# --- stakeholders ---------------------------------------------------------------------------------


def test_stakeholders_on_the_grid(org, project):
    made = [
        services.stakeholder_create(
            actor=org.users["pm"], scope=project.scope, data={"organisation": name, "role": "x", "interest": i, "influence": p}
        )
        for name, i, p in (("Board", 2, 5), ("Users", 5, 2), ("Works council", 4, 4), ("Press", 1, 1))
    ]
    assert [s.quadrant for s in made] == ["satisfy", "inform", "manage", "monitor"]
    page = _client(org, "sponsor").get(f"/projects/{project.pk}/stakeholders/").content.decode()
    manage = page.split('data-quadrant="manage"')[1].split("</div></div>")[0]
    assert "Works council" in manage and "Board" not in manage
    assert 'id="stakeholder-form"' not in page


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "x"}, "organisation"),
        ({"organisation": "Union", "role": "x", "interest": 6}, "interest"),
        ({"organisation": "Union"}, "role"),
    ],
)
def test_bad_stakeholders_are_named(org, project, body, field):
    client = _client(org, "pm")
    response = client.post("/api/stakeholders/", json.dumps({"scope": project.scope_id, **body}), content_type="application/json")
    assert response.status_code in (400, 422) and field in json.dumps(response.json())
    assert not Stakeholder.objects.exists()


def test_the_register_through_the_api_and_who_may_keep_it(org, project):
    client = _client(org, "pm")
    created = client.post(
        "/api/stakeholders/",
        json.dumps(
            {"scope": project.scope_id, "person": _person(org, "sponsor").pk, "role": "Sponsor", "influence": 5, "interest": 5}
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["quadrant"] == "manage"
    pk = created.json()["id"]
    changed = client.patch(
        f"/api/stakeholders/{pk}",
        json.dumps({"attitude": "supportive"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.json()["attitude"] == "supportive"
    sponsor = _client(org, "sponsor")
    assert sponsor.get(f"/api/stakeholders/{pk}").status_code == 200
    assert (
        sponsor.patch(
            f"/api/stakeholders/{pk}", json.dumps({"role": "x"}), content_type="application/json", headers={"If-Match": '"2"'}
        ).status_code
        == 403
    )
    assert _client(org, "stranger").get(f"/api/stakeholders/{pk}").status_code == 404
    assert _client(org, "pmo_it").get("/api/stakeholders/").json()["count"] == 1


def test_the_project_page_shows_the_section(org, project):
    services.stakeholder_create(
        actor=org.users["pm"], scope=project.scope, data={"organisation": "Union", "role": "x", "attitude": "resistant"}
    )
    body = _client(org, "pm").get(f"/projects/{project.pk}/").content.decode()
    assert 'id="governance-section"' in body and "Union (resistant → supportive)" in body


def test_the_register_and_the_matrix_export_to_csv_and_excel(org, project):
    import io

    import openpyxl

    services.stakeholder_create(
        actor=org.users["pm"],
        scope=project.scope,
        data={"organisation": "Union", "role": "Consulted", "influence": 4, "interest": 4},
    )
    services.raci_save(
        actor=org.users["pm"], project=project, rows=_rows(org, ("Plan", {"pm": "A", "worker": "R"})), expected_etag=None
    )
    client = _client(org, "sponsor")
    csv = client.get(f"/projects/{project.pk}/stakeholders/?export=csv").content.decode("utf-8-sig")
    assert "Union" in csv and "Manage closely" in csv
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/projects/{project.pk}/raci/?export=xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, plan = rows[0], rows[1]
    assert (
        plan[0] == "Plan"
        and plan[header.index(str(_person(org, "pm")))] == "A"
        and plan[header.index(str(_person(org, "worker")))] == "R"
    )


def test_a_programme_keeps_its_own_register(org, project):
    programme = Programme.objects.create(code="PG", name="Programme", portfolio=project.portfolio)
    client = _client(org, "pmo_it")
    page = client.get(f"/programmes/{programme.pk}/").content.decode()
    assert f"/programmes/{programme.pk}/stakeholders/" in page
    added = client.post(
        f"/programmes/{programme.pk}/stakeholders/",
        {
            "organisation": "Board",
            "role": "Decides",
            "interest": 3,
            "influence": 5,
            "attitude": "neutral",
            "desired_attitude": "supportive",
        },
    )
    assert added.status_code == 302 and Stakeholder.objects.get().scope == programme.scope
    assert _client(org, "pm").post(
        f"/programmes/{programme.pk}/stakeholders/", {"organisation": "X", "role": "Y"}
    ).status_code in (403, 404)


def test_a_row_given_twice_or_odd_numbers_are_refused_not_crashed(org, project):
    rows = services.raci_save(actor=org.users["pm"], project=project, rows=_rows(org, ("Plan", {"pm": "A"})), expected_etag=None)
    client = _client(org, "pm")
    pm = _person(org, "pm").pk
    twice = {"rows": [{"id": rows[0].pk, "subject": "Plan", "cells": [{"person": pm, "part": "A"}]}] * 2}
    response = client.put(
        f"/api/raci/matrices/{project.pk}",
        json.dumps(twice),
        content_type="application/json",
        headers={"If-Match": services.matrix_etag(project)},
    )
    assert response.status_code == 422 and "given twice" in json.dumps(response.json())
    page = client.post(
        f"/projects/{project.pk}/raci/",
        {
            "rows": "2",
            "row-0-id": rows[0].pk,
            "row-0-subject": "Plan",
            f"row-0-person-{pm}": "A",
            "row-1-id": rows[0].pk,
            "row-1-subject": "Plan",
            f"row-1-person-{pm}": "A",
        },
    )
    assert page.status_code == 400
    for value in ("abc", "²", "99999999999999999999999"):
        assert client.post(f"/projects/{project.pk}/raci/", {"rows": value}).status_code == 400
        assert (
            client.post(
                f"/projects/{project.pk}/raci/", {"rows": "1", "row-0-subject": "X", f"row-0-person-{value}": "A"}
            ).status_code
            == 400
        )
        assert client.get(f"/projects/{project.pk}/raci/?add={value}").status_code == 200
        assert client.get(f"/raci/who/?person={value}").status_code == 404
    assert RaciRow.objects.filter(archived_at__isnull=True).count() == 1
