"""The generic record contract for portfolios, programmes and projects, plus who may change a project."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from regie.core.testing import RecordContract
from regie.portfolio.models import Portfolio, Programme, Project
from regie.portfolio.ui import PORTFOLIOS, PROGRAMMES, PROJECTS

_numbers = itertools.count(1)


def _portfolio(org: Any, where: str) -> Portfolio:
    n = next(_numbers)
    domain = org.it if where == "a" else org.hr
    return Portfolio.objects.create(code=f"PF{n}", name=f"Portfolio {n}", domain=domain)


class PortfolioContract(RecordContract):
    viewer_in_scope = "member_it"
    editor_in_scope = "portfolio_manager_it"


class TestPortfolios(PortfolioContract):
    ui = PORTFOLIOS
    api_prefix = "/api/portfolios/"

    def make(self, org: Any, where: str) -> Portfolio:
        return _portfolio(org, where)

    def form_data(self, org: Any, obj: Portfolio | None = None) -> dict[str, Any]:
        if obj is not None:
            return {"code": obj.code, "name": obj.name, "domain": obj.domain_id, "owner": "", "description": ""}
        n = next(_numbers)
        return {"code": f"NPF{n}", "name": f"New portfolio {n}", "domain": org.it.pk, "owner": "", "description": ""}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {"code": f"APF{n}", "name": f"Posted portfolio {n}", "domain": org.it.pk}


class TestProgrammes(PortfolioContract):
    ui = PROGRAMMES
    api_prefix = "/api/programmes/"

    def make(self, org: Any, where: str) -> Programme:
        n = next(_numbers)
        return Programme.objects.create(code=f"PG{n}", name=f"Programme {n}", portfolio=_portfolio(org, where))

    def form_data(self, org: Any, obj: Programme | None = None) -> dict[str, Any]:
        if obj is not None:
            return {"code": obj.code, "name": obj.name, "portfolio": obj.portfolio_id, "manager": "", "goal": ""}
        n = next(_numbers)
        return {"code": f"NPG{n}", "name": f"New programme {n}", "portfolio": _portfolio(org, "a").pk, "manager": "", "goal": ""}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {"code": f"APG{n}", "name": f"Posted programme {n}", "portfolio": _portfolio(org, "a").pk}


def _project_form(obj: Project) -> dict[str, Any]:
    return {
        "code": obj.code,
        "name": obj.name,
        "goal": obj.goal,
        "portfolio": obj.portfolio_id,
        "programme": obj.programme_id or "",
        "sponsor": "",
        "project_manager": obj.project_manager_id or "",
        "pmo_officers": [],
        "steering_committee": [],
        "planned_start": "",
        "planned_end": "",
        "health": obj.health,
        "reporting_frequency": obj.reporting_frequency,
        "expected_costs": str(obj.expected_costs),
        "currency": obj.currency,
        "expected_benefits": "",
        "strategic_contribution": "",
    }


class TestProjects(PortfolioContract):
    ui = PROJECTS
    api_prefix = "/api/projects/"

    def make(self, org: Any, where: str) -> Project:
        n = next(_numbers)
        project = Project.objects.create(code=f"PR{n}", name=f"Project {n}", portfolio=_portfolio(org, where))
        project.steering_committee.set([org.person_a])
        return project

    def form_data(self, org: Any, obj: Project | None = None) -> dict[str, Any]:
        if obj is not None:
            return _project_form(obj)
        n = next(_numbers)
        data = _project_form(Project(code=f"NPR{n}", name=f"New project {n}", portfolio=_portfolio(org, "a")))
        data.update(planned_start="2026-01-05", planned_end="2026-06-30", pmo_officers=[org.person_a.pk])
        return data

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {
            "code": f"APR{n}",
            "name": f"Posted project {n}",
            "portfolio": _portfolio(org, "a").pk,
            "steering_committee": [org.person_a.pk],
            "expected_costs": "125000.50",
            "planned_start": "2026-02-02",
        }


pytestmark = pytest.mark.django_db


def test_project_manager_named_on_a_project_may_change_it_without_a_role(org):
    project = Project.objects.create(code="PM1", name="Managed", portfolio=_portfolio(org, "b"))
    project.project_manager = org.users["norole"].person
    project.save()
    client = org.client_for("norole")
    assert client.get(project.get_absolute_url()).status_code == 200
    data = _project_form(project)
    data.update(name="Renamed by its manager", version=project.version)
    assert client.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.name == "Renamed by its manager"
    assert client.post(f"/projects/{project.pk}/archive/", {"version": project.version}).status_code == 403
    page = client.get("/projects/").content.decode()
    assert project.get_absolute_url() in page and page.count("/projects/") >= 1
    assert (
        "Managed" not in client.get("/my-work/").content.decode()
        or "Renamed by its manager" in client.get("/my-work/").content.decode()
    )


def test_pmo_officer_supports_but_cannot_archive(org):
    project = Project.objects.create(code="PMO1", name="Supported", portfolio=_portfolio(org, "a"))
    client = org.client_for("pmo_it")
    etag = client.get(f"/api/projects/{project.pk}")["ETag"]
    changed = client.patch(
        f"/api/projects/{project.pk}",
        json.dumps({"health": "amber"}),
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200 and changed.json()["health"] == "amber"
    archived = client.post(f"/api/projects/{project.pk}/archive", headers={"If-Match": changed["ETag"]})
    assert archived.status_code == 403


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"planned_start": "2026-05-01", "planned_end": "2026-04-01"}, "planned_end"),
        ({"health": "purple"}, "health"),
        ({"expected_costs": "-5"}, "expected_costs"),
        ({"currency": "euro"}, "currency"),
    ],
)
def test_project_rules_are_named(org, payload, field):
    portfolio = _portfolio(org, "a")
    client = org.client_for("portfolio_manager_it")
    body = {"code": "BAD1", "name": "Bad", "portfolio": portfolio.pk, **payload}
    response = client.post("/api/projects/", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert any(e["field"] == field for e in response.json()["errors"]), response.json()
    assert not Project.objects.filter(code="BAD1").exists()


def test_programme_must_belong_to_the_projects_portfolio(org):
    other = Programme.objects.create(code="OTH", name="Other", portfolio=_portfolio(org, "a"))
    client = org.client_for("portfolio_manager_it")
    body = {"code": "MIX", "name": "Mixed", "portfolio": _portfolio(org, "a").pk, "programme": other.pk}
    response = client.post("/api/projects/", json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "programme"


def test_demo_has_projects_on_my_work():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from regie.core.demo import load_demo

    load_demo(lambda _line: None)
    load_demo(lambda _line: None)
    assert Project.objects.count() == 6
    client = Client()
    client.force_login(get_user_model().objects.get(username="pm"))
    page = client.get("/my-work/").content.decode()
    assert "Laptop refresh" in page and "Campus Wi-Fi upgrade" in page
    pmo = Client()
    pmo.force_login(get_user_model().objects.get(username="pmo"))
    assert pmo.get("/api/projects/").json()["count"] == 6
