"""The portfolio overview: latest RAG per dimension with trends, filters, counts, a constant number of
queries, the programme roll-up and the RAG history on a project page."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from regie.portfolio.models import LifecycleModel, Phase, Portfolio, Programme, Project, StatusReport

pytestmark = pytest.mark.django_db
RAGS = ("overall", "schedule", "cost", "scope", "risks", "resources", "quality")


def report(project, start, **rags):
    """A submitted report, written directly as the overview reads it (the rules are tested elsewhere)."""
    values = {name: rags.get(name, "green") for name in RAGS}
    values.update({f"{name}_rationale": "why" for name in RAGS if values[name] != "green"})
    previous = project.latest_report
    created = StatusReport.objects.create(
        project=project, period_start=start, period_end=start + timedelta(days=27), state="submitted", previous=previous, **values
    )
    Project.objects.filter(pk=project.pk).update(latest_report=created, health=created.overall)
    project.latest_report = created
    return created


@pytest.fixture
def portfolio(org):
    model = LifecycleModel.objects.create(code="O", name="Overview")
    phases = [Phase.objects.create(lifecycle=model, order=i, name=n) for i, n in enumerate(["Idea", "Build", "Close"], 1)]
    portfolio = Portfolio.objects.create(code="OPF", name="Overview portfolio", domain=org.it)
    programme = Programme.objects.create(code="OPG", name="Overview programme", portfolio=portfolio)
    return portfolio, programme, model, phases


def make(portfolio_fixture, code, *, programme=False, phase=0, manager=None):
    portfolio, programme_obj, model, phases = portfolio_fixture
    project = Project.objects.create(
        code=code,
        name=f"Project {code}",
        portfolio=portfolio,
        programme=programme_obj if programme else None,
        lifecycle=model,
        project_manager=manager,
    )
    if phase:
        Project.objects.filter(pk=project.pk).update(current_phase=phases[phase])
    return Project.objects.get(pk=project.pk)


def script_data(page, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"no {element_id} on the page"
    return json.loads(match.group(1))


def overview(client, **params):
    response = client.get("/api/portfolio-overview/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_latest_status_with_trends_per_dimension(org, portfolio):
    a = make(portfolio, "A1")
    report(a, date(2026, 8, 1), overall="green", cost="red")
    report(a, date(2026, 9, 1), overall="amber", cost="amber", schedule="green")
    make(portfolio, "A2")
    body = overview(org.client_for("portfolio_manager_it"))
    rows = {row["code"]: row for row in body["items"]}
    ratings = {r["dimension"]: (r["rag"], r["trend"]) for r in rows["A1"]["ratings"]}
    assert ratings["overall"] == ("amber", "worse")
    assert ratings["cost"] == ("amber", "better")
    assert ratings["schedule"] == ("green", "same")
    assert all(r["rag"] == "" and r["trend"] == "" for r in rows["A2"]["ratings"])
    assert {h["rag"]: h["count"] for h in body["health"]} == {"green": 0, "amber": 1, "red": 0, "none": 1}


def test_filters(org, portfolio):
    manager = org.users["norole"].person
    a = make(portfolio, "F1", programme=True, phase=1, manager=manager)
    b = make(portfolio, "F2", phase=2)
    c = make(portfolio, "F3")
    report(a, date(2026, 9, 1), overall="red", risks="red")
    report(b, date(2026, 9, 1), overall="green", risks="amber")
    Project.objects.filter(pk=c.pk).update(report_due=timezone.localdate() - timedelta(days=1))
    Project.objects.filter(pk__in=[a.pk, b.pk]).update(report_due=timezone.localdate() + timedelta(days=5))
    client = org.client_for("pmo_it")

    def codes(**params):
        return [row["code"] for row in overview(client, **params)["items"]]

    assert codes() == ["F1", "F2", "F3"]
    assert codes(rag="red") == ["F1"]
    assert codes(rag="amber", dimension="risks") == ["F2"]
    assert codes(rag="none") == ["F3"]
    assert codes(phase="Build") == ["F1"]
    assert codes(programme=portfolio[1].pk) == ["F1"]
    assert codes(manager=manager.pk) == ["F1"]
    assert codes(overdue=True) == ["F3"]
    assert codes(domain=org.hr.pk) == []
    assert codes(sort="-code") == ["F3", "F2", "F1"]
    assert codes(q="F2") == ["F2"]
    bad = client.get("/api/portfolio-overview/", {"rag": "purple"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].endswith("rag")


def test_people_see_only_their_projects(org, portfolio):
    mine = make(portfolio, "V1", manager=org.users["norole"].person)
    make(portfolio, "V2")
    assert [r["code"] for r in overview(org.client_for("norole"))["items"]] == [mine.code]
    assert overview(org.client_for("manager_a"))["items"] == []


def test_phase_counts_in_life_cycle_order(org, portfolio):
    for i, phase in enumerate([0, 1, 1, 2, 2, 2]):
        make(portfolio, f"C{i}", phase=phase)
    body = overview(org.client_for("portfolio_manager_it"))
    assert [(p["name"], p["count"]) for p in body["phases"]] == [("Idea", 1), ("Build", 2), ("Close", 3)]
    page = org.client_for("portfolio_manager_it").get("/portfolio-overview/").content.decode()
    funnel = script_data(page, "phase-funnel-data")
    assert funnel == [{"name": "Idea", "value": 1}, {"name": "Build", "value": 2}, {"name": "Close", "value": 3}]


def test_the_number_of_queries_does_not_grow_with_the_projects(org, portfolio):
    client = org.client_for("pmo_it")

    def queries(path):
        client.get(path)  # warm the session and the caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    for i in range(3):
        report(make(portfolio, f"Q{i}", programme=bool(i % 2), manager=org.users["norole"].person), date(2026, 9, 1))
    few = (queries("/portfolio-overview/"), queries("/api/portfolio-overview/"))
    for i in range(3, 40):
        p = make(portfolio, f"Q{i}", programme=bool(i % 2), phase=i % 3, manager=org.users["norole"].person)
        report(p, date(2026, 8, 1), overall="amber")
        report(p, date(2026, 9, 1), overall="red")
    many = (queries("/portfolio-overview/"), queries("/api/portfolio-overview/"))
    assert few == many


def test_overview_page_shows_rag_and_trend(org, portfolio):
    a = make(portfolio, "P1")
    report(a, date(2026, 8, 1), overall="green")
    report(a, date(2026, 9, 1), overall="red", quality="amber")
    page = org.client_for("portfolio_manager_it").get("/portfolio-overview/?rag=red").content.decode()
    row = page.split('data-code="P1"')[1].split("</tr>")[0]
    assert 'data-dimension="overall"' in row and "rag-red" in row and "trend-worse" in row
    assert "rag-amber" in row.split('data-dimension="quality"')[1]


def test_programme_page_rolls_up_its_projects(org, portfolio):
    a = make(portfolio, "R1", programme=True)
    b = make(portfolio, "R2", programme=True)
    make(portfolio, "R3")
    Project.objects.filter(pk=a.pk).update(expected_costs=1000)
    Project.objects.filter(pk=b.pk).update(expected_costs=2500)
    report(a, date(2026, 9, 1), overall="amber")
    page = org.client_for("member_it").get(f"/programmes/{portfolio[1].pk}/").content.decode()
    rollup = page.split('id="programme-rollup"')[1]
    assert "R1" in rollup and "R2" in rollup and "R3" not in rollup
    assert "3,500" in rollup or "3.500" in rollup or "3 500" in rollup or "3500" in rollup
    assert "rag-amber" in rollup.split("Worst status")[1].split("</span></span>")[0] + rollup


def test_project_page_has_the_rag_history(org, portfolio):
    a = make(portfolio, "H1")
    report(a, date(2026, 8, 1), overall="green")
    report(a, date(2026, 9, 1), overall="red", cost="amber")
    page = org.client_for("member_it").get(f"/projects/{a.pk}/").content.decode()
    history = script_data(page, "rag-history-data")
    assert [(h["overall"], h["cost"]) for h in history] == [("green", "green"), ("red", "amber")]
    assert "echarts.min.js" in page and "portfolio/charts.js" in page


def test_text_with_nul_characters_is_refused(org, portfolio):
    response = org.client_for("pmo_it").get("/api/portfolio-overview/", {"q": "a\x00b", "phase": "x\x00"})
    assert response.status_code == 422
    assert {e["field"].split(".")[-1] for e in response.json()["errors"]} == {"q", "phase"}
